// Recurring reviews as node-cron tasks (one named task per review, in its timezone), elected across processes by a unique insert.

import { randomBytes } from 'node:crypto';
import { type RunCoordinator, type ScheduledTask, schedule, setRunCoordinator, validate } from 'node-cron';
import type { Logger } from 'pino';
import type { Review } from '../domain/review.ts';
import { cronOf } from '../domain/schedule.ts';
import type { JobRef } from '../store/jobStore.ts';

export interface CronTaskDeps {
  /** The reviews that should have a task: not paused, not removed. */
  active(): Promise<Review[]>;
  /** The durable job of a run: claiming it is the election, as the job engine claims it. */
  jobOf(review: Review, slot: Date): JobRef;
  claim(ref: JobRef, attempt: number, at: Date, owner: string): Promise<boolean>;
  end(
    ref: JobRef,
    entry: { outcome: 'done' | 'failed'; at: Date; reason: string | null; lateMs: number | null },
  ): Promise<boolean>;
  /** Does the run's work (post once, plan the next run's job); resolves with a reason when it rightly did nothing. */
  run(review: Review, slot: Date, now: Date): Promise<string | undefined>;
  log: Logger;
  owner: string;
  /** How often the set of reviews is read again, so what another process changed takes effect (default 5 s). */
  refreshMs?: number;
  /** The expression a review's task runs on (tests give a seconds field); default its cron form, if it has one. */
  expressionOf?: (review: Review) => string | null;
}

const nameOf = (r: Pick<Review, 'tenant' | 'reviewId'>) => `review:${r.tenant}/${r.reviewId}`;
/** node-cron's key for a run: `<task name>:<slot ISO>` (24 characters). */
const ISO_LENGTH = 24;

/**
 * node-cron fires a task on time; what it does not do is covered by the job engine, which runs the same run's
 * durable job: a run whose slot node-cron skips (a time that does not exist on a DST night, the repeated hour
 * on a fall-back night) or drops (more than `missedExecutionTolerance` late, or while no process ran) is run by
 * the engine within the catch-up period. Both take the run by claiming attempt 0 of its job, a unique insert, so
 * a slot is run once whichever comes first and however many processes there are; a process that dies between
 * the claim and the end leaves the job to the engine's lease take-over.
 */
export class CronTasks {
  private readonly tasks = new Map<string, { task: ScheduledTask; signature: string; review: Review }>();
  private readonly coordinator: RunCoordinator;
  private timer: NodeJS.Timeout | undefined;
  private syncing: Promise<void> = Promise.resolve();
  private readonly running = new Set<Promise<unknown>>();

  constructor(private readonly d: CronTaskDeps) {
    this.coordinator = {
      shouldRun: (key) => this.elect(key),
    };
  }

  start(): Promise<void> {
    // Bound at a task's creation, so set before any schedule(); each task is also given it (two sets of
    // tasks in one process, as the tests run, each keep their own).
    setRunCoordinator(this.coordinator);
    this.timer = setInterval(() => void this.sync(), this.d.refreshMs ?? 5000);
    this.timer.unref();
    return this.sync();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.syncing;
    for (const { task } of this.tasks.values()) await task.destroy();
    this.tasks.clear();
    await Promise.allSettled([...this.running]);
  }

  /** Resolves once every run started so far has ended (tests: a run begun before a pause may still post). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }

  /** The review task names running now (tests, /readyz-style checks). */
  names(): string[] {
    return [...this.tasks.keys()].sort();
  }

  /** Reads the reviews again and makes the tasks match: new ones scheduled, changed ones replaced, gone ones destroyed. */
  sync(): Promise<void> {
    this.syncing = this.syncing
      .then(() => this.syncOnce())
      .catch((err) => this.d.log.warn({ err }, 'cron: could not read the reviews'));
    return this.syncing;
  }

  private async syncOnce(): Promise<void> {
    const want = new Map<string, { review: Review; expression: string }>();
    for (const review of await this.d.active()) {
      const expression = (this.d.expressionOf ?? ((r: Review) => cronOf(r.schedule)))(review);
      if (expression && validate(expression)) want.set(nameOf(review), { review, expression });
    }
    for (const [name, t] of this.tasks) {
      const w = want.get(name);
      if (!w || `${w.expression}|${w.review.timezone}` !== t.signature) {
        await t.task.destroy();
        this.tasks.delete(name);
      } else t.review = w.review;
    }
    for (const [name, { review, expression }] of want) {
      if (this.tasks.has(name)) continue;
      const task = schedule(expression, (ctx) => this.fire(name, ctx.date), {
        name,
        timezone: review.timezone,
        distributed: true,
        runCoordinator: this.coordinator,
        noOverlap: true,
      });
      // Dropped by node-cron: the engine runs its job within the catch-up period (see the class comment).
      task.on('execution:missed', (ctx) =>
        this.d.log.info({ task: name, slot: ctx.date }, 'cron: a run came too late; the job engine catches it up'),
      );
      this.tasks.set(name, { task, signature: `${expression}|${review.timezone}`, review });
    }
  }

  /** node-cron's election: the process whose insert of the run's job claim (attempt 0) lands runs it. */
  private async elect(key: string): Promise<boolean> {
    const name = key.slice(0, -(ISO_LENGTH + 1));
    const slot = new Date(key.slice(-ISO_LENGTH));
    const t = this.tasks.get(name);
    if (!t || Number.isNaN(slot.getTime())) return false;
    return this.d.claim(this.d.jobOf(t.review, slot), 0, new Date(), this.d.owner);
  }

  private async fire(name: string, slot: Date): Promise<void> {
    const t = this.tasks.get(name);
    if (!t) return;
    const ref = this.d.jobOf(t.review, slot);
    const work = (async () => {
      const now = new Date();
      try {
        const reason = await this.d.run(t.review, slot, now);
        await this.d.end(ref, {
          outcome: 'done',
          at: new Date(),
          reason: reason ?? 'run by its node-cron task',
          lateMs: now.getTime() - slot.getTime(),
        });
      } catch (err) {
        // Not ended: the engine takes the job over after its lease and tries again.
        this.d.log.error({ err, task: name }, 'cron: a review run failed; the job engine will retry it');
      }
    })();
    this.running.add(work);
    await work.finally(() => this.running.delete(work));
  }
}

/** The tasks of every active review, over the services that run them. */
export async function startCronTasks(
  services: {
    reviewStore: { active(): Promise<Review[]> };
    jobs: Pick<CronTaskDeps, 'claim' | 'end'>;
    reviews: {
      runOnTask(tenant: string, reviewId: string, slot: Date, now: Date): Promise<string | undefined>;
      jobOf(review: Review, slot: Date): JobRef;
    };
  },
  opts: { log: Logger; refreshMs?: number },
): Promise<CronTasks> {
  const tasks = new CronTasks({
    active: () => services.reviewStore.active(),
    jobOf: (review, slot) => services.reviews.jobOf(review, slot),
    claim: (ref, attempt, at, owner) => services.jobs.claim(ref, attempt, at, owner),
    end: (ref, entry) => services.jobs.end(ref, entry),
    run: (review, slot, now) => services.reviews.runOnTask(review.tenant, review.reviewId, slot, now),
    log: opts.log,
    owner: `cron-${randomBytes(6).toString('hex')}`,
    ...(opts.refreshMs ? { refreshMs: opts.refreshMs } : {}),
  });
  await tasks.start();
  return tasks;
}
