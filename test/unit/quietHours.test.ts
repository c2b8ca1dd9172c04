// Quiet hours read from text, and isQuiet/quietEndsAt in the person's zone across midnight and DST changes.
// @module-tag time-of-day
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isQuiet, type QuietHours, quietEndsAt, readQuietHours } from '../../src/domain/quietHours.ts';
import { readTimeZone } from '../../src/domain/timezone.ts';

const NY = 'America/New_York';
const BERLIN = 'Europe/Berlin';
const at = (iso: string): Date => new Date(iso);
const ends = (q: QuietHours, iso: string, tz: string): string => quietEndsAt(q, at(iso), tz).toISOString();

describe('readQuietHours', () => {
  it.each([
    ['20:00-08:00', '20:00', '08:00'],
    ['8pm-7am', '20:00', '07:00'],
    ['22:30 to 07:00', '22:30', '07:00'],
    ['9 - 17', '09:00', '17:00'],
    ['23.15–6.45', '23:15', '06:45'],
  ])('reads %s', (text, from, to) => {
    expect(readQuietHours(text)).toEqual({ ok: true, value: { from, to } });
  });

  it.each([
    ['', 'say from when to when'],
    ['20:00', 'is not a from-to pair'],
    ['25:00-08:00', 'the start: hour 25 does not exist'],
    ['20:00-08:61', 'the end: minute 61 does not exist'],
    ['9-9', 'the same time'],
    ['evening-morning', 'the start: "evening" is not a time of day'],
  ])('refuses %s with examples', (text, error) => {
    const r = readQuietHours(text);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toContain(error);
    expect(r.examples).toEqual(['20:00-08:00', '22:30-07:00']);
  });
});

describe('readTimeZone', () => {
  it('takes IANA names in any case, as the runtime spells them', () => {
    expect(readTimeZone('Europe/Berlin')).toEqual({ ok: true, value: 'Europe/Berlin' });
    expect(readTimeZone(' europe/berlin ')).toEqual({ ok: true, value: 'Europe/Berlin' });
    expect(readTimeZone('America/Argentina/Buenos_Aires')).toMatchObject({ ok: true });
    expect(readTimeZone('UTC')).toEqual({ ok: true, value: 'UTC' });
  });

  it.each([['Mars/Olympus_Mons'], ['+02:00'], ['GMT+2'], [''], ['Europe/Berlin; drop']])('refuses %j', (text) => {
    const r = readTimeZone(text);
    expect(r).toMatchObject({ ok: false, examples: ['Europe/Berlin', 'America/New_York'] });
  });

  it('offers the zone of a city named alone', () => {
    expect(readTimeZone('Berlin')).toMatchObject({
      ok: false,
      error: expect.stringContaining('did you mean Europe/Berlin?'),
    });
    expect(readTimeZone('new york')).toMatchObject({
      error: expect.stringContaining('did you mean America/New_York?'),
    });
  });
});

describe('isQuiet and quietEndsAt', () => {
  const night: QuietHours = { from: '20:00', to: '08:00' };

  it('no quiet hours: never quiet, nothing waits', () => {
    expect(isQuiet(null, at('2025-01-15T02:00:00Z'), BERLIN)).toBe(false);
    expect(ends(null as unknown as QuietHours, '2025-01-15T02:00:00Z', BERLIN)).toBe('2025-01-15T02:00:00.000Z');
  });

  it('a window over midnight, in Berlin winter time (UTC+1)', () => {
    expect(isQuiet(night, at('2025-01-15T18:59:00Z'), BERLIN)).toBe(false); // 19:59
    expect(isQuiet(night, at('2025-01-15T19:00:00Z'), BERLIN)).toBe(true); // 20:00
    expect(isQuiet(night, at('2025-01-15T23:30:00Z'), BERLIN)).toBe(true); // 00:30 next day
    expect(isQuiet(night, at('2025-01-16T06:59:59Z'), BERLIN)).toBe(true); // 07:59:59
    expect(isQuiet(night, at('2025-01-16T07:00:00Z'), BERLIN)).toBe(false); // 08:00
    expect(ends(night, '2025-01-15T19:30:00Z', BERLIN)).toBe('2025-01-16T07:00:00.000Z');
    expect(ends(night, '2025-01-15T23:30:00Z', BERLIN)).toBe('2025-01-16T07:00:00.000Z');
    expect(ends(night, '2025-01-15T12:00:00Z', BERLIN)).toBe('2025-01-15T12:00:00.000Z');
  });

  it('is read in the zone given, not the machine’s', () => {
    // 20:30 in Berlin is 14:30 in New York.
    expect(isQuiet(night, at('2025-01-15T19:30:00Z'), NY)).toBe(false);
    expect(isQuiet(night, at('2025-01-16T02:00:00Z'), NY)).toBe(true);
  });

  it('a window within one day', () => {
    const lunch = { from: '12:00', to: '13:00' };
    expect(isQuiet(lunch, at('2025-01-15T11:59:00Z'), 'UTC')).toBe(false);
    expect(isQuiet(lunch, at('2025-01-15T12:30:00Z'), 'UTC')).toBe(true);
    expect(isQuiet(lunch, at('2025-01-15T13:00:00Z'), 'UTC')).toBe(false);
    expect(ends(lunch, '2025-01-15T12:30:00Z', 'UTC')).toBe('2025-01-15T13:00:00.000Z');
  });

  it('spring forward (New York, 2025-03-09): the night is an hour shorter', () => {
    // 22:00 EST on the 8th to 07:00 EDT on the 9th: 8 real hours.
    expect(ends({ from: '22:00', to: '07:00' }, '2025-03-09T03:00:00Z', NY)).toBe('2025-03-09T11:00:00.000Z');
    // An end inside the gap (02:30 does not exist that night) is the first minute after it: 03:00 EDT.
    const gap = { from: '23:00', to: '02:30' };
    expect(ends(gap, '2025-03-09T05:00:00Z', NY)).toBe('2025-03-09T07:00:00.000Z');
    expect(isQuiet(gap, at('2025-03-09T06:59:00Z'), NY)).toBe(true); // 01:59 EST
    expect(isQuiet(gap, at('2025-03-09T07:00:00Z'), NY)).toBe(false); // 03:00 EDT
  });

  it('spring forward in Berlin (2025-03-30): 20:00 CET to 08:00 CEST', () => {
    expect(ends(night, '2025-03-29T19:00:00Z', BERLIN)).toBe('2025-03-30T06:00:00.000Z');
    expect(isQuiet(night, at('2025-03-30T05:59:00Z'), BERLIN)).toBe(true);
    expect(isQuiet(night, at('2025-03-30T06:00:00Z'), BERLIN)).toBe(false);
  });

  it('fall back (New York, 2025-11-02): the night is an hour longer; a repeated hour is quiet both times', () => {
    expect(ends({ from: '22:00', to: '06:00' }, '2025-11-02T02:00:00Z', NY)).toBe('2025-11-02T11:00:00.000Z');
    const early = { from: '00:00', to: '01:45' };
    // 01:30 EDT (first pass) ends at 01:45 EDT; 01:30 EST (second pass) at 01:45 EST, never in the past.
    expect(ends(early, '2025-11-02T05:30:00Z', NY)).toBe('2025-11-02T05:45:00.000Z');
    expect(isQuiet(early, at('2025-11-02T06:30:00Z'), NY)).toBe(true);
    expect(ends(early, '2025-11-02T06:30:20Z', NY)).toBe('2025-11-02T06:45:00.000Z');
  });

  it('an unknown zone is a programming error, not a silent UTC', () => {
    expect(() => isQuiet(night, at('2025-01-15T19:00:00Z'), 'Mars/Olympus')).toThrow(RangeError);
  });

  it('ends at a fall-back that sets the clocks back to before the window starts', () => {
    // Quiet 01:01 until midnight; at 01:59:59 EDT the clocks go back to 01:00 EST, which is not quiet.
    const q = { from: '01:01', to: '00:00' };
    const start = at('2025-11-02T05:59:59Z');
    expect(isQuiet(q, start, NY)).toBe(true);
    expect(quietEndsAt(q, start, NY).toISOString()).toBe('2025-11-02T06:00:00.000Z');
    // From 01:01 EST (the second pass) on, it is quiet again until midnight.
    expect(quietEndsAt(q, at('2025-11-02T06:01:00Z'), NY).toISOString()).toBe('2025-11-03T05:00:00.000Z');
  });

  it('goes on to the next day when a spring-forward skips the only hour that is not quiet', () => {
    // Quiet 03:00-02:00: only 02:00-03:00 is not, and in Berlin on 2025-03-30 that hour does not exist.
    const q = { from: '03:00', to: '02:00' };
    const start = at('2025-03-30T00:59:59Z');
    expect(isQuiet(q, at('2025-03-30T01:00:00Z'), BERLIN)).toBe(true);
    expect(quietEndsAt(q, start, BERLIN).toISOString()).toBe('2025-03-31T00:00:00.000Z');
  });

  it('ends when a fall-back brings the clocks round to `to` once more, inside the window', () => {
    // Quiet 02:02-02:01: at 03:00 CEST the clocks read 02:00 CET (quiet), and a minute later 02:01 (not).
    const q = { from: '02:02', to: '02:01' };
    expect(quietEndsAt(q, at('2025-10-26T00:59:59Z'), BERLIN).toISOString()).toBe('2025-10-26T01:01:00.000Z');
  });

  it('property: the end is the first instant at or after `at` that is not quiet', () => {
    const hhmm = fc
      .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }))
      .map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`);
    const year2025 = fc.integer({ min: Date.parse('2025-01-01T00:00:00Z'), max: Date.parse('2026-01-01T00:00:00Z') });
    // Instants near the DST changes as often as anywhere else in the year.
    const nearChange = fc
      .tuple(
        fc.constantFrom('2025-03-09T07:00:00Z', '2025-11-02T06:00:00Z', '2025-03-30T01:00:00Z', '2025-10-26T01:00:00Z'),
        fc.integer({ min: -30 * 3600, max: 30 * 3600 }),
      )
      .map(([iso, s]) => Date.parse(iso) + s * 1000);
    fc.assert(
      fc.property(
        hhmm,
        hhmm,
        fc.oneof(year2025, nearChange),
        fc.constantFrom(NY, BERLIN, 'Australia/Sydney'),
        (from, to, t, tz) => {
          fc.pre(from !== to);
          const q = { from, to };
          const start = new Date(t);
          const end = quietEndsAt(q, start, tz);
          expect(end.getTime()).toBeGreaterThanOrEqual(start.getTime());
          expect(isQuiet(q, end, tz)).toBe(false);
          // A day and an hour at most; two when a spring-forward swallows the only time that is not quiet.
          expect(end.getTime() - start.getTime()).toBeLessThanOrEqual(49 * 3600_000);
          for (let m = start.getTime(); m < end.getTime(); m += 60_000) expect(isQuiet(q, new Date(m), tz)).toBe(true);
        },
      ),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 150) },
    );
  });
});
