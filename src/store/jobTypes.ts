// A durable one-shot job, and how it ended: the types the job engine, the services and the store share.

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
