// The /incident family, telling people: stakeholder updates, subscriptions, notes, the timeline and the post-incident
// draft.
import type { CommandDef, OptionDef } from '../src/core/command.ts';
import { UserError } from '../src/domain/errors.ts';
import { INCIDENT_STATUSES, type IncidentStatus } from '../src/domain/incident.ts';
import { isOnePlace, platformNamed, threadMarkOn } from '../src/domain/platform.ts';
import { timelineReply } from '../src/present/incidentNotice.ts';
import { pinnedReply } from '../src/present/incidentRoomNotice.ts';
import { ephemeral } from '../src/present/reply.ts';
import { formatTime } from '../src/present/time.ts';
import { sourceAddress } from '../src/services/messaging.ts';
import { actingOf } from './acting.ts';
import { str } from './ticketShared.ts';

/** The incident a command is about: implied in its room, named elsewhere. */
export const INCIDENT: OptionDef = {
  name: 'incident',
  kind: 'ticket',
  description: 'The incident, like INC-12 (implied in its room)',
  autocomplete: true,
};

const update: CommandDef = {
  command: 'incident',
  name: 'update',
  summary: 'Post a stakeholder update (status, severity, commander, time since start, next update due).',
  examples: [
    '/incident update "Failover done; VPN back for most users" --status monitoring',
    '/incident update "Still investigating" --incident INC-12',
  ],
  minRole: 'agent',
  options: [
    {
      name: 'text',
      kind: 'text',
      description: 'What stakeholders should know',
      required: true,
      positional: true,
      rest: true,
      maxLength: 2000,
    },
    { name: 'status', kind: 'choice', choices: INCIDENT_STATUSES, description: 'Move the status with the update' },
    INCIDENT,
  ],
  async run(ctx, o, s) {
    const st = str(o.status) as IncidentStatus | undefined;
    const r = await s.incidents.postUpdate(actingOf(ctx), str(o.incident), (o.text as string).trim(), st);
    const next = r.nextDue
      ? `Next update due ${formatTime(r.nextDue, ctx.now, ctx.timezone)}.`
      : 'It is resolved: no more updates are due.';
    const told = r.incident.subscribers.filter((p) => p.id !== ctx.person.id).length;
    const where = r.incident.stakeholders ? `, ${r.incident.stakeholders} (stakeholders)` : '';
    return ephemeral(
      `Update ${r.incident.updates} on ${r.incident.ticketId} posted to the room${where} and sent to ${told} subscriber${told === 1 ? '' : 's'}. ${next}`,
    );
  },
};

const subscribe: CommandDef = {
  command: 'incident',
  name: 'subscribe',
  summary: 'Follow an incident: its stakeholder updates come to you by DM.',
  examples: ['/incident subscribe INC-12', '/incident subscribe'],
  minRole: 'requester',
  options: [
    { ...INCIDENT, positional: true },
    // What an update's Subscribe button sends (its value is the incident's id).
    { name: 'id', kind: 'ticket', description: 'The incident, like INC-12 (the Subscribe button sends it)' },
  ],
  async run(ctx, o, s) {
    const i = await s.incidents.subscribe(actingOf(ctx), str(o.incident) ?? str(o.id), true);
    return ephemeral(
      `You follow ${i.ticketId}: its updates come to you by DM. Stop with /incident unsubscribe ${i.ticketId}`,
    );
  },
};

const unsubscribe: CommandDef = {
  command: 'incident',
  name: 'unsubscribe',
  summary: 'Stop following an incident.',
  examples: ['/incident unsubscribe INC-12'],
  minRole: 'requester',
  options: [{ ...INCIDENT, positional: true }],
  async run(ctx, o, s) {
    const i = await s.incidents.subscribe(actingOf(ctx), str(o.incident), false);
    return ephemeral(`You no longer follow ${i.ticketId}.`);
  },
};

const note: CommandDef = {
  command: 'incident',
  name: 'note',
  summary: 'Add a line to an incident timeline.',
  examples: ['/incident note "restarted the concentrators"', '/incident note "vendor called back" --incident INC-12'],
  minRole: 'agent',
  options: [
    {
      name: 'text',
      kind: 'text',
      description: 'What happened',
      required: true,
      positional: true,
      rest: true,
      maxLength: 1000,
    },
    INCIDENT,
  ],
  async run(ctx, o, s) {
    const i = await s.incidents.note(actingOf(ctx), str(o.incident), (o.text as string).trim());
    return ephemeral(`Noted on ${i.ticketId}'s timeline.`);
  },
};

/**
 * What a 📌 on a message in an incident's room does: its words on the timeline, once per message. Open to everyone
 * so that a 📌 outside a room is quietly nothing; in a room, the service asks for an agent.
 */
const pin: CommandDef = {
  command: 'incident',
  name: 'pin',
  summary: "Put a message of the incident's room on its timeline (what a 📌 reaction on it does).",
  examples: ['/incident pin 1712345678.000100 "rolled back the config push"'],
  minRole: 'requester',
  options: [
    {
      name: 'message',
      kind: 'text',
      description: "The room message's id",
      required: true,
      positional: true,
      maxLength: 100,
    },
    {
      name: 'text',
      kind: 'text',
      description: 'Its words',
      required: true,
      positional: true,
      rest: true,
      maxLength: 1000,
    },
    { name: 'author', kind: 'text', description: 'Who wrote it', maxLength: 100 },
  ],
  async run(ctx, o, s) {
    const r = await s.incidentRooms.pin(actingOf(ctx), o.message as string, (o.text as string).trim(), str(o.author));
    return pinnedReply(r.incident.ticketId, r.first);
  },
};

const timeline: CommandDef = {
  command: 'incident',
  name: 'timeline',
  summary: "An incident's timeline, in your timezone.",
  examples: ['/incident timeline INC-12', '/incident timeline'],
  minRole: 'requester',
  options: [{ ...INCIDENT, positional: true }],
  async run(ctx, o, s) {
    const { incident, entries } = await s.incidents.timeline(actingOf(ctx), str(o.incident));
    return timelineReply(incident, entries, ctx.now, ctx.timezone);
  },
};

const postmortem: CommandDef = {
  command: 'incident',
  name: 'postmortem',
  summary:
    'The post-incident draft, written from the timeline: a markdown file here (at the terminal, written to disk).',
  examples: ['/incident postmortem INC-12', '/incident postmortem'],
  minRole: 'agent',
  options: [{ ...INCIDENT, positional: true }],
  async run(ctx, o, s) {
    const { origin } = ctx;
    // Where a thread is a channel of its own (a Discord room), the file goes to the thread it was asked in.
    const thread =
      origin.thread && platformNamed(origin.platform)?.channels?.threadIsChannel
        ? `${origin.platform}:${origin.thread}`
        : null;
    const address = isOnePlace(origin.platform) ? null : (thread ?? sourceAddress(origin));
    if (!isOnePlace(origin.platform) && !address) {
      throw new UserError(
        'INCIDENT.POSTMORTEM_NO_CHANNEL',
        'The draft is uploaded to the channel it is asked in, and this conversation is not one the bot can post a file to.',
        'Ask in a channel the bot is in, or in the incident room: /incident postmortem INC-12',
      );
    }
    const to = address ? { address, thread: threadMarkOn(origin.platform, origin.thread) } : undefined;
    const p = await s.incidentCloseout.postmortem(actingOf(ctx), str(o.incident), to);
    return p.uploaded
      ? {
          text: `The post-incident draft for ${p.incident.ticketId} is uploaded to this channel: ${p.path}`,
          visibility: 'channel',
        }
      : ephemeral(`The post-incident draft for ${p.incident.ticketId} is written to ${p.path}`);
  },
};

export const incidentUpdateCommands: readonly CommandDef[] = [
  update,
  subscribe,
  unsubscribe,
  note,
  pin,
  timeline,
  postmortem,
];
