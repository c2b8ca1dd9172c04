// One Lease (claim, heartbeat, takeover): work is held by a unique insert of its key, kept while the holder's process beats, and taken over only once it has stopped.
import type { mongo } from 'mongoose';
import { type Heartbeats, isAliveBeat } from './heartbeats.ts';
import { BatchedInserts, insertEach } from './insertOnce.ts';

/** A claim as the store keeps it: the key is the `_id` (unique on every backend, the cheapest index to check). */
export interface ClaimDoc {
  _id: string;
  at: Date;
  owner?: string;
  expireAt?: Date;
}

/** Who holds a claim, and since when by the claimer's clock. */
export interface Holder {
  at: Date;
  owner: string | null;
}

/** How long a claim is kept by a holder no one has heard from: a claim is taken over only past it. */
export const LEASE_MS = 60_000;

/**
 * The claim-only form: "only once" by an insert into the `_id` index, atomic on every backend (FerretDB too,
 * which has no transactions and whose updates are read-then-write). Who lost learns it as `false`, never as a
 * duplicate-key code. A claim may carry its holder and be given back.
 */
export class Claims {
  /**
   * Claims asked for while one is on its way go together in the next insert (unordered: each still taken or
   * refused on its own). A burst's fifty openings claim their alert keys, job runs and ticket versions at once:
   * a few inserts, not fifty, ahead of the work they guard.
   */
  private readonly inserts: BatchedInserts<ClaimDoc>;

  constructor(
    protected readonly collection: mongo.Collection<ClaimDoc>,
    /** When a claim may go (TTL index or nightly sweep); unset: kept until pruned. */
    private readonly expireAt?: (at: Date) => Date,
  ) {
    this.inserts = new BatchedInserts(collection);
  }

  private doc(key: string, at: Date, owner?: string, expireAt?: Date): ClaimDoc {
    const expires = expireAt ?? this.expireAt?.(at);
    return { _id: key, at, ...(owner ? { owner } : {}), ...(expires ? { expireAt: expires } : {}) };
  }

  /**
   * True for the one caller whose insert took `key`; false for every later one. `expireAt` overrides when the
   * claim may go (a job's claim goes with its job).
   */
  async claim(key: string, at: Date, owner?: string, expireAt?: Date): Promise<boolean> {
    return this.claimCarrying(key, {}, at, owner, expireAt);
  }

  /**
   * A claim whose record is also the claimed work's first write (a ticket change's page is its version's claim):
   * `body` goes in the same insert, so taking the claim and writing it cost one round trip.
   */
  async claimCarrying(
    key: string,
    body: Readonly<Record<string, unknown>>,
    at: Date,
    owner?: string,
    expireAt?: Date,
  ): Promise<boolean> {
    return this.inserts.insert({ ...body, ...this.doc(key, at, owner, expireAt) });
  }

  /** Many claims in one round trip; resolves with the keys this caller took (a key taken already is left out). */
  async claimMany(keys: readonly string[], at: Date, owner?: string): Promise<Set<string>> {
    const ok = await insertEach(
      this.collection,
      keys.map((k) => this.doc(k, at, owner)),
    );
    return new Set(keys.filter((_, i) => ok[i]));
  }

  /** Claims of their own (time, holder, expiry) in one round trip: true for each this caller took. */
  claimEach(claims: ReadonlyArray<{ key: string; at: Date; owner?: string; expireAt?: Date }>): Promise<boolean[]> {
    return insertEach(
      this.collection,
      claims.map((c) => this.doc(c.key, c.at, c.owner, c.expireAt)),
    );
  }

  /** Who holds `key` (null: nobody claimed it). */
  async holder(key: string): Promise<Holder | null> {
    const doc = await this.collection.findOne({ _id: key }, { projection: { at: 1, owner: 1 } });
    return doc ? { at: doc.at, owner: doc.owner ?? null } : null;
  }

  async taken(key: string): Promise<boolean> {
    return (await this.collection.findOne({ _id: key }, { projection: { _id: 1 } })) !== null;
  }

  /** Gives a claim back (only the holder's, when `owner` is given), so the work it guarded can be tried again. */
  async release(key: string, owner?: string): Promise<boolean> {
    const r = await this.collection.deleteOne(owner ? { _id: key, owner } : { _id: key });
    return r.deletedCount > 0;
  }

  /** Forgets claims taken before `before` (nightly, where the claims carry no `expireAt`). */
  async prune(before: Date): Promise<number> {
    return (await this.collection.deleteMany({ at: { $lt: before } })).deletedCount;
  }
}

/**
 * A claim held by a running process: kept while that process beats (`process_heartbeats`, every 5 s), however slow
 * its work; taken over only once the claim has been held past the lease by a process that has stopped beating.
 */
export class Lease extends Claims {
  constructor(
    collection: mongo.Collection<ClaimDoc>,
    readonly heartbeats: Heartbeats,
    expireAt?: (at: Date) => Date,
  ) {
    super(collection, expireAt);
  }

  /** Whether the process `owner` still beats (its last beat within the lease): alive, however slow. */
  async alive(owner: string, now: number, leaseMs = LEASE_MS): Promise<boolean> {
    return isAliveBeat(await this.heartbeats.lastBeat(owner), now, leaseMs);
  }

  /**
   * Whether the work held by `key` may be taken over: held for at least the lease (since `since`, when this process
   * first saw it held, else since the claim's own time) by a process that no longer beats, or by nobody.
   */
  async abandoned(key: string, now: number, opts: { since?: number; leaseMs?: number } = {}): Promise<boolean> {
    const leaseMs = opts.leaseMs ?? LEASE_MS;
    if (opts.since !== undefined && now - opts.since < leaseMs) return false;
    const h = await this.holder(key);
    if (!h) return true;
    if (opts.since === undefined && now - h.at.getTime() <= leaseMs) return false;
    return !h.owner || !(await this.alive(h.owner, now, leaseMs));
  }
}
