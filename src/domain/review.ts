// A scheduled review as every layer speaks of it: what it posts, when, where.
import type { Schedule } from './schedule.ts';

export interface Review {
  tenant: string;
  /** RV-1, RV-2, … per tenant. */
  reviewId: string;
  name: string;
  schedule: Schedule;
  /** The schedule's timezone. */
  timezone: string;
  /** Where it posts: `slack:C0123`, `discord:<id>`, `console`. */
  channel: string;
  kind: string;
  text: string | null;
  /** Stale reviews: a ticket with no update for this many days is stale (default 3; may be fractional). */
  days?: number | undefined;
  createdBy: string;
  createdAt: Date;
  paused: boolean;
  removed: boolean;
}
