// Who is on call: rotation handoffs across DST (New York, Berlin) and at midnight, layers, overrides, until, shifts, gaps.
// @module-tag time-of-day
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gaps, type OnCallSchedule, onCallAt, type RotationLayer, shifts } from '../../src/domain/oncall.ts';
import { rotationProblem } from '../../src/domain/rotation.ts';

const NY = 'America/New_York';
const BERLIN = 'Europe/Berlin';
const at = (iso: string): Date => new Date(iso);
const iso = (d: Date): string => d.toISOString();

function layer(over: Partial<RotationLayer>): RotationLayer {
  return {
    layer: 1,
    members: ['ann', 'bob'],
    every: '1w',
    handoff: { time: '09:00', weekday: 1 },
    timezone: NY,
    start: at('2026-01-05T14:00:00Z'),
    ...over,
  };
}
const only = (...layers: RotationLayer[]): OnCallSchedule => ({ layers, overrides: [] });
/** The handoff instants of a schedule between two times, as ISO strings. */
const handoffs = (s: OnCallSchedule, from: string, to: string): string[] =>
  shifts(s, at(from), at(to)).map((x) => iso(x.from));
const hours = (a: Date, b: Date): number => (b.getTime() - a.getTime()) / 3_600_000;

describe('weekly rotation, Monday 09:00 in New York', () => {
  const s = only(layer({}));

  it('hands over every Monday 09:00 local, 167h into daylight time and 169h out of it', () => {
    const spring = shifts(s, at('2026-03-02T14:00:00Z'), at('2026-03-16T13:00:00Z'));
    expect(spring.map((x) => [x.person, iso(x.from), iso(x.to)])).toEqual([
      ['ann', '2026-03-02T14:00:00.000Z', '2026-03-09T13:00:00.000Z'],
      ['bob', '2026-03-09T13:00:00.000Z', '2026-03-16T13:00:00.000Z'],
    ]);
    expect(hours(spring[0]!.from, spring[0]!.to)).toBe(167);
    const fall = shifts(s, at('2026-10-26T13:00:00Z'), at('2026-11-02T14:00:00Z'));
    expect(fall).toHaveLength(1);
    expect(hours(fall[0]!.from, fall[0]!.to)).toBe(169);
  });

  it('answers who and until when, member order kept over months', () => {
    // 2026-01-05 ann, 01-12 bob, ...: 2026-03-02 is eight weeks on, ann's again.
    expect(onCallAt(s, at('2026-03-03T12:00:00Z'))).toEqual({
      person: 'ann',
      until: at('2026-03-09T13:00:00Z'),
      source: 'layer',
      layer: 1,
    });
    expect(onCallAt(s, at('2026-03-09T13:00:00Z'))?.person).toBe('bob');
    expect(onCallAt(s, at('2026-03-09T12:59:59Z'))?.person).toBe('ann');
  });
});

describe('handoffs DST removes or repeats', () => {
  it('New York daily at midnight: local midnight each day, a 23h and a 25h day', () => {
    const s = only(layer({ every: '1d', handoff: { time: '00:00' }, start: at('2026-03-01T05:00:00Z') }));
    expect(handoffs(s, '2026-03-07T05:00:00Z', '2026-03-10T00:00:00Z')).toEqual([
      '2026-03-07T05:00:00.000Z',
      '2026-03-08T05:00:00.000Z',
      '2026-03-09T04:00:00.000Z',
    ]);
    const fall = shifts(s, at('2026-11-01T04:00:00Z'), at('2026-11-02T05:00:00Z'));
    expect(fall.map((x) => hours(x.from, x.to))).toEqual([25]);
  });

  it('New York 02:30 on 2026-03-08 does not exist: the handoff is 03:00 EDT, the first valid minute', () => {
    const s = only(layer({ every: '1d', handoff: { time: '02:30' }, start: at('2026-03-01T12:00:00Z') }));
    expect(handoffs(s, '2026-03-07T00:00:00Z', '2026-03-09T12:00:00Z').slice(1)).toEqual([
      '2026-03-07T07:30:00.000Z',
      '2026-03-08T07:00:00.000Z',
      '2026-03-09T06:30:00.000Z',
    ]);
  });

  it('New York 01:30 on 2026-11-01 happens twice: the handoff is the first, 01:30 EDT', () => {
    const s = only(layer({ every: '1d', handoff: { time: '01:30' }, start: at('2026-10-25T12:00:00Z') }));
    expect(handoffs(s, '2026-10-31T12:00:00Z', '2026-11-02T12:00:00Z').slice(1)).toEqual([
      '2026-11-01T05:30:00.000Z',
      '2026-11-02T06:30:00.000Z',
    ]);
  });

  it('Berlin: 02:30 on 2026-03-29 is 03:00 CEST; 02:30 on 2026-10-25 is its first (CEST) occurrence', () => {
    const daily = only(
      layer({ every: '1d', handoff: { time: '02:30' }, timezone: BERLIN, start: at('2026-03-20T12:00:00Z') }),
    );
    expect(handoffs(daily, '2026-03-28T12:00:00Z', '2026-03-30T12:00:00Z').slice(1)).toEqual([
      '2026-03-29T01:00:00.000Z',
      '2026-03-30T00:30:00.000Z',
    ]);
    const weekly = only(
      layer({ handoff: { time: '02:30', weekday: 0 }, timezone: BERLIN, start: at('2026-10-01T12:00:00Z') }),
    );
    expect(handoffs(weekly, '2026-10-20T00:00:00Z', '2026-11-02T00:00:00Z').slice(1)).toEqual([
      '2026-10-25T00:30:00.000Z',
      '2026-11-01T01:30:00.000Z',
    ]);
  });

  it('Berlin 12h at 09:00 and 21:00 wall time: an 11h shift the night clocks go forward, 13h when back', () => {
    const s = only(
      layer({ every: '12h', handoff: { time: '21:00' }, timezone: BERLIN, start: at('2026-03-01T12:00:00Z') }),
    );
    const spring = shifts(s, at('2026-03-28T20:00:00Z'), at('2026-03-29T19:00:00Z'));
    expect(spring.map((x) => [iso(x.from), hours(x.from, x.to)])).toEqual([
      ['2026-03-28T20:00:00.000Z', 11],
      ['2026-03-29T07:00:00.000Z', 12],
    ]);
    const fall = shifts(s, at('2026-10-24T19:00:00Z'), at('2026-10-25T20:00:00Z'));
    expect(fall.map((x) => hours(x.from, x.to))).toEqual([13, 12]);
  });
});

describe('the start of a rotation', () => {
  it('member 0 holds the shift containing start, from start; nobody before', () => {
    // Wednesday 2026-03-04 12:00 NY: the last Monday 09:00 handoff was 03-02, so ann holds it until 03-09.
    const s = only(layer({ start: at('2026-03-04T17:00:00Z') }));
    expect(onCallAt(s, at('2026-03-04T16:59:59Z'))).toBeNull();
    expect(onCallAt(s, at('2026-03-04T17:00:00Z'))).toMatchObject({ person: 'ann', until: at('2026-03-09T13:00:00Z') });
    expect(
      shifts(s, at('2026-03-01T00:00:00Z'), at('2026-03-12T00:00:00Z')).map((x) => [x.person, iso(x.from)]),
    ).toEqual([
      ['ann', '2026-03-04T17:00:00.000Z'],
      ['bob', '2026-03-09T13:00:00.000Z'],
    ]);
    expect(gaps(s, at('2026-03-01T00:00:00Z'), at('2026-03-12T00:00:00Z'))).toEqual([
      { from: at('2026-03-01T00:00:00Z'), to: at('2026-03-04T17:00:00Z') },
    ]);
  });

  it('a start exactly at a handoff gives member 0 the whole shift', () => {
    const s = only(layer({ every: '1d', handoff: { time: '00:00' }, start: at('2026-03-08T05:00:00Z') }));
    expect(onCallAt(s, at('2026-03-08T05:00:00Z'))).toMatchObject({ person: 'ann', until: at('2026-03-09T04:00:00Z') });
  });
});

describe('layers', () => {
  const base = layer({ every: '1d', handoff: { time: '09:00' }, start: at('2026-03-02T14:00:00Z') });
  // Nights only, 18:00-09:00 hand over... a higher layer that has someone only from its start.
  const top = layer({ layer: 2, members: ['cat'], every: '1w', start: at('2026-03-03T20:00:00Z') });

  it('a higher layer wins where it has someone; until is where it starts', () => {
    const s = only(base, top);
    expect(onCallAt(s, at('2026-03-03T15:00:00Z'))).toEqual({
      person: 'bob',
      until: at('2026-03-03T20:00:00Z'),
      source: 'layer',
      layer: 1,
    });
    expect(onCallAt(s, at('2026-03-03T20:00:00Z'))).toMatchObject({ person: 'cat', layer: 2 });
  });

  it('a rotation of one never hands over to anyone else: until is its own next handoff', () => {
    const s = only(base, top);
    expect(onCallAt(s, at('2026-03-04T00:00:00Z'))?.until).toEqual(at('2026-03-09T13:00:00Z'));
    expect(shifts(s, at('2026-03-04T00:00:00Z'), at('2026-03-20T00:00:00Z'))).toEqual([
      { person: 'cat', from: at('2026-03-04T00:00:00Z'), to: at('2026-03-20T00:00:00Z'), source: 'layer', layer: 2 },
    ]);
  });

  it('an override by the one person of a rotation of one: until is the handoff after it ends', () => {
    const one = layer({ members: ['a'], every: '1h', handoff: { time: '00:00' }, start: at('2026-03-01T00:00:00Z') });
    const s: OnCallSchedule = {
      layers: [one],
      overrides: [
        {
          person: 'a',
          from: at('2026-03-01T00:00:00Z'),
          to: at('2026-03-01T01:00:00Z'),
          createdAt: at('2026-01-01T00:00:00Z'),
        },
      ],
    };
    expect(onCallAt(s, at('2026-03-01T00:00:00Z'))).toEqual({
      person: 'a',
      source: 'override',
      until: at('2026-03-01T02:00:00Z'),
    });
  });

  it('an empty or invalid layer has nobody, so the one below answers', () => {
    const s = only(base, layer({ layer: 3, members: [] }), layer({ layer: 4, timezone: 'Mars/Base' }));
    expect(onCallAt(s, at('2026-03-03T15:00:00Z'))?.layer).toBe(1);
    expect(rotationProblem(layer({ timezone: 'Mars/Base' }))).toContain('not a timezone');
    expect(rotationProblem(layer({ every: '5h' }))).toContain('does not divide a day');
    expect(rotationProblem(layer({ every: '1d', handoff: { time: '09:00', weekday: 1 } }))).toContain('weekly');
  });
});

describe('overrides', () => {
  const base = layer({ every: '1d', handoff: { time: '09:00' }, start: at('2026-03-02T14:00:00Z') });
  const created = (n: number): Date => new Date(Date.UTC(2026, 0, 1, 0, n));

  it('an override wins over every layer for [from, to); until is its end', () => {
    const s: OnCallSchedule = {
      layers: [base, layer({ layer: 5, members: ['cat'], start: at('2026-03-05T00:00:00Z') })],
      overrides: [
        { person: 'dan', from: at('2026-03-05T10:00:00Z'), to: at('2026-03-05T12:00:00Z'), createdAt: created(1) },
      ],
    };
    expect(onCallAt(s, at('2026-03-05T10:00:00Z'))).toEqual({
      person: 'dan',
      until: at('2026-03-05T12:00:00Z'),
      source: 'override',
      covering: 'cat',
    });
    expect(onCallAt(s, at('2026-03-05T12:00:00Z'))).toMatchObject({ person: 'cat', source: 'layer' });
    expect(onCallAt(s, at('2026-03-05T09:00:00Z'))).toMatchObject({ person: 'cat', until: at('2026-03-05T10:00:00Z') });
  });

  it('where overrides overlap, the one created last wins, whatever the list order', () => {
    const s: OnCallSchedule = {
      layers: [base],
      overrides: [
        { person: 'eve', from: at('2026-03-05T11:00:00Z'), to: at('2026-03-05T13:00:00Z'), createdAt: created(2) },
        { person: 'dan', from: at('2026-03-05T10:00:00Z'), to: at('2026-03-05T16:00:00Z'), createdAt: created(1) },
      ],
    };
    expect(onCallAt(s, at('2026-03-05T10:30:00Z'))).toMatchObject({ person: 'dan', until: at('2026-03-05T11:00:00Z') });
    // Who an override covers is who would be on call without it: the override beneath it, else the layers.
    expect(onCallAt(s, at('2026-03-05T11:00:00Z'))).toMatchObject({
      person: 'eve',
      until: at('2026-03-05T13:00:00Z'),
      covering: 'dan',
    });
    expect(onCallAt({ layers: [], overrides: s.overrides }, at('2026-03-05T14:00:00Z'))).not.toHaveProperty('covering');
    expect(onCallAt(s, at('2026-03-05T13:00:00Z'))).toMatchObject({ person: 'dan', until: at('2026-03-05T16:00:00Z') });
    expect(
      shifts(s, at('2026-03-05T09:00:00Z'), at('2026-03-05T17:00:00Z')).map((x) => [x.person, x.source, iso(x.to)]),
    ).toEqual([
      ['ann', 'layer', '2026-03-05T10:00:00.000Z'],
      ['dan', 'override', '2026-03-05T11:00:00.000Z'],
      ['eve', 'override', '2026-03-05T13:00:00.000Z'],
      ['dan', 'override', '2026-03-05T16:00:00.000Z'],
      ['bob', 'layer', '2026-03-05T17:00:00.000Z'],
    ]);
  });

  it('an override created earlier starting inside a later one does not change the answer', () => {
    const s: OnCallSchedule = {
      layers: [base],
      overrides: [
        { person: 'dan', from: at('2026-03-05T10:00:00Z'), to: at('2026-03-05T16:00:00Z'), createdAt: created(5) },
        { person: 'eve', from: at('2026-03-05T11:00:00Z'), to: at('2026-03-05T12:00:00Z'), createdAt: created(1) },
      ],
    };
    expect(onCallAt(s, at('2026-03-05T10:00:00Z'))?.until).toEqual(at('2026-03-05T16:00:00Z'));
  });

  it('shifts merge where the same person continues: an override by the person already on, a rotation of one', () => {
    const s: OnCallSchedule = {
      layers: [base],
      overrides: [
        { person: 'ann', from: at('2026-03-05T12:00:00Z'), to: at('2026-03-05T20:00:00Z'), createdAt: created(1) },
      ],
    };
    // 2026-03-04 09:00 EST (14:00Z) to 03-05 14:00Z is ann's (day 2 of the rotation), and the override extends it.
    expect(
      shifts(s, at('2026-03-04T14:00:00Z'), at('2026-03-06T14:00:00Z')).map((x) => [x.person, x.source, iso(x.to)]),
    ).toEqual([
      ['ann', 'layer', '2026-03-05T20:00:00.000Z'],
      ['bob', 'layer', '2026-03-06T14:00:00.000Z'],
    ]);
    // until follows the person: her override after her own shift does not end her time on call.
    expect(onCallAt(s, at('2026-03-05T11:00:00Z'))).toMatchObject({
      person: 'ann',
      source: 'layer',
      until: at('2026-03-05T20:00:00Z'),
    });
    expect(onCallAt(s, at('2026-03-05T13:00:00Z'))).toMatchObject({
      person: 'ann',
      source: 'override',
      until: at('2026-03-05T20:00:00Z'),
    });
  });

  it('an override over nobody fills a gap; empty or reversed overrides are ignored', () => {
    const s: OnCallSchedule = {
      layers: [layer({ start: at('2026-03-10T00:00:00Z') })],
      overrides: [
        { person: 'dan', from: at('2026-03-08T00:00:00Z'), to: at('2026-03-09T00:00:00Z'), createdAt: created(1) },
        { person: 'eve', from: at('2026-03-09T06:00:00Z'), to: at('2026-03-09T06:00:00Z'), createdAt: created(2) },
        { person: 'eve', from: at('2026-03-09T08:00:00Z'), to: at('2026-03-09T07:00:00Z'), createdAt: created(3) },
      ],
    };
    expect(gaps(s, at('2026-03-07T00:00:00Z'), at('2026-03-11T00:00:00Z'))).toEqual([
      { from: at('2026-03-07T00:00:00Z'), to: at('2026-03-08T00:00:00Z') },
      { from: at('2026-03-09T00:00:00Z'), to: at('2026-03-10T00:00:00Z') },
    ]);
    expect(onCallAt(s, at('2026-03-09T06:00:00Z'))).toBeNull();
  });
});

describe('gaps and limits', () => {
  it('no layers: the whole range is a gap; a reversed range has nothing', () => {
    expect(gaps(only(), at('2026-03-01T00:00:00Z'), at('2026-03-02T00:00:00Z'))).toHaveLength(1);
    expect(gaps(only(), at('2026-03-02T00:00:00Z'), at('2026-03-01T00:00:00Z'))).toEqual([]);
    expect(shifts(only(layer({})), at('2026-03-02T00:00:00Z'), at('2026-03-01T00:00:00Z'))).toEqual([]);
  });

  it('shifts stop at the limit', () => {
    const s = only(layer({ every: '1h', handoff: { time: '00:00' }, members: ['a', 'b', 'c'] }));
    expect(shifts(s, at('2026-03-01T00:00:00Z'), at('2026-04-01T00:00:00Z'), 10)).toHaveLength(10);
  });

  it("an hourly rotation across the spring gap: the hour that does not exist is nobody's shift", () => {
    const s = only(
      layer({ every: '1h', handoff: { time: '00:00' }, members: ['a', 'b', 'c'], start: at('2026-03-08T05:00:00Z') }),
    );
    // 00:00 a, 01:00 b, 02:00 (does not exist) c, 03:00 a.
    expect(shifts(s, at('2026-03-08T05:00:00Z'), at('2026-03-08T08:00:00Z')).map((x) => x.person)).toEqual([
      'a',
      'b',
      'a',
    ]);
  });
});

describe('property: onCallAt agrees with shifts and gaps', () => {
  const zones = [NY, BERLIN];
  const everies = ['1h', '12h', '1d', '2d', '1w'];
  const arbLayer = fc.record({
    layer: fc.integer({ min: 1, max: 3 }),
    members: fc.array(fc.constantFrom('a', 'b', 'c'), { minLength: 0, maxLength: 3 }),
    every: fc.constantFrom(...everies),
    time: fc.constantFrom('00:00', '01:30', '02:30', '09:00', '23:59'),
    weekday: fc.integer({ min: 0, max: 6 }),
    timezone: fc.constantFrom(...zones),
    // Around the 2026 spring and autumn changes of both zones.
    start: fc.date({ min: at('2026-03-01T00:00:00Z'), max: at('2026-11-05T00:00:00Z'), noInvalidDate: true }),
  });
  const arbOverride = fc
    .record({
      person: fc.constantFrom('x', 'a'),
      from: fc.integer({ min: 0, max: 72 }),
      hours: fc.integer({ min: 1, max: 30 }),
      n: fc.nat(5),
    })
    .map(({ person, from, hours, n }) => ({ person, from: from * 3_600_000, hours, n }));

  it('the person at t is the one of the shift holding t, and until is where that shift ends', () => {
    fc.assert(
      fc.property(
        fc.array(arbLayer, { maxLength: 3 }),
        fc.array(arbOverride, { maxLength: 3 }),
        fc.integer({ min: 0, max: 96 * 60 }),
        (ls, os, minute) => {
          const base = ls[0]?.start.getTime() ?? at('2026-03-07T00:00:00Z').getTime();
          const schedule: OnCallSchedule = {
            layers: ls.map((l) => ({
              layer: l.layer,
              members: l.members,
              every: l.every,
              handoff: l.every === '1w' ? { time: l.time, weekday: l.weekday } : { time: l.time },
              timezone: l.timezone,
              start: l.start,
            })),
            overrides: os.map((o) => ({
              person: o.person,
              from: new Date(base + o.from),
              to: new Date(base + o.from + o.hours * 3_600_000),
              createdAt: new Date(o.n * 1000),
            })),
          };
          const t = new Date(base + minute * 60_000);
          const horizon = new Date(t.getTime() + 10 * 86_400_000);
          const answer = onCallAt(schedule, t);
          const first = shifts(schedule, t, horizon)[0];
          const hole = gaps(schedule, t, horizon)[0];
          if (answer === null) {
            expect(hole?.from).toEqual(t);
            return;
          }
          expect(first?.from).toEqual(t);
          expect(first?.person).toBe(answer.person);
          expect(answer.until.getTime()).toBeGreaterThan(t.getTime());
          if (first && first.to < horizon) expect(answer.until).toEqual(first.to);
        },
      ),
      { numRuns: 200 },
    );
  });
});
