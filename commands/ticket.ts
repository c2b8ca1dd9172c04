// The /ticket family: open, look at, and work tickets through their lifecycle.

import type { CommandDef, OptionDef } from '../src/core/command.ts';
import { ephemeral, type Reply } from '../src/core/reply.ts';
import { formatTime, ticketCard, ticketLine } from '../src/core/ticketCard.ts';
import type { Level, Priority, TicketState, TicketType } from '../src/domain/ticket.ts';
import { LEVELS, OPEN_STATES, PRIORITIES, STATES, TICKET_TYPES } from '../src/domain/ticket.ts';
import type { Ticket } from '../src/store/ticketStore.ts';
import { actingOf } from './acting.ts';

const ID: OptionDef = {
  name: 'id',
  kind: 'ticket',
  description: 'Ticket id, like INC-12',
  required: true,
  positional: true,
  autocomplete: true,
};

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** A short confirmation for the person who acted; the card itself is updated for everyone. */
const done = (t: Ticket, what: string, ctx: { now: Date; timezone: string }): Reply =>
  ephemeral(`${what}\n${ticketLine(t, ctx.now, ctx.timezone)}`);

const ticketNew: CommandDef = {
  command: 'ticket',
  name: 'new',
  summary: 'Open a ticket (an incident unless --type says otherwise).',
  examples: [
    '/ticket new "VPN drops every 5 minutes" --impact high --urgency high --service vpn',
    '/ticket new Need a new laptop --type request',
  ],
  minRole: 'requester',
  options: [
    {
      name: 'title',
      kind: 'text',
      description: 'What is wrong or needed',
      required: true,
      positional: true,
      rest: true,
      maxLength: 200,
    },
    { name: 'description', kind: 'text', description: 'More detail', multiline: true, maxLength: 4000 },
    {
      name: 'type',
      kind: 'choice',
      choices: TICKET_TYPES,
      description: 'incident (default), request, problem, change',
    },
    { name: 'impact', kind: 'choice', choices: LEVELS, description: 'How many are affected (default medium)' },
    { name: 'urgency', kind: 'choice', choices: LEVELS, description: 'How soon it hurts (default medium)' },
    {
      name: 'priority',
      kind: 'choice',
      choices: PRIORITIES,
      description: 'Set priority directly instead of impact x urgency',
    },
    { name: 'service', kind: 'text', description: 'Affected service, e.g. vpn', maxLength: 100 },
    { name: 'team', kind: 'text', description: 'Team that should work it', maxLength: 100 },
  ],
  formWhenEmpty: {
    id: 'ticket.new',
    title: 'Open a ticket',
    submitLabel: 'Open',
    fields: [
      { name: 'title', label: 'Title', kind: 'text', required: true, placeholder: 'VPN drops every 5 minutes' },
      { name: 'description', label: 'Description', kind: 'long', required: false },
      { name: 'type', label: 'Type', kind: 'choice', choices: TICKET_TYPES, required: false },
      { name: 'impact', label: 'Impact', kind: 'choice', choices: LEVELS, required: false },
      { name: 'urgency', label: 'Urgency', kind: 'choice', choices: LEVELS, required: false },
      { name: 'service', label: 'Service', kind: 'text', required: false, placeholder: 'vpn' },
    ],
  },
  async run(ctx, o, s) {
    // Requesters describe impact and urgency; choosing the priority outright is triage, an agent's call.
    if (o.priority !== undefined && !s.people.isAtLeast(ctx.role, 'agent')) {
      return ephemeral(
        'Setting --priority directly needs the agent role. Say how bad it is with --impact and --urgency instead (high, medium, low).',
        { error: 'PERMISSION.DENIED', errorField: 'priority' },
      );
    }
    const t = await s.tickets.openTicket(actingOf(ctx), {
      title: str(o.title) as string,
      description: str(o.description),
      type: str(o.type) as TicketType | undefined,
      impact: str(o.impact) as Level | undefined,
      urgency: str(o.urgency) as Level | undefined,
      priority: str(o.priority) as Priority | undefined,
      service: str(o.service)?.toLowerCase(),
      team: str(o.team)?.toLowerCase(),
    });
    return ticketCard(t, ctx.now, ctx.timezone);
  },
};

const ticketShow: CommandDef = {
  command: 'ticket',
  name: 'show',
  summary: 'Show a ticket with its comments and history.',
  examples: ['/ticket show INC-12'],
  minRole: 'requester',
  options: [ID],
  async run(ctx, o, s) {
    const t = await s.tickets.getTicket(actingOf(ctx), o.id as string);
    const card = ticketCard(t, ctx.now, ctx.timezone);
    const agent = s.people.isAtLeast(ctx.role, 'agent');
    const comments = t.comments
      .filter((c) => agent || !c.internal)
      .map((c) => `${c.internal ? '[work note] ' : ''}${c.author.name}: ${c.text}`);
    const history = t.history.map(
      (h) =>
        `${formatTime(h.at, ctx.now, ctx.timezone)} ${h.actor.name} ${h.action}${
          h.to ? ` → ${h.to}` : h.from ? ' cleared' : ''
        }${h.note ? ` (${h.note})` : ''}`,
    );
    const { card: _notRecorded, ...view } = card;
    return {
      ...view,
      visibility: 'ephemeral',
      list: [...comments.map((c) => `💬 ${c}`), ...history.map((h) => `• ${h}`)],
      text: [card.text, ...comments.map((c) => `  💬 ${c}`), ...history.map((h) => `  • ${h}`)].join('\n'),
    };
  },
};

const LIST_STATES = ['open', 'all', ...STATES] as const;
const LIST_SHOWN = 20;

const ticketList: CommandDef = {
  command: 'ticket',
  name: 'list',
  summary: 'List tickets (open ones unless --state says otherwise).',
  examples: ['/ticket list --state open --priority P1', '/ticket list --mine', '/ticket list --text vpn'],
  minRole: 'requester',
  options: [
    { name: 'state', kind: 'choice', choices: LIST_STATES, description: 'open (default), all, or one state' },
    { name: 'priority', kind: 'choice', choices: PRIORITIES, description: 'Only this priority' },
    { name: 'type', kind: 'choice', choices: TICKET_TYPES, description: 'Only this type' },
    { name: 'service', kind: 'text', description: 'Only this service', maxLength: 100 },
    { name: 'assignee', kind: 'user', description: 'Only tickets assigned to this person' },
    { name: 'mine', kind: 'flag', description: 'Only tickets assigned to me' },
    { name: 'text', kind: 'text', description: 'Words in the title', maxLength: 200 },
  ],
  async run(ctx, o, s) {
    const state = (str(o.state) ?? 'open') as (typeof LIST_STATES)[number];
    const states: TicketState[] | undefined =
      state === 'open' ? [...OPEN_STATES] : state === 'all' ? undefined : [state as TicketState];
    let assigneeId: string | undefined;
    if (o.mine === true) assigneeId = ctx.person.id;
    else if (typeof o.assignee === 'string') assigneeId = await s.people.personIdOf(ctx.tenant, o.assignee);
    // One more than shown: whether there are more is worth saying, a count is not worth a scan.
    const found = await s.tickets.listTickets(actingOf(ctx), {
      ...(states ? { states } : {}),
      ...(o.priority ? { priority: o.priority as Priority } : {}),
      ...(o.type ? { type: o.type as TicketType } : {}),
      ...(o.service ? { service: (o.service as string).toLowerCase() } : {}),
      ...(assigneeId ? { assigneeId } : {}),
      ...(o.text ? { text: o.text as string } : {}),
      limit: LIST_SHOWN + 1,
    });
    const tickets = found.slice(0, LIST_SHOWN);
    const lines = tickets.map((t) => ticketLine(t, ctx.now, ctx.timezone));
    const what = `${state === 'all' ? '' : `${state} `}ticket${tickets.length === 1 ? '' : 's'}`;
    const header =
      found.length > LIST_SHOWN
        ? `The newest ${LIST_SHOWN} ${what}; there are more (narrow with --priority, --service, --text …)`
        : `${tickets.length ? tickets.length : 'No'} ${what}`;
    return ephemeral([header, ...lines].join('\n'), { header, list: lines });
  },
};

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
    const assignee = who === ctx.actor.id ? ctx.person : await s.people.personFor(ctx.tenant, who, ctx.now);
    // Tickets are worked by agents: assigning one to a requester would leave it with nobody able to act.
    if (who !== ctx.actor.id && !s.people.isAtLeast(await s.people.roleFor(ctx.tenant, who), 'agent')) {
      return ephemeral(
        `${assignee.name} is not an agent, so cannot work tickets. An admin can make them one: /role grant ${who} agent`,
        { error: 'TICKET.ASSIGNEE_NOT_AGENT', errorField: 'assignee' },
      );
    }
    const t = await s.tickets.assignTicket(actingOf(ctx), o.id as string, assignee);
    return done(t, `${t.ticketId} is assigned to ${assignee.name}.`, ctx);
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

export const ticketCommands: readonly CommandDef[] = [
  ticketNew,
  ticketShow,
  ticketList,
  ticketAssign,
  ticketStart,
  ticketPending,
  ticketComment,
  ticketResolve,
  ticketClose,
  ticketReopen,
  ticketPriority,
];
