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

/** Thread -> ticket, keyed `${platform}/${channel}/${thread}`. */
interface ThreadOwner {
  _id: string;
  tenant: string;
  ticketId: string;
}

const threadKey = (platform: string, channel: string, thread: string): string => `${platform}/${channel}/${thread}`;

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
    const doc = await this.cards.findOne({ _id });
    const same = (r: CardRef) => r.platform === c.platform && r.channel === c.channel && r.messageId === c.messageId;
    const refs = [...(doc?.refs ?? []).filter((r) => !same(r)), ref];
    await this.cards.updateOne({ _id }, { $set: { tenant: c.tenant, ticketId: c.ticketId, refs } }, { upsert: true });
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
  /** The ticket owning a thread, named exactly as its card was recorded: channel and thread. */
  async byThread(platform: string, channel: string, thread: string): Promise<ThreadOwner | null> {
    return this.threads.findOne({ _id: threadKey(platform, channel, thread) });
  }
}
