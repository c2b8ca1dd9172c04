// The /ticket family: open and look at tickets; the lifecycle commands are in ticketWork.ts.
import type { CommandDef } from '../src/core/command.ts';
import { ephemeral } from '../src/core/reply.ts';
import { formatTime, ticketCard, ticketLine } from '../src/core/ticketCard.ts';
import type { Level, Priority, TicketState, TicketType } from '../src/domain/ticket.ts';
import { LEVELS, OPEN_STATES, PRIORITIES, STATES, TICKET_TYPES } from '../src/domain/ticket.ts';
import { actingOf } from './acting.ts';
import { deliveriesReply } from './ticketDeliveries.ts';
import { ID, str } from './ticketShared.ts';
import { ticketWorkCommands } from './ticketWork.ts';

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
  summary: 'Show a ticket with its comments and history (or, with --deliveries, what was sent about it).',
  examples: ['/ticket show INC-12', '/ticket show INC-12 --deliveries'],
  minRole: 'requester',
  options: [
    ID,
    { name: 'deliveries', kind: 'flag', description: 'What was sent about it: to whom, where, delivered or why not' },
  ],
  async run(ctx, o, s) {
    const t = await s.tickets.getTicket(actingOf(ctx), o.id as string);
    if (o.deliveries === true) return deliveriesReply(t, ctx, s);
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

export const ticketCommands: readonly CommandDef[] = [ticketNew, ticketShow, ticketList, ...ticketWorkCommands];
