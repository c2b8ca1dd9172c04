// The jobs due, laid out: the walk through minutes and hours, slots read a block at a time, blocks split between engines, and where the walk stands. Behind the engine's port (`jobQueue.ts`).
import { randomBytes } from 'node:crypto';
import type { Heartbeats } from './heartbeats.ts';
import { type BlockStore, blocksDone, claimed, lookAtBlocks, type Minute, releaseBlocks, shared } from './jobBlocks.ts';
import type { DueLook, JobQueue, JobQueueOptions } from './jobQueue.ts';
import type { Job, JobEnd, JobRef } from './jobTypes.ts';

/** What the walk reads and writes (`JobRepository`). */
export interface JobLayout extends BlockStore {
  readonly heartbeats: Pick<Heartbeats, 'keepBeating'>;
  scannedTo(): Promise<Date | null>;
  saveScannedTo(minute: Date): Promise<void>;
  slotBySlot(): Promise<boolean>;
  hasHour(at: Date): Promise<boolean>;
  slotFiled(at: Date, n: number): Promise<boolean>;
  filedInSince(
    at: Date,
    from: number,
    max?: number,
    until?: number,
  ): Promise<{ jobs: Job[]; next: number; more: boolean }>;
  claim(ref: JobRef, attempt: number, at: Date, owner: string): Promise<boolean>;
  end(ref: JobRef, entry: Omit<JobEnd, '_id'>): Promise<boolean>;
  endedAmong(refs: readonly JobRef[]): Promise<Set<string>>;
  abandoned(ref: JobRef, attempt: number, since: number, now: number, leaseMs: number): Promise<boolean>;
  onDueNow(listener: () => void): () => void;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** How far back a restart looks for jobs it missed. */
const LOOK_BACK_MS = 7 * 86_400_000;
/** How long a minute that is over is still read: a write of a job filed under it may be in flight that long. */
const SETTLE_MS = 5_000;
/** Slots read before the jobs found are handed out (on FerretDB, where a minute is read slot by slot). */
export const READ_BLOCK = 64;
const floorMinute = (ms: number): number => Math.floor(ms / MINUTE) * MINUTE;

/**
 * One engine's walk through the minutes, from the oldest it has not finished up to now, reading the jobs filed
 * under each (no read of other hours' or days' jobs). A minute is left behind once it is over and every job in it
 * has ended (run, missed, cancelled) — by this process or another.
 */
export class DueJobs implements JobQueue {
  private readonly owner = randomBytes(6).toString('hex');
  /** Minutes still watched, with the jobs found in each and its blocks of slots (read, or held by another engine). */
  private readonly minutes = new Map<number, Minute>();
  private readonly jobs = new Map<string, Job>();
  private readonly ended = new Set<string>();
  /** Slots in a block (`jobBlocks.ts`): where slots are read one by one; elsewhere a minute is one block. */
  private blockSize = Number.POSITIVE_INFINITY;
  private scanFrom = 0;
  private savedScan = 0;
  /** Hours that are over, and whether any job was filed in them (nothing is filed in an hour that is over). */
  private readonly hoursSeen = new Map<number, boolean>();

  constructor(
    private readonly repo: JobLayout,
    private readonly o: JobQueueOptions & { blockSize: number },
  ) {}

  async open(now: Date): Promise<void> {
    const t = now.getTime();
    this.scanFrom = floorMinute(t - this.o.graceMs);
    // From where the last walk stopped (at most a week back), so what fell due while no process ran is caught up
    // within the grace period and recorded as missed beyond it.
    const [at, slotBySlot] = await Promise.all([this.repo.scannedTo(), this.repo.slotBySlot()]);
    if (at) this.scanFrom = Math.max(floorMinute(t - LOOK_BACK_MS), Math.min(this.scanFrom, at.getTime()));
    this.blockSize = slotBySlot ? this.o.blockSize : Number.POSITIVE_INFINITY;
  }

  async due(until: Date, look: DueLook): Promise<void> {
    const now = until.getTime();
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
        const walked = await this.walkMinute(m, w, now, look);
        if (!walked) return;
        if (walked === 'whole' && over) w.complete = true;
      }
      // What was read before and is still to start (room was short), and what others hold.
      await look.take(this.live(w));
      await lookAtBlocks(this.repo, this.owner, new Date(m), w.blocks, now, this.o.leaseMs, () => look.soon());
      if (look.full()) return;
      // Over, and all of it ended: never looked at again. Not before a few seconds into the next minute, though: a
      // job whose writer read the clock in that minute may still be on its way to the database.
      if (
        m === this.scanFrom &&
        m + MINUTE + SETTLE_MS <= now &&
        w.ids.every((id) => this.ended.has(id)) &&
        (await blocksDone(this.repo, new Date(m), w.blocks, until))
      ) {
        this.minutes.delete(m);
        for (const id of w.ids) {
          this.ended.delete(id);
          this.jobs.delete(id);
        }
        this.scanFrom = m + MINUTE;
      }
    }
    if (this.scanFrom !== this.savedScan) {
      this.savedScan = this.scanFrom;
      await this.repo.saveScannedTo(new Date(this.scanFrom));
    }
  }

  *pending(): Iterable<Job> {
    for (const w of this.minutes.values()) yield* this.live(w);
  }

  claim(job: Job, attempt: number, at: Date): Promise<boolean> {
    return this.repo.claim(job, attempt, at, this.owner);
  }

  async end(job: Job, entry: Omit<JobEnd, '_id'>): Promise<boolean> {
    const recorded = await this.repo.end(job, entry);
    this.ended.add(job._id);
    return recorded;
  }

  async endedAmong(jobs: readonly Job[]): Promise<Set<string>> {
    const ended = await this.repo.endedAmong(jobs);
    for (const id of ended) this.ended.add(id);
    return ended;
  }

  abandoned(job: Job, attempt: number, since: number, now: number): Promise<boolean> {
    return this.repo.abandoned(job, attempt, since, now, this.o.leaseMs);
  }

  /** Blocks of slots this engine had not finished go back, so another engine takes them at its next look. */
  release(): Promise<void> {
    return releaseBlocks(this.repo, this.owner, this.minutes);
  }

  onDueNow(listener: () => void): () => void {
    return this.repo.onDueNow(listener);
  }

  keepBeating(now: () => Date, onError: (err: unknown) => void): () => void {
    return this.repo.heartbeats.keepBeating(this.owner, now, onError);
  }

  /** The jobs of a minute not ended, as they were filed. */
  private live(w: Minute): Job[] {
    const jobs: Job[] = [];
    for (const id of w.ids) {
      const job = this.jobs.get(id);
      if (job && !this.ended.has(id)) jobs.push(job);
    }
    return jobs;
  }

  /**
   * Reads what is new in a minute and hands out what is found, a block of slots at a time, the first jobs starting
   * while the rest is still to be read. Where slots are read one by one, block 0 is everyone's and each later block
   * is claimed by one engine, which alone reads and runs it (`jobBlocks.ts`); an engine takes a new block only while
   * it has fewer than a block's worth of due jobs waiting to start, so two engines split a burst by how fast they run
   * it. False when the engine stopped on the way; 'whole' when the minute holds one block and it was read to its gap
   * (all that is filed under the minute so far).
   */
  private async walkMinute(m: number, w: Minute, now: number, look: DueLook): Promise<boolean | 'whole'> {
    const at = new Date(m);
    const size = this.blockSize;
    for (let b = 0; ; b++) {
      let blk = w.blocks.get(b);
      if (!blk) {
        if (b > 0 && look.waiting(this.live(w)) >= size) return true;
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
          if (blk.state === 'mine' && !blk.ended && !look.runsHere(job)) {
            await this.repo.endBlock(at, b, true, new Date(now));
            blk.ended = true;
          }
        }
        if (!(await look.take(this.live(w)))) return false;
      }
      blk.unread = false;
      // A gap: nothing is filed after it yet.
      if (blk.read < until) return b === 0 ? 'whole' : true;
    }
  }

  private async hourHasJobs(hour: number): Promise<boolean> {
    const known = this.hoursSeen.get(hour);
    if (known !== undefined) return known;
    const has = await this.repo.hasHour(new Date(hour));
    this.hoursSeen.set(hour, has);
    if (this.hoursSeen.size > 10_000) this.hoursSeen.delete(this.hoursSeen.keys().next().value as number);
    return has;
  }
}
