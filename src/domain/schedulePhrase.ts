// Reading a schedule as people write it: a cron expression or plain words ("every Tuesday at 10:00").
import { type ClockTime, formatClockTime, readClockTime } from './clockTime.ts';
import { looksLikeCron, readCron } from './cron.ts';
import { isoDate, localParts, parseIsoDate } from './localTime.ts';
import { nextRuns } from './scheduleRuns.ts';
import { type ParseResult, quoted, type Schedule, TIMEZONE_EXAMPLES } from './scheduleTypes.ts';
import { isTimeZone } from './timezone.ts';

const PHRASE_EXAMPLES = ['every Tuesday at 10:00', 'first Monday of the month at 14:00'];
const CRON_EXAMPLES = ['0 10 * * 2', '*/15 9-17 * * MON-FRI'];

const DAY_WORDS: Readonly<Record<string, number>> = Object.freeze({
  sunday: 0,
  sun: 0,
  monday: 1,
  mon: 1,
  tuesday: 2,
  tue: 2,
  tues: 2,
  wednesday: 3,
  wed: 3,
  thursday: 4,
  thu: 4,
  thur: 4,
  thurs: 4,
  friday: 5,
  fri: 5,
  saturday: 6,
  sat: 6,
});

const NTH_WORDS: Readonly<Record<string, 1 | 2 | 3 | 4 | -1>> = Object.freeze({
  first: 1,
  '1st': 1,
  second: 2,
  '2nd': 2,
  third: 3,
  '3rd': 3,
  fourth: 4,
  '4th': 4,
  last: -1,
});

const ALL_DAYS = [0, 1, 2, 3, 4, 5, 6];
const WEEKDAYS = [1, 2, 3, 4, 5];
const WEEKEND = [0, 6];

// "at 9", "at 9:30pm", "14:00", "9am", "noon": a bare number counts as a time only after "at".
const TIME_RE =
  /(?:^|\s)(?:at\s+(\d{1,2}(?:[:.h]\d{2})?(?:\s?(?:am|pm|a\.m\.|p\.m\.))?|noon|midday|midnight)|(\d{1,2}[:.]\d{2}(?:\s?(?:am|pm))?)|(\d{1,2}\s?(?:am|pm))|(noon|midday|midnight))(?=\s|$)/;

type Fail = { ok: false; error: string; examples: string[] };
const fail = (error: string, examples = PHRASE_EXAMPLES): Fail => ({ ok: false, error, examples });

/** A schedule from a cron expression or plain words, read in `timeZone`; `now` dates the first of every-N-weeks. */
export function parseSchedule(text: string, now: Date, timeZone: string): ParseResult<Schedule> {
  if (typeof text !== 'string') return fail('say when the review runs');
  if (!isTimeZone(timeZone)) return fail(`${quoted(timeZone)} is not a timezone I know`, TIMEZONE_EXAMPLES);
  const cleaned = text
    .normalize('NFKC')
    .replace(/^["'“”‘’`]+|["'“”‘’`]+$/g, '')
    .trim()
    .replace(/\s+/g, ' ')
    .replace(/[.!]+$/, '');
  if (cleaned === '') return fail('say when the review runs');
  if (cleaned.length > 200) return fail('that schedule is too long to read');
  if (looksLikeCron(cleaned)) return parseCron(cleaned);
  return parsePhrase(cleaned.toLowerCase(), now, timeZone);
}

function parseCron(expression: string): ParseResult<Schedule> {
  const read = readCron(expression);
  if (!read.ok) return fail(`cron ${quoted(expression)}: ${read.error}`, CRON_EXAMPLES);
  const schedule: Schedule = { kind: 'cron', expression };
  // Judged by the run maths itself, so "never" here means never for the engine too.
  if (nextRuns(schedule, new Date(Date.UTC(2000, 0, 1)), 'UTC', 1).length === 0) {
    return fail(
      `cron ${quoted(expression)} never runs: no date has that day of month, month and weekday`,
      CRON_EXAMPLES,
    );
  }
  return { ok: true, value: schedule };
}

function parsePhrase(text: string, now: Date, timeZone: string): ParseResult<Schedule> {
  let time: ClockTime | null = null;
  let rest = text;
  const m = TIME_RE.exec(text);
  if (m) {
    const read = readClockTime(m[1] ?? m[2] ?? m[3] ?? m[4] ?? '');
    if (typeof read === 'string') return fail(read);
    time = read;
    rest = `${text.slice(0, m.index)} ${text.slice(m.index + m[0].length)}`.trim().replace(/\s+/g, ' ');
  } else {
    const at = /(?:^|\s)at\s+(\S+(?:\s\S+)?)/.exec(text);
    if (at) return fail(`${quoted(at[1] ?? '')} is not a time of day`);
  }
  const days = readDays(rest.replace(/\s+(?:at|on)$/, ''));
  if ('error' in days) return days;
  if (time === null) return fail('say at what time, like "at 10:00" or "at 9am"');
  const hhmm = formatClockTime(time);
  if (days.kind === 'monthly')
    return { ok: true, value: { kind: 'monthly', nth: days.nth, day: days.day, time: hhmm } };
  const weekly: Schedule = { kind: 'weekly', days: days.days, time: hhmm, everyWeeks: days.everyWeeks };
  if (days.everyWeeks > 1) {
    // The cycle starts with the week of the first run from now (or the date the person gave).
    const anchor = days.anchor ?? firstRunDate(weekly, now, timeZone);
    if (anchor) weekly.anchor = anchor;
  }
  return { ok: true, value: weekly };
}

type Days =
  | { kind: 'weekly'; days: number[]; everyWeeks: number; anchor?: string }
  | { kind: 'monthly'; nth: 1 | 2 | 3 | 4 | -1; day: number };

function readDays(text: string): Days | Fail {
  const t = text.trim();
  if (t === '') return fail('say which days, like "every Tuesday" or "weekdays"');
  if (/^(?:every ?day|daily|each day|every single day)$/.test(t))
    return { kind: 'weekly', days: ALL_DAYS, everyWeeks: 1 };
  if (/^(?:(?:every|each|on) )?(?:weekdays?|working days?|business days?)$/.test(t)) {
    return { kind: 'weekly', days: WEEKDAYS, everyWeeks: 1 };
  }
  if (/^(?:(?:every|each|on) )?(?:weekends?|weekend days?)$/.test(t)) {
    return { kind: 'weekly', days: WEEKEND, everyWeeks: 1 };
  }
  const monthly = /^(?:(?:every|each|on) )?(?:the )?(\S+) (\S+) (?:of|in) (?:the|each|every) month$/.exec(t);
  if (monthly) {
    const word = monthly[1] as string;
    const nth = NTH_WORDS[word];
    if (nth === undefined)
      return fail(`${quoted(word)} is not a week of the month: say first, second, third, fourth or last`);
    const day = dayOf(monthly[2] as string);
    if (day === null) return notADay(monthly[2] as string);
    return { kind: 'monthly', nth, day };
  }
  const nWeeks =
    /^(?:every (\d{1,2}|other|second) weeks?|biweekly|fortnightly)(?: on)? (.+?)(?: (?:starting|from|beginning) (\S+))?$/.exec(
      t,
    );
  if (nWeeks) {
    const every = nWeeks[1] === undefined || nWeeks[1] === 'other' || nWeeks[1] === 'second' ? 2 : Number(nWeeks[1]);
    if (every < 1 || every > 52) return fail(`every ${every} weeks: say 1 to 52 weeks`);
    const days = dayList(nWeeks[2] as string);
    if ('error' in days) return days;
    if (nWeeks[3] === undefined) return { kind: 'weekly', days: days.days, everyWeeks: every };
    const start = parseIsoDate(nWeeks[3]);
    if (!start) return fail(`${quoted(nWeeks[3])} is not a date: write it YYYY-MM-DD`);
    return { kind: 'weekly', days: days.days, everyWeeks: every, anchor: isoDate(start) };
  }
  const list = /^(?:(?:every|each|on) )?(.+)$/.exec(t);
  const days = dayList(list?.[1] ?? t);
  if ('error' in days) return days;
  return { kind: 'weekly', days: days.days, everyWeeks: 1 };
}

function dayList(text: string): { days: number[] } | Fail {
  const words = text.split(/\s*(?:,|&|\+|\band\b|\/)\s*/).filter((w) => w !== '');
  if (words.length === 0) return notADay(text);
  const days = new Set<number>();
  for (const word of words) {
    const day = dayOf(word);
    if (day === null) return notADay(word);
    days.add(day);
  }
  return { days: [...days].sort((a, b) => a - b) };
}

function dayOf(word: string): number | null {
  const w = word.replace(/s$/, '');
  return DAY_WORDS[w] ?? DAY_WORDS[word] ?? null;
}

function notADay(word: string): Fail {
  return fail(`${quoted(word)} is not a day: say Monday to Sunday, "day", "weekday", or give a cron expression`);
}

function firstRunDate(s: Schedule, now: Date, timeZone: string): string | undefined {
  const [first] = nextRuns({ ...s, everyWeeks: 1 } as Schedule, now, timeZone, 1);
  return first ? isoDate(localParts(first, timeZone)) : undefined;
}
