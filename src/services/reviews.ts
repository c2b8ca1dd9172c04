// Scheduled reviews: a recurring post in a channel (a reminder, the CAB agenda, a digest), each run a durable job.

import { UserError } from '../domain/errors.ts';
import type { Review } from '../domain/review.ts';
import { type RoleNeed, refusalFor } from '../domain/roles.ts';
import { describeSchedule, nextRuns, parseSchedule, runsBetween } from '../domain/schedule.ts';
import { isTimeZone } from '../domain/timezone.ts';
import type { Job, JobRef, JobRepository } from '../store/jobStore.ts';
import type { ReviewRepository } from '../store/reviewStore.ts';
import type { Acting } from './acting.ts';
import type { ChangeService } from './changes.ts';
import type { JobKinds, OwnsJobKinds } from './jobKinds.ts';
import { channelFormsOn, parseChannelAddress } from './messaging.ts';
import type { Outbox } from './outbox.ts';
import type { PirService } from './pirs.ts';
import {
  DEFAULT_REVIEW_KIND,
  KINDS_WITH_DAYS,
  type NewReview,
  REVIEW_KINDS,
  type ReviewKindServices,
  reviewKind,
} from './reviewKinds/index.ts';
import type { ServiceStatusService } from './serviceStatus.ts';
import type { StaleService } from './stale.ts';
import type { SummaryService } from './summaries.ts';
import type { TicketService } from './tickets.ts';

export { digestArgs, type NewReview, REVIEW_KINDS } from './reviewKinds/index.ts';

export const REVIEW_KIND = 'review.run';
/** A run this much after its time counts as late in `/review show`. */
const LATE_MS = 60_000;

export interface RunRecord {
  at: Date;
  outcome: 'delivered' | 'late' | 'missed' | 'failed' | 'paused' | 'not run';
}

/** The durable job of one run: its id names the review and the slot, so planning it twice plans it once. */
export const jobIdOf = (r: Pick<Review, 'tenant' | 'reviewId'>, slot: Date) =>
  `review:${r.tenant}/${r.reviewId}@${slot.toISOString()}`;

/** Adding, pausing, resuming, removing and running reviews (anyone may list and show them). */
export const MANAGE_REVIEWS: RoleNeed = {
  role: 'manager',
  denied: 'Managing reviews needs the manager role; anyone may /review list.',
};

export class ReviewService implements OwnsJobKinds {
  /** The job kinds this service owns (the job engine runs them). */
  readonly jobKinds: JobKinds = { [REVIEW_KIND]: (job, run) => this.runJob(job, run.now) };

  constructor(
    private readonly repo: ReviewRepository,
    private readonly jobs: JobRepository,
    private readonly outbox: Outbox,
    cab: ChangeService,
    tickets: TicketService,
    pirs: PirService,
    stale: StaleService,
    /** When given, a digest posts the /status summary (its text names the team or service, and the period). */
    summaries?: SummaryService,
    /** When given, a service review posts availability and SLA attainment per service. */
    serviceStatus?: ServiceStatusService,
  ) {
    this.kinds = { cab, tickets, pirs, stale, summaries, serviceStatus };
  }

  /** What a review kind's check and run may use. */
  private readonly kinds: ReviewKindServices;

  async add(acting: Acting, input: NewReview): Promise<{ review: Review; next: Date[] }> {
    this.mustManage(acting);
    const timezone = input.timezone ?? acting.timezone;
    if (!isTimeZone(timezone)) {
      throw new UserError(
        'USAGE.BAD_TIMEZONE',
        `"${timezone.slice(0, 40)}" is not a timezone I know.`,
        'Try --tz Europe/Berlin or --tz America/New_York.',
        'tz',
      );
    }
    const kind = input.kind ?? DEFAULT_REVIEW_KIND;
    const def = reviewKind(kind);
    if (def?.refusal) throw def.refusal();
    if (def?.notYet) {
      throw UserError.of('REVIEW.KIND_NOT_YET', { kind, kinds: REVIEW_KINDS.join(', ') }, undefined, 'kind');
    }
    if (!def) {
      throw new UserError(
        'USAGE.BAD_CHOICE',
        `--kind must be one of ${REVIEW_KINDS.join(', ')}; got "${kind.slice(0, 20)}".`,
        undefined,
        'kind',
      );
    }
    def.check?.(input);
    const days = this.daysOf(def.readDays, input.days);
    const schedule = parseSchedule(input.when, acting.now, timezone);
    if (!schedule.ok) {
      throw new UserError(
        'USAGE.BAD_SCHEDULE',
        `${schedule.error}.`,
        `Try: ${schedule.examples.map((e) => `/review add "${input.name}" ${e}`).join(', or ')}`,
        'when',
      );
    }
    const channel = this.channelOf(acting, input.channel);
    await def.confirm?.(acting, input, timezone, this.kinds);
    const review = await this.repo.add({
      tenant: acting.tenant,
      name: input.name,
      schedule: schedule.value,
      timezone,
      channel,
      kind,
      text: input.text ?? null,
      ...(days === undefined ? {} : { days }),
      createdBy: acting.person.identity,
      createdAt: acting.now,
      paused: false,
      removed: false,
    });
    const next = nextRuns(review.schedule, acting.now, timezone, 3);
    await this.plan(review, acting.now);
    return { review, next };
  }

  list(acting: Acting): Promise<Review[]> {
    return this.repo.list(acting.tenant);
  }

  async show(
    acting: Acting,
    reviewId: string,
  ): Promise<{ review: Review; next: Date[]; last: RunRecord[]; describe: string }> {
    const review = await this.get(acting, reviewId);
    const next = review.paused ? [] : nextRuns(review.schedule, acting.now, review.timezone, 5);
    const past = runsBetween(review.schedule, review.createdAt, acting.now, review.timezone).slice(-5);
    const last: RunRecord[] = [];
    for (const at of past) {
      const end = await this.jobs.endOf({ _id: jobIdOf(review, at), dueAt: at });
      const outcome: RunRecord['outcome'] = !end
        ? 'not run'
        : end.outcome === 'done' && end.reason === 'paused'
          ? 'paused'
          : end.outcome === 'done'
            ? (end.lateMs ?? 0) > LATE_MS
              ? 'late'
              : 'delivered'
            : end.outcome === 'missed'
              ? 'missed'
              : end.outcome === 'failed'
                ? 'failed'
                : 'not run';
      last.push({ at, outcome });
    }
    return { review, next, last, describe: describeSchedule(review.schedule) };
  }

  async pause(acting: Acting, reviewId: string): Promise<Review> {
    this.mustManage(acting);
    const review = await this.get(acting, reviewId);
    if (review.paused) throw new UserError('REVIEW.UNCHANGED', `${review.reviewId} is paused already.`);
    await this.repo.set(acting.tenant, review.reviewId, { paused: true });
    return { ...review, paused: true };
  }

  async resume(acting: Acting, reviewId: string): Promise<{ review: Review; next: Date[] }> {
    this.mustManage(acting);
    const review = await this.get(acting, reviewId);
    if (!review.paused) throw new UserError('REVIEW.UNCHANGED', `${review.reviewId} is not paused.`);
    await this.repo.set(acting.tenant, review.reviewId, { paused: false });
    const resumed = { ...review, paused: false };
    await this.plan(resumed, acting.now);
    return { review: resumed, next: nextRuns(review.schedule, acting.now, review.timezone, 3) };
  }

  async remove(acting: Acting, reviewId: string): Promise<Review> {
    this.mustManage(acting);
    const review = await this.get(acting, reviewId);
    await this.repo.set(acting.tenant, review.reviewId, { removed: true });
    return review;
  }

  /** Posts now, outside the schedule. */
  async runNow(acting: Acting, reviewId: string): Promise<Review> {
    this.mustManage(acting);
    const review = await this.get(acting, reviewId);
    await this.post(review, acting.now, `manual@${acting.now.toISOString()}`);
    return review;
  }

  /** The job of one scheduled run: post (once), then plan the next run. */
  async runJob(job: Job, now: Date): Promise<string | undefined> {
    const { tenant, reviewId, slot } = job.payload as { tenant: string; reviewId: string; slot: string };
    const review = await this.repo.find(tenant, reviewId);
    // Paused: resuming plans the next run. Removed: nothing more.
    if (!review || review.removed) return 'removed';
    if (review.paused) return 'paused';
    await this.post(review, now, slot);
    await this.plan(review, new Date(slot), now);
    return undefined;
  }

  /** The durable job of one run, as the review's node-cron task claims it (src/scheduler/cronTasks.ts). */
  jobOf(review: Pick<Review, 'tenant' | 'reviewId'>, slot: Date): JobRef {
    return { _id: jobIdOf(review, slot), dueAt: slot };
  }

  /**
   * One run fired by the review's node-cron task, which has claimed the run's job (see src/scheduler/cronTasks.ts):
   * post (once) and plan the next run, as the job would. Read again first: another process may have paused it.
   */
  async runOnTask(tenant: string, reviewId: string, slot: Date, now: Date): Promise<string | undefined> {
    const review = await this.repo.find(tenant, reviewId);
    if (!review || review.removed) return 'removed';
    if (review.paused) return 'paused';
    await this.post(review, now, slot.toISOString());
    await this.plan(review, slot, now);
    return undefined;
  }

  private async post(review: Review, now: Date, slot: string): Promise<void> {
    const key = `review:${review.tenant}/${review.reviewId}@${slot}`;
    // A kind no longer known (a review stored by a newer version, say) posts as a reminder, as it always has.
    const kind = reviewKind(review.kind) ?? reviewKind(DEFAULT_REVIEW_KIND);
    const made = await kind?.run(review, now, this.kinds);
    if (!made) return;
    await this.outbox.toChannel(review.channel, made.reply, { tenant: review.tenant }, undefined, key);
    // A chart follows it (a digest's), keyed too: a run taken over after a crash posts it once.
    const chart = await made.chart?.();
    if (chart) await this.outbox.toChannel(review.channel, chart, { tenant: review.tenant }, undefined, `${key}/chart`);
    const file = await made.attachment?.();
    if (file) await this.outbox.toChannel(review.channel, file, { tenant: review.tenant }, undefined, `${key}/file`);
  }

  /** `--days`, read by the kind that takes it; refused on the others. */
  private daysOf(read: ((given: string) => number) | undefined, given: string | undefined): number | undefined {
    if (given === undefined) return undefined;
    if (read) return read(given);
    const takers = KINDS_WITH_DAYS.map((k) => `${k} reviews (--kind ${k})`).join(' or ');
    throw new UserError('USAGE.BAD_OPTION', `--days is for ${takers}.`, undefined, 'days');
  }

  /** Files the next run after `after` as a job whose id names its slot: planning it twice plans it once. */
  private async plan(review: Review, after: Date, now: Date = after): Promise<void> {
    const [slot] = nextRuns(review.schedule, after, review.timezone, 1);
    if (!slot) return;
    await this.jobs.schedule({
      _id: jobIdOf(review, slot),
      tenant: review.tenant,
      kind: REVIEW_KIND,
      dueAt: slot,
      payload: { tenant: review.tenant, reviewId: review.reviewId, slot: slot.toISOString() },
      createdAt: now,
      by: review.createdBy,
      ticketId: null,
    });
  }

  private channelOf(acting: Acting, given: string | undefined): string {
    const platform = acting.source.platform;
    if (!given) {
      if (platform === 'console') return 'console';
      if (!acting.source.channel) {
        throw new UserError(
          'USAGE.MISSING',
          'Say where it should post: --channel #C0123 (a channel id).',
          undefined,
          'channel',
        );
      }
      return `${platform}:${acting.source.channel}`;
    }
    const address = /^#[A-Za-z0-9]{1,40}$/.test(given) ? `${platform}:${given.slice(1)}` : given;
    if (
      !parseChannelAddress(address) ||
      (address !== 'console' && !address.startsWith(`${platform}:`) && platform !== 'console')
    ) {
      throw new UserError(
        'USAGE.BAD_CHANNEL',
        `"${given.slice(0, 60)}" is not a channel I can post in.`,
        channelFormsOn(platform),
        'channel',
      );
    }
    return address;
  }

  private async get(acting: Acting, reviewId: string): Promise<Review> {
    const id = reviewId.toUpperCase();
    const review = /^RV-\d{1,6}$/.test(id) ? await this.repo.find(acting.tenant, id) : null;
    if (!review || review.removed) {
      throw UserError.of('REVIEW.NOT_FOUND', { id: reviewId.slice(0, 20) }, 'See them with /review list.', 'id');
    }
    return review;
  }

  private mustManage(acting: Acting): void {
    const refused = refusalFor(acting.role, MANAGE_REVIEWS);
    if (refused) throw refused;
  }
}
