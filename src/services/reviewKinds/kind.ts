// What a review kind is: its name, the options it takes and how they are checked, how a run is made, and how the
// run is drawn (a notice kind of src/present). Each kind is one module in this folder; ./index.ts lists them.
import type { UserError } from '../../domain/errors.ts';
import type { Review } from '../../domain/review.ts';
import type { Reply } from '../../present/reply.ts';
import type { Acting } from '../acting.ts';
import type { ChangeService } from '../changes.ts';
import type { PirService } from '../pirs.ts';
import type { ServiceStatusService } from '../serviceStatus.ts';
import type { StaleService } from '../stale.ts';
import type { SummaryService } from '../summaries.ts';
import type { TicketService } from '../tickets.ts';

export interface NewReview {
  name: string;
  when: string;
  /** `#C0123`, `slack:C0123`, `discord:<id>`, `console`; default: where it was typed. */
  channel?: string | undefined;
  kind?: string | undefined;
  timezone?: string | undefined;
  text?: string | undefined;
  /** Stale reviews: days without an update (a number, may be fractional). */
  days?: string | undefined;
}

/** The services a kind's run may use. */
export interface ReviewKindServices {
  cab: ChangeService;
  tickets: TicketService;
  pirs: PirService;
  stale: StaleService;
  /** When given, a digest posts the /status summary (its text names the team or service, and the period). */
  summaries?: SummaryService | undefined;
  /** When given, a service review posts availability and SLA attainment per service. */
  serviceStatus?: ServiceStatusService | undefined;
}

/** What one run posts: its reply, and a chart drawn once that is posted (a digest's), posted after it. */
export interface ReviewPost {
  reply: Reply;
  chart?: (() => Promise<Reply | null | undefined>) | undefined;
  /** A file posted after the chart (a service review's CSV). */
  attachment?: (() => Promise<Reply | null | undefined>) | undefined;
}

export interface ReviewKind {
  /** The `--kind` value, stored on the review. */
  readonly name: string;
  /** Read (and refused with its reason), never offered: `--kind sla`. */
  readonly refusal?: (() => UserError) | undefined;
  /** Announced, not built yet: refused as such. */
  readonly notYet?: boolean | undefined;
  /** Checks the options at `/review add`, before the schedule is read (a reminder needs its text). */
  check?(input: NewReview): void;
  /** Reads `--days`, for a kind that takes it; a kind without it refuses `--days`. */
  readDays?(given: string): number;
  /** Checks at `/review add` that need the services, once the channel is known (a digest reads its /status once). */
  confirm?(acting: Acting, input: NewReview, timezone: string, services: ReviewKindServices): Promise<void>;
  /** What `/review show` says after the kind's name: ` (no update for 3 days)`. */
  detail?(review: Review): string;
  /** One run: what it posts. */
  run(review: Review, now: Date, services: ReviewKindServices): Promise<ReviewPost>;
}
