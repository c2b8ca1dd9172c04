// /ticket commands that work a ticket through its lifecycle: assign, start, pending, comment, resolve, close, reopen, priority.
import type { CommandDef, OptionDef } from '../src/core/command.ts';
import type { Ticket } from '../src/domain/entities.ts';
import type { Priority } from '../src/domain/ticket.ts';
import { PRIORITIES } from '../src/domain/ticket.ts';
import { actingOf } from './acting.ts';
import { done, ID, str } from './ticketShared.ts';

const ticketAssign: CommandDef = {
  command: 'ticket',
  name: 'assign',
  summary: 'Assign a ticket to someone, or to yourself with "me".',
  examples: ['/ticket assign INC-12 me', '/ticket assign INC-12 @ada'],
  minRole: 'agent',
  options: [
    ID,
    { name: 'assignee', kind: 'user', description: 'Who works it ("me" by default on buttons)', positional: true },
  ],
  async run(ctx, o, s) {
    const who = typeof o.assignee === 'string' ? o.assignee : ctx.actor.id;
    const t = await s.tickets.assignTicket(actingOf(ctx), o.id as string, who);
    return done(t, `${t.ticketId} is assigned to ${t.assignee?.name ?? who}.`, ctx);
  },
};

const simple = (
  name: string,
  summary: string,
  minRole: CommandDef['minRole'],
  act: (
    s: Parameters<CommandDef['run']>[2],
    ctx: Parameters<CommandDef['run']>[0],
    id: string,
    note?: string,
  ) => Promise<Ticket>,
  said: (t: Ticket) => string,
  note?: OptionDef,
): CommandDef => ({
  command: 'ticket',
  name,
  summary,
  examples: [`/ticket ${name} INC-12${note ? (note.required ? ' "what was done"' : ' "why"') : ''}`],
  minRole,
  options: note ? [ID, note] : [ID],
  async run(ctx, o, s) {
    const t = await act(s, ctx, o.id as string, str(o[note?.name ?? '']));
    return done(t, said(t), ctx);
  },
});

const ticketStart = simple(
  'start',
  'Start work on a ticket (takes it when unassigned; resumes a pending one).',
  'agent',
  (s, ctx, id) => s.tickets.startTicket(actingOf(ctx), id),
  (t) => `${t.ticketId} is in progress.`,
);

const ticketPending = simple(
  'pending',
  'Put a ticket on hold waiting for someone; the SLA clock pauses.',
  'agent',
  (s, ctx, id, why) => s.tickets.pendTicket(actingOf(ctx), id, why),
  (t) => `${t.ticketId} is pending; its SLA clock is paused.`,
  {
    name: 'reason',
    kind: 'text',
    description: 'What it waits for',
    positional: true,
    rest: true,
    multiline: true,
    maxLength: 1000,
  },
);

const ticketComment: CommandDef = {
  command: 'ticket',
  name: 'comment',
  summary: 'Comment on a ticket; --internal makes it a work note only agents see.',
  examples: [
    '/ticket comment INC-12 "rolled back the 14:00 config push"',
    '/ticket comment INC-12 checking logs --internal',
  ],
  minRole: 'requester',
  options: [
    ID,
    {
      name: 'text',
      kind: 'text',
      description: 'The comment',
      required: true,
      positional: true,
      rest: true,
      multiline: true,
      maxLength: 4000,
    },
    { name: 'internal', kind: 'flag', description: 'A work note, hidden from the requester' },
  ],
  async run(ctx, o, s) {
    const t = await s.tickets.commentTicket(actingOf(ctx), o.id as string, o.text as string, o.internal === true);
    return done(t, `${o.internal === true ? 'Work note' : 'Comment'} added to ${t.ticketId}.`, ctx);
  },
};

const ticketResolve = simple(
  'resolve',
  'Resolve a ticket with a note on what fixed it.',
  'agent',
  (s, ctx, id, note) => s.tickets.resolveTicket(actingOf(ctx), id, note as string),
  (t) => `${t.ticketId} is resolved.`,
  {
    name: 'resolution',
    kind: 'text',
    description: 'What fixed it',
    required: true,
    positional: true,
    rest: true,
    multiline: true,
    maxLength: 4000,
  },
);

const ticketClose = simple(
  'close',
  'Close a resolved ticket (final).',
  'agent',
  (s, ctx, id) => s.tickets.closeTicket(actingOf(ctx), id),
  (t) => `${t.ticketId} is closed.`,
);

const ticketReopen = simple(
  'reopen',
  'Reopen a resolved ticket (back to in progress).',
  'requester',
  (s, ctx, id, why) => s.tickets.reopenTicket(actingOf(ctx), id, why),
  (t) => `${t.ticketId} is reopened and in progress again.`,
  {
    name: 'reason',
    kind: 'text',
    description: 'Why it is not fixed',
    positional: true,
    rest: true,
    multiline: true,
    maxLength: 1000,
  },
);

const ticketPriority: CommandDef = {
  command: 'ticket',
  name: 'priority',
  summary: 'Change a ticket priority; SLA due times follow.',
  examples: ['/ticket priority INC-12 P1'],
  minRole: 'agent',
  options: [
    ID,
    { name: 'priority', kind: 'choice', choices: PRIORITIES, description: 'P1..P4', required: true, positional: true },
  ],
  async run(ctx, o, s) {
    const t = await s.tickets.setPriority(actingOf(ctx), o.id as string, o.priority as Priority);
    return done(t, `${t.ticketId} is now ${t.priority}.`, ctx);
  },
};

export const ticketWorkCommands: readonly CommandDef[] = [
  ticketAssign,
  ticketStart,
  ticketPending,
  ticketComment,
  ticketResolve,
  ticketClose,
  ticketReopen,
  ticketPriority,
];
