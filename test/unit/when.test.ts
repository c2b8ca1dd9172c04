// One-shot times read in the person's zone (not the machine's), refusals with examples, and business days.
// @module-tag time-of-day
import { describe, expect, it } from 'vitest';
import { addBusinessDays, parseWhen } from '../../src/domain/when.ts';

const NY = 'America/New_York';
const BERLIN = 'Europe/Berlin';
const at = (text: string): Date => new Date(text);

function when(text: string, now: Date, timeZone = NY): string {
  const r = parseWhen(text, now, timeZone);
  if (!r.ok) throw new Error(`expected ${text} to parse: ${r.error}`);
  return r.value.toISOString();
}

describe('parseWhen', () => {
  // Wednesday 2025-03-05, 07:00 in New York (EST, UTC-5).
  const now = at('2025-03-05T12:00:00Z');

  it.each([
    ['in 2h', '2025-03-05T14:00:00.000Z'],
    ['in 30 minutes', '2025-03-05T12:30:00.000Z'],
    ['in 1h30m', '2025-03-05T13:30:00.000Z'],
    ['tomorrow 9am', '2025-03-06T14:00:00.000Z'],
    ['friday 16:00', '2025-03-07T21:00:00.000Z'],
    ['14:00', '2025-03-05T19:00:00.000Z'], // later today
    ['06:30', '2025-03-06T11:30:00.000Z'], // passed today: tomorrow
    ['at 9am on friday', '2025-03-07T14:00:00.000Z'],
    ['2026-12-24T09:00', '2026-12-24T14:00:00.000Z'],
    ['2026-12-24 09:00', '2026-12-24T14:00:00.000Z'],
    ['2026-07-24 09:00', '2026-07-24T13:00:00.000Z'], // EDT in summer
    ['2026-12-24T09:00+01:00', '2026-12-24T08:00:00.000Z'],
    ['2026-12-24T09:00:00Z', '2026-12-24T09:00:00.000Z'],
  ])('%j', (text, expected) => {
    expect(when(text, now)).toBe(expected);
  });

  it('"tomorrow 9am" asked on 2025-03-08 in New York lands at 09:00 EDT (13:00Z) on 03-09', () => {
    // The clocks go forward that night: a fixed offset taken at asking time would give 14:00Z.
    expect(when('tomorrow 9am', at('2025-03-08T15:00:00Z'), NY)).toBe('2025-03-09T13:00:00.000Z');
  });

  it('reads the wall time in the given zone, whatever the machine zone', () => {
    expect(when('tomorrow 9am', at('2025-03-29T12:00:00Z'), BERLIN)).toBe('2025-03-30T07:00:00.000Z'); // CEST
    expect(when('tomorrow 9am', at('2025-03-29T12:00:00Z'), 'Asia/Tokyo')).toBe('2025-03-30T00:00:00.000Z');
    // Late evening in New York is already tomorrow in UTC: "tomorrow" is New York's tomorrow.
    expect(when('tomorrow 9am', at('2025-06-11T03:30:00Z'), NY)).toBe('2025-06-11T13:00:00.000Z');
  });

  it('a weekday named on that weekday after the time means next week', () => {
    // Friday 2025-03-07 17:00 EST.
    expect(when('friday 16:00', at('2025-03-07T22:00:00Z'))).toBe('2025-03-14T20:00:00.000Z');
  });

  it('a wall time in the spring gap runs at the first valid minute after it', () => {
    expect(when('2025-03-09 02:30', now)).toBe('2025-03-09T07:00:00.000Z');
    expect(when('2025-11-02 01:30', now)).toBe('2025-11-02T05:30:00.000Z'); // first of two: EDT
  });

  it.each([
    ['2020-01-01 10:00', /in the past/],
    ['2025-03-05T06:00', /in the past/],
    ['2025-03-05T11:00:00Z', /in the past/],
    ['2026-02-30 09:00', /2026-02-30 is not a date/],
    ['2026-02-10 25:00', /00:00 to 23:59/],
    ['blah', /"blah" is not a time I can read/],
    ['someday soon-ish', /not a time I can read|not part of a time/],
    ['tomorrow 9am please', /"please" is not part of a time/],
    ['9am-10am', /range/],
    ['', /say when/],
  ])('refuses %j with the reason and two examples that work', (text, error) => {
    const r = parseWhen(text, now, NY);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatch(error);
    expect(r.examples).toHaveLength(2);
    for (const example of r.examples) expect(parseWhen(example, now, NY).ok).toBe(true);
  });

  it('refuses a timezone that does not exist, offering real ones', () => {
    const r = parseWhen('in 2h', now, 'Europe/Atlantis');
    expect(r).toMatchObject({ ok: false, error: expect.stringMatching(/"Europe\/Atlantis" is not a timezone/) });
    if (!r.ok) for (const zone of r.examples) expect(parseWhen('in 2h', now, zone).ok).toBe(true);
  });
});

describe('addBusinessDays', () => {
  it('skips weekends and keeps the wall time', () => {
    // Thursday 2025-03-06 10:00 EST + 2 = Monday 03-10 10:00 EDT (the clocks moved on the Sunday between).
    expect(addBusinessDays(at('2025-03-06T15:00:00Z'), 2, NY).toISOString()).toBe('2025-03-10T14:00:00.000Z');
    // Friday + 1 = Monday.
    expect(addBusinessDays(at('2025-06-13T08:00:00Z'), 1, BERLIN).toISOString()).toBe('2025-06-16T08:00:00.000Z');
    // Saturday + 1 = Monday; Sunday + 5 = Friday.
    expect(addBusinessDays(at('2025-06-14T08:00:00Z'), 1, BERLIN).toISOString()).toBe('2025-06-16T08:00:00.000Z');
    expect(addBusinessDays(at('2025-06-15T08:00:00Z'), 5, BERLIN).toISOString()).toBe('2025-06-20T08:00:00.000Z');
  });

  it('counts whole weeks the same as day by day', () => {
    // Monday 2025-06-02 + 5 = Monday 06-09; + 12 = Wednesday 06-18; + 25 = Monday 07-07.
    const monday = at('2025-06-02T07:00:00Z');
    expect(addBusinessDays(monday, 5, 'UTC').toISOString()).toBe('2025-06-09T07:00:00.000Z');
    expect(addBusinessDays(monday, 12, 'UTC').toISOString()).toBe('2025-06-18T07:00:00.000Z');
    expect(addBusinessDays(monday, 25, 'UTC').toISOString()).toBe('2025-07-07T07:00:00.000Z');
    let stepped = monday;
    for (let i = 0; i < 25; i++) stepped = addBusinessDays(stepped, 1, 'UTC');
    expect(stepped.toISOString()).toBe('2025-07-07T07:00:00.000Z');
  });

  it('the local date is the one in the zone, not in UTC', () => {
    // Friday 2025-06-13 22:00 in New York is already Saturday in UTC; + 1 business day = Monday 22:00 EDT.
    expect(addBusinessDays(at('2025-06-14T02:00:00Z'), 1, NY).toISOString()).toBe('2025-06-17T02:00:00.000Z');
  });

  it('goes back for negative days, and 0 is the same instant', () => {
    expect(addBusinessDays(at('2025-06-16T08:00:00Z'), -1, 'UTC').toISOString()).toBe('2025-06-13T08:00:00.000Z');
    expect(addBusinessDays(at('2025-06-14T08:00:00Z'), 0, 'UTC').toISOString()).toBe('2025-06-14T08:00:00.000Z');
  });

  it('a wall time that the spring change removes lands at the first valid minute after it', () => {
    // Cairo moves its clocks on a Friday: 2025-04-25 00:00 -> 01:00. Thursday 00:30 EET + 1 = Friday 01:00 EEST.
    expect(addBusinessDays(at('2025-04-23T22:30:00Z'), 1, 'Africa/Cairo').toISOString()).toBe(
      '2025-04-24T22:00:00.000Z',
    );
  });
});
