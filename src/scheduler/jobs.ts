// The job engine: durable one-shot jobs run once, at their time, by whichever process claims them; late ones within the grace period are caught up.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { PacedLoop } from '../kit/pacedLoop.ts';
import type { JobHandler } from '../services/jobKinds.ts';
import type { DueLook, JobQueue, JobQueues } from '../store/jobQueue.ts';
import type { Job } from '../store/jobTypes.ts';

export type { JobHandler } from '../services/jobKinds.ts';

export interface JobEngineOptions {
  now?: () => Date;
  log: Logger;
  /** How often due jobs are looked for. */
  pollMs?: number;
  /** A claim still held this long (as this process measures it) belongs to a process that died mid-job. */
  leaseMs?: number;
  /** Jobs found this late (after a restart, say) still run; later ones are recorded as missed (SWITCHBOARD_CATCHUP). */
  graceMs?: number;
  /** Jobs running at once in this process. */
  concurrency?: number;
}

/**
 * Claims made side by side: asked in one turn, they go in one insert (the repository's group commit), so a burst's
 * batch of due jobs is claimed in one round trip, not eight.
 */
const CLAIMS_AT_ONCE = 64;
/** How soon a job another process holds is first looked at again. */
const HELD_FIRST_LOOK_MS = 1000;

/**
 * Runs the jobs its queue (the store's port, `src/store/jobQueue.ts`) hands it as they fall due: each claimed first,
 * so one engine runs it, and ended with how it went. Where and how jobs are kept is the queue's business.
 */
export class JobEngine {
  private readonly handlers = new Map<string, JobHandler>();
  private readonly now: () => Date;
  private readonly offset = randomBytes(2).readUInt16BE(0);
  private readonly o: Required<Omit<JobEngineOptions, 'now'>>;
  private readonly queue: JobQueue;
  private readonly attempts = new Map<string, number>();
  /** Attempts another process holds: since when, and when to look again whether it ended (backing off). */
  private readonly held = new Map<string, { since: number; checkAt: number }>();
  private readonly inFlight = new Map<string, Promise<void>>();
  /** A pass left due jobs unstarted because `concurrency` were running: the next to end kicks the loop. */
  private full = false;
  /** Jobs started by this process so far: what tells drained() a run may have planned another. */
  private runs = 0;
  /**
   * Jobs this process filed due already (`onDueNow`: work a command leaves to run right after its reply), counted, and
   * each start (what was filed while stopped): looks owed, as settled() sees them.
   */
  private heard = 0;
  /** `heard` as it stood when the last look that finished began: what settled() knows a look has found. */
  private lookedFor = 0;
  private starting: Promise<void> = Promise.resolve();
  private readonly placed = new Map<string, (job: Job) => boolean>();
  /** Kinds whose jobs run however late they are found (`handle`'s `late`). */
  private readonly runLate = new Set<string>();
  private stopBeating: (() => void) | undefined;
  private stopListening: (() => void) | undefined;
  private readonly loop: PacedLoop;

  constructor(jobs: JobQueues, opts: JobEngineOptions) {
    this.now = opts.now ?? (() => new Date());
    this.o = {
      log: opts.log,
      pollMs: opts.pollMs ?? 1000,
      leaseMs: opts.leaseMs ?? 60_000,
      graceMs: opts.graceMs ?? 3_600_000,
      concurrency: opts.concurrency ?? 256,
    };
    this.queue = jobs.queue({ leaseMs: this.o.leaseMs, graceMs: this.o.graceMs });
    this.loop = new PacedLoop(
      () => this.tick(),
      (err) => this.o.log.warn({ err }, 'jobs: could not look for due jobs'),
      this.o.pollMs,
    );
  }

  private get running(): boolean {
    return this.loop.running;
  }

  /**
   * The use case a kind of job runs; `runsHere` (when given) says which of its jobs this process may run; `late: 'run'`
   * runs its jobs however late they are found (never recorded as missed).
   */
  handle(kind: string, handler: JobHandler, runsHere?: (job: Job) => boolean, late?: 'run'): void {
    this.handlers.set(kind, handler);
    if (runsHere) this.placed.set(kind, runsHere);
    else this.placed.delete(kind);
    if (late === 'run') this.runLate.add(kind);
    else this.runLate.delete(kind);
  }

  /** A job this process has a handler for and may run (one for a platform it lacks is left to another). */
  private runnableHere(job: Job): boolean {
    if (!this.handlers.has(job.kind)) return false;
    const here = this.placed.get(job.kind);
    return !here || here(job);
  }

  start(): void {
    if (this.running) return;
    // The first look finds what was filed due while stopped (no signal was heard then): settled() waits for it.
    this.heard++;
    // What fell due while no process ran is caught up within the grace period and recorded as missed beyond it.
    this.starting = this.queue
      .open(this.now())
      .catch((err) => this.o.log.warn({ err }, 'jobs: could not read where the last look stopped'));
    this.stopListening ??= this.queue.onDueNow(() => {
      this.heard++;
      this.kick();
    });
    this.stopBeating ??= this.queue.keepBeating(this.now, (err) =>
      this.o.log.warn({ err }, 'jobs: could not say this process is alive'),
    );
    this.loop.start();
  }

  async stop(graceMs = 5000): Promise<void> {
    this.loop.stop();
    this.stopBeating?.();
    this.stopBeating = undefined;
    this.stopListening?.();
    this.stopListening = undefined;
    const all = Promise.allSettled([...this.inFlight.values(), this.loop.pending]);
    await Promise.race([all, new Promise((r) => setTimeout(r, graceMs).unref())]);
    // The share of due jobs this engine had taken on and not finished goes back, for another engine to take at once.
    await this.queue
      .release()
      .catch((err) => this.o.log.warn({ err }, 'jobs: could not give back the jobs this process held'));
  }

  kick(): void {
    this.loop.kick();
  }

  /**
   * Resolves once no job this process could run now is waiting or running (tests). A job that ran may have planned
   * another one due already (a page step plans the next): so it is over only when a look begun after every run
   * ended finds nothing to start.
   */
  async drained(): Promise<void> {
    for (let round = 0; round < 1000; round++) {
      if (!this.running) return;
      const runsBefore = this.runs;
      // A look that began after this call: one already under way may have read the clock before it moved.
      await this.loop.fresh();
      await Promise.allSettled([...this.inFlight.values()]);
      if (this.inFlight.size === 0 && !this.hasRunnable() && this.runs === runsBefore) return;
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  /**
   * Resolves once every job this process filed due already (what a command leaves to run right after its reply) has
   * been looked for, and no job this process could run now is waiting or running (tests' settle: see
   * test/support/harness.ts). Unlike drained(), it looks only when such a job was filed since the last look began or
   * one is waiting here: a clock a test moved is drained()'s business, and a quiet engine costs no round trip. Never
   * waits on another process's jobs (one held elsewhere is looked at again only when its look falls due). Resolves
   * with whether any job ran here meanwhile (what it ran may have posted, or changed a ticket).
   */
  async settled(): Promise<boolean> {
    const runsAtCall = this.runs;
    let ran = false;
    for (let round = 0; round < 1000; round++) {
      if (!this.running) break;
      const unseen = this.lookedFor !== this.heard || this.hasRunnable();
      if (!unseen && this.inFlight.size === 0) break;
      ran ||= this.inFlight.size > 0;
      const runsBefore = this.runs;
      if (unseen) await this.loop.fresh();
      await Promise.allSettled([...this.inFlight.values()]);
      // A look begun after this round began started nothing, and nothing runs: what is left is not this process's to
      // run now (held elsewhere, or a look that failed), and looking again would find the same.
      if (unseen && this.runs === runsBefore && this.inFlight.size === 0) break;
      await new Promise((r) => setTimeout(r, 5));
    }
    return ran || this.runs !== runsAtCall;
  }

  private hasRunnable(): boolean {
    const now = this.now().getTime();
    for (const job of this.queue.pending()) {
      if (job.dueAt.getTime() > now || !this.runnableHere(job)) continue;
      const held = this.held.get(`${job._id}#${this.attempts.get(job._id) ?? 0}`);
      if (!held || held.checkAt <= now) return true;
    }
    return false;
  }

  /** A look for the jobs due now: the queue hands over what it finds, and asks how much is waiting here. */
  private async tick(): Promise<void> {
    if (!this.running) return;
    const heard = this.heard;
    await this.starting;
    const now = this.now().getTime();
    /** The look stopped for want of room: what it did not read is still to be found. */
    let cut = false;
    const look: DueLook = {
      take: async (jobs) => {
        await this.startDue(jobs, now);
        return this.running;
      },
      waiting: (jobs) => this.waitingToStart(jobs, now),
      runsHere: (job) => this.runnableHere(job),
      full: () => {
        cut ||= this.inFlight.size >= this.o.concurrency;
        return this.inFlight.size >= this.o.concurrency;
      },
      soon: () => this.loop.soon(),
    };
    await this.queue.due(new Date(now), look);
    if (!cut && !this.full) this.lookedFor = Math.max(this.lookedFor, heard);
  }

  /** Starts what is due among these (as room allows), and looks at the jobs others hold. */
  private async startDue(jobs: readonly Job[], now: number): Promise<void> {
    // Each process starts at its own place in the batch, so two processes do not contend for every job.
    const start = jobs.length ? this.offset % jobs.length : 0;
    const todo: Job[] = [];
    for (let k = 0; k < jobs.length; k++) {
      const job = jobs[(start + k) % jobs.length] as Job;
      if (!this.inFlight.has(job._id) && job.dueAt.getTime() <= now) todo.push(job);
    }
    await this.considerAll(todo, now);
    await this.lookAtHeld(jobs, now);
  }

  /** Due jobs this engine could start and has not: while many wait, the queue takes on no more of a burst. */
  private waitingToStart(jobs: readonly Job[], now: number): number {
    let n = 0;
    for (const job of jobs) {
      if (this.inFlight.has(job._id) || job.dueAt.getTime() > now) continue;
      if (this.runnableHere(job) && !this.held.has(`${job._id}#${this.attempts.get(job._id) ?? 0}`)) n++;
    }
    return n;
  }

  /** A few at once (each is a round trip or two), while this process has room for more jobs running. */
  private async considerAll(jobs: readonly Job[], now: number): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < jobs.length && this.running && this.inFlight.size < this.o.concurrency) {
        await this.consider(jobs[next++] as Job, now);
      }
    };
    // No more workers than there is room for: each claims before it counts as running.
    const room = Math.max(0, this.o.concurrency - this.inFlight.size);
    await Promise.all(Array.from({ length: Math.min(CLAIMS_AT_ONCE, jobs.length, room) }, worker));
    // Stopped with jobs left for want of room: the next job to end makes room and asks for a pass at once.
    if (next < jobs.length) this.full = true;
  }

  /** A job that ended: what this engine kept about its attempts goes (the queue hands it out no more). */
  private ended(id: string): void {
    const attempt = this.attempts.get(id) ?? 0;
    for (let a = 0; a <= attempt; a++) this.held.delete(`${id}#${a}`);
    this.attempts.delete(id);
  }

  private async consider(job: Job, now: number): Promise<void> {
    const id = job._id;
    if (this.inFlight.has(id)) return;
    const attempt = this.attempts.get(id) ?? 0;
    const key = `${id}#${attempt}`;
    if (this.held.has(key)) return;
    const lateMs = now - job.dueAt.getTime();
    const tooLate = lateMs > this.o.graceMs && !this.runLate.has(job.kind);
    const handler = this.handlers.get(job.kind);
    // Left for a process that can run it, until the catch-up is over (then recorded as missed, as every job is).
    if (!this.runnableHere(job) && !tooLate) return;
    // Claimed before anything is done with it, missed ones too: whoever holds the claim decides how it ends.
    if (!(await this.queue.claim(job, attempt, new Date(now)))) {
      // Ended already (by this process before a restart, say), or running elsewhere: see lookAtHeld.
      this.held.set(key, { since: now, checkAt: now });
      return;
    }
    if (tooLate) {
      this.o.log.warn({ job: id, kind: job.kind, lateMs }, 'jobs: found too late to run; recorded as missed');
      await this.queue.end(job, {
        outcome: 'missed',
        at: new Date(now),
        reason: 'found after the catch-up period',
        lateMs: null,
      });
      this.ended(id);
      return;
    }
    const run = handler as JobHandler;
    const p = (async () => {
      try {
        const skipped = await run(job, { now: new Date(now), lateMs });
        await this.queue.end(job, {
          outcome: 'done',
          at: this.now(),
          reason: typeof skipped === 'string' && skipped ? skipped : null,
          lateMs,
        });
      } catch (err) {
        this.o.log.error({ err, job: id, kind: job.kind }, 'jobs: a job failed');
        await this.queue.end(job, {
          outcome: 'failed',
          at: this.now(),
          reason: (err as Error)?.message ?? String(err),
          lateMs,
        });
      }
      this.ended(id);
    })()
      .catch((err) => this.o.log.error({ err, job: id }, 'jobs: could not record how a job ended'))
      .finally(() => {
        this.inFlight.delete(id);
        // Jobs were left waiting for room: a pass now, not at the next poll (a burst would run `concurrency` a poll).
        if (this.full) {
          this.full = false;
          this.loop.kick();
        }
      });
    this.inFlight.set(id, p);
    this.runs++;
  }

  /**
   * Jobs another process holds, due a look: one read says which have ended; one held past the lease without an
   * end belongs to a process that died, and is taken over (next attempt). Looks back off: each comes after
   * twice as long as the job has been held so far, and none later than the lease.
   */
  private async lookAtHeld(jobs: readonly Job[], now: number): Promise<void> {
    const due: { job: Job; key: string; held: { since: number; checkAt: number } }[] = [];
    for (const job of jobs) {
      const key = `${job._id}#${this.attempts.get(job._id) ?? 0}`;
      const held = this.held.get(key);
      if (held && held.checkAt <= now) due.push({ job, key, held });
    }
    if (due.length === 0) return;
    const ended = await this.queue.endedAmong(due.map((d) => d.job));
    for (const { job, key, held } of due) {
      if (ended.has(job._id)) {
        this.ended(job._id);
        continue;
      }
      const age = now - held.since;
      if (age >= this.o.leaseMs) {
        // Past the lease, but its process still beats: slow, not dead (taking it over would run it twice).
        const attempt = this.attempts.get(job._id) ?? 0;
        if (!(await this.queue.abandoned(job, attempt, held.since, now))) {
          held.checkAt = now + this.o.leaseMs / 4;
          continue;
        }
        this.o.log.warn({ job: job._id, kind: job.kind }, 'jobs: taking over a job whose process stopped');
        this.held.delete(key);
        this.attempts.set(job._id, (this.attempts.get(job._id) ?? 0) + 1);
        this.loop.soon();
        continue;
      }
      held.checkAt = Math.min(held.since + this.o.leaseMs, now + Math.max(HELD_FIRST_LOOK_MS, age));
    }
  }
}
