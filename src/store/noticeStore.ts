// Notices told for good (an SLA threshold): one insert-only document each, read by `_id`, never pruned.
import type { Connection, mongo } from 'mongoose';
import { insertOnce } from './insertOnce.ts';

/**
 * The outbox's own keys are forgotten after a week with its claims; a notice that must never be repeated (a
 * ticket pending for longer re-plans its thresholds) is marked here once sent.
 */
export class NoticeRepository {
  private readonly told: mongo.Collection<{ _id: string; at: Date }>;

  constructor(connection: Connection) {
    this.told = connection.collection('notices_told');
  }

  async wasTold(key: string): Promise<boolean> {
    return (await this.told.findOne({ _id: key })) !== null;
  }

  /** False when it was marked already (another runner). */
  markTold(key: string, at: Date): Promise<boolean> {
    return insertOnce(this.told, { _id: key, at });
  }
}
