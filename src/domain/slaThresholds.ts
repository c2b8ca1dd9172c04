// The instants an SLA clock reaches 75% and 100% of its response and resolution targets: what the SLA watch warns at.
import type { SlaClock } from './sla.ts';

export type SlaTargetName = 'response' | 'resolution';
export const SLA_PERCENTS = [75, 100] as const;
export type SlaPercent = (typeof SLA_PERCENTS)[number];

export interface SlaThreshold {
  target: SlaTargetName;
  pct: SlaPercent;
  /** The target's due time as the clock has it now: a pause moves it, so it names this version of the threshold. */
  dueAt: Date;
  /** When the running clock reaches `pct` of the target. */
  at: Date;
  /** The target's length, paused time left out. */
  spanMs: number;
}

/**
 * The thresholds of a running clock, passed or to come, earliest first. None while paused (pending, resolved):
 * paused time does not count, and resuming moves every due time, so the thresholds are worked out anew then.
 * Response thresholds end with the first response. The span is read off the clock itself (due time less open
 * time less time paused), so a change of priority, which moves the due times, moves the thresholds with them.
 */
export function slaThresholds(clock: SlaClock, openedAt: Date): SlaThreshold[] {
  if (clock.pausedAt) return [];
  const out: SlaThreshold[] = [];
  const targets: Array<[SlaTargetName, Date]> = [['resolution', clock.resolutionDueAt]];
  if (!clock.firstResponseAt) targets.unshift(['response', clock.responseDueAt]);
  for (const [target, dueAt] of targets) {
    const spanMs = dueAt.getTime() - openedAt.getTime() - clock.pausedMs;
    if (spanMs <= 0) continue;
    for (const pct of SLA_PERCENTS) {
      out.push({
        target,
        pct,
        dueAt,
        spanMs,
        at: new Date(dueAt.getTime() - Math.round((spanMs * (100 - pct)) / 100)),
      });
    }
  }
  // In the order they come: the watch walks them one after another.
  return out.sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** The threshold as it stands now, if the clock still has it with this due time (null: paused, answered, moved). */
export function currentThreshold(
  clock: SlaClock,
  openedAt: Date,
  target: SlaTargetName,
  pct: number,
  dueAt: Date,
): SlaThreshold | null {
  return (
    slaThresholds(clock, openedAt).find(
      (t) => t.target === target && t.pct === pct && t.dueAt.getTime() === dueAt.getTime(),
    ) ?? null
  );
}
