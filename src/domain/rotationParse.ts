// The options of `/oncall rotation` read into a rotation layer, with the defaults and clear refusals.
import { formatClockTime, readClockTime } from './clockTime.ts';
import { type ErrorCode, UserError } from './errors.ts';
import { localParts, weekdayOf } from './localTime.ts';
import { type Handoff, type RotationLayer, readEvery } from './rotation.ts';
import { DAY_NAMES, quoted } from './scheduleTypes.ts';
import { readTimeZone } from './timezone.ts';
import { parseWhen } from './when.ts';

export const ROTATION_EXAMPLES = [
  '/oncall rotation storage @ann @bob --every 1w --handoff "Mon 09:00"',
  '/oncall rotation storage @ann @bob --every 1d --handoff "00:00" --tz Europe/Berlin',
];
const HINT = `For example: ${ROTATION_EXAMPLES.join('  or  ')}`;
export const ROTATION_MEMBERS_LIMIT = 50;
export const LAYER_LIMIT = 9;

export interface RotationOptions {
  members: string[];
  every?: string | undefined;
  handoff?: string | undefined;
  tz?: string | undefined;
  start?: string | undefined;
  layer?: string | number | undefined;
}

const refuse = (code: ErrorCode, message: string, field: string): UserError =>
  new UserError(code, message, HINT, field);

/** "mon", "Monday", "tues" -> 1; null when it is no weekday. */
function readWeekday(word: string): number | null {
  const w = word.toLowerCase().replace(/[.,]+$/, '');
  if (w.length < 3) return null;
  const i = DAY_NAMES.findIndex((d) => d.toLowerCase().startsWith(w));
  return i === -1 ? null : i;
}

function readHandoff(text: string, weekly: boolean): Handoff {
  const t = text
    .trim()
    .replace(/^["']|["']$/g, '')
    .trim();
  // A leading word is a weekday ("Mon 09:00", "friday 5pm"); times alone never start with a word and a space.
  const m = /^([A-Za-z]+[.,]*)\s+(.+)$/.exec(t);
  const weekday = m ? readWeekday(m[1] as string) : null;
  if (m && weekday === null) {
    throw refuse('ONCALL.BAD_HANDOFF', `--handoff: ${quoted(m[1] as string)} is not a weekday.`, 'handoff');
  }
  const clock = readClockTime(weekday === null ? t : (m?.[2] as string));
  if (typeof clock === 'string') {
    // readClockTime quotes what it was given as typed: it may hold control characters.
    throw refuse('ONCALL.BAD_HANDOFF', `--handoff: ${clock.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '')}.`, 'handoff');
  }
  if (weekday !== null && !weekly) {
    throw refuse(
      'ONCALL.BAD_HANDOFF',
      `--handoff: a weekday fits a weekly rotation only; for --every shorter than a week give a time like "09:00".`,
      'handoff',
    );
  }
  return weekday === null ? { time: formatClockTime(clock) } : { time: formatClockTime(clock), weekday };
}

function readLayer(raw: string | number | undefined): number {
  if (raw === undefined || raw === '') return 1;
  const n = typeof raw === 'number' ? raw : /^\d{1,2}$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!Number.isInteger(n) || n < 1 || n > LAYER_LIMIT) {
    throw refuse(
      'ONCALL.BAD_LAYER',
      `--layer is a whole number from 1 to ${LAYER_LIMIT}; got ${quoted(String(raw))}.`,
      'layer',
    );
  }
  return n;
}

/**
 * A rotation layer from the command's options. Defaults: every 1w, handoff Monday 09:00 (a rotation shorter
 * than a week: 09:00), the asker's zone, starting now, layer 1. A weekly handoff without a weekday hands
 * over on the weekday the rotation starts. The start is now or later ("now", "tomorrow 9am", ISO), read in
 * the rotation's zone. Throws a UserError naming the option and showing two working commands.
 */
export function parseRotation(options: RotationOptions, now: Date, askerZone: string): RotationLayer {
  const members = (options.members ?? []).map((m) => m.trim()).filter((m) => m !== '');
  if (members.length === 0) {
    throw refuse('ONCALL.NO_MEMBERS', 'A rotation needs at least one person: mention them in order.', 'members');
  }
  if (members.length > ROTATION_MEMBERS_LIMIT) {
    throw refuse('ONCALL.TOO_MANY_MEMBERS', `A rotation takes at most ${ROTATION_MEMBERS_LIMIT} people.`, 'members');
  }
  const every = (options.every ?? '1w').trim().toLowerCase().replace(/\s+/g, '');
  const period = readEvery(every);
  if (typeof period === 'string') throw refuse('ONCALL.BAD_EVERY', `--every: ${period}.`, 'every');
  // 24h and 48h are days: stored as days so the handoff stays on the wall clock.
  const canonical = period.hours > 0 ? `${period.hours}h` : /w$/.test(every) ? every : `${period.stepDays}d`;
  const weekly = canonical.endsWith('w');
  const handoff = readHandoff(options.handoff ?? (weekly ? 'Mon 09:00' : '09:00'), weekly);

  let timezone = askerZone;
  if (options.tz !== undefined && options.tz.trim() !== '') {
    const zone = readTimeZone(options.tz);
    if (!zone.ok) {
      throw new UserError(
        'USAGE.BAD_TIMEZONE',
        `--tz: ${zone.error}.`,
        `Give it as Area/City: --tz ${zone.examples.join(' or --tz ')}`,
        'tz',
      );
    }
    timezone = zone.value;
  }
  const start = readStart(options.start, now, timezone);
  if (weekly && handoff.weekday === undefined) handoff.weekday = weekdayOf(localParts(start, timezone));
  return { layer: readLayer(options.layer), members, every: canonical, handoff, timezone, start };
}

function readStart(text: string | undefined, now: Date, timeZone: string): Date {
  if (text === undefined || text.trim() === '' || text.trim().toLowerCase() === 'now') return new Date(now.getTime());
  const read = parseWhen(text, now, timeZone);
  if (!read.ok) {
    throw new UserError(
      'ONCALL.BAD_START',
      `--start: ${read.error}; a rotation starts now or later.`,
      `Like --start "tomorrow 9am" or --start 2026-06-01T09:00 (read in ${timeZone}). ${HINT}`,
      'start',
    );
  }
  return read.value;
}
