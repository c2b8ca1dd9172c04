// Durations as people write them, and back to a short human form.
import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../src/domain/duration.ts';

const S = 1_000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe('parseDuration', () => {
  it.each([
    ['30s', 30 * S],
    ['15m', 15 * M],
    ['4h', 4 * H],
    ['3d', 3 * D],
    ['1w', 7 * D],
    ['1h30m', 90 * M],
    ['1d2h3m4s', D + 2 * H + 3 * M + 4 * S],
    ['  4H ', 4 * H],
    ['90m', 90 * M],
  ])('reads %j as %i ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each(['', ' ', 'abc', '15', 'm', '0m', '0h0m', '1.5h', '-5m', '1 h', '1h 30m', '5y', '1234567m', 'P1D'])(
    'refuses %j',
    (text) => {
      expect(parseDuration(text)).toBeNull();
    },
  );
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [-5 * S, '0s'],
    [45 * S, '45s'],
    [59 * S, '59s'],
    [59_700, '1m'],
    [M, '1m'],
    [90 * M, '1h 30m'],
    [4 * H, '4h'],
    [D, '1d'],
    [3 * D + 4 * H + 5 * M, '3d 4h'],
    [D + 5 * M, '1d 5m'],
  ])('shows %i ms as %j', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it('reads back what it writes for whole minutes', () => {
    for (const ms of [M, 15 * M, 90 * M, 4 * H, 2 * D + 3 * H]) {
      expect(parseDuration(formatDuration(ms).replace(' ', ''))).toBe(ms);
    }
  });
});
