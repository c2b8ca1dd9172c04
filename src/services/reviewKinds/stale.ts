// A stale review: the open tickets with no update for the review's days, by assignee (`--days`, default 3).
import { UserError } from '../../domain/errors.ts';
import { DEFAULT_STALE_DAYS } from '../stale.ts';
import type { ReviewKind } from './kind.ts';

export const stale: ReviewKind = {
  name: 'stale',
  /** A positive number of days up to a year. */
  readDays(given) {
    const n = /^\d{1,3}(\.\d{1,4})?$/.test(given.trim()) ? Number(given) : Number.NaN;
    if (n > 0 && n <= 365) return n;
    throw new UserError(
      'USAGE.BAD_NUMBER',
      `--days must be a number of days above 0 and at most 365, like 3 or 0.5; got "${given.slice(0, 20)}".`,
      'Try: --days 3, or --days 7',
      'days',
    );
  },
  detail: (r) => ` (no update for ${r.days ?? DEFAULT_STALE_DAYS} days)`,
  run: async (review, now, s) => ({ reply: await s.stale.sweep(review, now) }),
};
