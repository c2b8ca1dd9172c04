// Recurring schedules: phrases and crons read, run instants across DST in three zones, month ends, descriptions.
// @module-tag time-of-day
import { parse as nodeCronParse, validate as nodeCronValidate } from 'node-cron';
import { describe, expect, it } from 'vitest';
import {
  cronOf,
  describeSchedule,
  nextRuns,
  parseSchedule,
  runsBetween,
  type Schedule,
  scheduleProblem,
} from '../../src/domain/schedule.ts';

const NY = 'America/New_York';
const BERLIN = 'Europe/Berlin';
const SYDNEY = 'Australia/Sydney';
// A Wednesday, 07:00 in New York.
const NOW = new Date('2025-03-05T12:00:00Z');

const iso = (dates: Date[]): string[] => dates.map((d) => d.toISOString());
const at = (text: string): Date => new Date(text);
const cron = (expression: string): Schedule => ({ kind: 'cron', expression });

function parsed(text: string, now = NOW, timeZone = NY): Schedule {
  const r = parseSchedule(text, now, timeZone);
  if (!r.ok) throw new Error(`expected ${text} to parse: ${r.error}`);
  return r.value;
}

describe('parseSchedule: phrases', () => {
  it.each<[string, Schedule]>([
    ['0 10 * * 2', cron('0 10 * * 2')],
    ['every Tuesday at 10:00', { kind: 'weekly', days: [2], time: '10:00', everyWeeks: 1 }],
    ['weekdays at 9am', { kind: 'weekly', days: [1, 2, 3, 4, 5], time: '09:00', everyWeeks: 1 }],
    ['every weekday at 9am', { kind: 'weekly', days: [1, 2, 3, 4, 5], time: '09:00', everyWeeks: 1 }],
    [
      'every 2 weeks on Monday at 14:00',
      { kind: 'weekly', days: [1], time: '14:00', everyWeeks: 2, anchor: '2025-03-10' },
    ],
    ['first Monday of the month at 14:00', { kind: 'monthly', nth: 1, day: 1, time: '14:00' }],
    ['last Friday of the month at 16:00', { kind: 'monthly', nth: -1, day: 5, time: '16:00' }],
    ['every day at 08:30', { kind: 'weekly', days: [0, 1, 2, 3, 4, 5, 6], time: '08:30', everyWeeks: 1 }],
    ['daily at 9', { kind: 'weekly', days: [0, 1, 2, 3, 4, 5, 6], time: '09:00', everyWeeks: 1 }],
    ['every Monday and Thursday at 15:30', { kind: 'weekly', days: [1, 4], time: '15:30', everyWeeks: 1 }],
    ['At 10:00 every tue, thu.', { kind: 'weekly', days: [2, 4], time: '10:00', everyWeeks: 1 }],
    ['on tue, thu at 2pm', { kind: 'weekly', days: [2, 4], time: '14:00', everyWeeks: 1 }],
    ['every Friday at 4:30pm', { kind: 'weekly', days: [5], time: '16:30', everyWeeks: 1 }],
    ['weekends at noon', { kind: 'weekly', days: [0, 6], time: '12:00', everyWeeks: 1 }],
    ['on Mondays at 12am', { kind: 'weekly', days: [1], time: '00:00', everyWeeks: 1 }],
    ['the third Wednesday of every month at 11:15', { kind: 'monthly', nth: 3, day: 3, time: '11:15' }],
    [
      'every other week on Mon, Wed and Fri at 09:00 starting 2025-04-02',
      { kind: 'weekly', days: [1, 3, 5], time: '09:00', everyWeeks: 2, anchor: '2025-04-02' },
    ],
    ['"*/15 9-17 * * MON-FRI"', cron('*/15 9-17 * * MON-FRI')],
  ])('reads %j', (text, expected) => {
    expect(parsed(text)).toEqual(expected);
  });

  it('dates an every-2-weeks schedule from its first run in the asker’s zone', () => {
    // Monday 2025-03-10 01:00 UTC is still Sunday evening in New York: the first Monday run is that same day.
    const s = parsed('every 2 weeks on Monday at 14:00', at('2025-03-10T01:00:00Z'), NY);
    expect(s).toMatchObject({ anchor: '2025-03-10' });
    const tokyo = parsed('every 2 weeks on Monday at 08:00', at('2025-03-10T01:00:00Z'), 'Asia/Tokyo');
    // 10:00 Monday in Tokyo: 08:00 has passed, so the cycle starts a week later.
    expect(tokyo).toMatchObject({ anchor: '2025-03-17' });
  });
});

describe('parseSchedule: bad input says what is wrong and gives two examples that work', () => {
  it.each([
    ['every blursday', /"blursday" is not a day/],
    ['every blursday at 10:00', /"blursday" is not a day/],
    ['61 * * * *', /minute 61 is out of range/],
    ['0 24 * * *', /hour 24 is out of range/],
    ['0 10 32 * *', /day of month 32/],
    ['0 10 * 13 *', /month 13/],
    ['0 10 * * 8', /day of week 8/],
    ['0 10 * * FUNDAY', /"funday" is not a day of week/],
    ['0 0 31 2 *', /never runs/],
    ['0 10 * *', /5 fields/],
    ['0 0 10 * * 2', /5 fields/],
    ['5/15 * * * *', /step needs \* or a range/],
    ['0 22-2 * * *', /runs backwards/],
    ['every tuesday', /say at what time/],
    ['every tuesday at 25:00', /hour 25 does not exist/],
    ['every tuesday at 10:75', /minute 75 does not exist/],
    ['every tuesday at soon', /"soon" is not a time of day/],
    ['fifth Monday of the month at 10:00', /"fifth" is not a week of the month/],
    ['every 60 weeks on Monday at 10:00', /1 to 52 weeks/],
    ['at 10:00', /say which days/],
    ['', /say when/],
  ])('%j', (text, error) => {
    const r = parseSchedule(text, NOW, NY);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatch(error);
    expect(r.examples).toHaveLength(2);
    for (const example of r.examples) expect(parseSchedule(example, NOW, NY).ok).toBe(true);
  });

  it('refuses a timezone that does not exist, offering real ones', () => {
    const r = parseSchedule('every Tuesday at 10:00', NOW, 'Mars/Olympus_Mons');
    expect(r).toMatchObject({ ok: false, error: expect.stringMatching(/"Mars\/Olympus_Mons" is not a timezone/) });
    if (!r.ok) for (const zone of r.examples) expect(parseSchedule('daily at 9', NOW, zone).ok).toBe(true);
  });

  it('quotes no control characters back', () => {
    const r = parseSchedule('every blurs\u0007day\u202e at 10:00', NOW, NY);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).not.toMatch(/[\p{Cc}\p{Cf}]/u);
  });
});

describe('nextRuns across DST', () => {
  it('America/New_York spring forward (2025-03-09): 02:30 runs once, at 03:00 EDT', () => {
    expect(iso(nextRuns(cron('30 2 * * *'), at('2025-03-08T12:00:00Z'), NY, 3))).toEqual([
      '2025-03-09T07:00:00.000Z', // 03:00 EDT, the first valid minute after the gap
      '2025-03-10T06:30:00.000Z', // 02:30 EDT
      '2025-03-11T06:30:00.000Z',
    ]);
  });

  it('America/New_York fall back (2025-11-02): 01:30 runs once, at its first occurrence (EDT)', () => {
    expect(iso(nextRuns(cron('30 1 * * *'), at('2025-11-01T12:00:00Z'), NY, 2))).toEqual([
      '2025-11-02T05:30:00.000Z', // 01:30 EDT; 01:30 EST an hour later is not a second run
      '2025-11-03T06:30:00.000Z', // 01:30 EST
    ]);
    expect(runsBetween(cron('30 1 * * *'), at('2025-11-02T00:00:00Z'), at('2025-11-02T12:00:00Z'), NY)).toHaveLength(1);
  });

  it('America/New_York: every 15 minutes runs the repeated hour once, not zero times', () => {
    const runs = iso(runsBetween(cron('*/15 * * * *'), at('2025-11-02T04:00:00Z'), at('2025-11-02T08:00:00Z'), NY));
    expect(runs).toEqual([
      '2025-11-02T04:15:00.000Z',
      '2025-11-02T04:30:00.000Z',
      '2025-11-02T04:45:00.000Z',
      '2025-11-02T05:00:00.000Z', // 01:00 EDT
      '2025-11-02T05:15:00.000Z',
      '2025-11-02T05:30:00.000Z',
      '2025-11-02T05:45:00.000Z', // 01:45 EDT, then the clocks go back to 01:00 EST: those minutes already ran
      '2025-11-02T07:00:00.000Z', // 02:00 EST
      '2025-11-02T07:15:00.000Z',
      '2025-11-02T07:30:00.000Z',
      '2025-11-02T07:45:00.000Z',
      '2025-11-02T08:00:00.000Z',
    ]);
  });

  it('runsBetween across the spring gap: the missing quarter hours become one run at 03:00', () => {
    const runs = iso(runsBetween(cron('*/15 * * * *'), at('2025-03-09T06:00:00Z'), at('2025-03-09T08:00:00Z'), NY));
    expect(runs).toEqual([
      '2025-03-09T06:15:00.000Z',
      '2025-03-09T06:30:00.000Z',
      '2025-03-09T06:45:00.000Z', // 01:45 EST
      '2025-03-09T07:00:00.000Z', // 03:00 EDT: 02:00-02:45 did not exist and run here, once
      '2025-03-09T07:15:00.000Z',
      '2025-03-09T07:30:00.000Z',
      '2025-03-09T07:45:00.000Z',
      '2025-03-09T08:00:00.000Z',
    ]);
  });

  it('Europe/Berlin spring forward (2025-03-30) and fall back (2025-10-26)', () => {
    expect(iso(nextRuns(cron('30 2 * * *'), at('2025-03-29T12:00:00Z'), BERLIN, 2))).toEqual([
      '2025-03-30T01:00:00.000Z', // 03:00 CEST
      '2025-03-31T00:30:00.000Z', // 02:30 CEST
    ]);
    expect(iso(nextRuns(cron('30 2 * * *'), at('2025-10-25T12:00:00Z'), BERLIN, 2))).toEqual([
      '2025-10-26T00:30:00.000Z', // 02:30 CEST, the first of two
      '2025-10-27T01:30:00.000Z', // 02:30 CET
    ]);
  });

  it('Australia/Sydney fall back (2025-04-06) and spring forward (2025-10-05)', () => {
    expect(iso(nextRuns(cron('30 2 * * *'), at('2025-04-05T00:00:00Z'), SYDNEY, 2))).toEqual([
      '2025-04-05T15:30:00.000Z', // 02:30 AEDT on 04-06, the first of two
      '2025-04-06T16:30:00.000Z', // 02:30 AEST on 04-07
    ]);
    expect(iso(nextRuns(cron('30 2 * * *'), at('2025-10-04T00:00:00Z'), SYDNEY, 2))).toEqual([
      '2025-10-04T16:00:00.000Z', // 03:00 AEDT on 10-05
      '2025-10-05T15:30:00.000Z', // 02:30 AEDT on 10-06
    ]);
  });

  it('a weekly phrase keeps its wall time across the change', () => {
    const s = parsed('every Sunday at 02:30');
    expect(iso(nextRuns(s, at('2025-03-01T12:00:00Z'), NY, 3))).toEqual([
      '2025-03-02T07:30:00.000Z', // EST
      '2025-03-09T07:00:00.000Z', // the gap: 03:00 EDT
      '2025-03-16T06:30:00.000Z', // EDT
    ]);
    expect(iso(nextRuns(parsed('weekdays at 9am'), at('2025-03-07T15:00:00Z'), NY, 2))).toEqual([
      '2025-03-10T13:00:00.000Z', // Monday 09:00 EDT
      '2025-03-11T13:00:00.000Z',
    ]);
  });

  it('does not depend on the machine zone: the same answers whatever TZ the process has', () => {
    // The other half of this is scripts/test-clocks.sh running the suite under other zones.
    const runs = nextRuns(cron('30 1 * * *'), at('2025-11-01T12:00:00Z'), NY, 1);
    expect(iso(runs)).toEqual(['2025-11-02T05:30:00.000Z']);
  });
});

describe('nextRuns: calendars', () => {
  it('the 31st skips months without one, like cron', () => {
    expect(iso(nextRuns(cron('0 9 31 * *'), at('2025-04-01T00:00:00Z'), 'UTC', 4))).toEqual([
      '2025-05-31T09:00:00.000Z',
      '2025-07-31T09:00:00.000Z',
      '2025-08-31T09:00:00.000Z',
      '2025-10-31T09:00:00.000Z',
    ]);
  });

  it('a leap day runs on 29 February 2028 and 2032 only', () => {
    expect(iso(nextRuns(cron('0 12 29 2 *'), at('2025-01-01T00:00:00Z'), BERLIN, 2))).toEqual([
      '2028-02-29T11:00:00.000Z',
      '2032-02-29T11:00:00.000Z',
    ]);
  });

  it('day of month and day of week both must match, as node-cron reads them', () => {
    // Friday the 13th.
    expect(iso(nextRuns(cron('0 0 13 * 5'), at('2025-01-01T00:00:00Z'), 'UTC', 2))).toEqual([
      '2025-06-13T00:00:00.000Z',
      '2026-02-13T00:00:00.000Z',
    ]);
  });

  it('last Friday of the month, in long and short months and across a year end', () => {
    const s = parsed('last Friday of the month at 16:00');
    expect(iso(nextRuns(s, at('2025-10-01T00:00:00Z'), NY, 5))).toEqual([
      '2025-10-31T20:00:00.000Z', // EDT
      '2025-11-28T21:00:00.000Z', // EST
      '2025-12-26T21:00:00.000Z',
      '2026-01-30T21:00:00.000Z',
      '2026-02-27T21:00:00.000Z',
    ]);
  });

  it('first Monday of the month, when the 1st is a Monday and when it is not', () => {
    const s = parsed('first Monday of the month at 14:00');
    expect(iso(nextRuns(s, at('2025-08-15T00:00:00Z'), 'UTC', 3))).toEqual([
      '2025-09-01T14:00:00.000Z',
      '2025-10-06T14:00:00.000Z',
      '2025-11-03T14:00:00.000Z',
    ]);
  });

  it('every 2 weeks counts weeks from the anchor, and never runs before it', () => {
    const s = parsed('every 2 weeks on Monday and Thursday at 14:00', at('2025-03-11T12:00:00Z'), NY);
    expect(s).toMatchObject({ anchor: '2025-03-13' });
    expect(iso(nextRuns(s, at('2025-01-01T00:00:00Z'), NY, 5))).toEqual([
      '2025-03-13T18:00:00.000Z', // the anchor week's Monday (03-10) is before the anchor
      '2025-03-24T18:00:00.000Z',
      '2025-03-27T18:00:00.000Z',
      '2025-04-07T18:00:00.000Z',
      '2025-04-10T18:00:00.000Z',
    ]);
  });

  it('is strictly after `after`, and runsBetween is (from, to]', () => {
    const s = cron('0 10 * * *');
    expect(iso(nextRuns(s, at('2025-06-01T10:00:00Z'), 'UTC', 1))).toEqual(['2025-06-02T10:00:00.000Z']);
    expect(iso(runsBetween(s, at('2025-06-01T10:00:00Z'), at('2025-06-03T10:00:00Z'), 'UTC'))).toEqual([
      '2025-06-02T10:00:00.000Z',
      '2025-06-03T10:00:00.000Z',
    ]);
    expect(runsBetween(s, at('2025-06-03T10:00:00Z'), at('2025-06-01T10:00:00Z'), 'UTC')).toEqual([]);
    expect(
      runsBetween(cron('* * * * *'), at('2025-06-01T00:00:00Z'), at('2025-07-01T00:00:00Z'), 'UTC', 50),
    ).toHaveLength(50);
  });

  it('an invalid schedule or zone has no runs, and scheduleProblem says why', () => {
    expect(nextRuns(cron('61 * * * *'), NOW, NY, 3)).toEqual([]);
    expect(nextRuns(cron('0 10 * * *'), NOW, 'Not/AZone', 3)).toEqual([]);
    expect(scheduleProblem(cron('61 * * * *'))).toMatch(/minute 61/);
    expect(scheduleProblem({ kind: 'weekly', days: [9], time: '10:00', everyWeeks: 1 })).toMatch(/0 \(Sunday\)/);
    expect(scheduleProblem({ kind: 'monthly', nth: 1, day: 1, time: '25:00' })).toMatch(/HH:MM/);
    expect(scheduleProblem(parsed('every Tuesday at 10:00'))).toBeNull();
  });
});

describe('describeSchedule and cronOf', () => {
  it.each<[Schedule, string, string | null]>([
    [cron('0 10 * * 2'), 'at 10:00 on Tuesday (cron 0 10 * * 2)', '0 10 * * 2'],
    [
      cron('*/15 9-17 * * MON-FRI'),
      'every 15 minutes in hours 9-17 on weekdays (cron */15 9-17 * * MON-FRI)',
      '*/15 9-17 * * MON-FRI',
    ],
    [cron('0 9 1 1 *'), 'at 09:00 on day 1 of the month in January (cron 0 9 1 1 *)', '0 9 1 1 *'],
    [{ kind: 'weekly', days: [2], time: '10:00', everyWeeks: 1 }, 'every Tuesday at 10:00', '0 10 * * 2'],
    [{ kind: 'weekly', days: [0, 1, 2, 3, 4, 5, 6], time: '08:30', everyWeeks: 1 }, 'every day at 08:30', '30 8 * * *'],
    [
      { kind: 'weekly', days: [1, 2, 3, 4, 5], time: '09:00', everyWeeks: 1 },
      'every weekday at 09:00',
      '0 9 * * 1,2,3,4,5',
    ],
    [
      { kind: 'weekly', days: [1, 4], time: '15:30', everyWeeks: 1 },
      'every Monday and Thursday at 15:30',
      '30 15 * * 1,4',
    ],
    [
      { kind: 'weekly', days: [1], time: '14:00', everyWeeks: 2, anchor: '2025-03-10' },
      'every 2 weeks on Monday at 14:00 starting 2025-03-10',
      null,
    ],
    [{ kind: 'monthly', nth: -1, day: 5, time: '16:00' }, 'last Friday of the month at 16:00', null],
  ])('%j', (s, description, expression) => {
    expect(describeSchedule(s)).toBe(description);
    expect(cronOf(s)).toBe(expression);
  });

  it('the words it gives for a phrase schedule read back as the same schedule', () => {
    for (const text of [
      'every Tuesday at 10:00',
      'weekdays at 9am',
      'every 2 weeks on Monday at 14:00',
      'first Monday of the month at 14:00',
      'last Friday of the month at 16:00',
      'every Monday and Thursday at 15:30',
      'daily at 9',
    ]) {
      const s = parsed(text);
      expect(parsed(describeSchedule(s), at('2030-01-01T00:00:00Z'))).toEqual(s);
    }
  });

  it('every cron it accepts, node-cron reads to the same values', () => {
    for (const expression of [
      '0 10 * * 2',
      '*/15 9-17 * * MON-FRI',
      '5,35 */2 1-15/2 JAN-MAR,dec sun,sat',
      '0 0 * * 7',
      '0 0 * * 5-7',
      '59 23 31 12 *',
      '0-10/5 1 * * *',
    ]) {
      expect(parseSchedule(expression, NOW, NY).ok).toBe(true);
      expect(nodeCronValidate(expression)).toBe(true);
      const theirs = nodeCronParse(expression);
      const ours = nextRuns(cron(expression), at('2025-01-01T00:00:00Z'), 'UTC', 200);
      for (const run of ours) {
        expect(theirs.minute).toContain(run.getUTCMinutes());
        expect(theirs.hour).toContain(run.getUTCHours());
        expect(theirs.dayOfMonth).toContain(run.getUTCDate());
        expect(theirs.month).toContain(run.getUTCMonth() + 1);
        expect(theirs.dayOfWeek.map((d) => Number(d) % 7)).toContain(run.getUTCDay());
      }
    }
  });
});
