// Follow-up actions' reminder days: the due day, then each business day after it at the same wall time in the owner's
// zone, across weekends, DST changes, month and year ends; and action ids.
// @module-tag time-of-day
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isBusinessDayAt, isOverdue, parseActionId, reminderAt } from '../../src/domain/followUp.ts';
import { localParts } from '../../src/domain/localTime.ts';

const LONDON = 'Europe/London';
const NY = 'America/New_York';
const BERLIN = 'Europe/Berlin';
const steps = (dueIso: string, zone: string, n: number) =>
  Array.from({ length: n }, (_, k) => reminderAt(new Date(dueIso), k, zone).toISOString());

describe('reminderAt', () => {
  it('is the due time itself on a business day, then each business day after it, over the weekend', () => {
    // Wed 2026-12-09 09:00 in London (GMT).
    expect(steps('2026-12-09T09:00:00Z', LONDON, 5)).toEqual([
      '2026-12-09T09:00:00.000Z',
      '2026-12-10T09:00:00.000Z',
      '2026-12-11T09:00:00.000Z',
      '2026-12-14T09:00:00.000Z',
      '2026-12-15T09:00:00.000Z',
    ]);
  });

  it('keeps the wall time across the autumn change (London, 25 Oct 2026) and the spring one (New York, 8 Mar 2026)', () => {
    // Fri 23 Oct 09:00 BST (08:00Z); Mon 26 Oct 09:00 GMT (09:00Z).
    expect(steps('2026-10-23T08:00:00Z', LONDON, 2)).toEqual(['2026-10-23T08:00:00.000Z', '2026-10-26T09:00:00.000Z']);
    // Fri 6 Mar 09:00 EST (14:00Z); Mon 9 Mar 09:00 EDT (13:00Z).
    expect(steps('2026-03-06T14:00:00Z', NY, 2)).toEqual(['2026-03-06T14:00:00.000Z', '2026-03-09T13:00:00.000Z']);
  });

  it('crosses month and year ends, with no holidays (1 January is a business day)', () => {
    // Fri 30 Jan 2026 17:00 in New York: Mon 2 Feb, Tue 3 Feb.
    expect(steps('2026-01-30T22:00:00Z', NY, 3)).toEqual([
      '2026-01-30T22:00:00.000Z',
      '2026-02-02T22:00:00.000Z',
      '2026-02-03T22:00:00.000Z',
    ]);
    // Thu 31 Dec 2026 12:00 UTC: Fri 1 Jan 2027, then Mon 4 Jan.
    expect(steps('2026-12-31T12:00:00Z', 'UTC', 3)).toEqual([
      '2026-12-31T12:00:00.000Z',
      '2027-01-01T12:00:00.000Z',
      '2027-01-04T12:00:00.000Z',
    ]);
  });

  it('tells a weekend due on the next Monday, even across a month end (Sat 28 Feb 2026)', () => {
    expect(steps('2026-02-28T10:00:00Z', 'UTC', 2)).toEqual(['2026-03-02T10:00:00.000Z', '2026-03-03T10:00:00.000Z']);
  });

  it('reads the weekend in the owner zone: Fri 23:30 UTC is Sat 00:30 in Berlin', () => {
    const due = '2026-12-11T23:30:00Z';
    expect(steps(due, 'UTC', 1)).toEqual([due.replace('Z', '.000Z')]);
    // Mon 14 Dec 00:30 in Berlin (CET).
    expect(steps(due, BERLIN, 1)).toEqual(['2026-12-13T23:30:00.000Z']);
  });

  it('refuses an unknown zone and a step that is not a whole number from 0', () => {
    const due = new Date('2026-03-13T09:00:00Z');
    expect(() => reminderAt(due, 0, 'Mars/Olympus')).toThrow(RangeError);
    expect(() => reminderAt(due, -1, 'UTC')).toThrow(RangeError);
    expect(() => reminderAt(due, 1.5, 'UTC')).toThrow(RangeError);
  });

  it('always lands on a business day in the zone, later with each step, at the due wall time but for a DST gap', () => {
    const zones = fc.constantFrom('UTC', LONDON, NY, BERLIN, 'Australia/Sydney', 'Asia/Kolkata', 'Pacific/Chatham');
    const instants = fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2030, 11, 31) }).map((ms) => new Date(ms));
    fc.assert(
      fc.property(instants, zones, fc.integer({ min: 0, max: 40 }), (due, zone, step) => {
        const at = reminderAt(due, step, zone);
        const next = reminderAt(due, step + 1, zone);
        expect(isBusinessDayAt(at, zone)).toBe(true);
        expect(next.getTime()).toBeGreaterThan(at.getTime());
        expect(at.getTime()).toBeGreaterThanOrEqual(due.getTime());
        const d = localParts(due, zone);
        const l = localParts(at, zone);
        // A wall time the spring change skips is moved by the gap (at most an hour here); otherwise it is kept.
        const minutes = (p: typeof d) => p.hour * 60 + p.minute;
        expect(Math.abs(minutes(l) - minutes(d))).toBeLessThanOrEqual(60);
        // At most the step plus a weekend (and the weekend a due falls on) in calendar days after the due.
        const days = (at.getTime() - due.getTime()) / 86_400_000;
        expect(days).toBeLessThan(step + 2 * (Math.floor(step / 5) + 1) + 2);
      }),
    );
  });
});

describe('action ids and overdue', () => {
  it('reads ACT-n in any case and nothing else', () => {
    expect(parseActionId('ACT-3')).toBe(3);
    expect(parseActionId(' act-12 ')).toBe(12);
    for (const bad of ['ACT-0', 'ACT-', 'INC-3', 'ACT-1x', '', 'ACT-1234567890']) expect(parseActionId(bad)).toBeNull();
  });

  it('is overdue only while open and at or after its due time', () => {
    const dueAt = new Date('2026-12-09T09:00:00Z');
    expect(isOverdue({ state: 'open', dueAt }, new Date('2026-12-09T08:59:59Z'))).toBe(false);
    expect(isOverdue({ state: 'open', dueAt }, dueAt)).toBe(true);
    expect(isOverdue({ state: 'done', dueAt }, new Date('2027-01-01T00:00:00Z'))).toBe(false);
    expect(isOverdue({ state: 'deferred', dueAt }, new Date('2027-01-01T00:00:00Z'))).toBe(false);
  });
});
