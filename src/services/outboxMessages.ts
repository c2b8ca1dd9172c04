// Outbox messages as they are written: ids, lanes, the order within this process, and who delivers them.
import { randomBytes } from 'node:crypto';
import { isOnePlace, type Platform } from '../domain/platform.ts';
import type { Reply } from '../present/reply.ts';
import type { OutboxMessage } from '../store/outboxStore.ts';
import { type ChannelAddress, cardThreadOf } from './messaging.ts';

export interface TicketAbout {
  tenant: string;
  ticketId?: string | undefined;
  actorId?: string | undefined;
}

/** A card of a ticket, as recorded where it was posted. */
export interface CardPlace {
  platform: Platform;
  channel: string;
  messageId: string;
  thread?: string | undefined;
}

/** What a message says and where it goes; the rest is filled in when it is written. */
export type MessageDraft = Pick<OutboxMessage, 'op' | 'platform' | 'channel' | 'thread' | 'what' | 'to'> & {
  reply: Reply;
  messageId?: string;
  version?: number;
  lane?: string;
};

const asData = (r: Reply): Record<string, unknown> => JSON.parse(JSON.stringify(r)) as Record<string, unknown>;

/** A keyed message's `_id` is its key (work that may run twice sends it once): `k:<key>`. */
const keyedId = (key: string): string => `k:${key}`;
/** Whether a message was named by its key (a keyed one), not drawn at random. */
export const isKeyed = (id: string): boolean => id.startsWith('k:');

export class MessageMaker {
  private lastSeq = 0;

  constructor(
    private readonly now: () => Date,
    /** Who delivers what is written for a platform: this process, from memory, or (null) any process. */
    private readonly writerFor: (platform: string) => string | null,
  ) {}

  private message(about: TicketAbout, m: MessageDraft, id?: string): OutboxMessage {
    const at = this.now();
    return {
      _id: id ?? `${at.getTime().toString(36)}-${randomBytes(6).toString('hex')}`,
      tenant: about.tenant,
      ticketId: about.ticketId ?? null,
      lane: m.lane ?? `${m.platform}:${m.channel}`,
      seq: this.nextSeq(at),
      op: m.op,
      platform: m.platform,
      channel: m.channel,
      thread: m.thread,
      messageId: m.messageId ?? null,
      reply: asData(m.reply),
      actorId: about.actorId ?? null,
      version: m.version ?? null,
      what: m.what,
      to: m.to,
      attempt: 0,
      dueAt: at,
      createdAt: at,
      lastError: null,
      waited: 0,
      writer: this.writerFor(m.platform),
    };
  }

  /** A post in a channel (a line in a thread when `thread` is given); `key` names it for work that may run twice. */
  post(about: TicketAbout, where: ChannelAddress, reply: Reply, thread?: string, key?: string): OutboxMessage {
    return this.message(
      about,
      {
        op: 'post',
        platform: where.platform,
        channel: where.channel,
        thread: thread ?? null,
        reply,
        what: thread ? 'thread line' : 'post',
        to: `${where.platform} ${isOnePlace(where.platform) ? 'terminal' : `#${where.channel}`}${thread ? ' (thread)' : ''}`,
      },
      key ? keyedId(key) : undefined,
    );
  }

  /** One DM per platform identity a person has linked; `key` names them for work that may run twice. */
  dms(
    about: TicketAbout,
    identities: ReadonlyArray<{ identity: string; displayName: string }>,
    reply: Reply,
    key?: string,
  ): OutboxMessage[] {
    return identities.map((id) => {
      const [platform, user] = splitIdentity(id.identity);
      return this.message(
        about,
        {
          op: 'dm',
          platform,
          channel: user,
          thread: null,
          reply,
          what: 'DM',
          to: `${platform} DM to ${id.displayName}`,
          lane: `${platform}:dm:${user}`,
        },
        key ? keyedId(`${key}:${id.identity}`) : undefined,
      );
    });
  }

  /**
   * A ticket changed: each of its cards is shown anew, and each card thread (once, however many cards share
   * it) hears one line about the change.
   */
  ticketChange(
    about: TicketAbout,
    version: number,
    card: Reply,
    summary: string,
    cards: readonly CardPlace[],
  ): OutboxMessage[] {
    const messages: OutboxMessage[] = [];
    const threads = new Set<string>();
    for (const c of cards) {
      messages.push(
        this.message(about, {
          op: 'edit',
          platform: c.platform,
          channel: c.channel,
          thread: null,
          messageId: c.messageId,
          reply: card,
          version,
          what: 'card update',
          to: `${c.platform} #${c.channel}`,
        }),
      );
      // A card without a thread (one sent by DM) is only shown anew.
      const where = cardThreadOf(c);
      if (!where || !summary || threads.has(`${c.platform}:${c.thread}`)) continue;
      threads.add(`${c.platform}:${c.thread}`);
      messages.push(
        this.message(about, {
          op: 'post',
          platform: c.platform,
          channel: where.channel,
          thread: where.thread,
          reply: { text: summary, visibility: 'thread' },
          what: 'thread line',
          to: `${c.platform} #${where.channel} (thread)`,
        }),
      );
    }
    return messages;
  }

  /** Increasing within this process, whatever the clock does; across processes, roughly by time written. */
  private nextSeq(at: Date): number {
    this.lastSeq = Math.max(this.lastSeq + 1, at.getTime() * 1000);
    return this.lastSeq;
  }
}

const platformOf = (p: string): Platform => p as Platform;

function splitIdentity(identity: string): [Platform, string] {
  const i = identity.indexOf(':');
  return [platformOf(identity.slice(0, i)), identity.slice(i + 1)];
}
