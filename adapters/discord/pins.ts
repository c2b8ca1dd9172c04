// 📌 on a message in a major incident's room (its thread): the message's words go on the incident's timeline, once.
import type { MessageReaction, PartialMessageReaction, PartialUser, User } from 'discord.js';
import type { Logger } from 'pino';
import type { BotCore } from '../../src/core/bot.ts';
import type { WorkQueue } from '../../src/kit/workQueue.ts';
import { actorOf, displayNameOf, messageLink, originOf, workspaceOf } from './identity.ts';
import { messageOf } from './render.ts';

export const PIN_EMOJI = '📌';

export class DiscordPins {
  constructor(private readonly d: { core: BotCore; log: Logger; work: WorkQueue }) {}

  async handle(reaction: MessageReaction | PartialMessageReaction, user: User | PartialUser): Promise<void> {
    if (reaction.emoji.name !== PIN_EMOJI || user.id === reaction.client.user?.id || user.bot) return;
    try {
      await this.d.work.run(async () => {
        // Without the message cached (a restart, an old message) it is read once the delivery is claimed.
        const message = reaction.message.partial ? await reaction.message.fetch() : reaction.message;
        const who = user.partial ? await user.fetch() : user;
        const reply = await this.d.core.dispatch(`discord:reaction:${message.id}:${who.id}:pin`, () => ({
          actor: actorOf(who, message.guild?.members.cache.get(who.id)),
          origin: originOf(
            workspaceOf(message.guildId, message.client),
            message.channelId,
            message.channel,
            messageLink(message.guildId, message.channelId, message.id),
          ),
          command: 'incident',
          subcommand: 'pin',
          options: {
            message: message.id,
            text: message.content || '(a message with no words the bot can read)',
            author: displayNameOf(message.author, message.member),
          },
          deliveryId: message.id,
        }));
        // 📌 is used everywhere: outside an incident's room it means nothing here, and nobody is told.
        if (!reply || reply.error === 'INCIDENT.WHICH') return;
        if (reply.error) {
          await message.reply({ ...messageOf(reply), allowedMentions: { parse: [], repliedUser: false } });
        } else {
          await message.react('✅');
        }
      });
    } catch (err) {
      this.d.log.warn({ err, message: reaction.message.id }, 'discord: a 📌 could not be put on the timeline');
    }
  }
}
