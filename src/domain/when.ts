// One-shot times as people write them ("in 2h", "tomorrow 9am", an ISO time), and business-day offsets.
import { tzOffset } from '@date-fns/tz';
import * as chrono from 'chrono-node';
import { formatClockTime } from './clockTime.ts';
import { addDays, daysInMonth, instantOf, isoDate, type LocalDate, localParts, weekdayOf } from './localTime.ts';
import { type ParseResult, quoted, TIMEZONE_EXAMPLES } from './scheduleTypes.ts';
import { isTimeZone } from './timezone.ts';

const WHEN_EXAMPLES = ['in 2h', 'tomorrow 9am'];
const ISO_LOCAL = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2}))?$/;
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:?\d{2})$/i;
// Words that may sit around a time without changing it ("at 9am", "on friday").
const FILLER = /\b(?:at|on|by|the)\b|[,;:!.]/g;

type Fail = { ok: false; error: string; examples: string[] };
const fail = (error: string, examples = WHEN_EXAMPLES): Fail => ({ ok: false, error, examples });

/**
 * A one-shot time read in `timeZone`: "in 2h", "in 30 minutes", "tomorrow 9am", "friday 16:00", "14:00"
 * (today, or tomorrow once passed), "2026-12-24T09:00", "2026-12-24 09:00", or ISO with an offset.
 * A time not after `now` is refused. Wall times follow the DST rule of `instantOf`.
 */
export function parseWhen(text: string, now: Date, timeZone: string): ParseResult<Date> {
  if (typeof text !== 'string') return fail('say when');
  if (!isTimeZone(timeZone)) return fail(`${quoted(timeZone)} is not a timezone I know`, TIMEZONE_EXAMPLES);
  const t = text
    .normalize('NFKC')
    .replace(/^["'“”‘’`]+|["'“”‘’`]+$/g, '')
    .trim()
    .replace(/\s+/g, ' ');
  if (t === '') return fail('say when, like "in 2h" or "tomorrow 9am"');
  if (t.length > 100) return fail('that time is too long to read');
  const read = readInstant(t, now, timeZone);
  if ('error' in read) return read;
  const at = read.value;
  if (Number.isNaN(at.getTime())) return fail(`${quoted(t)} is not a time I can use`);
  if (at.getTime() <= now.getTime()) {
    return fail(`${quoted(t)} is in the past (${describeLocal(at, timeZone)} ${timeZone})`);
  }
  return { ok: true, value: at };
}

function readInstant(t: string, now: Date, timeZone: string): { value: Date } | Fail {
  if (ISO_WITH_OFFSET.test(t)) return { value: new Date(t) };
  const iso = ISO_LOCAL.exec(t);
  if (iso) {
    const [year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0] = iso.slice(1).map((v) => Number(v ?? 0));
    const date: LocalDate = { year, month, day };
    if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
      return fail(`${isoDate(date)} is not a date`);
    }
    if (hour > 23 || minute > 59 || second > 59) return fail(`${quoted(t)}: the time of day is 00:00 to 23:59`);
    return { value: instantOf(date, hour, minute, timeZone, second) };
  }
  return readWords(t, now, timeZone);
}

function readWords(t: string, now: Date, timeZone: string): { value: Date } | Fail {
  // chrono takes a fixed offset, never an IANA name: it gives the reference day, and the wall time it
  // reads is then placed in the real zone, so a DST change between now and then is honoured.
  const reference = { instant: now, timezone: tzOffset(timeZone, now) };
  let results: chrono.ParsedResult[];
  try {
    results = chrono.parse(t, reference, { forwardDate: true });
  } catch {
    results = [];
  }
  const [r] = results;
  if (!r) return fail(`${quoted(t)} is not a time I can read`);
  if (results.length > 1) return fail(`${quoted(t)} holds more than one time: give one`);
  const residue = `${t.slice(0, r.index)} ${t.slice(r.index + r.text.length)}`
    .toLowerCase()
    .replace(FILLER, ' ')
    .trim();
  if (residue !== '') return fail(`${quoted(residue)} is not part of a time I can read`);
  if (r.end) return fail(`${quoted(t)} is a range: give one time`);
  const s = r.start;
  // An offset named in the text, or "in 2 hours", already says which instant is meant.
  if (s.isCertain('timezoneOffset') || s.tags().has('result/relativeDate')) return { value: s.date() };
  const hour = s.get('hour') ?? 0;
  const minute = s.get('minute') ?? 0;
  const second = s.get('second') ?? 0;
  if (!s.isCertain('day') && !s.isCertain('weekday')) {
    // A time alone: today in the person's zone, or tomorrow once it has passed there.
    const today = localParts(now, timeZone);
    let at = instantOf(today, hour, minute, timeZone, second);
    if (at.getTime() <= now.getTime()) at = instantOf(addDays(today, 1), hour, minute, timeZone, second);
    return { value: at };
  }
  const date: LocalDate = { year: s.get('year') ?? 0, month: s.get('month') ?? 0, day: s.get('day') ?? 0 };
  let at = instantOf(date, hour, minute, timeZone, second);
  // "friday 16:00" asked on a Friday evening means next Friday.
  if (at.getTime() <= now.getTime() && s.isCertain('weekday') && !s.isCertain('day')) {
    at = instantOf(addDays(date, 7), hour, minute, timeZone, second);
  }
  return { value: at };
}

function describeLocal(at: Date, timeZone: string): string {
  const p = localParts(at, timeZone);
  return `${isoDate(p)} ${formatClockTime(p)}`;
}

const isBusinessDay = (date: LocalDate): boolean => weekdayOf(date) !== 0 && weekdayOf(date) !== 6;

/**
 * The instant `days` business days (Monday to Friday) after `from`, at the same wall time in `timeZone`
 * (a weekend start counts from the next Monday: Saturday + 1 is Monday). Negative days go back. A wall
 * time the DST change removes follows the rule of `instantOf`. An unknown zone is a caller's bug: it throws.
 */
export function addBusinessDays(from: Date, days: number, timeZone: string): Date {
  if (!isTimeZone(timeZone)) throw new RangeError(`unknown timezone ${timeZone}`);
  let left = Math.trunc(Math.abs(days));
  if (left === 0 || !Number.isFinite(left)) return new Date(from.getTime());
  const step = days < 0 ? -1 : 1;
  const p = localParts(from, timeZone);
  let date: LocalDate = p;
  while (left > 0) {
    if (left > 5 && isBusinessDay(date)) {
      // From a business day, five business days on is the same weekday a week on.
      const weeks = Math.floor((left - 1) / 5);
      date = addDays(date, 7 * weeks * step);
      left -= 5 * weeks;
      continue;
    }
    date = addDays(date, step);
    if (isBusinessDay(date)) left--;
  }
  return instantOf(date, p.hour, p.minute, timeZone, p.second, p.millisecond);
}
