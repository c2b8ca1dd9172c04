// Property: no text a person can type makes parseSchedule or parseWhen throw, and every answer is well formed.
// @module-tag time-of-day
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeSchedule, nextRuns, parseSchedule } from '../../src/domain/schedule.ts';
import { parseWhen } from '../../src/domain/when.ts';

// Pieces schedules and times are made of, so the strings reach deep into both grammars, not just their first check.
const piece = fc.oneof(
  fc.constantFrom(
    ' ',
    '  ',
    '\t',
    '\n',
    '"',
    '“',
    ',',
    '-',
    '/',
    '*',
    '*/',
    ':',
    '.',
    '+',
    '#',
    'L',
    'W',
    '?',
    'every',
    'each',
    'on',
    'at',
    'and',
    'the',
    'of',
    'month',
    'week',
    'weeks',
    'other',
    'starting',
    'from',
    'day',
    'daily',
    'weekday',
    'weekdays',
    'weekend',
    'first',
    'last',
    'fifth',
    'monday',
    'Tue',
    'thurs',
    'sundays',
    'blursday',
    'MON-FRI',
    'JAN',
    'am',
    'pm',
    'noon',
    'midnight',
    'in',
    'tomorrow',
    'next',
    'friday',
    'h',
    'm',
    'minutes',
    'hours',
    'days',
    'ago',
    'EST',
    'Z',
    '+01:00',
    'T',
    '2025-03-09',
    '2026-02-30',
    '02:30',
    '9am',
    '25:00',
    '10:75',
    '0',
    '7',
    '13',
    '31',
    '59',
    '60',
    '61',
    '99999',
    '\u0000',
    '\u202e',
    '\u200b',
    '𝟗',
    'Ⅸ',
  ),
  fc.integer({ min: -5, max: 100_000 }).map(String),
  fc.string({ maxLength: 6 }),
);
const text = fc.oneof(
  fc.array(piece, { maxLength: 12 }).map((parts) => parts.join(' ')),
  fc.array(piece, { maxLength: 12 }).map((p) => p.join('')),
  fc.string({ maxLength: 80 }),
);
const instant = fc.date({
  min: new Date('1990-01-01T00:00:00Z'),
  max: new Date('2090-01-01T00:00:00Z'),
  noInvalidDate: true,
});
const zone = fc.constantFrom(
  'UTC',
  'America/New_York',
  'Europe/Berlin',
  'Australia/Sydney',
  'Asia/Kathmandu',
  'Africa/Cairo',
  'Not/AZone',
  '',
);

describe('parsing never throws', () => {
  it('parseSchedule: ok with a schedule that runs, or an error with two examples', () => {
    fc.assert(
      fc.property(text, instant, zone, (t, now, tz) => {
        const r = parseSchedule(t, now, tz);
        if (r.ok) {
          expect(describeSchedule(r.value)).not.toBe('');
          expect(nextRuns(r.value, now, tz, 2).length).toBeGreaterThan(0);
        } else {
          expect(r.error).not.toBe('');
          expect(r.examples).toHaveLength(2);
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('parseWhen: ok with an instant after now, or an error with two examples', () => {
    fc.assert(
      fc.property(text, instant, zone, (t, now, tz) => {
        const r = parseWhen(t, now, tz);
        if (r.ok) expect(r.value.getTime()).toBeGreaterThan(now.getTime());
        else expect(r.examples).toHaveLength(2);
      }),
      { numRuns: 1500 },
    );
  });
});
