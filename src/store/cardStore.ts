// Where ticket cards were posted on each platform, so they can be edited and their threads read.
import type { Connection, mongo } from 'mongoose';

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

/** One document per ticket, keyed `${tenant}/${ticketId}`, listing its cards. */
interface TicketCards {
  _id: string;
  tenant: string;
  ticketId: string;
  refs: CardRef[];
}

/** Thread -> ticket, keyed `${platform}/${channel}/${thread}` and `${platform}/*\/${thread}`. */
interface ThreadOwner {
  _id: string;
  tenant: string;
  ticketId: string;
}

const isDuplicate = (e: unknown): boolean => (e as { code?: number }).code === 11000;

/**
 * Every lookup here is by _id, the one index FerretDB 1.x serves without scanning, so cards and
 * thread replies stay fast however many tickets there are.
 */
export class CardRepository {
  private readonly cards: mongo.Collection<TicketCards>;
  private readonly threads: mongo.Collection<ThreadOwner>;

  constructor(connection: Connection) {
    this.cards = connection.collection<TicketCards>('cards');
    this.threads = connection.collection<ThreadOwner>('card_threads');
  }

  async init(): Promise<void> {}

  async record(c: CardRecord): Promise<void> {
    const _id = `${c.tenant}/${c.ticketId}`;
    const ref: CardRef = {
      platform: c.platform,
      channel: c.channel,
      messageId: c.messageId,
      thread: c.thread,
      at: c.at,
    };
    const doc = await this.cards.findOne({ _id });
    const same = (r: CardRef) => r.platform === c.platform && r.channel === c.channel && r.messageId === c.messageId;
    const refs = [...(doc?.refs ?? []).filter((r) => !same(r)), ref];
    await this.cards.updateOne({ _id }, { $set: { tenant: c.tenant, ticketId: c.ticketId, refs } }, { upsert: true });
    if (!c.thread) return;
    // The first ticket to own a thread keeps it: an insert, refused for a thread already owned.
    for (const key of [`${c.platform}/${c.channel}/${c.thread}`, `${c.platform}/*/${c.thread}`]) {
      try {
        await this.threads.insertOne({ _id: key, tenant: c.tenant, ticketId: c.ticketId });
      } catch (e) {
        if (!isDuplicate(e)) throw e;
      }
    }
  }

  async forget(c: Pick<CardRecord, 'tenant' | 'ticketId' | 'platform' | 'channel' | 'messageId'>): Promise<void> {
    // Read and rewrite: FerretDB 1.x's $pull matches whole elements only, not a condition.
    const _id = `${c.tenant}/${c.ticketId}`;
    const doc = await this.cards.findOne({ _id });
    if (!doc) return;
    const refs = doc.refs.filter(
      (r) => !(r.platform === c.platform && r.channel === c.channel && r.messageId === c.messageId),
    );
    if (refs.length !== doc.refs.length) await this.cards.updateOne({ _id }, { $set: { refs } });
  }

  async forTicket(tenant: string, ticketId: string): Promise<CardRecord[]> {
    const doc = await this.cards.findOne({ _id: `${tenant}/${ticketId}` });
    return (doc?.refs ?? []).map((r) => ({ ...r, tenant, ticketId }));
  }

  /**
   * A Slack thread is named by channel + thread_ts, never by ts alone: a ts is unique only within its
   * channel, so another channel's (or workspace's) card could answer. A Discord thread is a channel of
   * its own, with an id unique across Discord.
   */
  async byThread(platform: string, channel: string, thread: string): Promise<ThreadOwner | null> {
    const exact = `${platform}/${channel}/${thread}`;
    const keys = platform === 'discord' ? [exact, `${platform}/*/${thread}`, `${platform}/*/${channel}`] : [exact];
    for (const key of keys) {
      const owner = await this.threads.findOne({ _id: key });
      if (owner) return owner;
    }
    return null;
  }
}
