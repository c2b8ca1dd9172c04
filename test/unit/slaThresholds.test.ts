// The SLA watch's thresholds: 75% and 100% of each target, moved by paused time and by a change of priority.
// @module-tag time-of-day
import { describe, expect, it } from 'vitest';
import { pauseClock, recordFirstResponse, reprioritise, resumeClock, startClock } from '../../src/domain/sla.ts';
import { currentThreshold, slaThresholds } from '../../src/domain/slaThresholds.ts';

const MIN = 60_000;
const opened = new Date('2026-03-10T12:00:00Z');
const at = (m: number) => new Date(opened.getTime() + m * MIN);
const targets = {
  P1: { responseMs: 4 * MIN, resolutionMs: 8 * MIN },
  P2: { responseMs: 8 * MIN, resolutionMs: 16 * MIN },
  P3: { responseMs: 8 * MIN, resolutionMs: 16 * MIN },
  P4: { responseMs: 8 * MIN, resolutionMs: 16 * MIN },
};
const shown = (clock: ReturnType<typeof startClock>) =>
  slaThresholds(clock, opened).map((t) => `${t.target} ${t.pct}% ${t.at.toISOString().slice(11, 19)}`);

describe('slaThresholds', () => {
  it('puts 75% and 100% of both targets on a running clock', () => {
    expect(shown(startClock(targets, 'P1', opened))).toEqual([
      'response 75% 12:03:00',
      'response 100% 12:04:00',
      'resolution 75% 12:06:00',
      'resolution 100% 12:08:00',
    ]);
  });

  it('has none while paused, and moves every threshold by the time paused', () => {
    const paused = pauseClock(startClock(targets, 'P1', opened), at(1));
    expect(shown(paused)).toEqual([]);
    expect(shown(resumeClock(paused, at(11)))).toEqual([
      'response 75% 12:13:00',
      'response 100% 12:14:00',
      'resolution 75% 12:16:00',
      'resolution 100% 12:18:00',
    ]);
  });

  it('drops the response thresholds once answered', () => {
    const answered = recordFirstResponse(startClock(targets, 'P1', opened), opened, at(1));
    expect(shown(answered)).toEqual(['resolution 75% 12:06:00', 'resolution 100% 12:08:00']);
  });

  it('follows a change of priority, paused time kept', () => {
    const resumed = resumeClock(pauseClock(startClock(targets, 'P1', opened), at(1)), at(3));
    expect(shown(reprioritise(resumed, targets, 'P2', opened))).toEqual([
      'response 75% 12:08:00',
      'response 100% 12:10:00',
      'resolution 75% 12:14:00',
      'resolution 100% 12:18:00',
    ]);
  });

  it('knows a threshold by its due time: one planned before a pause is no longer current', () => {
    const clock = startClock(targets, 'P1', opened);
    expect(currentThreshold(clock, opened, 'response', 75, at(4))?.at).toEqual(at(3));
    const moved = resumeClock(pauseClock(clock, at(1)), at(2));
    expect(currentThreshold(moved, opened, 'response', 75, at(4))).toBeNull();
    expect(currentThreshold(moved, opened, 'response', 75, at(5))?.at).toEqual(at(4));
  });
});
