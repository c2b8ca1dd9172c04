// The status summary from fixed tickets: periods of local days, paused SLA time, reopens, period edges, zones, DST.
// @module-tag time-of-day
import { describe, expect, it } from 'vitest';
import { DEFAULT_SLA } from '../../config/defaults.ts';
import type { AuditEntry, PersonRef, Ticket } from '../../src/domain/entities.ts';
import { isUserError } from '../../src/domain/errors.ts';
import { csatFactOf, factsOf } from '../../src/domain/rollupFacts.ts';
import { startClock } from '../../src/domain/sla.ts';
import { buildSummary, parsePeriod } from '../../src/domain/summary.ts';
import type { Priority } from '../../src/domain/ticket.ts';

const M = 60_000;
const H = 60 * M;
const D = 24 * H;
const requester: PersonRef = { id: 'p-req', identity: 'console:req', name: 'Req' };
const agent: PersonRef = { id: 'p-agent', identity: 'console:agent', name: 'Agent' };

type Step = [kind: 'assign' | 'pend' | 'resume' | 'resolve' | 'reopen' | 'priority', at: Date, to?: Priority];

/** A ticket whose history is these steps (what the ticket service writes for each). */
function ticket(n: number, openedAt: Date, priority: Priority, steps: Step[] = [], service = 'db'): Ticket {
  const e = (at: Date, action: string, from?: string, to?: string, actor = agent): AuditEntry => ({
    at,
    actor,
    platform: 'console',
    action,
    ...(from !== undefined ? { field: 'state', from } : {}),
    ...(to !== undefined ? { to } : {}),
  });
  const history: AuditEntry[] = [e(openedAt, 'opened', undefined, 'new', requester)];
  let state = 'new';
  let p = priority;
  for (const [kind, at, to] of steps) {
    const move = (next: string) => {
      history.push(e(at, 'state', state, next));
      state = next;
    };
    if (kind === 'assign') {
      history.push(e(at, 'assigned'));
      move('assigned');
    } else if (kind === 'pend') move('pending');
    else if (kind === 'resume' || kind === 'reopen') move('in_progress');
    else if (kind === 'resolve') move('resolved');
    else if (kind === 'priority' && to) {
      history.push({ ...e(at, 'priority', p, to), field: 'priority' });
      p = to;
    }
  }
  return {
    tenant: 't1',
    type: 'incident',
    number: n,
    ticketId: `INC-${n}`,
    title: `ticket ${n}`,
    description: '',
    impact: 'medium',
    urgency: 'medium',
    priority: p,
    state: state as Ticket['state'],
    service,
    team: null,
    requester,
    assignee: null,
    watchers: [],
    source: { platform: 'console', workspace: 'local' },
    tags: [],
    sla: startClock(DEFAULT_SLA, p, openedAt),
    openedAt,
    updatedAt: history.at(-1)?.at ?? openedAt,
    resolvedAt: null,
    closedAt: null,
    resolution: null,
    comments: [],
    history,
    version: history.length,
  };
}

const summaryOf = (tickets: Ticket[], period: string, now: Date, tz = 'UTC') => {
  const { current, previous } = parsePeriod(period, now, tz);
  return buildSummary({
    scope: null,
    current,
    previous,
    facts: tickets.flatMap((t) => factsOf(t, DEFAULT_SLA)),
    open: tickets.filter((t) => !['resolved', 'closed'].includes(t.state)),
    now,
  });
};

describe('periods', () => {
  const now = new Date('2026-03-10T15:00:00Z');

  it('are whole local days in the asker’s zone, with the same number of days before them', () => {
    const { current, previous } = parsePeriod('week', now, 'America/New_York');
    expect(current.from.toISOString()).toBe('2026-03-04T05:00:00.000Z');
    // The clocks go forward on 8 March in New York: the week's last midnight is an hour earlier in UTC.
    expect(current.to.toISOString()).toBe('2026-03-11T04:00:00.000Z');
    expect(current.days).toBe(7);
    expect(previous.from.toISOString()).toBe('2026-02-25T05:00:00.000Z');
    expect(previous.to).toEqual(current.from);
  });

  it('today is the local day, which may not be the UTC one', () => {
    const late = new Date('2026-03-10T23:30:00Z');
    expect(parsePeriod('today', late, 'Asia/Tokyo').current.from.toISOString()).toBe('2026-03-10T15:00:00.000Z');
    expect(parsePeriod('today', late, 'UTC').current.from.toISOString()).toBe('2026-03-10T00:00:00.000Z');
  });

  it('a DST day is 23 hours long, and a day range includes both days', () => {
    const { current, previous } = parsePeriod('2026-03-29..2026-03-29', now, 'Europe/Berlin');
    expect(current.to.getTime() - current.from.getTime()).toBe(23 * H);
    expect(previous.to.getTime() - previous.from.getTime()).toBe(24 * H);
    expect(parsePeriod('2026-03-01..2026-03-31', now, 'UTC').current.days).toBe(31);
  });

  it.each(['yesterday', '2026-03-40..2026-04-01', '2026-03-05..2026-03-01', '2024-01-01..2026-01-01', 'week\u0007'])(
    'refuses %j with a clear reply and two examples',
    (text) => {
      let caught: unknown;
      try {
        parsePeriod(text, now, 'UTC');
      } catch (e) {
        caught = e;
      }
      expect(isUserError(caught)).toBe(true);
      const err = caught as Error & { code: string; hint: string };
      expect(err.code).toBe('STATUS.BAD_PERIOD');
      expect(err.hint).toBe('For example: /status week, or /status 2026-03-01..2026-03-07');
      expect(err.message).not.toMatch(/\p{Cc}/u);
    },
  );
});

describe('figures', () => {
  const now = new Date('2026-03-10T15:00:00Z');
  const day = (d: number, h = 9) => new Date(Date.UTC(2026, 2, d) + h * H);

  it('does not count paused time against the resolution target, nor in MTTR', () => {
    // P2: 8h to resolve. Open 09:00, pending 10:00-20:00, resolved 22:00: 3h of work, 13h on the wall.
    const t = ticket(1, day(9), 'P2', [
      ['assign', day(9, 9.25)],
      ['pend', day(9, 10)],
      ['resume', day(9, 20)],
      ['resolve', day(9, 22)],
    ]);
    const s = summaryOf([t], 'today', day(9, 23));
    expect(s.resolved.value).toBe(1);
    expect(s.resolvedInTarget.value).toBe(100);
    expect(s.mttr.P2.value).toBe(3 * H);
    expect(s.mtta.all.value).toBe(15 * M);
    expect(s.respondedInTarget.value).toBe(100);
  });

  it('keeps a reopened ticket’s first resolution, counts the reopen, and measures the second resolution anew', () => {
    // P3: 3 days to resolve. Resolved after 2h, reopened 1 day later, resolved again 1h after that.
    const t = ticket(2, day(8), 'P3', [
      ['assign', day(8, 10)],
      ['resolve', day(8, 11)],
      ['reopen', day(9, 11)],
      ['resolve', day(9, 12)],
    ]);
    const facts = factsOf(t, DEFAULT_SLA);
    expect(facts.map((f) => f.id)).toEqual([
      't1/2026-03-08/INC-2/opened',
      't1/2026-03-08/INC-2/responded',
      't1/2026-03-08/INC-2/resolved.1',
      't1/2026-03-09/INC-2/reopened.1',
      't1/2026-03-09/INC-2/resolved.2',
    ]);
    const s = summaryOf([t], 'week', now);
    expect(s.resolved.value).toBe(2);
    expect(s.reopened.value).toBe(1);
    // 2h the first time; 2h + 1h the second (the day it spent resolved is paused time).
    expect(s.mttr.P3.value).toBe(Math.round((2 * H + 3 * H) / 2));
  });

  it('counts each event in the period it happened in: tickets spanning the period’s edges', () => {
    const before = ticket(3, day(2), 'P3', [
      ['assign', day(2, 10)],
      ['resolve', day(4, 10)],
    ]);
    const across = ticket(4, day(3, 23), 'P3', [['assign', day(4, 1)]]);
    const inside = ticket(5, day(5), 'P4');
    // week to 10 March: 4..10 March; the one before: 25 Feb..3 March.
    const s = summaryOf([before, across, inside], 'week', now);
    expect(s.opened).toEqual({ value: 1, previous: 2, change: -1 });
    expect(s.resolved).toEqual({ value: 1, previous: 0, change: 1 });
    expect(s.mtta.all).toEqual({ value: 2 * H, previous: H, change: H });
    expect(s.open.total).toBe(2);
    expect(s.open.byState).toMatchObject({ new: 1, assigned: 1 });
    expect(s.backlog).toEqual({ '<1d': 0, '1-3d': 0, '3-7d': 2, '>7d': 0 });
  });

  it('puts an event on the asker’s local day, so the zone decides which period it is in', () => {
    // 23:30 UTC on 3 March is already 4 March in Berlin: inside Berlin's week, outside UTC's.
    const t = ticket(6, new Date('2026-03-03T23:30:00Z'), 'P4');
    expect(summaryOf([t], 'week', now, 'Europe/Berlin').opened.value).toBe(1);
    expect(summaryOf([t], 'week', now, 'UTC').opened.value).toBe(0);
  });

  it('counts a ticket opened on a DST day once, on that day', () => {
    const berlin = new Date('2026-03-29T22:30:00Z'); // 00:30 on 30 March in Berlin, after the 23-hour day
    const t = ticket(7, new Date('2026-03-29T21:30:00Z'), 'P4'); // 23:30 on 29 March in Berlin
    const s = summaryOf([t], '2026-03-29..2026-03-29', berlin, 'Europe/Berlin');
    expect(s.opened.value).toBe(1);
    expect(summaryOf([t], 'today', berlin, 'Europe/Berlin').opened).toEqual({ value: 0, previous: 1, change: -1 });
  });

  it('shows current breaches, the oldest open P1 and P2, top services, and CSAT at zero with no answers', () => {
    const p1 = ticket(8, new Date(now.getTime() - 5 * H), 'P1', [], 'mail');
    const p2old = ticket(9, new Date(now.getTime() - 2 * D), 'P2', [['assign', new Date(now.getTime() - 2 * D + M)]]);
    const p2new = ticket(10, new Date(now.getTime() - H), 'P2', [], 'mail');
    const s = summaryOf([p1, p2old, p2new], 'week', now);
    expect(s.oldest.P1?.ticketId).toBe('INC-8');
    expect(s.oldest.P2?.ticketId).toBe('INC-9');
    expect(s.breaches.map((b) => [b.ticketId, b.standing])).toEqual([
      ['INC-8', 'resolution_breached'],
      ['INC-9', 'resolution_breached'],
      ['INC-10', 'response_breached'],
    ]);
    expect(s.topServices).toEqual([
      { service: 'mail', value: 2, previous: 0, change: 2 },
      { service: 'db', value: 1, previous: 0, change: 1 },
    ]);
    expect(s.csat).toEqual({
      percent: { value: null, previous: null, change: null },
      count: { value: 0, previous: 0, change: 0 },
    });
  });

  it('counts opened and resolved on each local day of the period, for the chart', () => {
    // In Berlin 23:30 UTC on 9 March is already the 10th; the resolve at 08:00 UTC on the 8th stays on the 8th.
    const a = ticket(1, day(9, 23.5), 'P3');
    const b = ticket(2, day(7), 'P3', [
      ['assign', day(7, 10)],
      ['resolve', day(8, 8)],
    ]);
    const s = summaryOf([a, b], '2026-03-07..2026-03-10', now, 'Europe/Berlin');
    expect(s.daily.map((d) => [d.day.day, d.opened, d.resolved])).toEqual([
      [7, 1, 0],
      [8, 0, 1],
      [9, 0, 0],
      [10, 1, 0],
    ]);
    expect(s.daily.reduce((n, d) => n + d.opened, 0)).toBe(s.opened.value);
  });

  it('counts CSAT answers in the period they were given: % scoring 4-5, and how many, against the period before', () => {
    const answer = (n: number, score: 1 | 2 | 3 | 4 | 5, at: Date) =>
      csatFactOf({
        tenant: 'console:local',
        ticketId: `INC-${n}`,
        score,
        comment: null,
        at,
        by: requester,
        type: 'incident',
        priority: 'P3',
        service: null,
        team: null,
      });
    const { current, previous } = parsePeriod('week', now, 'UTC');
    const facts = [
      answer(20, 5, new Date(now.getTime() - H)),
      answer(21, 4, new Date(now.getTime() - D)),
      answer(22, 2, new Date(now.getTime() - 2 * D)),
      answer(23, 3, new Date(now.getTime() - 8 * D)),
    ];
    const s = buildSummary({ scope: null, current, previous, facts, open: [], now });
    expect(s.csat).toEqual({
      percent: { value: 66.7, previous: 0, change: 66.7 },
      count: { value: 3, previous: 1, change: 2 },
    });
    // An answer is not a resolution, a response or an opening.
    expect([s.opened.value, s.resolved.value, s.mtta.all.value]).toEqual([0, 0, null]);
  });

  it('takes the priority the ticket had at each event, and the targets re-applied when it changed', () => {
    // P4 (1 day to respond) raised to P1 (15 minutes) after 10 minutes; answered after 30: late as a P1.
    const t = ticket(11, day(9), 'P4', [
      ['priority', day(9, 9 + 10 / 60), 'P1'],
      ['assign', day(9, 9.5)],
    ]);
    const responded = factsOf(t, DEFAULT_SLA).find((f) => f.kind === 'responded');
    expect(responded).toMatchObject({ priority: 'P1', met: false, ms: 30 * M });
  });
});
