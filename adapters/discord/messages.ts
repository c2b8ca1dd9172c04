// Messages in: a message in a ticket's thread is a comment; a mention of the bot (or a DM) is a text command.
import type { Client, Message } from 'discord.js';
import type { Logger } from 'pino';
import type { BotCore } from '../../src/core/bot.ts';
import type { Invocation } from '../../src/core/invocation.ts';
import { splitFirstWord } from '../../src/kit/typedText.ts';
import { type WorkQueue, WorkQueueFull } from '../../src/kit/workQueue.ts';
import type { Reply } from '../../src/present/reply.ts';
import { busy, newRef } from './answer.ts';
import type { DiscordCards } from './cards.ts';
import { actorOf, messageLink, originOf, workspaceOf } from './identity.ts';
import { neutralMentions } from './mentions.ts';
import { messageOf } from './render.ts';

export interface MessageDeps {
  client: Client;
  core: BotCore;
  log: Logger;
  cards: DiscordCards;
  work: WorkQueue;
}

export class DiscordMessages {
  constructor(private readonly d: MessageDeps) {}

  async handle(m: Message): Promise<void> {
    if (m.author.bot || m.system || m.webhookId) return;
    const botId = this.d.client.user?.id;
    const mentioned = Boolean(botId && m.mentions.users.has(botId));
    // Chatter outside threads, not addressed to the bot, costs nothing and takes no place in the pool.
    if (!m.channel.isThread() && !mentioned && m.guildId) return;
    try {
      await this.d.work.run(async () => {
        const text = this.withoutBotMention(m.content, botId);
        if (m.channel.isThread() && (await this.comment(m, text))) return;
        if (mentioned || !m.guildId) await this.command(m, text);
      });
    } catch (err) {
      if (err instanceof WorkQueueFull) {
        const ref = newRef();
        this.d.log.warn(
          { ref, message: m.id, waiting: err.waiting },
          'discord: message not handled, too much work waiting',
        );
        // Only someone who addressed the bot is answered: a thread message may just be chatter.
        if (mentioned || !m.guildId) await this.replyTo(m, busy(ref));
        return;
      }
      this.d.log.error({ err, message: m.id }, 'discord: message handling failed');
    }
  }

  private withoutBotMention(content: string, botId: string | undefined): string {
    return (botId ? content.replace(new RegExp(`<@!?${botId}>`, 'g'), '') : content).trim();
  }

  /** True when the thread belongs to a ticket (the message was taken as its comment, or had no text). */
  private async comment(m: Message, text: string): Promise<boolean> {
    const thread = m.channel.isThread() ? m.channel : null;
    if (!thread) return false;
    const ticket = await this.d.cards.ticketForThread(thread.parentId ?? thread.id, thread.id);
    if (!ticket) return false;
    // Without the message content intent only mentions carry text: nothing to record then.
    if (!text) return true;
    const origin = originOf(
      workspaceOf(m.guildId, m.client),
      m.channelId,
      thread,
      messageLink(m.guildId, m.channelId, m.id),
    );
    const reply = await this.d.core.dispatch(`discord:message:${m.id}`, () =>
      this.d.core.commentInThread(ticket.ticketId, {
        actor: actorOf(m.author, m.member),
        origin: { ...origin, channel: origin.channel ?? m.channelId, thread: thread.id },
        text,
        deliveryId: m.id,
      }),
    );
    if (!reply) return true;
    if (reply.error) {
      await this.replyTo(m, reply);
    } else {
      await m.react('✅').catch((err) => this.d.log.warn({ err }, 'discord: could not react to a comment'));
    }
    return true;
  }

  /** `@Switchboard ticket list --mine`, or the same in a DM: the core parses the text. */
  private async command(m: Message, text: string): Promise<void> {
    // The rest goes to the core as typed (quotes, line breaks), people in the neutral form it reads.
    const [first, rest] = splitFirstWord(neutralMentions(text));
    const family = first.replace(/^\//, '').toLowerCase();
    const known = this.d.core.definitions().some((d) => d.command === family);
    const inv: Invocation = {
      actor: actorOf(m.author, m.member),
      origin: originOf(
        workspaceOf(m.guildId, m.client),
        m.channelId,
        m.channel,
        messageLink(m.guildId, m.channelId, m.id),
      ),
      command: known ? family : 'help',
      text: known ? rest : '',
      deliveryId: m.id,
    };
    const reply = await this.d.core.dispatch(`discord:message:${m.id}`, async () => {
      await this.rememberMentioned(m);
      return inv;
    });
    if (!reply) return;
    const sent = await this.replyTo(m, reply);
    if (reply.card && sent) {
      await this.d.cards.posted(
        reply,
        { id: sent.id, channelId: sent.channelId },
        {
          guildId: m.guildId,
          inThread: m.channel.isThread() ? m.channelId : null,
        },
      );
    }
  }

  /**
   * People mentioned in a text command are people Discord vouches for: remembered in the server, so
   * `@Switchboard role grant @ada agent` works before Ada has used the bot. Never throws.
   */
  private async rememberMentioned(m: Message): Promise<void> {
    const botId = this.d.client.user?.id;
    const people = [...m.mentions.users.values()].filter((u) => u.id !== botId && !u.bot).slice(0, 5);
    for (const u of people) {
      const actor = actorOf(u, m.mentions.members?.get(u.id));
      await this.d.core
        .rememberPerson(actor, workspaceOf(m.guildId, m.client))
        .catch((err) => this.d.log.warn({ err, person: actor.id }, 'discord: could not remember a mentioned person'));
    }
  }

  /** Messages cannot be ephemeral: a text command's answer is a reply to it, where it was asked. */
  private async replyTo(m: Message, reply: Reply): Promise<Message | null> {
    try {
      return await m.reply({ ...messageOf(reply), allowedMentions: { parse: [], repliedUser: false } });
    } catch (err) {
      this.d.log.warn({ err, message: m.id }, 'discord: could not answer a message');
      return null;
    }
  }
}
