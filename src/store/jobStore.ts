// Durable one-shot jobs: the job, the minute it is filed under, its claims and its end, in four fixed collections. Insert-only.
import type { Connection, mongo } from 'mongoose';
import { DueJobs, READ_BLOCK } from './dueJobs.ts';
import { expiresAfter, expiring, JOB_RETENTION_MS } from './expiry.ts';
import { GroupCommit } from './groupCommit.ts';
import { Heartbeats } from './heartbeats.ts';
import { insertEach, isDuplicateKey as isDuplicate } from './insertOnce.ts';
import type { JobQueue, JobQueueOptions, JobQueues } from './jobQueue.ts';
import type { Job, JobEnd, JobRef } from './jobTypes.ts';
import { Lease } from './lease.ts';
import { findByIds, serverProfile } from './serverProfile.ts';

export type { Job, JobEnd, JobOutcome, JobRef } from './jobTypes.ts';

/** `2026-03-10T12:04`: the minute a job is due in, in UTC. */
export const minuteKey = (at: Date): string => at.toISOString().slice(0, 16);
/** `20260310`: a UTC day (the layout before fixed collections named its collections so). */
export const dayKey = (at: Date): string => at.toISOString().slice(0, 10).replaceAll('-', '');

/** `2026-03-10T12`: the UTC hour a marker says something was filed in. */
const hourKey = (at: Date): string => at.toISOString().slice(0, 13);

/** The four collections, fixed: none carries a date in its name. */
export type Part = 'jobs' | 'job_slots' | 'job_claims' | 'job_ends';
const PARTS: readonly Part[] = ['jobs', 'job_slots', 'job_claims', 'job_ends'].map((p) => expiring(p) as Part);

type Slot = { _id: string; job?: Job; expireAt: Date };
/** Slots read at once while walking a minute on FerretDB: one `$in` read, served by the `_id` index (patch 0003). */
const PROBES_AT_ONCE = 64;

/**
 * Every document is reached by its `_id` (the embedded FerretDB is built so that uses its index): a job by its
 * id, its claims as `<job>#<attempt>`, its end as `<job>`. A job is found by the minute it is filed under,
 * through numbered slots `<minute>#<n>` (each carrying the job): on MongoDB a minute is one `_id` range read,
 * on FerretDB (where a range scans) a few single reads side by side, until a slot is missing. An hour with
 * anything filed in it has a marker `hour:<hour>`, so the walk passes an empty hour in one read. Nothing is
 * updated; every document carries `expireAt` (its due time and a retention) and goes by TTL or the nightly sweep.
 */
export class JobRepository implements JobQueues {
  private readonly c: { [P in Part]: mongo.Collection<never> };
  /** Hours this process knows to have their marker. */
  private readonly markedHours = new Set<string>();
  /** One document: the oldest minute not yet left behind, so a restart knows what it missed. */
  private readonly cursor: mongo.Collection<{ _id: string; minute: Date }>;
  /** Next free slot per minute, learnt by probing and kept while this process runs. */
  private readonly nextSlot = new Map<string, number>();
  private readonly dueListeners = new Set<() => void>();

  /** Which processes are alive: a live holder's claim is never taken over (src/store/heartbeats.ts). */
  readonly heartbeats: Heartbeats;
  /** A job attempt's claim `<job>#<attempt>` (and "once" marks `<key>!`), in `job_claims`. */
  private readonly lease: Lease;
  /** Claims made at once (a burst of due jobs, taken a few side by side) go in one insert. */
  private readonly claims = new GroupCommit<{ key: string; at: Date; owner: string; expireAt: Date }, boolean>((c) =>
    this.lease.claimEach(c),
  );
  /**
   * Jobs planned at once go in one insert: the jobs one change plans (each heard by its own listener) are gathered
   * over the turn of the event loop they are asked in.
   */
  private readonly inserts = new GroupCommit<Job & { expireAt: Date }, boolean>(
    (docs) => insertEach(this.part<Job & { expireAt: Date }>('jobs'), docs),
    1000,
    'turn',
  );
  /** Jobs filed at once (gathered like their inserts) go in one ordered insert of their slots and hour markers. */
  private readonly filings = new GroupCommit<{ minute: string; job: Job }, undefined>(
    (items) => this.fileAll(items),
    1000,
    'turn',
  );
  /** Ends recorded at once go in one insert. */
  private readonly ends = new GroupCommit<JobEnd & { expireAt: Date }, boolean>((docs) =>
    insertEach(this.part<JobEnd & { expireAt: Date }>('job_ends'), docs),
  );

  constructor(
    private readonly connection: Connection,
    /**
     * The process's clock, the job engine's own. A job is filed under the minute it is due, or the minute it is
     * written in when that is later: with a clock, "written in" is now, whatever `createdAt` the planner gave (a
     * change heard late across a minute boundary would otherwise be filed under a minute the engine has left).
     */
    private readonly clock?: () => Date,
    /** Slots in a block two engines split a burst by, where slots are read one by one (tests make it small). */
    private readonly layout: { blockSize?: number } = {},
  ) {
    this.cursor = connection.collection('job_cursor');
    this.heartbeats = new Heartbeats(connection);
    this.c = Object.fromEntries(PARTS.map((p) => [p, connection.collection<never>(p)])) as unknown as {
      [P in Part]: mongo.Collection<never>;
    };
    this.lease = new Lease(this.part('job_claims'), this.heartbeats, expiry);
  }

  /**
   * The jobs due, for one engine: the walk through minutes, slots and blocks, and where it stands, kept behind the
   * engine's port (`dueJobs.ts`).
   */
  queue(o: JobQueueOptions): JobQueue {
    return new DueJobs(this, { ...o, blockSize: this.layout.blockSize ?? READ_BLOCK });
  }

  private part<T extends mongo.Document>(part: Part): mongo.Collection<T> {
    return this.c[part] as unknown as mongo.Collection<T>;
  }

  /** Whether any job was ever filed in this hour: its marker is there. */
  async hasHour(at: Date): Promise<boolean> {
    const id = `hour:${hourKey(at)}`;
    return (await this.part<Slot>('job_slots').findOne({ _id: id }, { projection: { _id: 1 } })) !== null;
  }

  /** Where the walk through due minutes had got to (null on a new database). */
  async scannedTo(): Promise<Date | null> {
    return (await this.cursor.findOne({ _id: 'scan' }))?.minute ?? null;
  }

  /** A one-document collection: the update stays cheap. */
  async saveScannedTo(minute: Date): Promise<void> {
    await this.cursor.updateOne({ _id: 'scan' }, { $set: { minute } }, { upsert: true });
  }

  /** Plans a job once: `exists` when one with its id was planned already (a second run, another process). */
  async schedule(job: Job): Promise<'added' | 'exists'> {
    try {
      await this.add(job);
      return 'added';
    } catch (e) {
      if (isDuplicate(e)) return 'exists';
      throw e;
    }
  }

  /**
   * Writes a job (a duplicate id is refused with code 11000: planned already) and files it under its minute: the
   * minute it is due, or the minute it was written when that is later (a job due already), so nothing is ever
   * filed under an hour that is over (see `hasHour`).
   */
  async add(job: Job): Promise<void> {
    if (!(await this.inserts.push({ ...job, expireAt: expiry(job.dueAt) }))) {
      throw Object.assign(new Error(`job ${job._id} is planned already`), { code: 11000 });
    }
    await this.fileJob(job);
  }

  /**
   * Files a job without its `jobs` record (one round trip, not two): for a job nothing reads by id, whose run
   * decides for itself whether anything is due (housekeeping's next step of a ticket). Planned twice, it is filed
   * twice and still runs once, as a refiled job does: its claim decides.
   */
  async fileWithoutRecord(job: Job): Promise<void> {
    // After the jobs being recorded now (by the same change's other listeners): their slots and this one go in one
    // write, with the other slots filed without a record in this turn (a P1 resolve's autoclose step, its PIR's first
    // reminder and the PIR's opening).
    await this.inserts.idle();
    await this.fileJob(job);
  }

  private async fileJob(job: Job): Promise<void> {
    const written = Math.max(job.createdAt.getTime(), this.clock?.().getTime() ?? 0);
    const filed = new Date(Math.max(job.dueAt.getTime(), written));
    // Filings of this process go through one group commit, whose writes go one after another and number a write's
    // slots apart (a burst of tickets' SLA jobs never tries the same free slot twice): jobs asked in one turn, in the
    // same minute or not, go in one insert (a P1 resolve's PIR opening and its page's teardown, both due now).
    await this.filings.push({ minute: minuteKey(filed), job });
    // Due already (a page's first step, planned as the incident opens): the engine here need not wait for its poll.
    if (filed.getTime() <= written) for (const listener of this.dueListeners) listener();
  }

  /** `listener` hears of each job this process files that is due already (the job engine looks at once). */
  onDueNow(listener: () => void): () => void {
    this.dueListeners.add(listener);
    return () => this.dueListeners.delete(listener);
  }

  /**
   * Files a job recorded (`schedule`: an id planned before is refused, not filed again) or, `recorded` false, as a
   * slot only (`fileWithoutRecord`: one insert, for a job nothing reads by id and whose id is new).
   */
  async plan(job: Job, recorded: boolean): Promise<void> {
    if (recorded) await this.schedule(job);
    else await this.fileWithoutRecord(job);
  }

  /** Whether a job engine of this process is running (listening for jobs due at once): a job due now starts here. */
  get runsHere(): boolean {
    return this.dueListeners.size > 0;
  }

  /**
   * Files a job written before under the minute of `now` again: one whose filing was lost (its writer died
   * between the job and its slot). A job filed twice still runs once: its claim decides.
   */
  async refile(job: Job, now: Date): Promise<void> {
    await this.file(minuteKey(now), job);
  }

  /**
   * "Only once" for work a job does beside its messages (a history line): an insert beside the claims of the
   * day `at` falls in, dropped with them.
   */
  once(key: string, at: Date): Promise<boolean> {
    return this.lease.claim(`${key}!`, at);
  }

  private async file(minute: string, job: Job): Promise<void> {
    const slots = this.part<Slot>('job_slots');
    const at = new Date(`${minute}:00Z`);
    const hour = hourKey(at);
    // The hour's marker first: a walk that finds no marker passes the hour, so it must never miss a slot. An
    // hour this process has not marked goes in the same round trip as the slot, ahead of it (an ordered insert
    // stops at the first refusal, so the slot never lands without its marker).
    let marker: Slot | null = this.markedHours.has(hour) ? null : { _id: `hour:${hour}`, expireAt: expiry(at) };
    let n = this.nextSlot.get(minute) ?? 0;
    for (;;) {
      const slot: Slot = { _id: `${minute}#${n}`, job, expireAt: expiry(at) };
      try {
        if (marker) await slots.insertMany([marker, slot], { ordered: true });
        else await slots.insertOne(slot);
        if (marker) this.marked(hour);
        this.nextSlot.set(minute, n + 1);
        if (this.nextSlot.size > 10_000) this.nextSlot.delete(this.nextSlot.keys().next().value as string);
        return;
      } catch (e) {
        if (!isDuplicate(e)) throw e;
        if (marker) {
          // Refused at the marker (another process, or this one before a restart, marked the hour): the slot was
          // not tried. Refused at the slot: the marker went in, and the slot is taken.
          const refusedAt = (e as { writeErrors?: Array<{ index: number }> }).writeErrors?.[0]?.index ?? 0;
          marker = null;
          this.marked(hour);
          if (refusedAt === 0) continue;
        }
        n++;
      }
    }
  }

  /**
   * Files many jobs in one ordered insert: each new hour's marker ahead of the first slot filed in it, so a slot
   * never lands without its marker. An ordered insert stops at its first refusal: what went before it is filed,
   * the refused marker's hour is marked (or the refused slot's number taken), and the rest is tried again.
   * Writes of this process go one after another (the group commit's), so numbers probed here are its own.
   */
  private async fileAll(items: ReadonlyArray<{ minute: string; job: Job }>): Promise<undefined[]> {
    const slots = this.part<Slot>('job_slots');
    let left = [...items];
    while (left.length > 0) {
      const docs: Array<{ doc: Slot; item: number; marker: string | null }> = [];
      const taken = new Map<string, number>();
      const marking = new Set<string>();
      for (const [i, { minute, job }] of left.entries()) {
        const at = new Date(`${minute}:00Z`);
        const hour = hourKey(at);
        if (!this.markedHours.has(hour) && !marking.has(hour)) {
          marking.add(hour);
          docs.push({ doc: { _id: `hour:${hour}`, expireAt: expiry(at) }, item: i, marker: hour });
        }
        const n = taken.get(minute) ?? this.nextSlot.get(minute) ?? 0;
        taken.set(minute, n + 1);
        docs.push({ doc: { _id: `${minute}#${n}`, job, expireAt: expiry(at) }, item: i, marker: null });
      }
      let refused = docs.length;
      try {
        await slots.insertMany(
          docs.map((d) => d.doc),
          { ordered: true },
        );
      } catch (e) {
        if (!isDuplicate(e)) throw e;
        refused = (e as { writeErrors?: Array<{ index: number }> }).writeErrors?.[0]?.index ?? 0;
      }
      // Before the refusal: filed (a marker's hour marked, a slot's number used).
      for (const d of docs.slice(0, refused)) {
        if (d.marker) this.marked(d.marker);
        else this.used(d.doc._id);
      }
      const at = docs[refused];
      if (!at) return items.map(() => undefined);
      // The refused one: its hour was marked already, or its slot is taken; the next try knows it.
      if (at.marker) this.marked(at.marker);
      else this.used(at.doc._id);
      const done = new Set(
        docs
          .slice(0, refused)
          .filter((d) => !d.marker)
          .map((d) => d.item),
      );
      left = left.filter((_, i) => !done.has(i));
    }
    return items.map(() => undefined);
  }

  /** A slot `<minute>#<n>` is filled: the next one filed here tries `n + 1`. */
  private used(slotId: string): void {
    const cut = slotId.lastIndexOf('#');
    const minute = slotId.slice(0, cut);
    const n = Number(slotId.slice(cut + 1));
    if ((this.nextSlot.get(minute) ?? 0) <= n) this.nextSlot.set(minute, n + 1);
    if (this.nextSlot.size > 10_000) this.nextSlot.delete(this.nextSlot.keys().next().value as string);
  }

  /** The jobs filed under the minute `at` falls in: what the engine asks, without knowing how minutes are keyed. */
  filedIn(at: Date): Promise<Job[]> {
    return this.filedUnder(minuteKey(at));
  }

  /** The jobs filed under the minute `at` falls in, from slot `from` on: where the engine's last look stopped. */
  filedInSince(
    at: Date,
    from: number,
    max?: number,
    until?: number,
  ): Promise<{ jobs: Job[]; next: number; more: boolean }> {
    return this.filedSince(minuteKey(at), from, max, until);
  }

  private marked(hour: string): void {
    this.markedHours.add(hour);
    if (this.markedHours.size > 1000) this.markedHours.delete(this.markedHours.values().next().value as string);
  }

  /** Every job filed under a minute: one `_id` range read on MongoDB, single reads until a gap on FerretDB. */
  async filedUnder(minute: string): Promise<Job[]> {
    return (await this.filedSince(minute, 0)).jobs;
  }

  /**
   * The jobs filed under a minute from slot `from` on, and the slot to read from next time: a walk that comes back
   * to a minute reads only what was filed since (on FerretDB; on MongoDB the minute is one range read anyway). On
   * FerretDB at most about `max` slots are read (`more`: the last read found no gap), so a caller can start the first
   * jobs of a burst of thousands while the rest is still to be read.
   */
  async filedSince(
    minute: string,
    from: number,
    max = Number.POSITIVE_INFINITY,
    /** The slot not to read (a block's end): `next` reaching it says every slot before it was filled. */
    until = Number.POSITIVE_INFINITY,
  ): Promise<{ jobs: Job[]; next: number; more: boolean }> {
    const slots = this.part<Slot>('job_slots');
    if ((await serverProfile(this.connection)).idSetsIndexed) {
      const found = await slots.find({ _id: { $gt: `${minute}#`, $lt: `${minute}$` } }).toArray();
      const numbered = found
        .map((slot) => ({ slot, n: Number(slot._id.slice(slot._id.lastIndexOf('#') + 1)) }))
        .filter((x) => x.n < until);
      const since = numbered.filter((x) => x.n >= from).sort((x, y) => x.n - y.n);
      return {
        jobs: since.flatMap(({ slot }) => (slot.job ? [slot.job] : [])),
        next: Math.max(from, ...numbered.map((x) => x.n + 1)),
        more: false,
      };
    }
    const jobs: Job[] = [];
    // Slots are numbered from 0 without gaps (an add takes the first free number), so the first miss ends them.
    // Most minutes have none: one slot alone first, then a few at a time.
    for (let n = from, width = 1; ; n += width, width = Math.min(PROBES_AT_ONCE, until - n)) {
      if (n >= until) return { jobs, next: n, more: false };
      if (n - from >= max) return { jobs, next: n, more: true };
      // One `$in` read of the next few slots (served by the `_id` index: patches/ferretdb/0003).
      const wanted = Array.from({ length: width }, (_, k) => `${minute}#${n + k}`);
      const found = new Map((await slots.find({ _id: { $in: wanted } }).toArray()).map((d) => [d._id, d]));
      const batch = wanted.map((id) => found.get(id));
      for (const [k, slot] of batch.entries()) {
        if (!slot) return { jobs, next: n + k, more: false };
        if (slot.job) jobs.push(slot.job);
      }
    }
  }

  /**
   * Whether this database reads a minute slot by slot (FerretDB): there two engines split a burst into blocks of
   * slots, each read and run by the one that claimed it. On MongoDB a minute is one read anyway.
   */
  async slotBySlot(): Promise<boolean> {
    return !(await serverProfile(this.connection)).idSetsIndexed;
  }

  /** Whether slot `n` of the minute `at` falls in is filed (a block's first slot: the block exists). */
  async slotFiled(at: Date, n: number): Promise<boolean> {
    const id = `${minuteKey(at)}#${n}`;
    return (await this.part<Slot>('job_slots').findOne({ _id: id }, { projection: { _id: 1 } })) !== null;
  }

  /** Claims block `b` of a minute's slots (attempt `attempt`) for one engine: true for the one that took it. */
  claimBlock(at: Date, b: number, attempt: number, now: Date, owner: string): Promise<boolean> {
    return this.claims.push({ key: `${blockId(at, b)}#${attempt}`, at: now, owner, expireAt: expiry(at) });
  }

  /**
   * Records that a block's holder is done with it: `open` when it found a job it may not run here (a platform it
   * lacks), so every engine reads the block; else closed: every job in it ended. One insert; false if ended already.
   */
  endBlock(at: Date, b: number, open: boolean, now: Date): Promise<boolean> {
    const reason = open ? 'open' : 'closed';
    return this.ends.push({
      _id: blockId(at, b),
      outcome: 'done',
      at: now,
      reason,
      lateMs: null,
      expireAt: expiry(at),
    });
  }

  /**
   * What became of a block another engine holds: ended (`closed`), `open` to every engine, `free` (given back by an
   * engine that stopped, or held past the lease by one that stopped beating: the next attempt may be claimed) or
   * still `held`.
   */
  async blockState(
    at: Date,
    b: number,
    attempt: number,
    held: { since: number; now: number; leaseMs: number },
  ): Promise<'closed' | 'open' | 'free' | 'held'> {
    const end = await this.part<JobEnd>('job_ends').findOne({ _id: blockId(at, b) });
    if (end) return end.reason === 'open' ? 'open' : 'closed';
    // Who holds it is asked only once it has been held a while (a quarter of the lease): a block is given back only
    // by an engine that stops, and most blocks are closed sooner.
    if (held.now - held.since < held.leaseMs / 4) return 'held';
    const key = `${blockId(at, b)}#${attempt}`;
    if (!(await this.lease.holder(key))) return 'free';
    if (held.now - held.since < held.leaseMs) return 'held';
    return (await this.lease.abandoned(key, held.now, { since: held.since, leaseMs: held.leaseMs })) ? 'free' : 'held';
  }

  /** Gives back a block an engine that stops had not finished, so another takes it at its next look. */
  async releaseBlock(at: Date, b: number, attempt: number, owner: string): Promise<void> {
    await this.lease.release(`${blockId(at, b)}#${attempt}`, owner);
  }

  async get(ref: JobRef): Promise<Job | null> {
    return withoutExpiry(await this.part<Job>('jobs').findOne({ _id: ref._id }));
  }

  async endOf(ref: JobRef): Promise<JobEnd | null> {
    return withoutExpiry(await this.part<JobEnd>('job_ends').findOne({ _id: ref._id }));
  }

  /** Which of these jobs have ended (one read on MongoDB; single `_id` reads side by side on FerretDB). */
  async endedAmong(refs: readonly JobRef[]): Promise<Set<string>> {
    const found = await findByIds(
      this.part<JobEnd>('job_ends'),
      refs.map((r) => r._id),
      { _id: 1 },
    );
    return new Set(found.map((e) => e._id));
  }

  /** True for the one process that may run this attempt. Its claim goes with the job (`expireAt` from its due time). */
  claim(ref: JobRef, attempt: number, at: Date, owner: string): Promise<boolean> {
    return this.claims.push({ key: `${ref._id}#${attempt}`, at, owner, expireAt: expiry(ref.dueAt) });
  }

  /**
   * Whether an attempt another process holds may be taken over: held (since this process first saw it) past the
   * lease, by a process that has stopped beating.
   */
  abandoned(ref: JobRef, attempt: number, since: number, now: number, leaseMs: number): Promise<boolean> {
    return this.lease.abandoned(`${ref._id}#${attempt}`, now, { since, leaseMs });
  }

  /** Records how a job ended; false when it had ended already (a cancel racing a run, a second runner). */
  end(ref: JobRef, entry: Omit<JobEnd, '_id'>): Promise<boolean> {
    return this.ends.push({ _id: ref._id, ...entry, expireAt: expiry(ref.dueAt) });
  }

  /** Every document of one part (tests and tools: it reads the whole collection). */
  async all<T extends mongo.Document = Job>(part: Part): Promise<T[]> {
    const docs = await this.part<T & { expireAt?: Date }>(part).find({}).toArray();
    // The hour markers and the blocks' claims and ends are the walk's own bookkeeping.
    return docs
      .filter((d) => !String(d._id).startsWith(part === 'job_slots' ? 'hour:' : 'block:'))
      .map((d) => withoutExpiry(d) as T);
  }
}

const expiry = (at: Date): Date => expiresAfter(at, JOB_RETENTION_MS);
/** `block:2026-03-10T12:04/3`: block 3 of a minute's slots, its claims `…#<attempt>` and its end. */
const blockId = (at: Date, b: number): string => `block:${minuteKey(at)}/${b}`;

/** A document as the callers know it: `expireAt` is the store's own. */
function withoutExpiry<T>(doc: (T & { expireAt?: Date }) | null): T | null {
  if (!doc) return null;
  const { expireAt: _, ...rest } = doc;
  return rest as T;
}
