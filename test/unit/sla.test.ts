// SLA clock maths: due times from targets, pause and resume, first response, resolution, reprioritising.
// @module-tag time-of-day
import { describe, expect, it } from 'vitest';
import { DEFAULT_SLA } from '../../config/defaults.ts';
import {
  pauseClock,
  recordFirstResponse,
  recordResolution,
  reopenClock,
  reprioritise,
  resumeClock,
  slaStanding,
  startClock,
} from '../../src/domain/sla.ts';

const M = 60_000;
const H = 60 * M;
const D = 24 * H;
const t0 = new Date('2025-03-03T09:00:00Z');
const at = (ms: number): Date => new Date(t0.getTime() + ms);

describe('SLA clock', () => {
  it.each([
    ['P1', 15 * M, 4 * H],
    ['P2', 30 * M, 8 * H],
    ['P3', 4 * H, 3 * D],
    ['P4', D, 10 * D],
  ] as const)('starts %s with response due after %i ms and resolution after %i ms', (p, resp, reso) => {
    const c = startClock(DEFAULT_SLA, p, t0);
    expect(c).toEqual({
      responseDueAt: at(resp),
      resolutionDueAt: at(reso),
      pausedAt: null,
      pausedMs: 0,
      firstResponseAt: null,
      ttaMs: null,
      ttrMs: null,
    });
  });

  it('pauses once and resumes later, shifting both due times by the paused time', () => {
    const c = startClock(DEFAULT_SLA, 'P1', t0);
    const paused = pauseClock(c, at(10 * M));
    expect(paused.pausedAt).toEqual(at(10 * M));
    expect(paused.responseDueAt).toEqual(at(15 * M));
    // Pausing again keeps the first pause instant.
    expect(pauseClock(paused, at(20 * M))).toBe(paused);

    const resumed = resumeClock(paused, at(40 * M));
    expect(resumed.pausedAt).toBeNull();
    expect(resumed.pausedMs).toBe(30 * M);
    expect(resumed.responseDueAt).toEqual(at(45 * M));
    expect(resumed.resolutionDueAt).toEqual(at(4 * H + 30 * M));
  });

  it('adds up several pauses', () => {
    let c = startClock(DEFAULT_SLA, 'P2', t0);
    c = resumeClock(pauseClock(c, at(1 * H)), at(2 * H));
    c = resumeClock(pauseClock(c, at(3 * H)), at(3 * H + 15 * M));
    expect(c.pausedMs).toBe(75 * M);
    expect(c.resolutionDueAt).toEqual(at(8 * H + 75 * M));
  });

  it('leaves a running clock alone on resume', () => {
    const c = startClock(DEFAULT_SLA, 'P1', t0);
    expect(resumeClock(c, at(H))).toBe(c);
  });

  it('after the first response, a pause moves only the resolution due time', () => {
    let c = startClock(DEFAULT_SLA, 'P1', t0);
    c = recordFirstResponse(c, t0, at(5 * M));
    c = resumeClock(pauseClock(c, at(10 * M)), at(70 * M));
    expect(c.responseDueAt).toEqual(at(15 * M));
    expect(c.resolutionDueAt).toEqual(at(5 * H));
  });

  it('records the first response once, with the time to acknowledge', () => {
    const c = startClock(DEFAULT_SLA, 'P1', t0);
    const first = recordFirstResponse(c, t0, at(7 * M));
    expect(first.firstResponseAt).toEqual(at(7 * M));
    expect(first.ttaMs).toBe(7 * M);
    expect(recordFirstResponse(first, t0, at(9 * M))).toBe(first);
  });

  it('records the time to resolve less the time paused, resuming a paused clock', () => {
    let c = startClock(DEFAULT_SLA, 'P3', t0);
    c = resumeClock(pauseClock(c, at(1 * H)), at(3 * H));
    expect(recordResolution(c, t0, at(5 * H)).ttrMs).toBe(3 * H);

    const stillPaused = pauseClock(c, at(6 * H));
    const resolved = recordResolution(stillPaused, t0, at(8 * H));
    // The pending pause is over; the clock now stands still because the ticket is resolved.
    expect(resolved.pausedAt).toEqual(at(8 * H));
    expect(resolved.pausedMs).toBe(4 * H);
    expect(resolved.ttrMs).toBe(4 * H);
  });

  it('does not count the time a ticket spent resolved when it is reopened and resolved again', () => {
    const c = startClock(DEFAULT_SLA, 'P3', t0);
    const first = recordResolution(c, t0, at(2 * H));
    expect(first.ttrMs).toBe(2 * H);
    // Resolved for a day, then reopened: due times move by that day, the figure is to be measured again.
    const reopened = reopenClock(first, at(26 * H));
    expect(reopened).toMatchObject({ pausedAt: null, pausedMs: 24 * H, ttrMs: null });
    expect(reopened.resolutionDueAt).toEqual(at(3 * 24 * H + 24 * H));
    expect(recordResolution(reopened, t0, at(27 * H)).ttrMs).toBe(3 * H);
  });

  it('reprioritising re-applies the new targets from the open time, keeping the paused time', () => {
    let c = startClock(DEFAULT_SLA, 'P4', t0);
    c = resumeClock(pauseClock(c, at(10 * M)), at(70 * M));
    const p1 = reprioritise(c, DEFAULT_SLA, 'P1', t0);
    expect(p1.responseDueAt).toEqual(at(15 * M + H));
    expect(p1.resolutionDueAt).toEqual(at(4 * H + H));
    expect(p1.pausedMs).toBe(H);

    const responded = reprioritise(recordFirstResponse(c, t0, at(2 * H)), DEFAULT_SLA, 'P2', t0);
    expect(responded.resolutionDueAt).toEqual(at(8 * H + H));
    expect(responded.ttaMs).toBe(2 * H);
  });

  it('tells where a ticket stands', () => {
    const c = startClock(DEFAULT_SLA, 'P1', t0);
    expect(slaStanding(c, false, at(5 * M))).toBe('on_track');
    expect(slaStanding(c, false, at(16 * M))).toBe('response_breached');
    expect(slaStanding(recordFirstResponse(c, t0, at(5 * M)), false, at(16 * M))).toBe('on_track');
    expect(slaStanding(c, false, at(5 * H))).toBe('resolution_breached');
    expect(slaStanding(pauseClock(c, at(M)), false, at(5 * H))).toBe('paused');
    expect(slaStanding(c, true, at(5 * H))).toBe('met');
  });
});
