// The /ticket family: open and look at tickets; the lifecycle commands are in ticketWork.ts.
import type { CommandDef } from '../src/core/command.ts';
import { parseWindow } from '../src/domain/change.ts';
import { UserError } from '../src/domain/errors.ts';
import { CASCADES_TAG } from '../src/domain/rollupFacts.ts';
import type { Level, Priority, TicketType } from '../src/domain/ticket.ts';
import { LEVELS, PRIORITIES, TICKET_TYPES } from '../src/domain/ticket.ts';
import { actionLine } from '../src/present/actionNotice.ts';
import { openedFromText } from '../src/present/problemNotice.ts';
import { ticketCard } from '../src/present/ticketCard.ts';
import { formatTime } from '../src/present/time.ts';
import { actingOf } from './acting.ts';
import { problemCommands } from './problem.ts';
import { ticketAction } from './ticketAction.ts';
import { ticketChangeCommands } from './ticketChange.ts';
import { ticketCsat } from './ticketCsat.ts';
import { deliveriesReply } from './ticketDeliveries.ts';
import { ticketList } from './ticketList.ts';
import { ticketPir } from './ticketPir.ts';
import { ticketRemind } from './ticketRemind.ts';
import { ID, str } from './ticketShared.ts';
import { ticketWorkCommands } from './ticketWork.ts';

/** The planned window of a change, read in the asker's zone; refused on anything but a change. */
function windowOf(text: string | undefined, type: TicketType | undefined, ctx: { now: Date; timezone: string }) {
  if (text === undefined) return undefined;
  if (type !== 'change') {
    throw new UserError(
      'TICKET.WINDOW_NOT_CHANGE',
      `--window is for change tickets only; this would be ${type === 'request' ? 'a request' : type === 'problem' ? 'a problem' : 'an incident'}.`,
      'Add --type change, or drop --window.',
      'window',
    );
  }
  const r = parseWindow(text, ctx.now, ctx.timezone);
  if (r.ok) return r.value;
  throw new UserError(
    'TICKET.BAD_WINDOW',
    `--window: ${r.error} (read in ${ctx.timezone}).`,
    `For example: ${r.examples.map((e) => `--window "${e}"`).join(' or ')}`,
    'window',
  );
}

/** `--affects dependants`: an incident on a service that takes its dependants down too (docs/services.md). */
function affectsTags(affects: string | undefined, type: TicketType | undefined, service: string | undefined) {
  if (affects === undefined) return undefined;
  if ((type ?? 'incident') !== 'incident' || service === undefined) {
    throw new UserError(
      'USAGE.BAD_OPTION',
      `--affects is for an incident on a service${type && type !== 'incident' ? `; this would be a ${type}` : ', and --service is missing'}.`,
      'For example: /ticket new "Core DB down" --priority P1 --service core-db --affects dependants',
      'affects',
    );
  }
  return [CASCADES_TAG];
}

const ticketNew: CommandDef = {
  command: 'ticket',
  name: 'new',
  summary: 'Open a ticket (an incident unless --type says otherwise).',
  examples: [
    '/ticket new "VPN drops every 5 minutes" --impact high --urgency high --service vpn',
    '/ticket new Need a new laptop --type request',
    '/ticket new "Upgrade the core switch" --type change --window "2026-12-03 22:00..2026-12-04 02:00"',
    '/ticket new "Logins fail after each deploy" --type problem --from INC-3,INC-7',
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
    {
      name: 'service',
      kind: 'text',
      description: 'Affected service, e.g. vpn',
      maxLength: 100,
      autocomplete: 'service',
    },
    {
      name: 'affects',
      kind: 'choice',
      choices: ['dependants'],
      description: 'Incidents: the services that depend on --service are down too (their availability counts it)',
    },
    {
      name: 'team',
      kind: 'text',
      description: 'Team to work it (must exist); a P1/P2 incident pages it, unless a team owns --service',
      maxLength: 100,
    },
    {
      name: 'window',
      kind: 'text',
      description: 'Changes: when it is planned, "<from>..<to>" in your timezone',
      maxLength: 200,
    },
    { name: 'from', kind: 'text', description: 'Problems: the incidents it is behind, INC-3,INC-7', maxLength: 300 },
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
      { name: 'service', label: 'Service', kind: 'text', required: false, placeholder: 'vpn', suggest: 'service' },
    ],
  },
  async run(ctx, o, s) {
    const type = str(o.type) as TicketType | undefined;
    const window = windowOf(str(o.window), type, ctx);
    const tags = affectsTags(str(o.affects), type, str(o.service));
    // A team that does not exist is refused (it would never be paged, nor found by /status); it is kept as named.
    const team = str(o.team) === undefined ? undefined : await s.teams.get(ctx.tenant, str(o.team) as string);
    const input = {
      title: str(o.title) as string,
      description: str(o.description),
      type,
      window,
      impact: str(o.impact) as Level | undefined,
      urgency: str(o.urgency) as Level | undefined,
      priority: str(o.priority) as Priority | undefined,
      service: str(o.service)?.toLowerCase(),
      team: team?.name.toLowerCase(),
      ...(tags ? { tags } : {}),
    };
    const from = str(o.from);
    if (from !== undefined) {
      const r = await s.problems.openFrom(actingOf(ctx), input, from);
      const card = ticketCard(r.problem, ctx.now, ctx.timezone);
      return { ...card, text: `${card.text}\n${openedFromText(r)}` };
    }
    const t = await s.tickets.openTicket(actingOf(ctx), input);
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
    const actions = (await s.actions.ofTicket(t)).map((a) => `Action ${actionLine(a, ctx.now, ctx.timezone, false)}`);
    const { card: _notRecorded, ...view } = card;
    return {
      ...view,
      visibility: 'ephemeral',
      list: [...actions.map((a) => `🛠 ${a}`), ...comments.map((c) => `💬 ${c}`), ...history.map((h) => `• ${h}`)],
      text: [
        card.text,
        ...actions.map((a) => `  🛠 ${a}`),
        ...comments.map((c) => `  💬 ${c}`),
        ...history.map((h) => `  • ${h}`),
      ].join('\n'),
    };
  },
};

export const ticketCommands: readonly CommandDef[] = [
  ticketNew,
  ticketShow,
  ticketList,
  ...ticketWorkCommands,
  ticketRemind,
  ticketPir,
  ticketAction,
  ticketCsat,
  ...ticketChangeCommands,
  ...problemCommands,
];
