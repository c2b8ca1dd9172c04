// Where ticket cards were posted on each platform, so they can be edited and their threads read.
import type { Connection, mongo } from 'mongoose';
import { BatchedInserts } from './insertOnce.ts';

export interface CardRecord {
  tenant: string;
  ticketId: string;
  platform: string;
  channel: string;
  messageId: string;
  thread: string | null;
  at: Date;
}

type CardRef = Omit<CardRecord, 'tenant' | 'ticketId'>;
type CardName = Pick<CardRecord, 'tenant' | 'ticketId' | 'platform' | 'channel' | 'messageId'>;

/**
 * One card in a numbered slot of its ticket, `${tenant}/${ticketId}#${n}`, taken by a unique insert:
 * two cards recorded at once (in one process or two) land in two slots, and neither is lost.
 */
interface CardSlot extends CardRef {
  _id: string;
}

/**
 * A card no longer kept, in a numbered slot of its own, `${tenant}/${ticketId}~${n}`: it hides the card
 * in every slot up to `upTo` (those read when it was forgotten), so a later card of the same message shows.
 */
interface ForgottenSlot {
  _id: string;
  platform: string;
  channel: string;
  messageId: string;
  upTo: number;
}

/** Cards of a ticket as the first layout kept them: one document, `${tenant}/${ticketId}`, rewritten on change. */
interface LegacyTicketCards {
  _id: string;
  refs: CardRef[];
}

/** Thread -> ticket, keyed `${platform}/${channel}/${thread}`. */
interface ThreadOwner {
  _id: string;
  tenant: string;
  ticketId: string;
}

const threadKey = (platform: string, channel: string, thread: string): string => `${platform}/${channel}/${thread}`;
const cardSlot = (tenant: string, ticketId: string, n: number): string => `${tenant}/${ticketId}#${n}`;
const forgottenSlot = (tenant: string, ticketId: string, n: number): string => `${tenant}/${ticketId}~${n}`;
const sameMessage = (a: Omit<CardName, 'tenant' | 'ticketId'>, b: Omit<CardName, 'tenant' | 'ticketId'>) =>
  a.platform === b.platform && a.channel === b.channel && a.messageId === b.messageId;

/** Slots read at once: most tickets have one to three cards, so one round trip reads them all and the first gap. */
const READ_AHEAD = 4;
/** Tickets whose slots this process keeps (the most recently read). */
const KNOWN_TICKETS = 5000;

const isDuplicate = (e: unknown): boolean => (e as { code?: number }).code === 11000;

/**
 * Every read here is a `find({_id})`, the one query FerretDB 1.x serves without scanning, and every write an
 * insert (never an update, which FerretDB does by scanning), so cards and thread replies stay fast however
 * many tickets there are, and concurrent records never overwrite each other.
 */
export class CardRepository {
  private readonly slots: mongo.Collection<CardSlot>;
  /** Cards recorded at once (a burst's incidents posted side by side) go in one insert. */
  private readonly slotInserts: BatchedInserts<CardSlot>;
  private readonly forgotten: mongo.Collection<ForgottenSlot>;
  private readonly legacy: mongo.Collection<LegacyTicketCards>;
  private readonly threads: mongo.Collection<ThreadOwner>;
  /** The slots read so far, per collection and ticket (slots are insert-only: what was read stays true). */
  private readonly known = new Map<string, unknown[]>();
  private readonly legacyKnown = new Map<string, LegacyTicketCards | null>();

  constructor(connection: Connection) {
    this.slots = connection.collection<CardSlot>('card_slots');
    this.slotInserts = new BatchedInserts(this.slots);
    this.forgotten = connection.collection<ForgottenSlot>('card_slots_forgotten');
    this.legacy = connection.collection<LegacyTicketCards>('cards');
    this.threads = connection.collection<ThreadOwner>('card_threads');
  }

  async init(): Promise<void> {}

  async record(c: CardRecord): Promise<void> {
    // The thread owner first: a reply typed the moment the card appears already finds its ticket.
    if (c.thread) {
      // The first ticket to own a thread keeps it: an insert, refused for a thread already owned.
      try {
        await this.threads.insertOne({
          _id: threadKey(c.platform, c.channel, c.thread),
          tenant: c.tenant,
          ticketId: c.ticketId,
        });
      } catch (e) {
        if (!isDuplicate(e)) throw e;
      }
    }
    const ref: CardRef = {
      platform: c.platform,
      channel: c.channel,
      messageId: c.messageId,
      thread: c.thread,
      at: c.at,
    };
    // Into the first free slot; one taken meanwhile by another record just moves this one to the next. The slots
    // this process knows (all of a ticket it opened: none) are not read again: the insert finds out for itself.
    const key = `${this.slots.collectionName}\u0000${c.tenant}\u0000${c.ticketId}`;
    const known = this.known.get(key);
    const start = known ? known.length : (await this.readSlots(this.slots, cardSlot, c.tenant, c.ticketId)).length;
    for (let n = start; ; n++) {
      const slot: CardSlot = { _id: cardSlot(c.tenant, c.ticketId, n), ...ref };
      if (!(await this.slotInserts.insert(slot))) continue;
      // Written right after the slots known: they are known up to it now (the next read asks only past it).
      const now = this.known.get(key);
      if (now && now.length === n) this.known.set(key, [...now, slot]);
      return;
    }
  }

  async forget(c: CardName): Promise<void> {
    const taken = await this.readSlots(this.slots, cardSlot, c.tenant, c.ticketId);
    const upTo = taken.length - 1;
    const name = { platform: c.platform, channel: c.channel, messageId: c.messageId };
    for (let n = (await this.readSlots(this.forgotten, forgottenSlot, c.tenant, c.ticketId)).length; ; n++) {
      try {
        await this.forgotten.insertOne({ _id: forgottenSlot(c.tenant, c.ticketId, n), ...name, upTo });
        return;
      } catch (e) {
        if (!isDuplicate(e)) throw e;
      }
    }
  }

  async forTicket(tenant: string, ticketId: string): Promise<CardRecord[]> {
    const [slots, legacy] = await Promise.all([
      this.readSlots(this.slots, cardSlot, tenant, ticketId),
      this.legacyOf(tenant, ticketId),
    ]);
    // A forget only hides cards: with none recorded there is nothing it could hide, and nothing to read.
    if (slots.length === 0 && !legacy) return [];
    const forgotten = await this.readSlots(this.forgotten, forgottenSlot, tenant, ticketId);
    // Legacy cards come before slot 0; a forget hides them whatever its `upTo`.
    const all = [...(legacy?.refs ?? []).map((r) => ({ ref: r, n: -1 })), ...slots.map((s, n) => ({ ref: s, n }))];
    const alive = all.filter(({ ref, n }) => !forgotten.some((f) => sameMessage(f, ref) && n <= f.upTo));
    // The same message recorded twice is one card, as last recorded.
    const byMessage = new Map<string, CardRef>();
    for (const { ref } of alive) {
      const key = `${ref.platform}:${ref.channel}:${ref.messageId}`;
      byMessage.delete(key);
      byMessage.set(key, ref);
    }
    return [...byMessage.values()].map((r) => ({
      platform: r.platform,
      channel: r.channel,
      messageId: r.messageId,
      thread: r.thread,
      at: r.at,
      tenant,
      ticketId,
    }));
  }

  /**
   * Slots 0, 1, 2, ... up to the first free one. A slot never changes once written, so the slots this process has
   * read are kept, and only the next one is asked about (one read, not four, for a ticket seen before); a ticket
   * not seen before is read READ_AHEAD `_id` reads at a time.
   */
  private async readSlots<T extends { _id: string }>(
    collection: mongo.Collection<T>,
    slotId: (tenant: string, ticketId: string, n: number) => string,
    tenant: string,
    ticketId: string,
  ): Promise<T[]> {
    const key = `${collection.collectionName}\u0000${tenant}\u0000${ticketId}`;
    const known = this.known.get(key) as T[] | undefined;
    const found: T[] = known ? [...known] : [];
    for (let width = known ? 1 : READ_AHEAD; ; width = READ_AHEAD) {
      const from = found.length;
      const batch = await Promise.all(
        Array.from(
          { length: width },
          (_, i) => collection.findOne({ _id: slotId(tenant, ticketId, from + i) } as never) as Promise<T | null>,
        ),
      );
      for (const doc of batch) {
        if (!doc) {
          this.known.delete(key);
          this.known.set(key, found);
          if (this.known.size > KNOWN_TICKETS) this.known.delete(this.known.keys().next().value as string);
          return found;
        }
        found.push(doc);
      }
    }
  }

  /** A ticket just opened: none of its slots is taken and it has no first-layout cards (nothing to read yet). */
  noCardsYet(tenant: string, ticketId: string): void {
    for (const name of [this.slots.collectionName, this.forgotten.collectionName]) {
      const key = `${name}\u0000${tenant}\u0000${ticketId}`;
      if (!this.known.has(key)) this.known.set(key, []);
    }
    this.legacyKnown.set(`${tenant}/${ticketId}`, null);
    while (this.known.size > 2 * KNOWN_TICKETS) this.known.delete(this.known.keys().next().value as string);
    while (this.legacyKnown.size > KNOWN_TICKETS)
      this.legacyKnown.delete(this.legacyKnown.keys().next().value as string);
  }

  /** The first layout's cards of a ticket: never written any more, so read once per ticket in this process. */
  private async legacyOf(tenant: string, ticketId: string): Promise<LegacyTicketCards | null> {
    const id = `${tenant}/${ticketId}`;
    if (this.legacyKnown.has(id)) return this.legacyKnown.get(id) ?? null;
    const doc = await this.legacy.findOne({ _id: id });
    this.legacyKnown.set(id, doc);
    if (this.legacyKnown.size > KNOWN_TICKETS) this.legacyKnown.delete(this.legacyKnown.keys().next().value as string);
    return doc;
  }

  /**
   * A Slack thread is named by channel + thread_ts, never by ts alone: a ts is unique only within its
   * channel, so another channel's (or workspace's) card could answer. A Discord thread is a channel of
   * its own, with an id unique across Discord.
   */
  /** The ticket owning a thread, named exactly as its card was recorded: channel and thread. */
  async byThread(platform: string, channel: string, thread: string): Promise<ThreadOwner | null> {
    return this.threads.findOne({ _id: threadKey(platform, channel, thread) });
  }
}
