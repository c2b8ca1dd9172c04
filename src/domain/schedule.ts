// Recurring schedules: reading them, when they run, how to say them to people, and their node-cron form.
import { readCron } from './cron.ts';
import { DAY_NAMES, type Schedule } from './scheduleTypes.ts';

export { parseSchedule } from './schedulePhrase.ts';
export { nextRuns, RUNS_BETWEEN_LIMIT, runsBetween, scheduleProblem } from './scheduleRuns.ts';
export type { ParseResult, Schedule } from './scheduleTypes.ts';

const NTH_NAMES: Readonly<Record<number, string>> = Object.freeze({
  1: 'first',
  2: 'second',
  3: 'third',
  4: 'fourth',
  [-1]: 'last',
});
const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

/** One line for people: "every Tuesday at 10:00", "at 10:00 on Tuesday (cron 0 10 * * 2)". */
export function describeSchedule(s: Schedule): string {
  if (s.kind === 'monthly') return `${NTH_NAMES[s.nth] ?? `week ${s.nth}`} ${dayName(s.day)} of the month at ${s.time}`;
  if (s.kind === 'weekly') {
    const days = describeDays(s.days);
    if (s.everyWeeks === 1) return `every ${days} at ${s.time}`;
    const from = s.anchor ? ` starting ${s.anchor}` : '';
    return `every ${s.everyWeeks} weeks on ${days} at ${s.time}${from}`;
  }
  return `${describeCron(s.expression)} (cron ${s.expression})`;
}

/** The node-cron expression for a schedule when one exists, else null (the engine then uses nextRuns). */
export function cronOf(s: Schedule): string | null {
  if (s.kind === 'cron') return readCron(s.expression).ok ? s.expression : null;
  if (s.kind === 'weekly' && s.everyWeeks === 1) {
    const m = /^(\d{2}):(\d{2})$/.exec(s.time);
    if (!m || s.days.length === 0) return null;
    const days = [...new Set(s.days)].sort((a, b) => a - b);
    return `${Number(m[2])} ${Number(m[1])} * * ${days.length === 7 ? '*' : days.join(',')}`;
  }
  return null;
}

function dayName(d: number): string {
  return DAY_NAMES[d] ?? `day ${d}`;
}

function describeDays(days: readonly number[]): string {
  const set = [...new Set(days)].sort((a, b) => a - b);
  if (set.length === 7) return 'day';
  if (set.join() === '1,2,3,4,5') return 'weekday';
  return joinAnd(set.map(dayName));
}

function joinAnd(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

// A readable gloss of the common cron shapes; anything else is carried by the expression shown beside it.
function describeCron(expression: string): string {
  const read = readCron(expression);
  if (!read.ok) return 'an invalid cron';
  const [minute = '', hour = '', dom = '', month = '', dow = ''] = expression.trim().split(/\s+/);
  const { fields } = read;
  let when: string;
  if (minute === '*' && hour === '*') when = 'every minute';
  else if (/^\*\/\d+$/.test(minute)) {
    when = `every ${minute.slice(2)} minutes${hour === '*' ? '' : ` in hours ${hour}`}`;
  } else if (fields.minutes.length === 1 && hour === '*') when = `at minute ${fields.minutes[0]} of every hour`;
  else if (fields.minutes.length === 1 && fields.hours.length <= 4) {
    when = `at ${joinAnd(fields.hours.map((h) => `${pad(h)}:${pad(fields.minutes[0] as number)}`))}`;
  } else when = `at minutes ${fields.minutes.join(',')} of hours ${fields.hours.join(',')}`;
  const parts = [when];
  if (dow !== '*') {
    const days = [...fields.weekdays].sort((a, b) => a - b);
    parts.push(`on ${days.join() === '1,2,3,4,5' ? 'weekdays' : joinAnd(days.map(dayName))}`);
  }
  if (dom !== '*') parts.push(`on day ${joinAnd([...fields.daysOfMonth].map(String))} of the month`);
  if (month !== '*') parts.push(`in ${joinAnd([...fields.months].map((m) => MONTH_NAMES[m - 1] ?? String(m)))}`);
  return parts.join(' ');
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
