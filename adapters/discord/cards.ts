// Ticket cards on Discord: recorded where posted, a thread per ticket, edited in place when the ticket changes.
import { type Client, Routes } from 'discord.js';
import type { Logger } from 'pino';
import type { BotCore, CardRef } from '../../src/core/bot.ts';
import { BoundedMap } from '../../src/kit/boundedMap.ts';
import type { Reply } from '../../src/present/reply.ts';
import { DeliveryFailure, type PlatformSender, type Sent } from '../../src/present/sender.ts';
import type { PostedMessage } from './answer.ts';
import { isStructured, messageOf, restBody } from './render.ts';

/** A week: threads of open tickets should not vanish over a weekend. */
const THREAD_ARCHIVE_MINUTES = 10_080;

export interface CardDeps {
  client: Client;
  core: BotCore;
  log: Logger;
}

/** Threads known not to be ticket threads, briefly: chatter in other threads then costs no query each time. */
const NOT_A_TICKET_TTL_MS = 60_000;
/** Enough for every busy thread of a large server; beyond it the oldest are forgotten, not the process's memory. */
const MAX_THREADS_KEPT = 10_000;

type Where = { guildId: string | null; inThread: string | null };

export class DiscordCards {
  /** Cards being recorded, by message id (a thread started from a message shares its id). */
  private readonly recording = new Map<string, Promise<void>>();
  private readonly notTicket = new BoundedMap<string, true>(MAX_THREADS_KEPT, NOT_A_TICKET_TTL_MS);

  constructor(private readonly d: CardDeps) {}

  /**
   * A card went out as a public message. It is recorded, and gets a thread unless it was posted
   * in a thread or a DM, or another card of the ticket in that channel has one already.
   */
  async posted(reply: Reply, message: PostedMessage, where: Where): Promise<void> {
    if (!reply.card) return;
    const p = this.record(reply, message, where);
    this.recording.set(message.id, p);
    try {
      await p;
    } finally {
      this.recording.delete(message.id);
      this.notTicket.delete(message.id);
    }
  }

  /**
   * The ticket whose card thread this is. A card still being recorded for this thread is waited
   * for, so a message typed the moment the thread opened is not taken for chatter.
   */
  async ticketForThread(parentId: string, threadId: string): Promise<{ tenant: string; ticketId: string } | null> {
    await this.recording.get(threadId)?.catch(() => {});
    if (this.notTicket.has(threadId)) return null;
    const found = await this.d.core.ticketForThread('discord', parentId, threadId);
    if (found) this.notTicket.delete(threadId);
    else this.notTicket.set(threadId, true);
    return found;
  }

  private async record(reply: Reply, message: PostedMessage, where: Where): Promise<void> {
    const card = reply.card;
    if (!card) return;
    const base: CardRef = {
      tenant: card.tenant,
      ticketId: card.ticketId,
      platform: 'discord',
      channel: message.channelId,
      messageId: message.id,
    };
    // A card posted inside a thread gets no thread of its own and does not claim that one: the
    // thread keeps belonging to the ticket it was opened for.
    let thread: string | undefined;
    if (!where.inThread && where.guildId) {
      const existing = (await this.d.core.cardsFor(card.tenant, card.ticketId)).find(
        (c) => c.platform === 'discord' && c.channel === message.channelId && c.thread,
      );
      thread = existing?.thread ?? (await this.openThread(message, reply));
    }
    await this.d.core.recordCard({ ...base, ...(thread ? { thread } : {}) });
  }

  private async openThread(message: PostedMessage, reply: Reply): Promise<string | undefined> {
    const name = (reply.header ?? reply.card?.ticketId ?? 'ticket').slice(0, 100);
    try {
      const thread = (await this.d.client.rest.post(Routes.threads(message.channelId, message.id), {
        body: { name, auto_archive_duration: THREAD_ARCHIVE_MINUTES },
      })) as { id: string };
      return thread.id;
    } catch (err) {
      this.d.log.warn({ err, channel: message.channelId }, 'discord: could not open a thread for the card');
      return undefined;
    }
  }

  /** How many threads are remembered as not a ticket's (bounded). */
  get threadsKept(): number {
    return this.notTicket.size;
  }

  /**
   * Discord's part of the messaging port. discord.js waits out 429s per route bucket (per channel), so one
   * noisy channel does not hold back the others; what it cannot do is classified for the outbox.
   */
  sender(onCardShown: (card: Reply) => void): PlatformSender {
    const call = async <T>(work: () => Promise<T>): Promise<T> => {
      try {
        return await work();
      } catch (err) {
        throw classifyDiscordFailure(err);
      }
    };
    const post = async (channel: string, reply: Reply): Promise<Sent> => {
      if (reply.file) {
        const { file } = reply;
        const body = {
          content: (reply.header ?? reply.text).slice(0, 2000),
          allowed_mentions: { parse: [] },
          attachments: [{ id: 0, filename: file.name, description: file.alt.slice(0, 1024) }],
        };
        const res = (await call(() =>
          this.d.client.rest.post(Routes.channelMessages(channel), {
            body,
            files: [{ name: file.name, data: Buffer.from(file.base64, 'base64'), contentType: file.mime }],
          }),
        )) as { id?: string };
        return { messageId: res.id, channel };
      }
      const body =
        reply.visibility === 'thread' && !isStructured(reply)
          ? { content: reply.text.slice(0, 2000), allowed_mentions: { parse: [] } }
          : restBody(messageOf(reply));
      const res = (await call(() => this.d.client.rest.post(Routes.channelMessages(channel), { body }))) as {
        id?: string;
      };
      return { messageId: res.id, channel };
    };
    return {
      platform: 'discord',
      post: async (channel, reply) => post(channel, reply),
      dm: async (user, reply) => {
        const dm = (await call(() =>
          this.d.client.rest.post(Routes.userChannels(), { body: { recipient_id: user } }),
        )) as { id: string };
        return post(dm.id, reply);
      },
      edit: async (channel, messageId, reply) => {
        onCardShown(reply);
        await call(() =>
          this.d.client.rest.patch(Routes.channelMessage(channel, messageId), { body: restBody(messageOf(reply)) }),
        );
        return { messageId };
      },
      cannotPost: async (channel) => {
        try {
          await this.d.client.rest.get(Routes.channel(channel));
          return null;
        } catch (err) {
          const status = (err as { status?: number }).status;
          if (status === 404) return 'Discord does not know it (Unknown Channel)';
          if (status === 403) return 'the bot has no access to it (403)';
          return null;
        }
      },
      cardGone: async (channel, messageId, ctx) => {
        if (!ctx.ticketId) return;
        await this.d.core.forgetCard({
          tenant: ctx.tenant,
          ticketId: ctx.ticketId,
          platform: 'discord',
          channel,
          messageId,
        });
      },
    };
  }
}

/** The outbox's view of a failed Discord call. */
export function classifyDiscordFailure(err: unknown): DeliveryFailure {
  const e = err as { code?: unknown; status?: number; message?: string };
  const code = typeof e?.code === 'number' ? e.code : undefined;
  if (code === 50007) return new DeliveryFailure('permanent', '403 user has DMs closed (50007)');
  if (code === 10003 || code === 10008) {
    return new DeliveryFailure(
      'permanent',
      `404 ${code === 10003 ? 'unknown channel' : 'unknown message'} (${code})`,
      undefined,
      true,
    );
  }
  if (code === 10013) return new DeliveryFailure('permanent', '404 unknown user (10013)');
  if (code === 50001 || code === 50013) {
    return new DeliveryFailure(
      'permanent',
      `403 ${code === 50001 ? 'missing access' : 'missing permissions'} (${code})`,
    );
  }
  if (e?.status === 429) return new DeliveryFailure('rate_limited', '429 rate limited', 1000);
  if (e?.status !== undefined && e.status >= 400 && e.status < 500) {
    return new DeliveryFailure('permanent', `${e.status} ${e.message ?? 'refused'}`);
  }
  return new DeliveryFailure('transient', e?.status ? `HTTP ${e.status}` : (e?.message ?? String(err)));
}
