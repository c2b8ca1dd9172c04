// Availability from incident facts (overlaps once, dependency roll-up when the incident says so), SLA attainment,
// the trend, and the periods across DST and month ends.
// @module-tag time-of-day
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SLA } from '../../config/defaults.ts';
import {
  attainmentOf,
  availabilityOf,
  coveredMs,
  dependenciesOf,
  type Outage,
  outagesOf,
  serviceFiguresOf,
} from '../../src/domain/availability.ts';
import type { Ticket } from '../../src/domain/entities.ts';
import { CASCADES_TAG, factsOf, type RollupFact } from '../../src/domain/rollupFacts.ts';
import { actionCountsOf, lastCalendarMonth } from '../../src/domain/serviceReview.ts';
import { startClock } from '../../src/domain/sla.ts';
import { parsePeriod } from '../../src/domain/summary.ts';
import type { Priority } from '../../src/domain/ticket.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const T0 = Date.parse('2026-03-01T00:00:00Z');

let seq = 0;
function fact(kind: RollupFact['kind'], at: number, o: Partial<RollupFact> = {}): RollupFact {
  return {
    id: `t/${seq++}`,
    tenant: 't',
    ticketId: 'INC-1',
    type: 'incident',
    kind,
    at: new Date(at),
    priority: 'P1',
    service: 'vpn',
    team: null,
    ...o,
  };
}

/** An incident open [from, to) at a priority, as its two facts. */
const incident = (id: string, from: number, to: number, o: Partial<RollupFact> = {}): RollupFact[] => [
  fact('opened', from, { ticketId: id, ...o }),
  fact('resolved', to, { ticketId: id, met: true, ...o }),
];

const none = new Map<string, string[]>();

describe('coveredMs: the union of intervals', () => {
  it('counts overlapping time once, and clips to the window', () => {
    expect(
      coveredMs(
        [
          { from: 0, to: 10 },
          { from: 5, to: 15 },
          { from: 20, to: 30 },
          { from: 22, to: 25 },
        ],
        0,
        100,
      ),
    ).toBe(25);
    expect(coveredMs([{ from: -50, to: 50 }], 0, 20)).toBe(20);
    expect(coveredMs([{ from: 5, to: 5 }], 0, 20)).toBe(0);
  });

  it('property: never more than the window nor the sum, and the same in any order or duplicated', () => {
    const interval = fc.tuple(fc.integer({ min: -100, max: 1100 }), fc.integer({ min: 0, max: 400 }));
    fc.assert(
      fc.property(fc.array(interval, { maxLength: 30 }), (raw) => {
        const list = raw.map(([from, len]) => ({ from, to: from + len }));
        const got = coveredMs(list, 0, 1000);
        expect(got).toBeGreaterThanOrEqual(0);
        expect(got).toBeLessThanOrEqual(1000);
        expect(got).toBeLessThanOrEqual(list.reduce((n, i) => n + (i.to - i.from), 0));
        expect(coveredMs([...list].reverse(), 0, 1000)).toBe(got);
        expect(coveredMs([...list, ...list], 0, 1000)).toBe(got);
        // Against a minute-by-minute count of covered points.
        let points = 0;
        for (let x = 0; x < 1000; x++) if (list.some((i) => i.from <= x && x < i.to)) points++;
        expect(got).toBe(points);
      }),
    );
  });
});

describe('availability of a service', () => {
  const from = new Date(T0);
  const to = new Date(T0 + 30 * 24 * HOUR);

  it('is the share of the period with no open P1/P2 incident on it', () => {
    const facts = incident('INC-1', T0 + HOUR, T0 + 3 * HOUR);
    const outages = outagesOf(facts, [], from, to);
    const a = availabilityOf('vpn', outages, none, from, to);
    expect(a.downMs).toBe(2 * HOUR);
    expect(a.share).toBeCloseTo(1 - 2 / 720, 10);
    expect(availabilityOf('dns', outages, none, from, to).share).toBe(1);
  });

  it('counts overlapping incidents once', () => {
    const facts = [...incident('INC-1', T0 + HOUR, T0 + 3 * HOUR), ...incident('INC-2', T0 + 2 * HOUR, T0 + 4 * HOUR)];
    expect(availabilityOf('vpn', outagesOf(facts, [], from, to), none, from, to).downMs).toBe(3 * HOUR);
  });

  it('ignores P3/P4 incidents, other ticket types, and follows a change of priority', () => {
    const facts = [
      ...incident('INC-1', T0, T0 + 5 * HOUR, { priority: 'P3' }),
      ...incident('REQ-1', T0, T0 + 5 * HOUR, { type: 'request' }),
      // INC-2: opened P3, raised to P1 an hour in, lowered to P3 two hours later, resolved after.
      fact('opened', T0 + 10 * HOUR, { ticketId: 'INC-2', priority: 'P3' }),
      fact('priority', T0 + 11 * HOUR, { ticketId: 'INC-2', priority: 'P1', was: 'P3' }),
      fact('priority', T0 + 13 * HOUR, { ticketId: 'INC-2', priority: 'P3', was: 'P1' }),
      fact('resolved', T0 + 20 * HOUR, { ticketId: 'INC-2', priority: 'P3' }),
    ];
    expect(availabilityOf('vpn', outagesOf(facts, [], from, to), none, from, to).downMs).toBe(2 * HOUR);
  });

  it('a reopened incident is down again until resolved again', () => {
    const facts = [
      ...incident('INC-1', T0, T0 + HOUR),
      fact('reopened', T0 + 5 * HOUR),
      fact('resolved', T0 + 6 * HOUR),
    ];
    expect(availabilityOf('vpn', outagesOf(facts, [], from, to), none, from, to).downMs).toBe(2 * HOUR);
  });

  it('an incident open before the period counts from its start: by its resolve in it, or open now with no event', () => {
    const resolvedIn = [fact('resolved', T0 + 2 * HOUR)];
    expect(availabilityOf('vpn', outagesOf(resolvedIn, [], from, to), none, from, to).downMs).toBe(2 * HOUR);
    const openNow = [
      {
        ticketId: 'INC-9',
        type: 'incident' as const,
        priority: 'P2' as Priority,
        service: 'vpn',
        tags: [],
        openedAt: new Date(T0 - 48 * HOUR),
      },
    ];
    expect(availabilityOf('vpn', outagesOf([], openNow, from, to), none, from, to).share).toBe(0);
    // Opened inside the period: its opened fact says when, and it is open to the period's end.
    const openedIn = [fact('opened', T0 + 29 * 24 * HOUR, { ticketId: 'INC-9' })];
    expect(availabilityOf('vpn', outagesOf(openedIn, openNow, from, to), none, from, to).downMs).toBe(24 * HOUR);
  });

  it('rolls a dependency up only when its incident says so (affects dependants), through the chain', () => {
    const deps = new Map([
      ['payroll', ['core-db']],
      ['portal', ['payroll']],
      ['core-db', []],
    ]);
    const plain = incident('INC-1', T0, T0 + HOUR, { service: 'core-db' });
    const cascading = incident('INC-2', T0 + 10 * HOUR, T0 + 12 * HOUR, { service: 'core-db', cascades: true });
    const outages = outagesOf([...plain, ...cascading], [], from, to);
    expect(availabilityOf('core-db', outages, deps, from, to).downMs).toBe(3 * HOUR);
    expect(availabilityOf('payroll', outages, deps, from, to).downMs).toBe(2 * HOUR);
    expect(availabilityOf('portal', outages, deps, from, to).downMs).toBe(2 * HOUR);
    // payroll's own outage overlapping the rolled-up one counts once.
    const own = incident('INC-3', T0 + 11 * HOUR, T0 + 13 * HOUR, { service: 'payroll' });
    const both = outagesOf([...plain, ...cascading, ...own], [], from, to);
    expect(availabilityOf('payroll', both, deps, from, to).downMs).toBe(3 * HOUR);
  });

  it('a dependency cycle (two concurrent changes) is walked once', () => {
    const deps = new Map([
      ['a', ['b']],
      ['b', ['a']],
    ]);
    expect([...dependenciesOf('a', deps)]).toEqual(['b']);
  });

  it('property: availability is in [0, 1], and overlapping incidents count once', () => {
    const arbIncident = fc.record({
      start: fc.integer({ min: -5 * 24, max: 35 * 24 }),
      hours: fc.integer({ min: 0, max: 200 }),
      priority: fc.constantFrom<Priority>('P1', 'P2', 'P3', 'P4'),
      service: fc.constantFrom('vpn', 'core-db'),
      cascades: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(arbIncident, { maxLength: 12 }), (list) => {
        const facts = list.flatMap((x, i) =>
          incident(`INC-${i}`, T0 + x.start * HOUR, T0 + (x.start + x.hours) * HOUR, {
            priority: x.priority,
            service: x.service,
            ...(x.cascades ? { cascades: true } : {}),
          }),
        );
        const deps = new Map([
          ['vpn', ['core-db']],
          ['core-db', []],
        ]);
        const outages = outagesOf(facts, [], new Date(T0 - 10 * 24 * HOUR), new Date(T0 + 60 * 24 * HOUR));
        const a = availabilityOf('vpn', outages, deps, from, to);
        expect(a.share).toBeGreaterThanOrEqual(0);
        expect(a.share).toBeLessThanOrEqual(1);
        // The same incidents twice over (another ticket each) take nothing more.
        const twice = [...outages, ...outages.map((o): Outage => ({ ...o, ticketId: `${o.ticketId}b` }))];
        expect(availabilityOf('vpn', twice, deps, from, to).downMs).toBe(a.downMs);
        // Down time is at most the sum of the counted outages' lengths within the period.
        const sum = outages
          .filter((o) => o.service === 'vpn' || o.cascades)
          .reduce((n, o) => n + Math.max(0, Math.min(o.to, to.getTime()) - Math.max(o.from, from.getTime())), 0);
        expect(a.downMs).toBeLessThanOrEqual(sum);
      }),
    );
  });
});

describe('across DST and month ends', () => {
  it('a month across the spring change is an hour short, and an hour down is measured against that', () => {
    // Europe/Berlin moves to summer time on 2026-03-29: March has 743 hours there.
    const { current, previous } = lastCalendarMonth(new Date('2026-04-10T08:00:00Z'), 'Europe/Berlin');
    expect(current.label).toBe('2026-03');
    expect(current.to.getTime() - current.from.getTime()).toBe(743 * HOUR);
    expect(previous.days).toBe(28);
    const facts = incident('INC-1', Date.parse('2026-03-29T00:30:00Z'), Date.parse('2026-03-29T01:30:00Z'));
    const a = availabilityOf('vpn', outagesOf(facts, [], current.from, current.to), none, current.from, current.to);
    expect(a.downMs).toBe(HOUR);
    expect(a.share).toBeCloseTo(1 - 1 / 743, 12);
  });

  it('an incident across midnight at a month end is split between the months by the local clock', () => {
    // New York, 31 October 23:00 local (03:00Z 1 Nov) to 1 November 01:00 local (05:00Z).
    const { current, previous } = lastCalendarMonth(new Date('2026-12-01T15:00:00Z'), 'America/New_York');
    expect(current.label).toBe('2026-11');
    // November has the fall-back hour: 721 hours.
    expect(current.to.getTime() - current.from.getTime()).toBe(721 * HOUR);
    const facts = incident('INC-1', Date.parse('2026-11-01T03:00:00Z'), Date.parse('2026-11-01T05:00:00Z'));
    const figures = serviceFiguresOf({
      services: [{ name: 'vpn', objective: null, tier: 1, dependsOn: [], availabilityTarget: 0.999 }],
      facts,
      openNow: [],
      current,
      previous,
      readTo: current.to,
      now: new Date('2026-12-01T15:00:00Z'),
    });
    const row = figures[0];
    expect(row?.downMs).toBe(HOUR);
    expect(row?.availability.previous).toBeCloseTo(1 - 1 / (31 * 24), 12);
    expect(row?.meetsTarget).toBe(false);
    expect(row?.availability.change).toBeCloseTo(1 / (31 * 24) - 1 / 721, 12);
  });

  it('January goes back to December of the year before; February of a leap year has 29 days', () => {
    const jan = lastCalendarMonth(new Date('2027-01-05T12:00:00Z'), 'UTC');
    expect(jan.current.label).toBe('2026-12');
    expect(jan.previous.days).toBe(30);
    const leap = lastCalendarMonth(new Date('2028-03-01T00:30:00Z'), 'UTC');
    expect(leap.current.days).toBe(29);
    // Still 29 February in Los Angeles at that instant: the month before is January.
    expect(lastCalendarMonth(new Date('2028-03-01T00:30:00Z'), 'America/Los_Angeles').current.label).toBe('2028-01');
  });

  it('/status month periods keep their local midnights across a DST change', () => {
    const { current } = parsePeriod('month', new Date('2026-11-05T12:00:00Z'), 'America/New_York');
    expect(current.to.getTime() - current.from.getTime()).toBe((30 * 24 + 1) * HOUR);
  });
});

describe('SLA attainment and the trend', () => {
  it('is the share of first responses and resolutions within target, per service', () => {
    const from = new Date(T0);
    const to = new Date(T0 + 7 * 24 * HOUR);
    const facts = [
      fact('responded', T0 + HOUR, { met: true }),
      fact('responded', T0 + 2 * HOUR, { met: false, ticketId: 'INC-2' }),
      fact('resolved', T0 + 3 * HOUR, { met: true }),
      fact('resolved', T0 + 3 * HOUR, { met: true, service: 'dns' }),
      fact('resolved', T0 - HOUR, { met: false }),
    ];
    const a = attainmentOf(facts, 'vpn', from, to);
    expect(a.response).toEqual({ met: 1, all: 2, share: 0.5 });
    expect(a.resolution).toEqual({ met: 1, all: 1, share: 1 });
    expect(a.overall.share).toBeCloseTo(2 / 3, 12);
    expect(attainmentOf([], 'vpn', from, to).overall.share).toBeNull();
  });

  it('property: attainment is in [0, 1] or null when nothing was measured', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.boolean()), { maxLength: 40 }), (list) => {
        const facts = list.map(([resolved, met], i) => fact(resolved ? 'resolved' : 'responded', T0 + i, { met }));
        const a = attainmentOf(facts, 'vpn', new Date(T0), new Date(T0 + 1000));
        if (list.length === 0) expect(a.overall.share).toBeNull();
        else {
          expect(a.overall.share).toBeGreaterThanOrEqual(0);
          expect(a.overall.share).toBeLessThanOrEqual(1);
        }
      }),
    );
  });
});

describe('follow-up actions per service', () => {
  it('counts those opened and done in the period, and those overdue at its end (or now)', () => {
    const d = (iso: string) => new Date(iso);
    const act = (o: Partial<Parameters<typeof actionCountsOf>[0][number]>) => ({
      service: 'vpn',
      createdAt: d('2026-03-05T10:00:00Z'),
      dueAt: d('2026-03-20T10:00:00Z'),
      state: 'open' as const,
      ended: null,
      ...o,
    });
    const actions = [
      act({}), // opened in March, overdue at its end
      act({ state: 'done', ended: { state: 'done', at: d('2026-03-10T10:00:00Z') } }), // opened and done
      act({
        createdAt: d('2026-02-10T10:00:00Z'),
        state: 'done',
        ended: { state: 'done', at: d('2026-04-02T10:00:00Z') },
      }), // overdue at the end of March, done after
      act({ dueAt: d('2026-04-10T10:00:00Z') }), // not due yet
      act({ state: 'deferred', ended: { state: 'deferred', at: d('2026-03-21T10:00:00Z') } }), // deferred: not overdue
      act({ service: 'dns' }),
    ];
    expect(actionCountsOf(actions, 'vpn', d('2026-03-01T00:00:00Z'), d('2026-04-01T00:00:00Z'))).toEqual({
      opened: 4,
      done: 1,
      overdue: 2,
    });
  });
});

describe('the facts a ticket makes for availability', () => {
  const person = { id: 'p1', identity: 'console:ada', name: 'Ada' };
  const ticket = (tags: string[]): Ticket =>
    ({
      tenant: 't',
      type: 'incident',
      number: 1,
      ticketId: 'INC-1',
      title: 'Core DB down',
      description: '',
      impact: 'high',
      urgency: 'high',
      priority: 'P1',
      state: 'resolved',
      service: 'core-db',
      team: null,
      requester: person,
      assignee: null,
      watchers: [],
      source: { platform: 'console', workspace: 'local' },
      tags,
      sla: startClock(DEFAULT_SLA, 'P3', new Date(T0)),
      openedAt: new Date(T0),
      updatedAt: new Date(T0 + 3 * HOUR),
      resolvedAt: new Date(T0 + 3 * HOUR),
      closedAt: null,
      resolution: 'fixed',
      comments: [],
      history: [
        { at: new Date(T0 + HOUR), actor: person, platform: 'console', action: 'priority', from: 'P3', to: 'P1' },
        {
          at: new Date(T0 + 3 * HOUR),
          actor: person,
          platform: 'console',
          action: 'state',
          from: 'new',
          to: 'resolved',
        },
      ],
    }) as unknown as Ticket;

  it('an incident raised to P1 makes a priority fact; one tagged affects:dependants carries cascades', () => {
    const facts = factsOf(ticket([CASCADES_TAG]), DEFAULT_SLA);
    expect(facts.map((f) => f.kind)).toEqual(['opened', 'priority', 'resolved']);
    expect(facts[1]).toMatchObject({ priority: 'P1', was: 'P3', cascades: true });
    const outages = outagesOf(facts, [], new Date(T0), new Date(T0 + 24 * HOUR));
    expect(outages).toEqual([
      { ticketId: 'INC-1', service: 'core-db', from: T0 + HOUR, to: T0 + 3 * HOUR, cascades: true },
    ]);
    expect(factsOf(ticket([]), DEFAULT_SLA).every((f) => f.cascades === undefined)).toBe(true);
  });
});
