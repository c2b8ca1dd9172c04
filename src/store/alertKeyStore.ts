// Which incident an alert key (a groupKey, a dedup_key) is, generation by generation, and which notifications were told: insert-only, read by `_id`.
import type { Connection, mongo } from 'mongoose';
import { expiresAfter, expiring, SHORT_RETENTION_MS } from './expiry.ts';
import { Heartbeats } from './heartbeats.ts';
import { BatchedInserts, insertOnce } from './insertOnce.ts';
import { dayKey } from './jobStore.ts';
import { Lease } from './lease.ts';

/** A notification told: its hash, and when it was last heard (a repeat moves it on). */
interface SeenDoc {
  _id: string;
  at: Date;
  expireAt: Date;
}

/**
 * Two kinds of document share `alert_keys`, both inserted once and never updated (FerretDB scans the whole
 * collection on every update, and has no transactions); it grows with incidents, not notifications:
 * - `<key>#<g>`: generation g of the key is claimed (the claimer opens its incident);
 * - `<key>#<g>=`: generation g is incident `ticketId` (written by the claimer once it is open);
 * - `<key>#<g>!`: the claimer of generation g failed to open its incident and gave the generation up.
 * Which notifications were told (an alert's status at its start/end, an event) is a mark `<hash>` in `alert_seen`,
 * read and written by `_id`, expiring a week after it was last heard.
 */
interface AlertKeyDoc {
  _id: string;
  at: Date;
  ticketId?: string;
  /** The claimer's process token (its heartbeat says whether it is alive). */
  owner?: string;
}

export class AlertKeyRepository {
  private readonly keys: mongo.Collection<AlertKeyDoc>;
  private readonly seen: mongo.Collection<SeenDoc>;
  /** Marks of notifications taken in at once (one group's batch, and other groups' at the same time): one insert. */
  private readonly seenInserts: BatchedInserts<SeenDoc>;
  /** The claim of a generation: kept while its claimer's process beats, given up once it has stopped. */
  private readonly lease: Lease;

  constructor(connection: Connection) {
    this.keys = connection.collection('alert_keys');
    this.seen = connection.collection(expiring('alert_seen'));
    this.seenInserts = new BatchedInserts(this.seen);
    this.lease = new Lease(this.keys, new Heartbeats(connection));
  }

  /** True for the one caller that takes generation `gen` of `key`. */
  claim(key: string, gen: number, at: Date, owner?: string): Promise<boolean> {
    return this.lease.claim(`${key}#${gen}`, at, owner);
  }

  /**
   * Whether generation `gen`'s claimer has given it up without a word: its claim is older than `leaseMs` (by the
   * claimer's own time) and its process no longer beats (or it never said which process it was).
   */
  claimAbandoned(key: string, gen: number, now: Date, leaseMs: number): Promise<boolean> {
    return this.lease.abandoned(`${key}#${gen}`, now.getTime(), { leaseMs });
  }

  /** Records which incident generation `gen` opened; false when it was recorded already. */
  bind(key: string, gen: number, ticketId: string, at: Date): Promise<boolean> {
    // Inserted as the claims of this collection are: binds of incidents opened at once go in one insert.
    return this.lease.claimCarrying(`${key}#${gen}=`, { ticketId }, at);
  }

  /** The claimer could not open the incident: the generation is over, and the next sender claims the one after. */
  async abandon(key: string, gen: number, at: Date): Promise<void> {
    await insertOnce(this.keys, { _id: `${key}#${gen}!`, at });
  }

  async abandoned(key: string, gen: number): Promise<boolean> {
    return (await this.keys.findOne({ _id: `${key}#${gen}!` }, { projection: { _id: 1 } })) !== null;
  }

  async boundTo(key: string, gen: number): Promise<string | null> {
    return (await this.keys.findOne({ _id: `${key}#${gen}=` }))?.ticketId ?? null;
  }

  /**
   * The newest claimed generation, or null when the key was never seen: generations are claimed in order,
   * so doubling then halving finds it in O(log n) reads by `_id`, however often an alert has flapped.
   */
  async latestGeneration(key: string): Promise<number | null> {
    const has = async (g: number) =>
      (await this.keys.findOne({ _id: `${key}#${g}` }, { projection: { _id: 1 } })) !== null;
    if (!(await has(0))) return null;
    let lo = 0;
    let hi = 1;
    while (await has(hi)) {
      lo = hi;
      hi *= 2;
    }
    // lo is claimed, hi is not.
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (await has(mid)) lo = mid;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Marks each notification told; true for those this caller is the first to tell. A notification heard on the
   * UTC day before, or the same day, is a repeat (an alert still firing is re-sent every few hours, for days): a
   * repeat is a repeat however long it fires, as long as it comes at least once a day. Heard again after a longer
   * silence, it is told again.
   */
  async firstSeen(hashes: readonly string[], at: Date): Promise<boolean[]> {
    const expireAt = expiresAfter(at, SHORT_RETENTION_MS);
    const since = dayKey(new Date(at.getTime() - 86_400_000));
    // One insert for them all (a group's waiting notifications taken in together carry a mark each), shared with
    // the marks of other groups taken in at the same time.
    const fresh = await Promise.all(hashes.map((h) => this.seenInserts.insert({ _id: h, at, expireAt })));
    return Promise.all(
      hashes.map(async (h, n) => {
        if (fresh[n]) return true;
        // Heard before: moved on to now, and told again only when the last time was before yesterday.
        const before = await this.seen.findOneAndUpdate(
          { _id: h },
          { $set: { at, expireAt } },
          { returnDocument: 'before' },
        );
        return before !== null && dayKey(before.at) < since;
      }),
    );
  }

  /** Gives marks back when telling failed on our side, so the sender's retry is told. */
  async unsee(hashes: readonly string[], _at?: Date): Promise<void> {
    // One by `_id` each: a set of ids would scan on FerretDB.
    for (const h of hashes) await this.seen.deleteOne({ _id: h });
  }
}
