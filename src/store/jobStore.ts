// Durable one-shot jobs: the job, the minute it is due in, its claims and its end. Every collection here is insert-only.
import type { Connection, mongo } from 'mongoose';

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

import { insertOnce, isDuplicateKey as isDuplicate } from './insertOnce.ts';

/** `2026-03-10T12:04`: the minute a job is due in, in UTC. */
export const minuteKey = (at: Date): string => at.toISOString().slice(0, 16);
/** `2026-03-10T12`: the hour, in UTC. */
export const hourKey = (at: Date): string => at.toISOString().slice(0, 13);

/**
 * Laid out for FerretDB (every filter but `_id` scans; every update and delete scans even by `_id`): nothing is
 * ever updated or deleted on the way. A job is found by the minute it is due in, through numbered slots
 * `<minute>#<n>` read by `_id`; a claim is an insert of `<job>#<attempt>`; the end is an insert of `<job>`.
 * So finding, claiming and finishing one job costs the same with ten thousand pending and a million done.
 */
export class JobRepository {
  private readonly jobs: mongo.Collection<Job>;
  private readonly slots: mongo.Collection<{ _id: string; jobId: string }>;
  private readonly claims: mongo.Collection<{ _id: string; at: Date; owner: string }>;
  private readonly ends: mongo.Collection<JobEnd>;
  /** Hours that have any job filed in them: the walk skips an hour that is over and has none. */
  private readonly hours: mongo.Collection<{ _id: string }>;
  /** One document: the oldest minute not yet left behind, so a restart knows what it missed. */
  private readonly cursor: mongo.Collection<{ _id: string; minute: Date }>;
  /** Next free slot per minute, learnt by probing and kept while this process runs. */
  private readonly nextSlot = new Map<string, number>();
  /** The last add filing under each minute in this process. */
  private readonly filing = new Map<string, Promise<void>>();

  constructor(connection: Connection) {
    this.jobs = connection.collection<Job>('jobs');
    this.slots = connection.collection('job_slots');
    this.claims = connection.collection('job_claims');
    this.ends = connection.collection<JobEnd>('job_ends');
    this.cursor = connection.collection('job_cursor');
    this.hours = connection.collection('job_hours');
  }

  /** Whether any job was ever filed in this hour. */
  async hasHour(at: Date): Promise<boolean> {
    return (await this.hours.findOne({ _id: hourKey(at) })) !== null;
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
   * Writes a job and files it under its minute: the minute it is due, or the minute it was written when that
   * is later (a job due already), so nothing is ever filed under an hour that is over (see `hasHour`).
   */
  async add(job: Job): Promise<void> {
    await this.jobs.insertOne(job);
    const filed = new Date(Math.max(job.dueAt.getTime(), job.createdAt.getTime()));
    try {
      await this.hours.insertOne({ _id: hourKey(filed) });
    } catch (e) {
      if (!isDuplicate(e)) throw e;
    }
    const minute = minuteKey(filed);
    // One after another per minute in this process: adds at once (a burst of tickets, each with its SLA jobs)
    // would all try the same free slot and probe past each other, quadratically.
    const mine = (this.filing.get(minute) ?? Promise.resolve()).then(() => this.file(minute, job._id));
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

  private async file(minute: string, jobId: string): Promise<void> {
    let n = this.nextSlot.get(minute) ?? 0;
    for (;;) {
      try {
        await this.slots.insertOne({ _id: `${minute}#${n}`, jobId });
        this.nextSlot.set(minute, n + 1);
        return;
      } catch (e) {
        if (!isDuplicate(e)) throw e;
        n++;
      }
    }
  }

  /** The job ids filed under a minute from slot `from` on (slots are filled without gaps). */
  async filedUnder(minute: string, from = 0): Promise<string[]> {
    const ids: string[] = [];
    for (let n = from; ; n++) {
      const slot = await this.slots.findOne({ _id: `${minute}#${n}` });
      if (!slot) return ids;
      ids.push(slot.jobId);
    }
  }

  get(id: string): Promise<Job | null> {
    return this.jobs.findOne({ _id: id });
  }

  endOf(id: string): Promise<JobEnd | null> {
    return this.ends.findOne({ _id: id });
  }

  /** True for the one process that may run this attempt. */
  claim(id: string, attempt: number, at: Date, owner: string): Promise<boolean> {
    return insertOnce(this.claims, { _id: `${id}#${attempt}`, at, owner });
  }

  /** Records how a job ended; false when it had ended already (a cancel racing a run, a second runner). */
  end(entry: JobEnd): Promise<boolean> {
    return insertOnce(this.ends, entry);
  }
}
