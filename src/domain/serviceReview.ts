// The monthly service review's period (the last calendar month) and the follow-up actions it counts per service.
import { daysInMonth, isoDate, type LocalDate, localParts } from './localTime.ts';
import { type Period, periodOf } from './summary.ts';

/** The calendar month before the one `now` falls in (the review's period), and the month before that. */
export function lastCalendarMonth(now: Date, timeZone: string): { current: Period; previous: Period } {
  const today = localParts(now, timeZone);
  const monthBefore = (d: LocalDate): { first: LocalDate; last: LocalDate } => {
    const first =
      d.month === 1 ? { year: d.year - 1, month: 12, day: 1 } : { year: d.year, month: d.month - 1, day: 1 };
    return { first, last: { ...first, day: daysInMonth(first.year, first.month) } };
  };
  const cur = monthBefore(today);
  const prev = monthBefore(cur.first);
  const label = isoDate(cur.first).slice(0, 7);
  return {
    current: periodOf(label, cur.first, cur.last, timeZone),
    previous: periodOf('previous', prev.first, prev.last, timeZone),
  };
}

/** What an action needs to say to be counted (src/store/actionStore.ts's Action has these). */
export interface CountedAction {
  service: string | null;
  createdAt: Date;
  dueAt: Date;
  state: 'open' | 'done' | 'deferred';
  ended: { state: 'done' | 'deferred'; at: Date } | null;
}

export interface ActionCounts {
  /** Recorded in the period. */
  opened: number;
  /** Marked done in the period. */
  done: number;
  /** Past their due time at the period's end (or now), not done nor deferred by then. */
  overdue: number;
}

/** The service's follow-up actions: opened and done in [from, until), overdue as of `until`. */
export function actionCountsOf(
  actions: readonly CountedAction[],
  service: string,
  from: Date,
  until: Date,
): ActionCounts {
  const mine = actions.filter((a) => a.service === service);
  const within = (d: Date) => d >= from && d < until;
  return {
    opened: mine.filter((a) => within(a.createdAt)).length,
    done: mine.filter((a) => a.ended?.state === 'done' && within(a.ended.at)).length,
    overdue: mine.filter((a) => a.createdAt < until && a.dueAt < until && !(a.ended && a.ended.at < until)).length,
  };
}
