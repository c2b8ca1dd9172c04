// Reminders still to be sent: one small document each, removed once sent or cancelled (what list, cancel and release read).
import type { Connection, mongo } from 'mongoose';
import { insertOnce } from './insertOnce.ts';

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

  constructor(connection: Connection) {
    this.reminders = connection.collection<ReminderDoc>('reminders');
  }

  /** False when the id is taken (the caller draws another). */
  add(r: PendingReminder): Promise<boolean> {
    return insertOnce(this.reminders, { _id: keyOf(r.tenant, r.reminderId), ...r });
  }

  async get(tenant: string, reminderId: string): Promise<PendingReminder | null> {
    const doc = await this.reminders.findOne({ _id: keyOf(tenant, reminderId) });
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

  /** Gone for good (sent, or cancelled); given a job, only while that job is still the one to send it. */
  async remove(tenant: string, reminderId: string, jobId?: string): Promise<boolean> {
    const res = await this.reminders.deleteOne({ _id: keyOf(tenant, reminderId), ...(jobId ? { jobId } : {}) });
    return res.deletedCount === 1;
  }
}
