// Five-field cron expressions: read and checked field by field, and matched against wall-clock days.
import { type LocalDate, weekdayOf } from './localTime.ts';
import { quoted } from './scheduleTypes.ts';

/** The values each field allows, expanded. */
export interface CronFields {
  minutes: number[];
  hours: number[];
  daysOfMonth: Set<number>;
  months: Set<number>;
  /** 0=Sunday..6=Saturday (7 is read as Sunday). */
  weekdays: Set<number>;
}

export type CronRead = { ok: true; fields: CronFields } | { ok: false; error: string };

interface FieldSpec {
  name: string;
  min: number;
  max: number;
  names?: readonly string[];
  namesFrom?: number;
}

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'] as const;
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

const FIELDS: readonly FieldSpec[] = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTH_NAMES, namesFrom: 1 },
  { name: 'day of week', min: 0, max: 7, names: DAY_NAMES, namesFrom: 0 },
];

/** True when the text has the shape of a cron expression (so its errors should speak cron). */
export function looksLikeCron(text: string): boolean {
  const parts = text.trim().split(/\s+/);
  return (
    parts.length >= 4 && parts.length <= 7 && /^[\d*,/-]+$/.test(parts[0] ?? '') && /^[\d*,/-]+$/.test(parts[1] ?? '')
  );
}

/**
 * Reads a five-field cron (minute hour day-of-month month day-of-week) with lists, ranges, steps and
 * MON/JAN names. Only what node-cron reads the same way is accepted: no seconds field, no L/W/#, no
 * backwards ranges, so the engine and these rules never disagree about when a review runs.
 */
export function readCron(expression: string): CronRead {
  const parts = expression.trim().split(/\s+/);
  if (parts.length !== 5) {
    return {
      ok: false,
      error: `a cron expression has 5 fields (minute hour day month weekday), this one has ${parts.length}`,
    };
  }
  const values: number[][] = [];
  for (const [i, spec] of FIELDS.entries()) {
    const read = readField(parts[i] as string, spec);
    if (typeof read === 'string') return { ok: false, error: read };
    values.push(read);
  }
  const [minutes, hours, dom, months, dow] = values as [number[], number[], number[], number[], number[]];
  return {
    ok: true,
    fields: {
      minutes,
      hours,
      daysOfMonth: new Set(dom),
      months: new Set(months),
      weekdays: new Set(dow.map((d) => d % 7)),
    },
  };
}

function readField(text: string, spec: FieldSpec): number[] | string {
  const out = new Set<number>();
  for (const item of text.toLowerCase().split(',')) {
    const read = readItem(item, spec);
    if (typeof read === 'string') return read;
    for (const v of read) out.add(v);
  }
  return [...out].sort((a, b) => a - b);
}

function readItem(item: string, spec: FieldSpec): number[] | string {
  const where = `in the ${spec.name} field`;
  if (item === '') return `an empty list item ${where}`;
  const [range = '', step, extra] = item.split('/');
  if (extra !== undefined) return `${quoted(item)} has two steps ${where}`;
  let stepBy = 1;
  if (step !== undefined) {
    if (!/^\d{1,3}$/.test(step) || Number(step) < 1)
      return `step ${quoted(`/${step}`)} ${where} must be a whole number from 1`;
    stepBy = Number(step);
  }
  let from: number;
  let to: number;
  if (range === '*') {
    from = spec.min;
    to = spec.name === 'day of week' ? 6 : spec.max;
  } else {
    const ends = range.split('-');
    if (ends.length > 2) return `${quoted(item)} is not a range ${where}`;
    const a = readValue(ends[0] as string, spec);
    if (typeof a === 'string') return a;
    const b = ends.length === 2 ? readValue(ends[1] as string, spec) : a;
    if (typeof b === 'string') return b;
    if (b < a) return `the range ${quoted(range)} ${where} runs backwards`;
    // "5/15" means different things to different crons; only ranges and * take a step here.
    if (step !== undefined && ends.length === 1)
      return `${quoted(item)} ${where}: a step needs * or a range, like */${step}`;
    from = a;
    to = b;
  }
  const out: number[] = [];
  for (let v = from; v <= to; v += stepBy) out.push(v);
  return out;
}

function readValue(text: string, spec: FieldSpec): number | string {
  const where = `in the ${spec.name} field`;
  if (/^\d{1,2}$/.test(text)) {
    const n = Number(text);
    if (n < spec.min || n > spec.max) return `${spec.name} ${n} is out of range (${spec.min}-${spec.max})`;
    return n;
  }
  // Three-letter names only: node-cron replaces names inside the text, so "tues" would not read the same there.
  const named = text.length === 3 ? (spec.names?.indexOf(text) ?? -1) : -1;
  if (named >= 0) return named + (spec.namesFrom ?? 0);
  return `${quoted(text)} is not a ${spec.name} ${where}`;
}

/**
 * Whether the cron may run on this calendar day. Day of month and day of week must both match: that is
 * how node-cron reads them (classic Vixie cron ran when either matched).
 */
export function cronRunsOn(fields: CronFields, date: LocalDate): boolean {
  return fields.months.has(date.month) && fields.daysOfMonth.has(date.day) && fields.weekdays.has(weekdayOf(date));
}
