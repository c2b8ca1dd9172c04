// The outbox (messages waiting to go out: small, it takes the updates), its claims and its ledger (both insert-only).
import type { Connection, mongo } from 'mongoose';
import { GroupCommit } from './groupCommit.ts';
import { Heartbeats } from './heartbeats.ts';
import { Lease } from './lease.ts';
import { findByIds } from './serverProfile.ts';

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
  /**
   * The process that wrote it and delivers it from memory (it holds the claim of attempt 0 from the write on);
   * null (or absent, before this field): any process that runs its platform delivers it.
   */
  writer?: string | null;
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

import { insertEach, isDuplicateKey as isDuplicate } from './insertOnce.ts';

/** One write's messages: the held ones (a writer) have their first attempt claimed in the same write. */
type Adding = { m: OutboxMessage; once: boolean };

/** Ids in one delete (the patched FerretDB narrows an `$in` of up to 1,000 by the index). */
const DELETES_AT_ONCE = 1000;
/** Slots looked at past a ticket's waiting entries when learning where its ledger ends. */
const LEDGER_LOOK_AHEAD = 16;
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
  /** Attempt claims `<message>#<attempt>` and finish marks `<message>#done`. */
  private readonly claims: Lease;
  private readonly ledger: mongo.Collection<LedgerDoc>;
  /** Next free ledger slot per ticket, learnt by probing and kept while this process runs. */
  private readonly nextSlot = new Map<string, number>();
  /** Messages written at once (a burst, a change's cards) go in one insert, and their claims in one more. */
  private readonly adds = new GroupCommit<Adding, boolean>((items) => this.writeAdds(items));
  /** Messages finished at once are recorded together: their finish marks in one insert, their ledger lines in one. */
  private readonly records = new GroupCommit<LedgerEntry, undefined>((entries) => this.writeRecords(entries));

  /** Which processes are alive: a live holder's claim is never taken over (src/store/heartbeats.ts). */
  readonly heartbeats: Heartbeats;

  constructor(connection: Connection) {
    this.heartbeats = new Heartbeats(connection);
    this.outbox = connection.collection<OutboxMessage>('outbox');
    this.claims = new Lease(connection.collection('outbox_claims'), this.heartbeats);
    this.ledger = connection.collection<LedgerDoc>('outbox_ledger');
  }

  async init(): Promise<void> {}

  /**
   * Writes messages to the outbox; a message with a `writer` has its first attempt claimed by it in the same
   * write (its writer delivers it from memory). Resolves, per message, whether its writer holds that claim.
   */
  async add(messages: OutboxMessage[]): Promise<boolean[]> {
    return Promise.all(messages.map((m) => this.adds.push({ m, once: false })));
  }

  /**
   * Adds messages that have ids of their own (derived from the work that sends them): one already waiting,
   * or already taken up for delivery, is not added again. Resolves with those added (and whether each is held).
   */
  async addOnce(messages: OutboxMessage[]): Promise<Array<{ m: OutboxMessage; held: boolean }>> {
    const out = await Promise.all(
      messages.map(async (m) => {
        const r = await this.adds.push({ m, once: true });
        return r === null ? null : { m, held: r };
      }),
    );
    return out.filter((x): x is { m: OutboxMessage; held: boolean } => x !== null);
  }

  /**
   * One write of many adds: the messages, then the first claims of held ones. A keyed message's `_id` is its key:
   * one still waiting refuses the insert. One added before and taken up for delivery since (it left the outbox) is
   * found by its first attempt's claim (`<id>#0`, kept a week like the finish mark `<id>#done`): a held one's claim
   * is refused here, and it goes again at once; one without a writer is refused that claim by whoever would deliver
   * it, who finds it finished and lets it go unsent (src/services/outboxFromDatabase.ts). No key of its own is
   * written, so a keyed add costs what any add costs.
   */
  private async writeAdds(items: Adding[]): Promise<boolean[]> {
    const fresh = await insertEach(
      this.outbox,
      items.map((i) => i.m),
    );
    const held = items.filter((i, k) => fresh[k] && i.m.writer);
    const won = new Set<string>();
    const byWriter = new Map<string, string[]>();
    for (const i of held) {
      const w = i.m.writer as string;
      byWriter.set(w, [...(byWriter.get(w) ?? []), `${i.m._id}#${i.m.attempt}`]);
    }
    for (const [writer, keys] of byWriter) {
      for (const k of await this.claims.claimMany(keys, held[0]?.m.createdAt ?? new Date(), writer)) won.add(k);
    }
    // A keyed message written just now whose first attempt was claimed already: an earlier copy was taken up for
    // delivery and has left the outbox. This one is a second send, and goes (only this copy: its attempt is 0).
    for (const i of held) {
      if (!i.once || won.has(`${i.m._id}#${i.m.attempt}`)) continue;
      fresh[items.indexOf(i)] = false;
      await this.outbox.deleteOne({ _id: i.m._id, attempt: 0 });
    }
    // Keyed messages answer null when they were not added; others whether their writer holds them.
    return items.map((i, k) =>
      !fresh[k] ? (i.once ? (null as unknown as boolean) : false) : won.has(`${i.m._id}#${i.m.attempt}`),
    );
  }

  /** Everything waiting (the collection is small: what is delivered leaves it). */
  async waiting(): Promise<OutboxMessage[]> {
    return this.outbox.find({}).toArray();
  }

  /** What waits for anyone but `writer`: that process delivers its own from memory. */
  async waitingForOthers(writer: string): Promise<OutboxMessage[]> {
    return this.outbox.find({ writer: { $ne: writer } }).toArray();
  }

  /** True for the one process that may deliver this attempt of this message. */
  claim(id: string, attempt: number, at: Date, owner: string): Promise<boolean> {
    return this.claims.claim(`${id}#${attempt}`, at, owner);
  }

  /**
   * A writer that will not deliver its messages after all (it stops, or another process took one over) gives
   * them to every process: its claim of their attempt goes, and they lose their writer.
   */
  async handBack(messages: readonly OutboxMessage[], owner: string): Promise<void> {
    await Promise.all(
      messages.map(async (m) => {
        await this.outbox.updateOne({ _id: m._id, attempt: m.attempt }, { $set: { writer: null } });
        await this.claims.release(`${m._id}#${m.attempt}`, owner);
      }),
    );
  }

  /**
   * Whether the attempt's claim may be taken over: held past the lease (since this process first saw it held)
   * by a process that has stopped beating.
   */
  abandoned(id: string, attempt: number, since: number, now: number, leaseMs: number): Promise<boolean> {
    return this.claims.abandoned(`${id}#${attempt}`, now, { since, leaseMs });
  }

  /** Whether the process `owner` still beats within `leaseMs`. */
  alive(owner: string, now: number, leaseMs: number): Promise<boolean> {
    return this.claims.alive(owner, now, leaseMs);
  }

  /** Moves a message to its next attempt (a retry, or taking over a claim whose holder died). */
  async reschedule(
    id: string,
    fromAttempt: number,
    set: Pick<OutboxMessage, 'attempt' | 'dueAt'> & Partial<Pick<OutboxMessage, 'lastError' | 'waited'>>,
  ): Promise<void> {
    await this.outbox.updateOne({ _id: id, attempt: fromAttempt }, { $set: set });
  }

  /**
   * Records what became of a message (and that it is finished); it then leaves the outbox with `remove`. Messages
   * finished at once are recorded in one write.
   */
  async record(entry: LedgerEntry): Promise<void> {
    await this.records.push(entry);
  }

  private async writeRecords(entries: LedgerEntry[]): Promise<undefined[]> {
    // Finished first: a process that dies before its ledger line leaves a gap in the ledger, never a second send.
    await this.claims.claimMany(
      entries.map((e) => `${e.messageId}#done`),
      entries[0]?.finishedAt ?? new Date(),
      'done',
    );
    const docs: LedgerDoc[] = [];
    const slots = new Map<string, number>();
    for (const entry of entries) {
      if (!entry.ticketId) {
        docs.push({ _id: `${entry.tenant}/-/${entry.messageId}`, ...entry });
        continue;
      }
      // A ticket's entries are numbered slots read back by `_id`: no scan of everyone else's history.
      const key = `${entry.tenant}/${entry.ticketId}`;
      const slot = slots.get(key) ?? this.nextSlot.get(key) ?? 0;
      slots.set(key, slot + 1);
      docs.push({ _id: `${key}/L${slot}`, ...entry });
    }
    const ok = await insertEach(this.ledger, docs);
    for (const [key, next] of slots) this.nextSlot.set(key, Math.max(this.nextSlot.get(key) ?? 0, next));
    // Slots another process took meanwhile: those entries go on to the next free ones, together in one insert a
    // round (two processes writing about the same tickets collide often in a burst), one alone after a few rounds.
    // Each round first reads where those tickets' ledgers end now (one read of their next slots by `_id`), so it
    // lands past what the other process wrote, not one slot further each round.
    let left = entries.filter((e, k) => !ok[k] && e.ticketId);
    for (let round = 0; left.length > 0 && round < 4; round++) {
      await this.learnLedgerEnds(left);
      const again = left.map((entry) => {
        const key = `${entry.tenant}/${entry.ticketId}`;
        const slot = this.nextSlot.get(key) ?? 0;
        this.nextSlot.set(key, slot + 1);
        return { _id: `${key}/L${slot}`, ...entry };
      });
      const took = await insertEach(this.ledger, again);
      left = left.filter((_, k) => !took[k]);
    }
    for (const entry of left) await this.appendLedger(entry);
    return entries.map(() => undefined);
  }

  /**
   * Where the ledgers of these entries' tickets end now: the first slot not taken, from this process's next slot on,
   * read by `_id` (as many slots past it as the ticket has entries waiting, and a few more), again past a window
   * found full, one `$in` read for all the tickets at a time.
   */
  private async learnLedgerEnds(entries: readonly LedgerEntry[]): Promise<void> {
    const waiting = new Map<string, number>();
    for (const e of entries) {
      const key = `${e.tenant}/${e.ticketId}`;
      waiting.set(key, (waiting.get(key) ?? 0) + 1);
    }
    for (let look = 0; look < 8 && waiting.size > 0; look++) {
      const wanted: string[] = [];
      for (const [key, n] of waiting) {
        const from = this.nextSlot.get(key) ?? 0;
        for (let slot = from; slot < from + n + LEDGER_LOOK_AHEAD; slot++) wanted.push(`${key}/L${slot}`);
      }
      const taken = new Set((await findByIds(this.ledger, wanted, { _id: 1 })).map((d) => d._id));
      for (const [key, n] of [...waiting]) {
        const from = this.nextSlot.get(key) ?? 0;
        let slot = from;
        while (taken.has(`${key}/L${slot}`)) slot++;
        this.nextSlot.set(key, slot);
        // A free slot inside the window: this ticket's ledger ends there.
        if (slot < from + n + LEDGER_LOOK_AHEAD) waiting.delete(key);
      }
    }
  }

  /** Whether a message was finished (by any process), though it may still be in the outbox for a moment. */
  finished(id: string): Promise<boolean> {
    return this.claims.taken(`${id}#done`);
  }

  /**
   * Messages recorded as finished leave the outbox, up to 1,000 in one `delete` of an `_id` list: served by the `_id`
   * index on MongoDB and on the patched FerretDB (patches/ferretdb/0003 narrows an `$in` of ids for its deletes as
   * for its reads: a tenth of the cost of single deletes by `_id` sent as statements of one command).
   */
  async remove(ids: string[]): Promise<void> {
    for (let i = 0; i < ids.length; i += DELETES_AT_ONCE) {
      await this.outbox.deleteMany({ _id: { $in: ids.slice(i, i + DELETES_AT_ONCE) } });
    }
  }

  /** A ticket's entry in the first free slot, probing past those taken. */
  private async appendLedger(entry: LedgerEntry): Promise<void> {
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
    return this.claims.prune(before);
  }
}
