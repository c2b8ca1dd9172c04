// The outbox (messages waiting to go out: small, it takes the updates), its claims and its ledger (both insert-only).
import type { Connection, mongo } from 'mongoose';
import { Heartbeats } from './heartbeats.ts';

export type OutboxOp = 'post' | 'dm' | 'edit';

/** A message waiting to go out. Delivered or given up on, it leaves this collection for the ledger. */
export interface OutboxMessage {
  _id: string;
  tenant: string;
  ticketId: string | null;
  /** Messages of one lane (a channel, a DM) go out one at a time, in order; lanes do not wait for each other. */
  lane: string;
  /** Order within a lane. */
  seq: number;
  op: OutboxOp;
  platform: string;
  /** The channel (post, edit) or the platform user (dm). */
  channel: string;
  thread: string | null;
  /** The message an edit shows anew. */
  messageId: string | null;
  /** The platform-neutral Reply, as JSON-safe data. */
  reply: Record<string, unknown>;
  actorId: string | null;
  /** For edits: the ticket version shown, so an older edit never follows a newer one. */
  version: number | null;
  /** What it is, for the ledger: "card update", "thread line", "DM", "post". */
  what: string;
  /** Who it is for, for the ledger: "slack #C0123", "discord DM to ada". */
  to: string;
  attempt: number;
  dueAt: Date;
  createdAt: Date;
  lastError: string | null;
  /** How many 429s were waited out. */
  waited: number;
}

export type DeliveryOutcome = 'delivered' | 'failed' | 'skipped';

/** What became of one message: the record on-call and reviews are judged by. */
export interface LedgerEntry {
  messageId: string;
  tenant: string;
  ticketId: string | null;
  what: string;
  to: string;
  platform: string;
  outcome: DeliveryOutcome;
  reason: string | null;
  attempts: number;
  createdAt: Date;
  finishedAt: Date;
  platformMessageId: string | null;
}

type LedgerDoc = LedgerEntry & { _id: string };

import { expiresAfter, expiring, SHORT_RETENTION_MS } from './expiry.ts';
import { insertOnce, isDuplicateKey as isDuplicate } from './insertOnce.ts';

/** The most ledger entries read back for one ticket. */
const LEDGER_READ_MAX = 500;

/**
 * Layout for FerretDB, where every filter but `_id` scans and every update or delete scans even by `_id`:
 * only `outbox` is ever read with a filter, updated or deleted from, and it holds just what is waiting.
 * Claims and the ledger are only inserted into and read by `_id`, so delivering the next message costs
 * the same with a million delivered behind it.
 */
export class OutboxRepository {
  private readonly outbox: mongo.Collection<OutboxMessage>;
  private readonly claims: mongo.Collection<{ _id: string; at: Date; owner: string }>;
  /** The ids of keyed messages added, for a week: a second add of one delivered since is refused. */
  private readonly keys: mongo.Collection<{ _id: string; expireAt: Date }>;
  private readonly ledger: mongo.Collection<LedgerDoc>;
  /** Next free ledger slot per ticket, learnt by probing and kept while this process runs. */
  private readonly nextSlot = new Map<string, number>();

  /** Which processes are alive: a live holder's claim is never taken over (src/store/heartbeats.ts). */
  readonly heartbeats: Heartbeats;

  constructor(connection: Connection) {
    this.heartbeats = new Heartbeats(connection);
    this.outbox = connection.collection<OutboxMessage>('outbox');
    this.claims = connection.collection('outbox_claims');
    this.keys = connection.collection(expiring('outbox_keys'));
    this.ledger = connection.collection<LedgerDoc>('outbox_ledger');
  }

  async init(): Promise<void> {}

  async add(messages: OutboxMessage[]): Promise<void> {
    if (messages.length > 0) await this.outbox.insertMany(messages, { ordered: true });
  }

  /**
   * Adds messages that have ids of their own (derived from the work that sends them): one already waiting,
   * or already taken up for delivery, is not added again. Resolves with those added.
   */
  async addOnce(messages: OutboxMessage[]): Promise<OutboxMessage[]> {
    const added: OutboxMessage[] = [];
    for (const m of messages) {
      // Waiting already (a second run of the same work): nothing to add.
      try {
        await this.outbox.insertOne(m);
      } catch (e) {
        if (!isDuplicate(e)) throw e;
        continue;
      }
      // Added before and since delivered (it left the outbox): this one is a second send. The key is an insert
      // by `_id`, so the check costs the same however much was sent; a key expired (after a week) is caught by
      // the delivery claim (`<id>#0`, taken then), which no process can take again.
      if (await insertOnce(this.keys, { _id: m._id, expireAt: expiresAfter(m.createdAt, SHORT_RETENTION_MS) })) {
        added.push(m);
      } else {
        await this.outbox.deleteOne({ _id: m._id, attempt: 0 });
      }
    }
    return added;
  }

  /** Everything waiting (the collection is small: what is delivered leaves it). */
  async waiting(): Promise<OutboxMessage[]> {
    return this.outbox.find({}).toArray();
  }

  /** True for the one process that may deliver this attempt of this message. */
  claim(id: string, attempt: number, at: Date, owner: string): Promise<boolean> {
    return insertOnce(this.claims, { _id: `${id}#${attempt}`, at, owner });
  }

  /** Moves a message to its next attempt (a retry, or taking over a claim whose holder died). */
  async reschedule(
    id: string,
    fromAttempt: number,
    set: Pick<OutboxMessage, 'attempt' | 'dueAt'> & Partial<Pick<OutboxMessage, 'lastError' | 'waited'>>,
  ): Promise<void> {
    await this.outbox.updateOne({ _id: id, attempt: fromAttempt }, { $set: set });
  }

  /** Records what became of a message (and that it is finished); it then leaves the outbox with `remove`. */
  async record(entry: LedgerEntry): Promise<void> {
    // Finished first: a process that dies before its ledger line leaves a gap in the ledger, never a second send.
    await insertOnce(this.claims, { _id: `${entry.messageId}#done`, at: entry.finishedAt, owner: 'done' });
    await this.appendLedger(entry);
  }

  /** The process holding an attempt's claim (null: not claimed). */
  async claimOwner(id: string, attempt: number): Promise<string | null> {
    return (await this.claims.findOne({ _id: `${id}#${attempt}` }))?.owner ?? null;
  }

  /** Whether a message was finished (by any process), though it may still be in the outbox for a moment. */
  async finished(id: string): Promise<boolean> {
    return (await this.claims.findOne({ _id: `${id}#done` })) !== null;
  }

  /** Messages recorded as finished leave the outbox, many in one delete (each delete scans on FerretDB). */
  async remove(ids: string[]): Promise<void> {
    if (ids.length > 0) await this.outbox.deleteMany({ _id: { $in: ids } });
  }

  private async appendLedger(entry: LedgerEntry): Promise<void> {
    if (!entry.ticketId) {
      try {
        await this.ledger.insertOne({ _id: `${entry.tenant}/-/${entry.messageId}`, ...entry });
      } catch (e) {
        if (!isDuplicate(e)) throw e;
      }
      return;
    }
    // A ticket's entries are numbered slots read back by `_id`: no scan of everyone else's history.
    const key = `${entry.tenant}/${entry.ticketId}`;
    let slot = this.nextSlot.get(key) ?? 0;
    for (;;) {
      try {
        await this.ledger.insertOne({ _id: `${key}/L${slot}`, ...entry });
        this.nextSlot.set(key, slot + 1);
        return;
      } catch (e) {
        if (!isDuplicate(e)) throw e;
        slot++;
      }
    }
  }

  /** A ticket's ledger, oldest first. */
  async ledgerFor(tenant: string, ticketId: string): Promise<LedgerEntry[]> {
    const key = `${tenant}/${ticketId}`;
    const out: LedgerEntry[] = [];
    for (let slot = 0; slot < LEDGER_READ_MAX; slot++) {
      const doc = await this.ledger.findOne({ _id: `${key}/L${slot}` });
      if (!doc) break;
      const { _id, ...entry } = doc;
      out.push(entry);
    }
    return out;
  }

  /** Forgets claims older than `before` (nightly); a message is long gone by then. */
  async pruneClaims(before: Date): Promise<number> {
    return (await this.claims.deleteMany({ at: { $lt: before } })).deletedCount;
  }
}
