// Reminders still to be sent: one small document each, removed once sent or cancelled (what list, cancel and release read).
import type { Connection, mongo } from 'mongoose';
import { GroupCommit } from './groupCommit.ts';
import { insertOnce } from './insertOnce.ts';
import { findByIds } from './serverProfile.ts';

export interface PendingReminder {
  tenant: string;
  /** `RM-4K2QX`: what the asker lists and cancels it by. */
  reminderId: string;
  personId: string;
  /** The asker's name, for the ledger of a ticket. */
  personName: string;
  /** The asker's identity (who the job is by). */
  by: string;
  ticketId: string;
  note: string | null;
  /** The asker's timezone when they asked: quiet hours are read in it unless they set one since. */
  timezone: string;
  /** When it was asked for. */
  dueAt: Date;
  /** The job that will send it, and when that job is due (later than `dueAt` while quiet hours hold it). */
  jobId: string;
  jobDueAt: Date;
  /** Held by the asker's quiet hours: a change to them releases it. */
  held: boolean;
  /** How often it was put off or released: numbers the next job, so each move has a job of its own. */
  moves: number;
  createdAt: Date;
}

type ReminderDoc = PendingReminder & { _id: string };
const keyOf = (tenant: string, reminderId: string) => `${tenant}/${reminderId}`;
const strip = ({ _id, ...r }: ReminderDoc): PendingReminder => r;

/**
 * Only reminders not yet sent are kept (a sent or cancelled one is removed), so the collection stays as small as
 * what people are waiting for: the scans by person or by ticket read a small bounded set, on FerretDB too.
 */
export class ReminderRepository {
  private readonly reminders: mongo.Collection<ReminderDoc>;
  /**
   * Reminders asked for at once (a burst of jobs falling due, each reading its own) are read in one `_id` list: one
   * read for many callers (an `$in` of ids the index serves on MongoDB and on the patched FerretDB, patch 0003).
   */
  private readonly reads = new GroupCommit<string, ReminderDoc | null>(async (keys) => {
    const found = new Map((await findByIds(this.reminders, [...new Set(keys)])).map((d) => [d._id, d]));
    return keys.map((k) => found.get(k) ?? null);
  });
  /** Sent reminders removed at once go in one delete (see `sent`). */
  private readonly sends = new GroupCommit<{ key: string; jobId: string }, undefined>(async (items) => {
    await this.reminders.deleteMany({
      _id: { $in: [...new Set(items.map((i) => i.key))] },
      jobId: { $in: [...new Set(items.map((i) => i.jobId))] },
    });
    return items.map(() => undefined);
  });

  constructor(connection: Connection) {
    this.reminders = connection.collection<ReminderDoc>('reminders');
  }

  /** False when the id is taken (the caller draws another). */
  add(r: PendingReminder): Promise<boolean> {
    return insertOnce(this.reminders, { _id: keyOf(r.tenant, r.reminderId), ...r });
  }

  /** One reminder; callers asking at once share one read. */
  async get(tenant: string, reminderId: string): Promise<PendingReminder | null> {
    const doc = await this.reads.push(keyOf(tenant, reminderId));
    return doc ? strip(doc) : null;
  }

  async ofPerson(tenant: string, personId: string): Promise<PendingReminder[]> {
    return (await this.reminders.find({ tenant, personId }).toArray()).map(strip);
  }

  async ofTicket(tenant: string, ticketId: string): Promise<PendingReminder[]> {
    return (await this.reminders.find({ tenant, ticketId }).toArray()).map(strip);
  }

  /** Moves it to another job, over the job read: false when it was sent, cancelled or moved meanwhile. */
  async move(
    r: PendingReminder,
    next: Pick<PendingReminder, 'jobId' | 'jobDueAt' | 'held' | 'moves'>,
  ): Promise<boolean> {
    const res = await this.reminders.updateOne({ _id: keyOf(r.tenant, r.reminderId), jobId: r.jobId }, { $set: next });
    return res.matchedCount === 1;
  }

  /**
   * Sent by the job `jobId`: gone, but only while that job is still the one to send it (one moved to another job
   * meanwhile stays). Reminders sent at once leave in one delete, `{_id: {$in}, jobId: {$in}}`, which removes exactly
   * the pairs asked for because a job sends one reminder only (its id names that reminder): a reminder in the list
   * pointing at a job in the list points at its own job. Served by the `_id` index (patches 0002 and 0003 on FerretDB).
   */
  sent(tenant: string, reminderId: string, jobId: string): Promise<void> {
    return this.sends.push({ key: keyOf(tenant, reminderId), jobId });
  }

  /** Cancelled: gone for good (a sent one goes by `sent`). */
  async remove(tenant: string, reminderId: string): Promise<boolean> {
    const res = await this.reminders.deleteOne({ _id: keyOf(tenant, reminderId) });
    return res.deletedCount === 1;
  }
}
