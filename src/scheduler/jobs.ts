// The job engine: durable one-shot jobs run once, at their time, by whichever process claims them; late ones within the grace period are caught up.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { PacedLoop } from '../kit/pacedLoop.ts';
import type { JobHandler, JobKinds, PlacedJobKind } from '../services/jobKinds.ts';
import type { Job, JobRepository } from '../store/jobStore.ts';
import { blocksDone, claimed, lookAtBlocks, type Minute, releaseBlocks, shared } from './jobBlocks.ts';

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
  /** Slots in a block two engines split a burst by, where slots are read one by one (tests make it small). */
  blockSize?: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** How far back a restart looks for jobs it missed. */
const LOOK_BACK_MS = 7 * 86_400_000;
/** How long a minute that is over is still read: a write of a job filed under it may be in flight that long. */
const SETTLE_MS = 5_000;
/** Slots read before the jobs found are started (on FerretDB, where a minute is read slot by slot). */
const READ_BLOCK = 64;
/**
 * Claims made side by side while walking a minute: asked in one turn, they go in one insert (the repository's group
 * commit), so a burst's block of due jobs is claimed in one round trip, not eight.
 */
const CLAIMS_AT_ONCE = 64;
/** How soon a job another process holds is first looked at again. */
const HELD_FIRST_LOOK_MS = 1000;
const floorMinute = (ms: number): number => Math.floor(ms / MINUTE) * MINUTE;

/**
 * Each process walks the minutes from the oldest it has not finished up to now, reading the jobs filed under
 * each in one read of that hour's slots (no read of other hours' or days' jobs). A minute is left behind once it is over and every job
 * in it has ended (run, missed, cancelled) — by this process or another.
 */
export class JobEngine {
  private readonly handlers = new Map<string, JobHandler>();
  private readonly now: () => Date;
  private readonly owner = randomBytes(6).toString('hex');
  private readonly offset = randomBytes(2).readUInt16BE(0);
  private readonly o: Required<Omit<JobEngineOptions, 'now'>>;
  /** Minutes still watched, with the jobs found in each and its blocks of slots (read, or held by another engine). */
  private readonly minutes = new Map<number, Minute>();
  /** Slots in a block (`jobBlocks.ts`): where slots are read one by one; elsewhere a minute is one block. */
  private blockSize = Number.POSITIVE_INFINITY;
  private readonly ended = new Set<string>();
  private readonly jobs = new Map<string, Job>();
  private readonly attempts = new Map<string, number>();
  /** Attempts another process holds: since when, and when to look again whether it ended (backing off). */
  private readonly held = new Map<string, { since: number; checkAt: number }>();
  private readonly inFlight = new Map<string, Promise<void>>();
  /** A pass left due jobs unstarted because `concurrency` were running: the next to end kicks the loop. */
  private full = false;
  /** Jobs started by this process so far: what tells drained() a run may have planned another. */
  private runs = 0;
  private scanFrom = 0;
  private starting: Promise<void> = Promise.resolve();
  private savedScan = 0;
  /** Hours that are over, and whether any job was filed in them (nothing is filed in an hour that is over). */
  private readonly hoursSeen = new Map<number, boolean>();
  private readonly placed = new Map<string, (job: Job) => boolean>();
  private stopBeating: (() => void) | undefined;
  private stopListening: (() => void) | undefined;
  private readonly loop: PacedLoop;

  constructor(
    private readonly repo: JobRepository,
    opts: JobEngineOptions,
  ) {
    this.now = opts.now ?? (() => new Date());
    this.o = {
      log: opts.log,
      pollMs: opts.pollMs ?? 1000,
      leaseMs: opts.leaseMs ?? 60_000,
      graceMs: opts.graceMs ?? 3_600_000,
      concurrency: opts.concurrency ?? 256,
      blockSize: opts.blockSize ?? READ_BLOCK,
    };
    this.loop = new PacedLoop(
      () => this.tick(),
      (err) => this.o.log.warn({ err }, 'jobs: could not look for due jobs'),
      this.o.pollMs,
    );
  }

  private get running(): boolean {
    return this.loop.running;
  }

  /** The use case a kind of job runs; `runsHere` (when given) says which of its jobs this process may run. */
  handle(kind: string, handler: JobHandler, runsHere?: (job: Job) => boolean): void {
    this.handlers.set(kind, handler);
    if (runsHere) this.placed.set(kind, runsHere);
    else this.placed.delete(kind);
  }

  /** A job this process has a handler for and may run (one for a platform it lacks is left to another). */
  private runnableHere(job: Job): boolean {
    if (!this.handlers.has(job.kind)) return false;
    const here = this.placed.get(job.kind);
    return !here || here(job);
  }

  start(): void {
    if (this.running) return;
    const now = this.now().getTime();
    this.scanFrom = floorMinute(now - this.o.graceMs);
    // From where the last walk stopped (at most a week back), so what fell due while no process ran is
    // caught up within the grace period and recorded as missed beyond it.
    this.starting = Promise.all([this.repo.scannedTo(), this.repo.slotBySlot()])
      .then(([at, slotBySlot]) => {
        if (at) this.scanFrom = Math.max(floorMinute(now - LOOK_BACK_MS), Math.min(this.scanFrom, at.getTime()));
        this.blockSize = slotBySlot ? this.o.blockSize : Number.POSITIVE_INFINITY;
      })
      .catch((err) => this.o.log.warn({ err }, 'jobs: could not read where the last walk stopped'));
    this.stopListening ??= this.repo.onDueNow(() => this.kick());
    this.stopBeating ??= this.repo.heartbeats.keepBeating(this.owner, this.now, (err) =>
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
    // Blocks of slots this engine had not finished go back, so another engine takes them at its next look.
    await releaseBlocks(this.repo, this.owner, this.minutes).catch((err) =>
      this.o.log.warn({ err }, 'jobs: could not give back the blocks of jobs this process held'),
    );
  }

  kick(): void {
    this.loop.kick();
  }

  /**
   * Resolves once no job this process could run now is waiting or running (tests). A job that ran may have planned
   * another one due already (a page step plans the next): so it is over only when a walk begun after every run
   * ended finds nothing to start.
   */
  async drained(): Promise<void> {
    for (let round = 0; round < 1000; round++) {
      if (!this.running) return;
      const runsBefore = this.runs;
      // A walk that began after this call: one already under way may have read the clock before it moved.
      await this.loop.fresh();
      await Promise.allSettled([...this.inFlight.values()]);
      if (this.inFlight.size === 0 && !this.hasRunnable() && this.runs === runsBefore) return;
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  private hasRunnable(): boolean {
    const now = this.now().getTime();
    for (const { ids } of this.minutes.values()) {
      for (const id of ids) {
        if (this.ended.has(id)) continue;
        const job = this.jobs.get(id);
        if (!job || job.dueAt.getTime() > now || !this.runnableHere(job)) continue;
        const held = this.held.get(`${id}#${this.attempts.get(id) ?? 0}`);
        if (!held || held.checkAt <= now) return true;
      }
    }
    return false;
  }

  private async tick(): Promise<void> {
    if (!this.running) return;
    await this.starting;
    const now = this.now().getTime();
    const current = floorMinute(now);
    for (let m = this.scanFrom; m <= current; m += MINUTE) {
      // An hour that is over with no job filed in it is passed in one read, not sixty (the answer is kept), wherever
      // it lies in the walk: behind a minute held back by a job still running, a day of empty hours costs nothing.
      const hour = Math.floor(m / HOUR) * HOUR;
      if (m === hour && hour + HOUR + SETTLE_MS <= now && !(await this.hourHasJobs(hour))) {
        if (m === this.scanFrom) this.scanFrom = hour + HOUR;
        m = hour + HOUR - MINUTE;
        continue;
      }
      let w = this.minutes.get(m);
      if (!w) {
        w = { ids: [], blocks: new Map() };
        this.minutes.set(m, w);
      }
      if (!w.complete) {
        const over = m + MINUTE + SETTLE_MS <= now;
        const walked = await this.walkMinute(m, w, now);
        if (!walked) return;
        if (walked === 'whole' && over) w.complete = true;
      }
      // What was read before and is still to start (room was short), and what others hold.
      await this.startDue(w, now);
      await lookAtBlocks(this.repo, this.owner, new Date(m), w.blocks, now, this.o.leaseMs, () => this.loop.soon());
      if (this.inFlight.size >= this.o.concurrency) return;
      // Over, and all of it ended: never looked at again. Not before a few seconds into the next minute, though: a
      // job whose writer read the clock in that minute may still be on its way to the database.
      if (
        m === this.scanFrom &&
        m + MINUTE + SETTLE_MS <= now &&
        w.ids.every((id) => this.ended.has(id)) &&
        (await blocksDone(this.repo, new Date(m), w.blocks, this.now()))
      ) {
        this.minutes.delete(m);
        for (const id of w.ids) this.forget(id);
        this.scanFrom = m + MINUTE;
      }
    }
    if (this.scanFrom !== this.savedScan) {
      this.savedScan = this.scanFrom;
      await this.repo.saveScannedTo(new Date(this.scanFrom));
    }
  }

  /**
   * Reads what is new in a minute and starts what is due, a block of slots at a time, the first jobs starting while
   * the rest is still to be read. Where slots are read one by one, block 0 is everyone's and each later block is
   * claimed by one engine, which alone reads and runs it (`jobBlocks.ts`); an engine takes a new block only while it
   * has fewer than a block's worth of due jobs waiting to start, so two engines split a burst by how fast they run
   * it. False when this process stopped on the way; 'whole' when the minute holds one block and it was read to its
   * gap (all that is filed under the minute so far).
   */
  private async walkMinute(m: number, w: Minute, now: number): Promise<boolean | 'whole'> {
    const at = new Date(m);
    const size = this.blockSize;
    for (let b = 0; ; b++) {
      let blk = w.blocks.get(b);
      if (!blk) {
        if (b > 0 && this.waitingToStart(w, now) >= size) return true;
        // Block 1's first slot is looked for (a minute of one block, the common case, claims none); past it a burst
        // is under way, and a block is claimed without that read: one past the end is claimed empty, and its holder
        // reads it as it reads any block (what is filed in it later is its holder's) and closes it with the minute.
        if (b === 1 && !(await this.repo.slotFiled(at, b * size))) return 'whole';
        blk = b === 0 ? shared() : await claimed(this.repo, this.owner, at, b, b * size, now);
        w.blocks.set(b, blk);
      }
      if (blk.state === 'theirs' || blk.state === 'closed') continue;
      const until = (b + 1) * size;
      for (let more = blk.read < until; more; ) {
        const filed = await this.repo.filedInSince(at, blk.read, READ_BLOCK, until);
        more = filed.more;
        blk.read = filed.next;
        for (const job of filed.jobs) {
          if (this.jobs.has(job._id)) continue;
          this.jobs.set(job._id, job);
          w.ids.push(job._id);
          // A job this engine may not run, in a block only it reads: the block is opened to every engine.
          if (blk.state === 'mine' && !blk.ended && !this.runnableHere(job)) {
            await this.repo.endBlock(at, b, true, new Date(now));
            blk.ended = true;
          }
        }
        await this.startDue(w, now);
        if (!this.running) return false;
      }
      blk.unread = false;
      // A gap: nothing is filed after it yet.
      if (blk.read < until) return b === 0 ? 'whole' : true;
    }
  }

  /** Starts what is due in a minute (as room allows), and looks at the jobs others hold. */
  private async startDue(w: Minute, now: number): Promise<void> {
    // Each process starts at its own place in the minute, so two processes do not contend for every job.
    const start = w.ids.length ? this.offset % w.ids.length : 0;
    const todo: string[] = [];
    for (let k = 0; k < w.ids.length; k++) {
      const id = w.ids[(start + k) % w.ids.length] as string;
      if (!this.ended.has(id) && !this.inFlight.has(id) && (this.jobs.get(id)?.dueAt.getTime() ?? 0) <= now) {
        todo.push(id);
      }
    }
    await this.considerAll(todo, now);
    await this.lookAtHeld(w.ids, now);
  }

  /** Due jobs of a minute this engine could start and has not: while a block's worth wait, it takes no new block. */
  private waitingToStart(w: Minute, now: number): number {
    let n = 0;
    for (const id of w.ids) {
      const job = this.jobs.get(id);
      if (!job || this.ended.has(id) || this.inFlight.has(id) || job.dueAt.getTime() > now) continue;
      if (this.runnableHere(job) && !this.held.has(`${id}#${this.attempts.get(id) ?? 0}`)) n++;
    }
    return n;
  }

  /** A few at once (each is a round trip or two), while this process has room for more jobs running. */
  private async considerAll(ids: string[], now: number): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < ids.length && this.running && this.inFlight.size < this.o.concurrency) {
        await this.consider(ids[next++] as string, now);
      }
    };
    // No more workers than there is room for: each claims before it counts as running.
    const room = Math.max(0, this.o.concurrency - this.inFlight.size);
    await Promise.all(Array.from({ length: Math.min(CLAIMS_AT_ONCE, ids.length, room) }, worker));
    // Stopped with jobs left for want of room: the next job to end makes room and asks for a pass at once.
    if (next < ids.length) this.full = true;
  }

  private async hourHasJobs(hour: number): Promise<boolean> {
    const known = this.hoursSeen.get(hour);
    if (known !== undefined) return known;
    const has = await this.repo.hasHour(new Date(hour));
    this.hoursSeen.set(hour, has);
    if (this.hoursSeen.size > 10_000) this.hoursSeen.delete(this.hoursSeen.keys().next().value as number);
    return has;
  }

  private forget(id: string): void {
    this.ended.delete(id);
    this.jobs.delete(id);
    const attempt = this.attempts.get(id) ?? 0;
    for (let a = 0; a <= attempt; a++) this.held.delete(`${id}#${a}`);
    this.attempts.delete(id);
  }

  private async consider(id: string, now: number): Promise<void> {
    const job = this.jobs.get(id);
    if (!job || this.ended.has(id) || this.inFlight.has(id)) return;
    const attempt = this.attempts.get(id) ?? 0;
    const key = `${id}#${attempt}`;
    if (this.held.has(key)) return;
    const lateMs = now - job.dueAt.getTime();
    const tooLate = lateMs > this.o.graceMs;
    const handler = this.handlers.get(job.kind);
    // Left for a process that can run it, until the catch-up is over (then recorded as missed, as every job is).
    if (!this.runnableHere(job) && !tooLate) return;
    // Claimed before anything is done with it, missed ones too: whoever holds the claim decides how it ends.
    if (!(await this.repo.claim(job, attempt, new Date(now), this.owner))) {
      // Ended already (by this process before a restart, say), or running elsewhere: see lookAtHeld.
      this.held.set(key, { since: now, checkAt: now });
      return;
    }
    if (tooLate) {
      this.o.log.warn({ job: id, kind: job.kind, lateMs }, 'jobs: found too late to run; recorded as missed');
      await this.repo.end(job, {
        outcome: 'missed',
        at: new Date(now),
        reason: 'found after the catch-up period',
        lateMs: null,
      });
      this.ended.add(id);
      return;
    }
    const run = handler as JobHandler;
    const p = (async () => {
      try {
        const skipped = await run(job, { now: new Date(now), lateMs });
        await this.repo.end(job, {
          outcome: 'done',
          at: this.now(),
          reason: typeof skipped === 'string' && skipped ? skipped : null,
          lateMs,
        });
      } catch (err) {
        this.o.log.error({ err, job: id, kind: job.kind }, 'jobs: a job failed');
        await this.repo.end(job, {
          outcome: 'failed',
          at: this.now(),
          reason: (err as Error)?.message ?? String(err),
          lateMs,
        });
      }
      this.ended.add(id);
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
  private async lookAtHeld(ids: readonly string[], now: number): Promise<void> {
    const due: { job: Job; key: string; held: { since: number; checkAt: number } }[] = [];
    for (const id of ids) {
      const job = this.jobs.get(id);
      const key = `${id}#${this.attempts.get(id) ?? 0}`;
      const held = this.held.get(key);
      if (job && held && held.checkAt <= now && !this.ended.has(id)) due.push({ job, key, held });
    }
    if (due.length === 0) return;
    const ended = await this.repo.endedAmong(due.map((d) => d.job));
    for (const { job, key, held } of due) {
      if (ended.has(job._id)) {
        this.ended.add(job._id);
        continue;
      }
      const age = now - held.since;
      if (age >= this.o.leaseMs) {
        // Past the lease, but its process still beats: slow, not dead (taking it over would run it twice).
        const attempt = this.attempts.get(job._id) ?? 0;
        if (!(await this.repo.abandoned(job, attempt, held.since, now, this.o.leaseMs))) {
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

/** The job kinds the services own (each service's `jobKinds`), read from whatever it is handed; a kind twice is refused. */
export function jobKindsOf(owners: Iterable<unknown>): Map<string, JobHandler | PlacedJobKind> {
  const kinds = new Map<string, JobHandler | PlacedJobKind>();
  for (const owner of owners) {
    if (typeof owner !== 'object' || owner === null || !('jobKinds' in owner)) continue;
    for (const [kind, handler] of Object.entries((owner as { jobKinds: JobKinds }).jobKinds)) {
      if (kinds.has(kind)) throw new Error(`jobs: the job kind ${kind} is declared twice`);
      kinds.set(kind, handler);
    }
  }
  return kinds;
}

/** The engine with every kind of job the services declare (see src/services/jobKinds.ts), over their repository. */
export function startJobEngine(
  services: { jobs: JobRepository; housekeeping: { planWaiting(): Promise<number> } },
  opts: JobEngineOptions,
): JobEngine {
  const engine = new JobEngine(services.jobs, opts);
  for (const [kind, h] of jobKindsOf(Object.values(services))) {
    if (typeof h === 'function') engine.handle(kind, h);
    else engine.handle(kind, h.run, h.runsHere);
  }
  engine.start();
  // Tickets that changed while no process ran get their next housekeeping step (one planned already stays).
  services.housekeeping
    .planWaiting()
    .then((n) => n && opts.log.info({ planned: n }, 'housekeeping: steps planned for waiting tickets'))
    .catch((err) => opts.log.warn({ err }, 'housekeeping: waiting tickets could not be planned'));
  return engine;
}
