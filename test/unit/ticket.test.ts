// The ticket lifecycle state machine and ticket ids, through the domain functions.
import { describe, expect, it } from 'vitest';
import { isUserError, type UserError } from '../../src/domain/errors.ts';
import {
  allowedFrom,
  checkTransition,
  formatTicketId,
  parseTicketId,
  STATES,
  type TicketState,
} from '../../src/domain/ticket.ts';

const ALLOWED: Record<TicketState, TicketState[]> = {
  new: ['assigned', 'resolved'],
  assigned: ['in_progress', 'resolved'],
  in_progress: ['pending', 'resolved'],
  pending: ['in_progress', 'resolved'],
  resolved: ['closed', 'in_progress'],
  closed: [],
};

function refusal(from: TicketState, to: TicketState): UserError {
  try {
    checkTransition('INC-7', from, to);
  } catch (e) {
    if (isUserError(e)) return e;
    throw e;
  }
  throw new Error(`${from} -> ${to} was allowed`);
}

describe('ticket lifecycle', () => {
  const pairs = STATES.flatMap((from) => STATES.map((to) => [from, to] as const));

  it.each(pairs.filter(([from, to]) => ALLOWED[from].includes(to)))('allows %s -> %s', (from, to) => {
    expect(() => checkTransition('INC-7', from, to)).not.toThrow();
  });

  it.each(pairs.filter(([from, to]) => from !== 'closed' && !ALLOWED[from].includes(to)))(
    'refuses %s -> %s, naming the states allowed from there',
    (from, to) => {
      const e = refusal(from, to);
      expect(e.code).toBe('TICKET.INVALID_TRANSITION');
      expect(e.message).toContain(`INC-7 is ${from} and cannot become ${to}`);
      expect(e.message).toContain(`from ${from} it can go to: ${ALLOWED[from].join(', ')}`);
    },
  );

  it.each(STATES)('closed is final: closed -> %s is refused', (to) => {
    const e = refusal('closed', to);
    expect(e.code).toBe('TICKET.INVALID_TRANSITION');
    expect(e.message).toContain('closed is final');
  });

  it('answers the allowed states for every state', () => {
    for (const s of STATES) expect([...allowedFrom(s)]).toEqual(ALLOWED[s]);
  });

  it('reopens only from resolved: in_progress is reachable from resolved', () => {
    expect(allowedFrom('resolved')).toContain('in_progress');
    expect(allowedFrom('closed')).not.toContain('in_progress');
  });
});

describe('ticket ids', () => {
  it.each([
    ['incident', 1, 'INC-1'],
    ['request', 12, 'REQ-12'],
    ['problem', 3, 'PRB-3'],
    ['change', 40, 'CHG-40'],
  ] as const)('formats a %s number %i as %s', (type, n, id) => {
    expect(formatTicketId(type, n)).toBe(id);
    expect(parseTicketId(id)).toEqual({ type, number: n, id });
  });

  it('parses any case and surrounding space into the canonical id', () => {
    expect(parseTicketId(' inc-12 ')).toEqual({ type: 'incident', number: 12, id: 'INC-12' });
    expect(parseTicketId('Req-3')?.id).toBe('REQ-3');
    expect(parseTicketId('INC-123456789')?.number).toBe(123456789);
  });

  it.each([
    '',
    'INC',
    'INC-',
    'INC-0',
    'INC-01',
    'INC12',
    'INC 12',
    'XYZ-1',
    'INC-1a',
    'INC--1',
    'INC-1234567890',
    '#INC-1',
  ])('rejects %j', (text) => {
    expect(parseTicketId(text)).toBeNull();
  });
});
