// Wall-clock time in an IANA zone and back to instants, with one rule for the times DST removes or repeats.
import { tzOffset } from '@date-fns/tz';

const MINUTE = 60_000;
const DAY = 86_400_000;

/** A calendar day: month 1-12, day 1-31. */
export interface LocalDate {
  year: number;
  month: number;
  day: number;
}

/** A wall-clock reading in some zone; weekday 0=Sunday..6=Saturday. */
export interface LocalDateTime extends LocalDate {
  hour: number;
  minute: number;
  second: number;
  millisecond: number;
  weekday: number;
}

/** What the clocks on the wall of `timeZone` show at `instant`. */
export function localParts(instant: Date, timeZone: string): LocalDateTime {
  const shifted = new Date(instant.getTime() + tzOffset(timeZone, instant) * MINUTE);
  return {
    year: shifted.getUTCFullYear(),
    month: shifted.getUTCMonth() + 1,
    day: shifted.getUTCDate(),
    hour: shifted.getUTCHours(),
    minute: shifted.getUTCMinutes(),
    second: shifted.getUTCSeconds(),
    millisecond: shifted.getUTCMilliseconds(),
    weekday: shifted.getUTCDay(),
  };
}

/**
 * The instant the wall clocks of `timeZone` show this date and time.
 *
 * The DST rule, the same for schedules and one-shot times: a wall time that does not exist (the
 * spring-forward gap) resolves to the first valid minute after the gap (02:30 on a night the clocks
 * jump 02:00 -> 03:00 becomes 03:00); a wall time that occurs twice (fall-back) resolves to its first
 * occurrence. TZDate's own wall-time constructor is not used for this: it moves a gap time by the gap's
 * length (02:30 -> 03:30) and picks a repeated time's occurrence by the machine's own zone.
 */
export function instantOf(
  date: LocalDate,
  hour: number,
  minute: number,
  timeZone: string,
  second = 0,
  millisecond = 0,
): Date {
  const wall = Date.UTC(date.year, date.month - 1, date.day, hour, minute, second, millisecond);
  // A zone changes offset at most once in a couple of days, so the offsets a day either side cover it.
  const before = tzOffset(timeZone, new Date(wall - DAY));
  const after = tzOffset(timeZone, new Date(wall + DAY));
  // The common case, no change near this day: one offset, one answer (this runs for every slot of a cron).
  if (before === after && tzOffset(timeZone, new Date(wall - before * MINUTE)) === before) {
    return new Date(wall - before * MINUTE);
  }
  const offsets = [...new Set([before, tzOffset(timeZone, new Date(wall)), after])];
  let first: number | null = null;
  for (const offset of offsets) {
    const t = wall - offset * MINUTE;
    if (tzOffset(timeZone, new Date(t)) === offset && (first === null || t < first)) first = t;
  }
  if (first !== null) return new Date(first);
  return new Date(gapEnd(wall, offsets, timeZone));
}

/** The instant a DST gap containing wall time `wall` ends (the first instant whose wall time is past it). */
function gapEnd(wall: number, offsets: number[], timeZone: string): number {
  // Before the gap the zone shows the smaller offset, after it the larger; the change lies between.
  let lo = wall - Math.max(...offsets) * MINUTE;
  let hi = wall - Math.min(...offsets) * MINUTE;
  const before = tzOffset(timeZone, new Date(lo));
  while (hi - lo > MINUTE) {
    const mid = lo + Math.floor((hi - lo) / 2 / MINUTE) * MINUTE;
    if (tzOffset(timeZone, new Date(mid)) === before) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** The calendar day `n` days after `date` (n may be negative). */
export function addDays(date: LocalDate, n: number): LocalDate {
  const d = new Date(Date.UTC(date.year, date.month - 1, date.day + n));
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** 0=Sunday..6=Saturday. */
export function weekdayOf(date: LocalDate): number {
  return new Date(Date.UTC(date.year, date.month - 1, date.day)).getUTCDay();
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Whole days from `a` to `b` (positive when b is later). */
export function daysBetween(a: LocalDate, b: LocalDate): number {
  return Math.round((Date.UTC(b.year, b.month - 1, b.day) - Date.UTC(a.year, a.month - 1, a.day)) / DAY);
}

/** "2025-03-09". */
export function isoDate(date: LocalDate): string {
  return `${String(date.year).padStart(4, '0')}-${pad2(date.month)}-${pad2(date.day)}`;
}

/** A real calendar day written "YYYY-MM-DD", else null. */
export function parseIsoDate(text: string): LocalDate | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return null;
  const date = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  if (date.month < 1 || date.month > 12 || date.day < 1 || date.day > daysInMonth(date.year, date.month)) return null;
  return date;
}

export function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
