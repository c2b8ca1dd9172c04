// The ticket aggregate's vocabulary: types, states, lifecycle transitions, id formatting.
import { UserError } from './errors.ts';

export const TICKET_TYPES = ['incident', 'request', 'problem', 'change'] as const;
export type TicketType = (typeof TICKET_TYPES)[number];

export const TYPE_PREFIX: Readonly<Record<TicketType, string>> = Object.freeze({
  incident: 'INC',
  request: 'REQ',
  problem: 'PRB',
  change: 'CHG',
});

export const LEVELS = ['high', 'medium', 'low'] as const;
export type Level = (typeof LEVELS)[number];

export const PRIORITIES = ['P1', 'P2', 'P3', 'P4'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const STATES = ['new', 'assigned', 'in_progress', 'pending', 'resolved', 'closed'] as const;
export type TicketState = (typeof STATES)[number];

/** States a ticket counts as "open" in (not resolved or closed). */
export const OPEN_STATES: readonly TicketState[] = ['new', 'assigned', 'in_progress', 'pending'];

const TRANSITIONS: Readonly<Record<TicketState, readonly TicketState[]>> = Object.freeze({
  new: ['assigned', 'resolved'],
  assigned: ['in_progress', 'resolved'],
  in_progress: ['pending', 'resolved'],
  pending: ['in_progress', 'resolved'],
  resolved: ['closed', 'in_progress'],
  closed: [],
});

export const allowedFrom = (state: TicketState): readonly TicketState[] => TRANSITIONS[state];

/** Where one command takes a ticket two steps at once, named beside the steps: start takes a new ticket, then starts it. */
const SHORTCUTS: Readonly<Partial<Record<TicketState, string>>> = Object.freeze({
  new: 'or straight to in_progress: /ticket start takes it',
});

/** What is allowed from a state, for refusals: "from new it can go to: assigned, resolved (…)" or "closed is final". */
export function allowedText(from: TicketState): string {
  const allowed = TRANSITIONS[from];
  const shortcut = SHORTCUTS[from] ? ` (${SHORTCUTS[from]})` : '';
  return allowed.length ? `from ${from} it can go to: ${allowed.join(', ')}${shortcut}` : `${from} is final`;
}

/** Refuses a lifecycle change with a message naming what is allowed from here. */
export function checkTransition(id: string, from: TicketState, to: TicketState): void {
  if (TRANSITIONS[from].includes(to)) return;
  throw new UserError('TICKET.INVALID_TRANSITION', `${id} is ${from} and cannot become ${to}; ${allowedText(from)}.`);
}

export const formatTicketId = (type: TicketType, number: number): string => `${TYPE_PREFIX[type]}-${number}`;

const ID_RE = /^(INC|REQ|PRB|CHG)-([1-9][0-9]{0,8})$/i;

/** Parses `INC-12` (any case) into type and number; null when it is not a ticket id. */
export function parseTicketId(text: string): { type: TicketType; number: number; id: string } | null {
  const m = ID_RE.exec(text.trim());
  if (!m) return null;
  const prefix = (m[1] as string).toUpperCase();
  const type = (Object.keys(TYPE_PREFIX) as TicketType[]).find((t) => TYPE_PREFIX[t] === prefix) as TicketType;
  const number = Number(m[2]);
  return { type, number, id: formatTicketId(type, number) };
}
