// Each running process says it is alive every few seconds: a claim held by a live (if slow) process is never taken over.
import type { Connection, mongo } from 'mongoose';

/** How often a process beats. A holder is taken for dead only when its last beat is older than the lease. */
export const BEAT_MS = 5000;

/** A beat this recent says its process is alive (however slow); none, or an older one, says it stopped. */
export const isAliveBeat = (beat: Date | null, now: number, leaseMs: number): boolean =>
  beat !== null && now - beat.getTime() < leaseMs;
const KEEP_MS = 86_400_000;

/**
 * One small document per process (`_id`: its owner token), updated in place. Processes come and go, so beats
 * older than a day are deleted now and then, keeping the collection (which every update scans on FerretDB) small.
 */
export class Heartbeats {
  private readonly beats: mongo.Collection<{ _id: string; at: Date }>;
  private count = 0;

  constructor(connection: Connection) {
    this.beats = connection.collection('process_heartbeats');
  }

  async beat(owner: string, at: Date): Promise<void> {
    await this.beats.updateOne({ _id: owner }, { $set: { at } }, { upsert: true });
    if (this.count++ % 720 === 0) await this.beats.deleteMany({ at: { $lt: new Date(at.getTime() - KEEP_MS) } });
  }

  async lastBeat(owner: string): Promise<Date | null> {
    return (await this.beats.findOne({ _id: owner }))?.at ?? null;
  }

  /** The process stopped on purpose: it says so at once, so what it held is taken over without waiting out a lease. */
  async gone(owner: string): Promise<void> {
    await this.beats.deleteOne({ _id: owner });
  }

  /** Beats for `owner` every BEAT_MS until the returned function is called; a failed beat is tried at the next. */
  keepBeating(owner: string, now: () => Date, onError: (err: unknown) => void): () => void {
    const beat = () => void this.beat(owner, now()).catch(onError);
    beat();
    const timer = setInterval(beat, BEAT_MS);
    timer.unref();
    return () => clearInterval(timer);
  }
}
