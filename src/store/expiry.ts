// What expires and when: every such document carries `expireAt`; a TTL index removes it on MongoDB, the nightly sweep on FerretDB.
import type { Connection, mongo } from 'mongoose';
import { serverProfile } from './serverProfile.ts';

const DAY = 86_400_000;
/** Jobs, their slots, claims and ends stay this long after they are due: a year of review runs stays readable. */
export const JOB_RETENTION_MS = 400 * DAY;
/**
 * Files the outbox sent (charts, exports), the marks of alert notifications told and the keys of messages sent
 * once stay this long: a message gives up within hours, and a sender retries within minutes.
 */
export const SHORT_RETENTION_MS = 7 * DAY;

/** The field every expiring document carries: the instant it may go. */
export const EXPIRES = 'expireAt';

/** The collections whose documents expire (each store that writes one lists it here, once). */
const EXPIRING = new Set<string>();

/** A store names a collection whose documents carry `expireAt`. */
export function expiring(collection: string): string {
  EXPIRING.add(collection);
  return collection;
}

/** `at` moved on by a retention: what a document's `expireAt` is set to. */
export const expiresAfter = (at: Date, retentionMs: number): Date => new Date(at.getTime() + retentionMs);

/**
 * Where the server removes expired documents itself (MongoDB, Atlas), a TTL index on `expireAt` in each expiring
 * collection; where it cannot (FerretDB 1.x has no TTL), nothing: `sweepExpired` does it nightly.
 */
export async function declareExpiry(connection: Connection): Promise<void> {
  if (!(await serverProfile(connection)).ttl) return;
  for (const name of EXPIRING) {
    await (connection.db as mongo.Db)
      .collection(name)
      .createIndex({ [EXPIRES]: 1 }, { expireAfterSeconds: 0, name: 'expireAt_ttl' });
  }
}

/**
 * The nightly rule for a server without TTL: deletes what has expired in every expiring collection (a scan each,
 * once a night). On a server with TTL its index does this, and the sweep does nothing. Resolves with how many went.
 */
export async function sweepExpired(connection: Connection, now: Date): Promise<number> {
  if ((await serverProfile(connection)).ttl) return 0;
  let removed = 0;
  for (const name of EXPIRING) {
    const r = await (connection.db as mongo.Db).collection(name).deleteMany({ [EXPIRES]: { $lte: now } });
    removed += r.deletedCount;
  }
  return removed;
}
