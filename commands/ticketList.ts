// /ticket list: the open work by default, a page at a time, with a Next page button that carries the filters.
import type { CommandContext, CommandDef, CommandServices, OptionValues } from '../src/core/command.ts';
import { typedValue } from '../src/core/parser.ts';
import { UserError } from '../src/domain/errors.ts';
import type { Priority, TicketState, TicketType } from '../src/domain/ticket.ts';
import { OPEN_STATES, PRIORITIES, STATES, TICKET_TYPES } from '../src/domain/ticket.ts';
import { ephemeral, type ReplyAction } from '../src/present/reply.ts';
import { ticketLine } from '../src/present/ticketCard.ts';
import { actingOf } from './acting.ts';
import { str } from './ticketShared.ts';

const LIST_STATES = ['open', 'all', ...STATES] as const;
type ListState = (typeof LIST_STATES)[number];
const PAGE_SIZE = 20;
const MAX_PAGE = 500;
/** Discord carries a button's value in a 100-character custom id, with the action id in front. */
const MAX_BUTTON_VALUE = 80;

/** What one page of a list asks for; the Next page button carries it, compactly, as its value. */
interface ListQuery {
  page: number;
  state: ListState;
  priority?: string | undefined;
  type?: string | undefined;
  service?: string | undefined;
  assigneeId?: string | undefined;
  text?: string | undefined;
}

const KEYS = { page: 'n', state: 's', priority: 'p', type: 't', service: 'v', assigneeId: 'a', text: 'q' } as const;

function encode(q: ListQuery): string {
  const p = new URLSearchParams();
  for (const [field, key] of Object.entries(KEYS)) {
    const v = q[field as keyof ListQuery];
    if (v !== undefined) p.set(key, String(v));
  }
  return p.toString();
}

function decode(value: string): ListQuery {
  const p = new URLSearchParams(value);
  const pick = <T extends string>(key: string, allowed: readonly T[]): T | undefined => {
    const v = p.get(key);
    return v !== null && (allowed as readonly string[]).includes(v) ? (v as T) : undefined;
  };
  return {
    page: pageOf(p.get(KEYS.page) ?? '1'),
    state: pick(KEYS.state, LIST_STATES) ?? 'open',
    priority: pick(KEYS.priority, PRIORITIES),
    type: pick(KEYS.type, TICKET_TYPES),
    service: p.get(KEYS.service) ?? undefined,
    assigneeId: p.get(KEYS.assigneeId) ?? undefined,
    text: p.get(KEYS.text) ?? undefined,
  };
}

function pageOf(raw: string): number {
  const n = /^\d{1,4}$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE) {
    throw new UserError('USAGE.BAD_VALUE', `--page takes a page number from 1 to ${MAX_PAGE}.`, '', 'page');
  }
  return n;
}

/** The next page as a person types it, every filter kept; none when a filter cannot be typed back (a carried person). */
function typedNext(q: ListQuery, o: OptionValues): string | undefined {
  const parts = ['/ticket list', `--page ${q.page + 1}`];
  if (q.state !== 'open') parts.push(`--state ${q.state}`);
  if (q.priority) parts.push(`--priority ${q.priority}`);
  if (q.type) parts.push(`--type ${q.type}`);
  if (q.service) parts.push(`--service ${typedValue(q.service)}`);
  if (q.assigneeId) {
    if (o.mine === true) parts.push('--mine');
    else if (typeof o.assignee === 'string') parts.push(`--assignee @${o.assignee}`);
    else return undefined;
  }
  if (q.text) parts.push(`--text ${typedValue(q.text)}`);
  return parts.join(' ');
}

async function queryOf(ctx: CommandContext, o: OptionValues, s: CommandServices): Promise<ListQuery> {
  const carried = str(o.id);
  if (carried) return decode(carried);
  let assigneeId: string | undefined;
  if (o.mine === true) assigneeId = ctx.person.id;
  else if (typeof o.assignee === 'string') assigneeId = await s.people.personIdOf(ctx.tenant, o.assignee);
  return {
    page: pageOf(str(o.page) ?? '1'),
    state: (str(o.state) ?? 'open') as ListState,
    priority: str(o.priority),
    type: str(o.type),
    service: str(o.service)?.toLowerCase(),
    assigneeId,
    text: str(o.text),
  };
}

export const ticketList: CommandDef = {
  command: 'ticket',
  name: 'list',
  summary:
    'List tickets, 20 a page (open ones unless --state says otherwise; --state all or closed reads all history, so it is slower).',
  examples: ['/ticket list --state open --priority P1', '/ticket list --mine', '/ticket list --text vpn --page 2'],
  minRole: 'requester',
  options: [
    {
      name: 'state',
      kind: 'choice',
      choices: LIST_STATES,
      description: 'open (default), all, or one state; all and closed search the whole archive',
    },
    { name: 'priority', kind: 'choice', choices: PRIORITIES, description: 'Only this priority' },
    { name: 'type', kind: 'choice', choices: TICKET_TYPES, description: 'Only this type' },
    { name: 'service', kind: 'text', description: 'Only this service', maxLength: 100, autocomplete: 'service' },
    { name: 'assignee', kind: 'user', description: 'Only tickets assigned to this person' },
    { name: 'mine', kind: 'flag', description: 'Only tickets assigned to me' },
    {
      name: 'text',
      kind: 'text',
      description: 'Words in the title (over all history with --state all or closed)',
      maxLength: 200,
    },
    { name: 'page', kind: 'text', description: 'Which page of 20 (default 1)', maxLength: 4 },
    {
      name: 'id',
      kind: 'text',
      description: 'Set by the Next page button: the page and filters it goes on with',
      maxLength: 300,
    },
  ],
  async run(ctx, o, s) {
    const q = await queryOf(ctx, o, s);
    const states: TicketState[] | undefined =
      q.state === 'open' ? [...OPEN_STATES] : q.state === 'all' ? undefined : [q.state as TicketState];
    // One more than shown: whether there is a next page is worth saying, a count is not worth a scan.
    const found = await s.tickets.listTickets(actingOf(ctx), {
      ...(states ? { states } : {}),
      ...(q.priority ? { priority: q.priority as Priority } : {}),
      ...(q.type ? { type: q.type as TicketType } : {}),
      ...(q.service ? { service: q.service } : {}),
      ...(q.assigneeId ? { assigneeId: q.assigneeId } : {}),
      ...(q.text ? { text: q.text } : {}),
      skip: (q.page - 1) * PAGE_SIZE,
      limit: PAGE_SIZE + 1,
    });
    const tickets = found.slice(0, PAGE_SIZE);
    const lines = tickets.map((t) => ticketLine(t, ctx.now, ctx.timezone));
    const what = `${q.state === 'all' ? '' : `${q.state} `}ticket${tickets.length === 1 ? '' : 's'}`;
    const first = (q.page - 1) * PAGE_SIZE + 1;
    const more = found.length > PAGE_SIZE;
    const header = !tickets.length
      ? `No ${what}${q.page > 1 ? ` on page ${q.page}` : ''}`
      : q.page === 1 && !more
        ? `${tickets.length} ${what}`
        : `${what.charAt(0).toUpperCase()}${what.slice(1)} ${first}–${first + tickets.length - 1}, newest first (page ${q.page}${more ? `; more: --page ${q.page + 1}` : ''})`;
    const next = encode({ ...q, page: q.page + 1 });
    const typed = typedNext(q, o);
    const actions: ReplyAction[] =
      more && next.length <= MAX_BUTTON_VALUE
        ? [{ id: 'ticket.list', label: 'Next page', value: next, ...(typed ? { typed } : {}) }]
        : [];
    return ephemeral([header, ...lines].join('\n'), { header, list: lines, ...(actions.length ? { actions } : {}) });
  },
};
