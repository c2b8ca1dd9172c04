// /ticket link, /ticket unlink and /ticket known-error: incidents tied to the problem behind them, and its workaround.
import type { CommandDef, OptionDef } from '../src/core/command.ts';
import { knownErrorReply, linkedReply, unlinkedReply } from '../src/present/problemNotice.ts';
import { MANAGE_PROBLEMS } from '../src/services/problems.ts';
import { actingOf } from './acting.ts';
import { ID, str } from './ticketShared.ts';

const INCIDENT: OptionDef = { ...ID, name: 'incident', description: 'The incident, like INC-3' };
const PROBLEM: OptionDef = { ...ID, name: 'problem', description: 'The problem, like PRB-1', placeholder: 'PRB-1' };

const ticketLink: CommandDef = {
  command: 'ticket',
  name: 'link',
  summary: 'Link an incident to the problem behind it (both show the link).',
  examples: ['/ticket link INC-3 PRB-1'],
  minRole: MANAGE_PROBLEMS.role,
  options: [INCIDENT, PROBLEM],
  async run(ctx, o, s) {
    return linkedReply(await s.problems.link(actingOf(ctx), o.incident as string, o.problem as string));
  },
};

const ticketUnlink: CommandDef = {
  command: 'ticket',
  name: 'unlink',
  summary: 'Undo a link between an incident and a problem.',
  examples: ['/ticket unlink INC-3 PRB-1'],
  minRole: MANAGE_PROBLEMS.role,
  options: [INCIDENT, PROBLEM],
  async run(ctx, o, s) {
    return unlinkedReply(await s.problems.unlink(actingOf(ctx), o.incident as string, o.problem as string));
  },
};

const ticketKnownError: CommandDef = {
  command: 'ticket',
  name: 'known-error',
  summary: 'Mark a problem a known error: new incidents on its service get the workaround in their thread.',
  examples: ['/ticket known-error PRB-1 "Restart the VPN client, then sign in again"'],
  minRole: MANAGE_PROBLEMS.role,
  options: [
    { ...PROBLEM, name: 'id' },
    {
      name: 'workaround',
      kind: 'text',
      description: 'What people can do until it is fixed',
      required: true,
      positional: true,
      rest: true,
      maxLength: 1000,
    },
  ],
  async run(ctx, o, s) {
    const r = await s.problems.markKnownError(actingOf(ctx), o.id as string, str(o.workaround) as string);
    return knownErrorReply({ problemId: r.problem.ticketId, service: r.service, already: r.already });
  },
};

export const problemCommands: readonly CommandDef[] = [ticketLink, ticketUnlink, ticketKnownError];
