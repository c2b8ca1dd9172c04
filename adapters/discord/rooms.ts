// Discord's rooms for major incidents: a public thread in the channel the incident came from (or its team's), its
// responders added, archived when the incident resolves; or, with DISCORD_INCIDENT_CATEGORY, a text channel under
// that category, its responders mentioned, its topic kept, renamed `closed-…` days after the ticket closes. Either
// way the card is posted in it and pinned.
import {
  ChannelType,
  type Client,
  type GuildTextBasedChannel,
  type Message,
  Routes,
  ThreadAutoArchiveDuration,
} from 'discord.js';
import type { RoomOpening, RoomRequest, RoomSender } from '../../src/present/rooms.ts';
import { messageOf } from './render.ts';

/** Discord's refusals that mean the bot may not open a thread there: told to the declarer. */
const NO_THREAD: Readonly<Record<number, string>> = {
  50013:
    'the bot lacks the Create Public Threads permission in that channel (50013): re-invite it with the URL in the README',
  50001: 'the bot cannot see that channel (50001 missing access)',
  160002: 'threads cannot be opened in that channel (160002)',
};
/** Refusals of a channel under the incidents category: told to the declarer. */
const NO_CHANNEL: Readonly<Record<number, string>> = {
  50013:
    'the bot lacks the Manage Channels permission in the incidents category (50013): re-invite it with the URL in the README',
  50001: 'the bot cannot see the incidents category (50001 missing access)',
  10003: 'DISCORD_INCIDENT_CATEGORY names no channel the bot can see (10003 unknown channel)',
  30013: 'the server has as many channels as Discord allows (30013)',
};
/** Why the card could not be pinned, as the declarer reads it. */
const NO_PIN: Readonly<Record<number, string>> = {
  50013: 'the bot lacks the Pin Messages permission there (50013)',
  30003: 'the room has 50 pinned messages already (30003)',
};
/** A topic change Discord holds back (two per ten minutes per channel) is dropped after this long, not waited for. */
const TOPIC_WAIT_MS = 3_000;
const CLOSED = 'closed-';

const codeOf = (err: unknown): number | undefined => {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'number' ? code : undefined;
};
const failure = (err: unknown): string | number => codeOf(err) ?? (err as Error)?.message ?? 'error';

export interface DiscordRoomsOptions {
  /** DISCORD_INCIDENT_CATEGORY: rooms are channels under this category; threads while unset. */
  category?: string | undefined;
}

export function discordRooms(client: Client, o: DiscordRoomsOptions = {}): RoomSender {
  return {
    // A channel stays to be read back (as Slack's does) and goes days after the ticket closes; a thread at resolve.
    archiveWhen: o.category ? 'closed' : 'resolved',
    async open(req: RoomRequest): Promise<RoomOpening> {
      const opened = o.category ? await openChannel(client, o.category, req) : await openThreadRoom(client, req);
      if ('reason' in opened) return { opened: false, reason: opened.reason };
      const { room, notes } = opened;
      let card: Message | undefined;
      try {
        card = await room.send(messageOf(req.card));
      } catch (err) {
        notes.push(`posting the card failed (${failure(err)})`);
      }
      if (card) {
        try {
          await card.pin('the major incident card');
        } catch (err) {
          notes.push(`pinning the card failed: ${NO_PIN[codeOf(err) ?? 0] ?? failure(err)}`);
        }
      }
      // A channel takes whoever may see the category: its responders are called in by a mention.
      if (!room.isThread() && req.members.length > 0) {
        try {
          await room.send({
            content: `Responders: ${req.members.map((m) => `<@${m}>`).join(' ')}`,
            allowedMentions: { users: req.members },
          });
        } catch (err) {
          notes.push(`mentioning the responders failed (${failure(err)})`);
        }
      }
      return {
        opened: true,
        channel: room.id,
        name: room.name,
        link: `https://discord.com/channels/${room.guildId}/${room.id}`,
        notes,
      };
    },
    async setTopic(channel: string, topic: string): Promise<void> {
      // A thread shows no topic: its card and the room's lines say the status.
      const room = client.channels.cache.get(channel);
      if (room?.isThread()) return;
      if (!o.category && !room) return;
      await client.rest.patch(Routes.channel(channel), {
        body: { topic: topic.slice(0, 1024) },
        reason: 'the major incident changed',
        signal: AbortSignal.timeout(TOPIC_WAIT_MS),
      });
    },
    async archive(channel: string): Promise<void> {
      const room = await client.channels.fetch(channel);
      if (room?.isThread()) {
        if (!room.archived) await room.setArchived(true, 'the major incident resolved');
        return;
      }
      if (room?.type === ChannelType.GuildText && !room.name.startsWith(CLOSED)) {
        await room.setName(`${CLOSED}${room.name}`.slice(0, 100), 'the major incident is closed');
      }
    },
  };
}

type Opened = { room: GuildTextBasedChannel; notes: string[] } | { reason: string };

/** A public thread, without a starter message, in the text channel it came from; its responders added. */
async function openThreadRoom(client: Client, req: RoomRequest): Promise<Opened> {
  if (!req.from) {
    return {
      reason: 'there is no channel to open its thread in (declare it in a channel, or give its team a channel)',
    };
  }
  let thread: Awaited<ReturnType<typeof openThread>>;
  try {
    thread = await openThread(client, req.from, req.name);
  } catch (err) {
    const reason = NO_THREAD[codeOf(err) ?? 0];
    if (reason) return { reason };
    throw err;
  }
  if (!thread) return { reason: 'the channel it came from is not a text channel' };
  const notes: string[] = [];
  for (const member of req.members) {
    try {
      await thread.members.add(member);
    } catch (err) {
      notes.push(`adding <@${member}> to the thread failed (${failure(err)})`);
    }
  }
  return { room: thread, notes };
}

async function openThread(client: Client, from: string, name: string) {
  const parent = await client.channels.fetch(from);
  if (!parent || parent.type !== ChannelType.GuildText) return null;
  return parent.threads.create({
    name: name.slice(0, 100),
    type: ChannelType.PublicThread,
    autoArchiveDuration: ThreadAutoArchiveDuration.OneWeek,
    reason: 'major incident room',
  });
}

/** A text channel under the incidents category, its topic the incident's status and commander. */
async function openChannel(client: Client, categoryId: string, req: RoomRequest): Promise<Opened> {
  try {
    const category = await client.channels.fetch(categoryId);
    if (category?.type !== ChannelType.GuildCategory) {
      return { reason: `DISCORD_INCIDENT_CATEGORY (${categoryId}) is not a category channel` };
    }
    const room = await category.guild.channels.create({
      name: req.name.slice(0, 100),
      type: ChannelType.GuildText,
      parent: category.id,
      topic: req.topic.slice(0, 1024),
      reason: 'major incident room',
    });
    return { room, notes: [] };
  } catch (err) {
    const reason = NO_CHANNEL[codeOf(err) ?? 0];
    if (reason) return { reason };
    throw err;
  }
}
