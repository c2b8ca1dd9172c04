// The CAB rules on their own: window overlap at the edges, quorum by distinct people, freezes and admins.
// @module-tag time-of-day
import { describe, expect, it } from 'vitest';
import { decideChange, type Freeze, overlaps, parseWindow } from '../../src/domain/change.ts';
import type { ChangeRecord } from '../../src/domain/entities.ts';

const at = (iso: string) => new Date(iso);
const person = (name: string) => ({ id: name, identity: `console:${name}`, name });
const freeze: Freeze = {
  tenant: 't',
  freezeId: 'FRZ-1',
  from: at('2026-12-20T00:00:00Z'),
  to: at('2027-01-04T00:00:00Z'),
  reason: 'year end',
  by: person('mia'),
  at: at('2026-12-01T00:00:00Z'),
};
const pending = (from: string, to: string): ChangeRecord => ({
  window: { from: at(from), to: at(to) },
  approval: 'pending',
  decisions: [],
});
const input = (name: string, decision: 'approve' | 'reject', extra = {}) => ({
  ticketId: 'CHG-1',
  by: person(name),
  decision,
  reason: null,
  at: at('2026-12-01T10:00:00Z'),
  quorum: 2,
  mayApproveInFreeze: false,
  freezes: [freeze],
  ...extra,
});

describe('overlaps', () => {
  it('counts a shared minute, not a shared edge', () => {
    const w = (a: string, b: string) => ({ from: at(a), to: at(b) });
    expect(overlaps(w('2026-12-19T22:00:00Z', '2026-12-20T00:00:00Z'), freeze)).toBe(false);
    expect(overlaps(w('2026-12-19T22:00:00Z', '2026-12-20T00:01:00Z'), freeze)).toBe(true);
    expect(overlaps(w('2027-01-04T00:00:00Z', '2027-01-04T02:00:00Z'), freeze)).toBe(false);
    expect(overlaps(w('2026-12-01T00:00:00Z', '2027-02-01T00:00:00Z'), freeze)).toBe(true);
  });
});

describe('decideChange', () => {
  it('approves at the quorum of distinct people, refuses a second decision by one', () => {
    const c = pending('2026-12-10T22:00:00Z', '2026-12-10T23:00:00Z');
    const one = decideChange(c, input('ada', 'approve'));
    expect(one.approval).toBe('pending');
    expect(() => decideChange(one, input('ada', 'approve'))).toThrow(/already decided/);
    expect(() => decideChange(one, input('ada', 'reject'))).toThrow(/already decided/);
    const two = decideChange(one, input('bob', 'approve'));
    expect(two.approval).toBe('approved');
    expect(() => decideChange(two, input('cat', 'reject'))).toThrow(/already approved/);
  });

  it('rejects on one rejection, whatever approvals came before', () => {
    const c = decideChange(pending('2026-12-10T22:00:00Z', '2026-12-10T23:00:00Z'), input('ada', 'approve'));
    expect(decideChange(c, input('bob', 'reject')).approval).toBe('rejected');
  });

  it('inside a freeze: approval needs an admin, rejection does not', () => {
    const c = pending('2026-12-24T22:00:00Z', '2026-12-24T23:00:00Z');
    expect(() => decideChange(c, input('ada', 'approve'))).toThrow(/inside freeze FRZ-1 \(year end\)/);
    expect(decideChange(c, input('ada', 'approve', { mayApproveInFreeze: true })).decisions).toHaveLength(1);
    expect(decideChange(c, input('ada', 'reject')).approval).toBe('rejected');
  });
});

describe('parseWindow', () => {
  const now = at('2026-03-07T12:00:00Z');
  it('reads both ends in the zone, across a DST change', () => {
    // New York springs forward on 2026-03-08: 22:00 on the 8th is EDT (UTC-4).
    const r = parseWindow('2026-03-07 22:00..2026-03-08 22:00', now, 'America/New_York');
    expect(r).toEqual({
      ok: true,
      value: { from: at('2026-03-08T03:00:00Z'), to: at('2026-03-09T02:00:00Z') },
    });
  });
  it('refuses what is not a window', () => {
    for (const text of ['', '..', 'tomorrow 9am', 'a..b..c', 'tomorrow 10am..tomorrow 9am']) {
      expect(parseWindow(text, now, 'UTC').ok, text).toBe(false);
    }
  });
});
