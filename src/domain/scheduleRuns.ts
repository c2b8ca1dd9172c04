// When a schedule runs: its run instants after a moment or between two, true to the zone's DST changes.
import { type ClockTime, readStoredTime } from './clockTime.ts';
import { cronRunsOn, readCron } from './cron.ts';
import {
  addDays,
  daysBetween,
  daysInMonth,
  instantOf,
  type LocalDate,
  localParts,
  parseIsoDate,
  weekdayOf,
} from './localTime.ts';
import type { Schedule } from './scheduleTypes.ts';
import { isTimeZone } from './timezone.ts';

// A leap day falls on each weekday within 28 years, so a cron that can run at all runs within this.
const HORIZON_DAYS = 366 * 28 + 7;
// Weeks of an every-N-weeks schedule without an anchor are counted from this Monday.
const EPOCH_MONDAY: LocalDate = { year: 1970, month: 1, day: 5 };
/** runsBetween returns at most this many instants unless asked otherwise. */
export const RUNS_BETWEEN_LIMIT = 10_000;

interface Compiled {
  runsOn(date: LocalDate): boolean;
  /** Wall times within a day that runs, earliest first. */
  times: ClockTime[];
}

/** The day and time rules of a schedule, or a sentence saying why it is not a valid one. */
export function compileSchedule(s: Schedule): Compiled | string {
  if (s.kind === 'cron') {
    const read = readCron(s.expression);
    if (!read.ok) return read.error;
    const { fields } = read;
    const times = fields.hours.flatMap((hour) => fields.minutes.map((minute) => ({ hour, minute })));
    return { runsOn: (date) => cronRunsOn(fields, date), times };
  }
  const time = readStoredTime(s.time);
  if (!time) return `time "${s.time}" is not HH:MM`;
  if (s.kind === 'weekly') {
    if (s.days.length === 0 || s.days.some((d) => !Number.isInteger(d) || d < 0 || d > 6)) {
      return 'weekly days must be 0 (Sunday) to 6 (Saturday), at least one';
    }
    if (!Number.isInteger(s.everyWeeks) || s.everyWeeks < 1 || s.everyWeeks > 52) return 'every 1 to 52 weeks';
    const anchor = s.anchor === undefined ? null : parseIsoDate(s.anchor);
    if (s.anchor !== undefined && anchor === null) return `anchor "${s.anchor}" is not a YYYY-MM-DD date`;
    const days = new Set(s.days);
    const every = s.everyWeeks;
    const first = anchor ?? EPOCH_MONDAY;
    const firstMonday = addDays(first, -((weekdayOf(first) + 6) % 7));
    const runsOn = (date: LocalDate): boolean => {
      if (!days.has(weekdayOf(date))) return false;
      if (every === 1) return true;
      if (daysBetween(first, date) < 0) return false;
      return Math.floor(daysBetween(firstMonday, date) / 7) % every === 0;
    };
    return { runsOn, times: [time] };
  }
  if (![1, 2, 3, 4, -1].includes(s.nth)) return 'the week of the month is 1-4 or -1 (last)';
  if (!Number.isInteger(s.day) || s.day < 0 || s.day > 6) return 'the weekday is 0 (Sunday) to 6 (Saturday)';
  const runsOn = (date: LocalDate): boolean => {
    if (weekdayOf(date) !== s.day) return false;
    if (s.nth === -1) return date.day + 7 > daysInMonth(date.year, date.month);
    return Math.ceil(date.day / 7) === s.nth;
  };
  return { runsOn, times: [time] };
}

/** Why a stored schedule cannot run, or null when it is valid. */
export function scheduleProblem(s: Schedule): string | null {
  const compiled = compileSchedule(s);
  return typeof compiled === 'string' ? compiled : null;
}

/** Run instants after `after` (exclusive), earliest first, up to the day holding `until` when given. */
function* runsAfter(s: Schedule, after: Date, timeZone: string, until?: Date): Generator<Date> {
  const compiled = compileSchedule(s);
  if (typeof compiled === 'string' || !isTimeZone(timeZone) || Number.isNaN(after.getTime())) return;
  const afterMs = after.getTime();
  // A day early: where clocks fall back across midnight, `after` can read as the day before its runs.
  let date = addDays(localParts(after, timeZone), -1);
  const lastDay = until === undefined ? null : addDays(localParts(until, timeZone), 1);
  let last = afterMs;
  for (let i = 0; i < HORIZON_DAYS; i++) {
    if (lastDay !== null && daysBetween(date, lastDay) < 0) return;
    if (compiled.runsOn(date)) {
      for (const t of compiled.times) {
        // Times in a DST gap all land on the gap's end, so a later equal instant is the same run.
        const at = instantOf(date, t.hour, t.minute, timeZone).getTime();
        if (at > last) {
          last = at;
          yield new Date(at);
        }
      }
    }
    date = addDays(date, 1);
  }
}

/**
 * The next `count` run instants strictly after `after`, in `timeZone`. DST rule: a local time that does
 * not exist (spring-forward gap) runs once, at the first valid minute after the gap; a local time that
 * occurs twice (fall-back) runs once, at its first occurrence. An invalid schedule or zone has no runs.
 */
export function nextRuns(s: Schedule, after: Date, timeZone: string, count: number): Date[] {
  const out: Date[] = [];
  if (!(count > 0)) return out;
  for (const at of runsAfter(s, after, timeZone)) {
    out.push(at);
    if (out.length >= count) break;
  }
  return out;
}

/**
 * All run instants in (from, to], earliest first, by the same rules as nextRuns; at most `limit`
 * of them (the earliest), so a mistaken range cannot build an unbounded list.
 */
export function runsBetween(s: Schedule, from: Date, to: Date, timeZone: string, limit = RUNS_BETWEEN_LIMIT): Date[] {
  const out: Date[] = [];
  const toMs = to.getTime();
  if (!(toMs > from.getTime())) return out;
  for (const at of runsAfter(s, from, timeZone, to)) {
    if (at.getTime() > toMs || out.length >= limit) break;
    out.push(at);
  }
  return out;
}
