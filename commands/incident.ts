// The /incident family, declaring and running a major incident: declare, roles, status. Updates and the timeline are
// in incidentUpdates.ts.
import type { CommandDef } from '../src/core/command.ts';
import { INCIDENT_ROLES, INCIDENT_STATUSES, type IncidentRole, type IncidentStatus } from '../src/domain/incident.ts';
import { declaredReply, rolesReply } from '../src/present/incidentNotice.ts';
import { ephemeral } from '../src/present/reply.ts';
import { actingOf } from './acting.ts';
import { INCIDENT, incidentUpdateCommands } from './incidentUpdates.ts';
import { str } from './ticketShared.ts';

const declare: CommandDef = {
  command: 'incident',
  name: 'declare',
  summary: 'Declare a major incident: a new one by its title, or an open incident by its id.',
  examples: [
    '/incident declare "VPN down for everyone" --sev 1 --service vpn',
    '/incident declare INC-12 --commander @ada',
  ],
  minRole: 'agent',
  options: [
    {
      name: 'what',
      kind: 'text',
      description: 'A title for a new incident, or an open incident like INC-12',
      positional: true,
      rest: true,
      maxLength: 200,
    },
    { name: 'sev', kind: 'choice', choices: ['1', '2'], description: 'Severity: 1 (default for a title) or 2' },
    {
      name: 'service',
      kind: 'text',
      description: 'The service that is down, e.g. vpn',
      maxLength: 100,
      autocomplete: 'service',
    },
    { name: 'commander', kind: 'user', description: 'Who leads it (default: you)' },
    {
      name: 'stakeholders',
      kind: 'text',
      description: "Where updates go too, e.g. #C0123 (default: the service's team channel)",
      maxLength: 80,
    },
    // What a card's "Declare major incident" button sends (its value is the ticket's id).
    { name: 'id', kind: 'ticket', description: 'An open incident to declare, like INC-12 (the card button sends it)' },
  ],
  async run(ctx, o, s) {
    const sev = str(o.sev);
    const { incident, roomNote } = await s.incidents.declare(actingOf(ctx), {
      what: str(o.what) ?? str(o.id) ?? '',
      severity: sev === '1' ? 1 : sev === '2' ? 2 : undefined,
      service: str(o.service)?.trim() || undefined,
      commander: str(o.commander),
      stakeholders: str(o.stakeholders)?.trim() || undefined,
    });
    const cadence = s.incidents.o.cadence[incident.severity];
    return declaredReply(incident, roomNote, cadence, ctx.now, ctx.timezone);
  },
};

const role: CommandDef = {
  command: 'incident',
  name: 'role',
  summary: 'Give an incident role (commander, comms or scribe) to someone; the room is told.',
  examples: ['/incident role commander @ada', '/incident role comms @bo --incident INC-12'],
  minRole: 'agent',
  options: [
    {
      name: 'role',
      kind: 'choice',
      choices: INCIDENT_ROLES,
      description: 'The role',
      required: true,
      positional: true,
    },
    { name: 'who', kind: 'user', description: 'Who takes it', required: true, positional: true },
    INCIDENT,
  ],
  async run(ctx, o, s) {
    const r = o.role as IncidentRole;
    const i = await s.incidents.setRole(actingOf(ctx), str(o.incident), r, o.who as string);
    return ephemeral(`${i.roles[r]?.name} is ${r} of ${i.ticketId}; the room was told.`);
  },
};

const roles: CommandDef = {
  command: 'incident',
  name: 'roles',
  summary: 'Who holds each role of an incident.',
  examples: ['/incident roles', '/incident roles INC-12'],
  minRole: 'requester',
  options: [{ ...INCIDENT, positional: true }],
  async run(ctx, o, s) {
    return rolesReply(await s.incidents.get(actingOf(ctx), str(o.incident)));
  },
};

const status: CommandDef = {
  command: 'incident',
  name: 'status',
  summary: 'Move an incident on: investigating → identified → monitoring → resolved, with what we know.',
  examples: [
    '/incident status identified "a bad config push on the VPN concentrators"',
    '/incident status resolved "rolled back" --incident INC-12',
  ],
  minRole: 'agent',
  options: [
    {
      name: 'status',
      kind: 'choice',
      choices: INCIDENT_STATUSES,
      description: 'The new status',
      required: true,
      positional: true,
    },
    { name: 'what', kind: 'text', description: 'What we know', positional: true, rest: true, maxLength: 1000 },
    INCIDENT,
  ],
  async run(ctx, o, s) {
    const i = await s.incidents.setStatus(
      actingOf(ctx),
      str(o.incident),
      o.status as IncidentStatus,
      str(o.what)?.trim() ?? '',
    );
    return ephemeral(`${i.ticketId} is ${i.status}; the room was told.`);
  },
};

export const incidentCommands: readonly CommandDef[] = [declare, role, roles, status, ...incidentUpdateCommands];
