// Durable one-shot jobs: the job, the minute it is due in, its claims and its end, in one set of collections per UTC day. Insert-only.
import type { Connection, mongo } from 'mongoose';
import { Heartbeats } from './heartbeats.ts';
import { insertOnce, isDuplicateKey as isDuplicate } from './insertOnce.ts';

export interface Job {
  _id: string;
  tenant: string;
  /** Which handler runs it: `ticket.remind`. */
  kind: string;
  dueAt: Date;
  /** The handler's own data (JSON-safe). */
  payload: Record<string, unknown>;
  createdAt: Date;
  /** Who asked, for listing and refusals. */
  by: string | null;
  /** The ticket it is about, if any. */
  ticketId: string | null;
}

export type JobOutcome = 'done' | 'failed' | 'missed' | 'cancelled';

export interface JobEnd {
  _id: string;
  outcome: JobOutcome;
  at: Date;
  reason: string | null;
  /** How late it ran (ms after dueAt), when it ran. */
  lateMs: number | null;
}

/** What finds a job's claims and end: its id and the day it is due in. */
export type JobRef = Pick<Job, '_id' | 'dueAt'>;

/** `2026-03-10T12:04`: the minute a job is due in, in UTC. */
export const minuteKey = (at: Date): string => at.toISOString().slice(0, 16);
/** `20260310`: the UTC day a partition holds. */
export const dayKey = (at: Date): string => at.toISOString().slice(0, 10).replaceAll('-', '');

/** `2026031012`: the UTC hour a slot partition holds. */
const hourPart = (at: Date): string => dayKey(at) + at.toISOString().slice(11, 13);

/** The partitions: jobs, claims and ends by the day a job is due; slots by the hour it is filed in. */
type Part = 'jobs' | 'job_slots' | 'job_claims' | 'job_ends';
const PARTITION = /^(jobs|job_slots|job_claims|job_ends)_(\d{8})(\d{2})?$/;

type Slot = { _id: string; job?: Job };

/**
 * Laid out for FerretDB, where only an insert costs the same at any size (a read, even by `_id`, scans the
 * collection; every update and delete scans too): nothing is updated or deleted on the way, and every collection
 * holds one UTC day (slots: one hour). A job is found by the minute it is filed under, through numbered slots
 * `<minute>#<n>` (each carrying the job), a minute read in one range read; a claim is an insert of
 * `<job>#<attempt>`; the end is an insert of `<job>`, and the ends of many jobs are asked about in one read. So
 * walking, claiming and finishing jobs costs what that hour's and day's jobs cost, whatever the days before
 * hold; old days are dropped whole (`dropDaysBefore`).
 */
export class JobRepository {
  private readonly collections = new Map<string, mongo.Collection<never>>();
  /** One document: the oldest minute not yet left behind, so a restart knows what it missed. */
  private readonly cursor: mongo.Collection<{ _id: string; minute: Date }>;
  /** Next free slot per minute, learnt by probing and kept while this process runs. */
  private readonly nextSlot = new Map<string, number>();
  /** The last add filing under each minute in this process. */
  private readonly filing = new Map<string, Promise<void>>();

  /** Which processes are alive: a live holder's claim is never taken over (src/store/heartbeats.ts). */
  readonly heartbeats: Heartbeats;

  constructor(
    private readonly connection: Connection,
    /**
     * The process's clock, the job engine's own. A job is filed under the minute it is due, or the minute it is
     * written in when that is later: with a clock, "written in" is now, whatever `createdAt` the planner gave (a
     * change heard late across a minute boundary would otherwise be filed under a minute the engine has left).
     */
    private readonly clock?: () => Date,
  ) {
    this.cursor = connection.collection('job_cursor');
    this.heartbeats = new Heartbeats(connection);
  }

  private part<T extends mongo.Document>(part: Part, day: string): mongo.Collection<T> {
    const name = `${part}_${day}`;
    let c = this.collections.get(name);
    if (!c) {
      c = this.connection.collection<never>(name);
      this.collections.set(name, c);
      if (this.collections.size > 512) this.collections.delete(this.collections.keys().next().value as string);
    }
    return c as unknown as mongo.Collection<T>;
  }

  private slots(minute: string): mongo.Collection<Slot> {
    return this.part<Slot>('job_slots', hourPart(new Date(`${minute}:00Z`)));
  }

  /** Whether any job was ever filed in this hour: its slots collection has anything in it. */
  async hasHour(at: Date): Promise<boolean> {
    return (await this.part<Slot>('job_slots', hourPart(at)).findOne({}, { projection: { _id: 1 } })) !== null;
  }

  /** Where the walk through due minutes had got to (null on a new database). */
  async scannedTo(): Promise<Date | null> {
    return (await this.cursor.findOne({ _id: 'scan' }))?.minute ?? null;
  }

  /** A one-document collection: the update stays cheap. */
  async saveScannedTo(minute: Date): Promise<void> {
    await this.cursor.updateOne({ _id: 'scan' }, { $set: { minute } }, { upsert: true });
  }

  /**
   * Writes a job (a duplicate id is refused with code 11000: planned already) and files it under its minute: the
   * minute it is due, or the minute it was written when that is later (a job due already), so nothing is ever
   * filed under an hour that is over (see `hasHour`).
   */
  async add(job: Job): Promise<void> {
    await this.part<Job>('jobs', dayKey(job.dueAt)).insertOne(job);
    const written = Math.max(job.createdAt.getTime(), this.clock?.().getTime() ?? 0);
    const filed = new Date(Math.max(job.dueAt.getTime(), written));
    const minute = minuteKey(filed);
    // One after another per minute in this process: adds at once (a burst of tickets, each with its SLA jobs)
    // would all try the same free slot and probe past each other, quadratically.
    const mine = (this.filing.get(minute) ?? Promise.resolve()).then(() => this.file(minute, job));
    const done = mine.then(
      () => {},
      () => {},
    );
    this.filing.set(minute, done);
    try {
      await mine;
    } finally {
      if (this.filing.get(minute) === done) this.filing.delete(minute);
    }
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
    return insertOnce(this.part<{ _id: string; at: Date }>('job_claims', dayKey(at)), { _id: `${key}!`, at });
  }

  private async file(minute: string, job: Job): Promise<void> {
    const slots = this.slots(minute);
    let n = this.nextSlot.get(minute) ?? 0;
    for (;;) {
      try {
        await slots.insertOne({ _id: `${minute}#${n}`, job });
        this.nextSlot.set(minute, n + 1);
        if (this.nextSlot.size > 10_000) this.nextSlot.delete(this.nextSlot.keys().next().value as string);
        return;
      } catch (e) {
        if (!isDuplicate(e)) throw e;
        n++;
      }
    }
  }

  /**
   * Every job filed under a minute, in one read of its hour's slots (on FerretDB a read by `_id` scans the
   * collection as a range does, so one range read beats a read per slot).
   */
  async filedUnder(minute: string): Promise<Job[]> {
    const slots = await this.slots(minute)
      .find({ _id: { $gt: `${minute}#`, $lt: `${minute}$` } })
      .toArray();
    return slots.flatMap((slot) => (slot.job ? [slot.job] : []));
  }

  get(ref: JobRef): Promise<Job | null> {
    return this.part<Job>('jobs', dayKey(ref.dueAt)).findOne({ _id: ref._id });
  }

  endOf(ref: JobRef): Promise<JobEnd | null> {
    return this.part<JobEnd>('job_ends', dayKey(ref.dueAt)).findOne({ _id: ref._id });
  }

  /** Which of these jobs have ended: one read per day they are due in, however many are asked about. */
  async endedAmong(refs: readonly JobRef[]): Promise<Set<string>> {
    const byDay = new Map<string, string[]>();
    for (const ref of refs) {
      const day = dayKey(ref.dueAt);
      byDay.set(day, [...(byDay.get(day) ?? []), ref._id]);
    }
    const ended = new Set<string>();
    for (const [day, ids] of byDay) {
      for (let i = 0; i < ids.length; i += 1000) {
        const found = await this.part<JobEnd>('job_ends', day)
          .find({ _id: { $in: ids.slice(i, i + 1000) } }, { projection: { _id: 1 } })
          .toArray();
        for (const e of found) ended.add(e._id);
      }
    }
    return ended;
  }

  /** The process holding an attempt's claim (null: not claimed). */
  async claimOwner(ref: JobRef, attempt: number): Promise<string | null> {
    const c = this.part<{ _id: string; owner: string }>('job_claims', dayKey(ref.dueAt));
    return (await c.findOne({ _id: `${ref._id}#${attempt}` }))?.owner ?? null;
  }

  /** True for the one process that may run this attempt. */
  claim(ref: JobRef, attempt: number, at: Date, owner: string): Promise<boolean> {
    return insertOnce(this.part<{ _id: string; at: Date; owner: string }>('job_claims', dayKey(ref.dueAt)), {
      _id: `${ref._id}#${attempt}`,
      at,
      owner,
    });
  }

  /** Records how a job ended; false when it had ended already (a cancel racing a run, a second runner). */
  end(ref: JobRef, entry: Omit<JobEnd, '_id'>): Promise<boolean> {
    return insertOnce(this.part<JobEnd>('job_ends', dayKey(ref.dueAt)), { _id: ref._id, ...entry });
  }

  /** Every stored day's collections, oldest first: `{ day, part, name }`. */
  async days(): Promise<{ day: string; hour: string | null; part: Part; name: string }[]> {
    const db = this.connection.db;
    if (!db) return [];
    const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
    return names
      .map((name) => PARTITION.exec(name))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ day: m[2] as string, hour: m[3] ?? null, part: m[1] as Part, name: m[0] }))
      .sort((a, b) => a.day.localeCompare(b.day));
  }

  /** Drops whole days before `before` (their jobs ended long ago): resolves with how many collections went. */
  async dropDaysBefore(before: Date): Promise<number> {
    const cut = dayKey(before);
    let dropped = 0;
    for (const { day, name } of await this.days()) {
      if (day >= cut) break;
      await this.connection.db?.dropCollection(name).catch(() => false);
      this.collections.delete(name);
      dropped++;
    }
    return dropped;
  }

  /**
   * Before day partitions, jobs lived in one set of collections (`jobs`, `job_slots`, `job_claims`, `job_ends`,
   * `job_hours`). Jobs there that never ended are filed again in their days, then the old set is dropped. Safe to
   * run in several processes at once: filing a job twice is refused by its id.
   */
  async migrateUnpartitioned(now: Date): Promise<number> {
    const db = this.connection.db;
    if (!db) return 0;
    const names = new Set((await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name));
    if (!names.has('jobs')) return 0;
    const ended = new Set(
      (
        await this.connection
          .collection<{ _id: string }>('job_ends')
          .find({}, { projection: { _id: 1 } })
          .toArray()
      ).map((e) => e._id),
    );
    let moved = 0;
    for (const job of await this.connection.collection<Job>('jobs').find({}).toArray()) {
      if (ended.has(job._id)) continue;
      try {
        await this.add({ ...job, createdAt: new Date(Math.min(job.createdAt.getTime(), now.getTime())) });
        moved++;
      } catch (e) {
        if (!isDuplicate(e)) throw e;
      }
    }
    for (const name of ['jobs', 'job_slots', 'job_claims', 'job_ends', 'job_hours']) {
      if (names.has(name)) await db.dropCollection(name).catch(() => false);
    }
    return moved;
  }

  /** Every document of one part across its days (tests and tools: it reads every day). */
  async all<T extends mongo.Document = Job>(part: Part): Promise<T[]> {
    const out: T[] = [];
    for (const d of await this.days()) {
      if (d.part === part)
        out.push(
          ...((await this.part<T>(part, d.day + (d.hour ?? ''))
            .find({})
            .toArray()) as T[]),
        );
    }
    return out;
  }
}
