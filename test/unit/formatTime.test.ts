// How an instant is written for a person: the time today, the day this year, the year otherwise, in their zone.
// @module-tag time-of-day
import { describe, expect, it } from 'vitest';
import { formatTime } from '../../src/present/time.ts';

describe('formatTime', () => {
  const now = new Date('2026-12-31T23:30:00Z');
  it('gives the time today, the day this year, and the year in any other year', () => {
    expect(formatTime(new Date('2026-12-31T08:00:00Z'), now, 'UTC')).toBe('08:00');
    expect(formatTime(new Date('2026-03-01T08:00:00Z'), now, 'UTC')).toBe('1 Mar 08:00');
    expect(formatTime(new Date('2027-01-01T00:31:00Z'), now, 'UTC')).toBe('1 Jan 2027 00:31');
    expect(formatTime(new Date('2031-12-07T00:31:00Z'), now, 'UTC')).toBe('7 Dec 2031 00:31');
    expect(formatTime(new Date('2025-12-07T00:31:00Z'), now, 'UTC')).toBe('7 Dec 2025 00:31');
  });

  it("reads the year in the reader's zone: in Berlin the new year has begun already", () => {
    expect(formatTime(new Date('2027-01-01T00:31:00Z'), now, 'Europe/Berlin')).toBe('01:31');
    expect(formatTime(new Date('2026-12-31T08:00:00Z'), now, 'Europe/Berlin')).toBe('31 Dec 2026 09:00');
  });
});
