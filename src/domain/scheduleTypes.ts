// The shapes of a recurring schedule and of a parse that may fail with a reason and examples.

/**
 * A recurring schedule, read in a timezone stored beside it.
 * - cron: five fields, day of month and day of week both must match (as node-cron reads them).
 * - weekly: days 0=Sunday..6=Saturday at 'HH:MM'; with everyWeeks > 1 the weeks (Monday to Sunday) are
 *   counted from the week holding `anchor` (an ISO date, the first day that may run; absent: 1970-01-05).
 *   With everyWeeks 1 the anchor plays no part, so the schedule is a plain cron.
 * - monthly: the nth (1-4, or -1 for last) weekday `day` of each month at 'HH:MM'.
 */
export type Schedule =
  | { kind: 'cron'; expression: string }
  | { kind: 'weekly'; days: number[]; time: string; everyWeeks: number; anchor?: string }
  | { kind: 'monthly'; nth: 1 | 2 | 3 | 4 | -1; day: number; time: string };

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string; examples: string[] };

/** Zones to offer when the one given is unknown. */
export const TIMEZONE_EXAMPLES = ['Europe/Berlin', 'America/New_York'];

export const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;

/** Text a person typed, fit to quote back in an error: no control or invisible characters, not too long. */
export function quoted(text: string): string {
  const clean = text.replace(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu, '').trim();
  return `"${clean.length > 40 ? `${clean.slice(0, 39)}…` : clean}"`;
}
