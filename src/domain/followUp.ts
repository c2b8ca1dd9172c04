// Follow-up actions (the continual improvement register): their ids, their states, and the business days their
// owners are reminded on. Pure: the caller passes the instants and the zone.
import { localParts, weekdayOf } from './localTime.ts';
import { isTimeZone } from './timezone.ts';
import { addBusinessDays } from './when.ts';

export const ACTION_STATES = ['open', 'done', 'deferred'] as const;
export type ActionState = (typeof ACTION_STATES)[number];

/** The longest "what" of an action, and the longest reason for deferring one. */
export const MAX_ACTION_TEXT = 300;

const ACTION_ID = /^ACT-([1-9][0-9]{0,8})$/i;

/** `ACT-12` (any case) as its number, or null. */
export function parseActionId(text: string): number | null {
  const m = ACTION_ID.exec(typeof text === 'string' ? text.trim() : '');
  return m ? Number(m[1]) : null;
}

export const actionIdOf = (n: number): string => `ACT-${n}`;

/** Actions are recorded against incidents and problems, nothing else. */
export const takesActions = (ticketType: string): boolean => ticketType === 'incident' || ticketType === 'problem';

/** Monday to Friday, on the wall calendar of `timeZone` at `at`. No holidays: Switchboard has no holiday setting. */
export function isBusinessDayAt(at: Date, timeZone: string): boolean {
  const day = weekdayOf(localParts(at, timeZone));
  return day !== 0 && day !== 6;
}

/**
 * When the owner is reminded the `step`-th time (0, 1, 2, …): step 0 on the due day, at the due time, and each
 * step one business day after the one before, at the same wall time in `timeZone` (the owner's). A due on a
 * weekend is first told on the next Monday. Wall times follow `addBusinessDays` across DST (a time the spring
 * change removes is taken as `instantOf` takes it). An unknown zone is a caller's bug: it throws.
 */
export function reminderAt(due: Date, step: number, timeZone: string): Date {
  if (!isTimeZone(timeZone)) throw new RangeError(`unknown timezone ${timeZone}`);
  if (!Number.isInteger(step) || step < 0) throw new RangeError(`a reminder step is a whole number from 0: ${step}`);
  const offset = isBusinessDayAt(due, timeZone) ? 0 : 1;
  return addBusinessDays(due, step + offset, timeZone);
}

/** Open and past its due time. */
export const isOverdue = (a: { state: ActionState; dueAt: Date }, now: Date): boolean =>
  a.state === 'open' && a.dueAt.getTime() <= now.getTime();
