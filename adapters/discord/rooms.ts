// Discord's rooms for major incidents: a public thread in the channel the incident came from (or its team's), its
// responders added and the card posted in it; archived when the incident resolves.
import { ChannelType, type Client, ThreadAutoArchiveDuration } from 'discord.js';
import type { RoomOpening, RoomRequest, RoomSender } from '../../src/present/rooms.ts';
import { messageOf } from './render.ts';

/** Discord's refusals that mean the bot may not open a thread there: told to the declarer. */
const NOT_ALLOWED: Readonly<Record<number, string>> = {
  50013:
    'the bot lacks the Create Public Threads permission in that channel (50013): re-invite it with the URL in the README',
  50001: 'the bot cannot see that channel (50001 missing access)',
  160002: 'threads cannot be opened in that channel (160002)',
};

const codeOf = (err: unknown): number | undefined => {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'number' ? code : undefined;
};

export function discordRooms(client: Client): RoomSender {
  return {
    archiveWhen: 'resolved',
    async open(req: RoomRequest): Promise<RoomOpening> {
      if (!req.from) {
        return {
          opened: false,
          reason: 'there is no channel to open its thread in (declare it in a channel, or give its team a channel)',
        };
      }
      let thread: Awaited<ReturnType<typeof openThread>>;
      try {
        thread = await openThread(client, req.from, req.name);
      } catch (err) {
        const reason = NOT_ALLOWED[codeOf(err) ?? 0];
        if (reason) return { opened: false, reason };
        throw err;
      }
      if (!thread) return { opened: false, reason: 'the channel it came from is not a text channel' };
      const notes: string[] = [];
      for (const member of req.members) {
        try {
          await thread.members.add(member);
        } catch (err) {
          notes.push(`adding <@${member}> to the thread failed (${codeOf(err) ?? (err as Error)?.message})`);
        }
      }
      try {
        await thread.send(messageOf(req.card));
      } catch (err) {
        notes.push(`posting the card failed (${codeOf(err) ?? (err as Error)?.message})`);
      }
      return {
        opened: true,
        channel: thread.id,
        name: thread.name,
        link: `https://discord.com/channels/${thread.guildId}/${thread.id}`,
        notes,
      };
    },
    // A thread shows no topic: its card and the room's lines say the status.
    async setTopic(): Promise<void> {},
    async archive(channel: string): Promise<void> {
      const thread = await client.channels.fetch(channel);
      if (thread?.isThread() && !thread.archived) await thread.setArchived(true, 'the major incident resolved');
    },
  };
}

/** A public thread, without a starter message, in a text channel; null when the channel takes none. */
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
