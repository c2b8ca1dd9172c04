// When a pending ticket's requester was nudged: one insert-only document per ticket and pending spell, read by _id.
import type { Connection, mongo } from 'mongoose';

interface NudgeDoc {
  _id: string;
  at: Date;
}

export class NudgeRepository {
  private readonly nudges: mongo.Collection<NudgeDoc>;

  constructor(connection: Connection) {
    this.nudges = connection.collection('ticket_nudges');
  }

  async nudgedAt(id: string): Promise<Date | null> {
    return (await this.nudges.findOne({ _id: id }))?.at ?? null;
  }

  /** Records the nudge; one recorded already (a run repeated) keeps its earlier time. */
  async record(id: string, at: Date): Promise<void> {
    try {
      await this.nudges.insertOne({ _id: id, at });
    } catch (e) {
      if ((e as { code?: number }).code !== 11000) throw e;
    }
  }
}
