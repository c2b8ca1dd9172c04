// A person's quiet hours: read from what they type, and whether (and until when) an instant falls inside them.

import { tzOffset } from '@date-fns/tz';
import { formatClockTime, readClockTime, readStoredTime } from './clockTime.ts';
import { addDays, instantOf, localParts } from './localTime.ts';
import { type ParseResult, quoted } from './scheduleTypes.ts';
import { isTimeZone } from './timezone.ts';

/**
 * Wall-clock times 'HH:MM' in the person's own timezone; `from` is quiet, `to` is not. A window whose
 * `to` is earlier than its `from` runs over midnight (20:00-08:00).
 */
export interface QuietHours {
  from: string;
  to: string;
}

export const QUIET_EXAMPLES = ['20:00-08:00', '22:30-07:00'];

const MINUTE = 60_000;
const DAY_MINUTES = 24 * 60;

/** "20:00-08:00", "8pm-7am", "22:30 to 07:00" as quiet hours, or what is wrong with it. */
export function readQuietHours(text: string): ParseResult<QuietHours> {
  const fail = (error: string): ParseResult<QuietHours> => ({ ok: false, error, examples: QUIET_EXAMPLES });
  const t = typeof text === 'string' ? text.trim() : '';
  if (t === '') return fail('say from when to when, as two times of day');
  const m = /^(.+?)\s*(?:-|–|—|\s(?:to|until)\s)\s*(.+)$/i.exec(t);
  if (!m) return fail(`${quoted(t)} is not a from-to pair of times`);
  const from = readClockTime(m[1] as string);
  if (typeof from === 'string') return fail(`the start: ${from}`);
  const to = readClockTime(m[2] as string);
  if (typeof to === 'string') return fail(`the end: ${to}`);
  if (from.hour === to.hour && from.minute === to.minute) {
    return fail('the start and the end are the same time: that would be quiet all day, or never');
  }
  return { ok: true, value: { from: formatClockTime(from), to: formatClockTime(to) } };
}

/** Minutes after local midnight of the window's ends, or null when a stored value is not a time. */
function bounds(quiet: QuietHours): { from: number; to: number } | null {
  const from = readStoredTime(quiet.from);
  const to = readStoredTime(quiet.to);
  if (!from || !to) return null;
  return { from: from.hour * 60 + from.minute, to: to.hour * 60 + to.minute };
}

function inWindow(b: { from: number; to: number }, minuteOfDay: number): boolean {
  return b.from < b.to ? minuteOfDay >= b.from && minuteOfDay < b.to : minuteOfDay >= b.from || minuteOfDay < b.to;
}

function checkZone(timeZone: string): void {
  if (!isTimeZone(timeZone)) throw new RangeError(`unknown timezone ${timeZone}`);
}

/**
 * Whether the wall clocks of `timeZone` show a time inside the quiet hours at `at`. The window is
 * wall time: on a fall-back night a repeated hour inside it is quiet both times it occurs, and on a
 * spring-forward night the minutes that do not exist are simply never shown.
 */
export function isQuiet(quiet: QuietHours | null, at: Date, timeZone: string): boolean {
  if (!quiet) return false;
  checkZone(timeZone);
  const b = bounds(quiet);
  if (!b) return false;
  const local = localParts(at, timeZone);
  return inWindow(b, local.hour * 60 + local.minute);
}

/**
 * The first instant at or after `at` that is not quiet: `at` itself when it is not quiet, else the
 * moment the wall clock next reads `to`. When `to` falls in a spring-forward gap, that is the end of
 * the gap (the first valid minute after it).
 */
export function quietEndsAt(quiet: QuietHours | null, at: Date, timeZone: string): Date {
  // A spring-forward can skip the whole gap between `to` and `from` (quiet 03:00-02:00 where 02:00-03:00 does not
  // exist that night): the clocks then read a quiet time at once, and the quiet hours go on to the next `to`.
  let end = at;
  for (let pass = 0; pass < 3 && isQuiet(quiet, end, timeZone); pass++)
    end = nextEnd(quiet as QuietHours, end, timeZone);
  return end;
}

/** Where the quiet hours `at` is in end, by the wall clock: the next `to`, or a fall-back out of the window. */
function nextEnd(quiet: QuietHours, at: Date, timeZone: string): Date {
  const b = bounds(quiet) as { from: number; to: number };
  const local = localParts(at, timeZone);
  const minuteOfDay = local.hour * 60 + local.minute;
  // Before `to` on the same local day, or (over midnight, after `from`) on the next one.
  const day = minuteOfDay < b.to ? local : addDays(local, 1);
  const end = instantOf(day, Math.floor(b.to / 60), b.to % 60, timeZone);
  if (end.getTime() > at.getTime()) return fallsBackOut(b, at, end, timeZone) ?? end;
  // `at` is in the second pass of a repeated hour and `to` was read as its first pass: no change of
  // offset lies between `at` and the end any more, so the wall minutes still to go are real minutes.
  const startOfMinute = at.getTime() - local.second * 1000 - local.millisecond;
  return new Date(startOfMinute + (b.to - minuteOfDay) * MINUTE);
}

/**
 * A fall-back between `at` and `end` sets the wall clock back, and the quiet hours may end before the next `to`:
 * at the change itself when the clocks then read a time outside the window (quiet 01:01-00:00, and at 02:00 they
 * read 01:00 again), or when they read `to` again a little after it (quiet 02:02-02:01, and at 03:00 they read
 * 02:00: 02:01 comes once more). Null when there is no such change, or the window holds until `end`.
 */
function fallsBackOut(b: { from: number; to: number }, at: Date, end: Date, timeZone: string): Date | null {
  const before = tzOffset(timeZone, at);
  if (tzOffset(timeZone, end) >= before) return null;
  // The offset drops once in (at, end]: find where, to the second; changes happen on whole minutes.
  let lo = at.getTime();
  let hi = end.getTime();
  while (hi - lo > 1000) {
    const mid = Math.floor((lo + hi) / 2);
    if (tzOffset(timeZone, new Date(mid)) < before) hi = mid;
    else lo = mid;
  }
  const change = new Date(Math.floor(hi / MINUTE) * MINUTE);
  if (change.getTime() <= at.getTime()) return null;
  const wall = localParts(change, timeZone);
  const minuteOfDay = wall.hour * 60 + wall.minute;
  if (!inWindow(b, minuteOfDay)) return change;
  // No other change lies within a day of this one: the wall minutes to `to` are real minutes.
  const again = new Date(change.getTime() + ((b.to - minuteOfDay + DAY_MINUTES) % DAY_MINUTES) * MINUTE);
  return again.getTime() < end.getTime() ? again : null;
}
