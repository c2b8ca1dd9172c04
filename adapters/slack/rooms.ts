// Slack's rooms for major incidents: a public channel made, its responders invited, the card posted and pinned,
// the topic set; archived days after the ticket closes (the job engine asks).
import type { App } from '@slack/bolt';
import type { RoomOpening, RoomRequest, RoomSender } from '../../src/present/rooms.ts';
import { renderReply } from './render.ts';

type WebClient = App['client'];

/** Slack's refusals that mean the bot may not do this here: told to the declarer, never retried. */
const NOT_ALLOWED: Readonly<Record<string, string>> = {
  missing_scope: 'the app lacks the channels:manage scope (missing_scope): reinstall it with the manifest',
  not_allowed: 'the workspace does not let the app create channels (not_allowed)',
  not_allowed_token_type: 'the app token may not create channels (not_allowed_token_type)',
  restricted_action: 'a workspace policy stops the app creating channels (restricted_action)',
  no_permission: 'the app has no permission to create channels (no_permission)',
  team_access_not_granted: 'the app has no access to this workspace (team_access_not_granted)',
};
/** Invite refusals that are no problem at all. */
const HARMLESS_INVITE = new Set(['already_in_channel', 'cant_invite_self']);
/** Names tried before giving up: `inc-1-vpn-down`, then `-2` … */
const NAME_TRIES = 6;

const codeOf = (error: unknown): string | undefined => (error as { data?: { error?: string } })?.data?.error;

/** `name` with the n-th suffix, within Slack's 80 characters. */
const nameWith = (name: string, n: number): string =>
  n === 1 ? name : `${name.slice(0, 80 - 1 - String(n).length)}-${n}`;

export function slackRooms(client: WebClient, botUserId: () => Promise<string | undefined>): RoomSender {
  /** A step after the channel exists: what it could not do is a note, the room stands. */
  const step = async (notes: string[], what: string, work: () => Promise<unknown>): Promise<void> => {
    try {
      await work();
    } catch (error) {
      notes.push(`${what} failed (${codeOf(error) ?? (error as Error)?.message ?? 'error'})`);
    }
  };
  return {
    archiveWhen: 'closed',
    async open(req: RoomRequest): Promise<RoomOpening> {
      let channel: { id: string; name: string } | undefined;
      for (let n = 1; n <= NAME_TRIES && !channel; n++) {
        try {
          const res = await client.conversations.create({ name: nameWith(req.name, n), is_private: false });
          const c = res.channel as { id?: string; name?: string } | undefined;
          if (!c?.id) throw new Error('conversations.create gave no channel');
          channel = { id: c.id, name: c.name ?? nameWith(req.name, n) };
        } catch (error) {
          const code = codeOf(error);
          if (code === 'name_taken') continue;
          if (code && NOT_ALLOWED[code]) return { opened: false, reason: NOT_ALLOWED[code] as string };
          throw error;
        }
      }
      if (!channel) return { opened: false, reason: `#${req.name} and ${NAME_TRIES - 1} suffixes of it are taken` };
      const notes: string[] = [];
      const me = await botUserId().catch(() => undefined);
      const users = req.members.filter((u) => u !== me);
      if (users.length > 0) {
        try {
          await client.conversations.invite({ channel: channel.id, users: users.join(',') });
        } catch (error) {
          const code = codeOf(error);
          if (!code || !HARMLESS_INVITE.has(code)) notes.push(`inviting the responders failed (${code ?? 'error'})`);
        }
      }
      let cardTs: string | undefined;
      await step(notes, 'posting the card', async () => {
        const posted = await client.chat.postMessage({ channel: channel.id, ...renderReply(req.card) } as never);
        cardTs = posted.ts;
      });
      if (cardTs) {
        const ts = cardTs;
        await step(notes, 'pinning the card (pins:write)', () =>
          client.pins.add({ channel: channel.id, timestamp: ts }),
        );
      }
      await step(notes, 'setting the topic', () =>
        client.conversations.setTopic({ channel: channel.id, topic: req.topic }),
      );
      let link = `https://slack.com/app_redirect?channel=${channel.id}`;
      if (cardTs) {
        const ts = cardTs;
        await step(notes, 'linking the room', async () => {
          link = (await client.chat.getPermalink({ channel: channel.id, message_ts: ts })).permalink ?? link;
        });
      }
      return { opened: true, channel: channel.id, name: channel.name, link, notes };
    },
    async setTopic(channel: string, topic: string): Promise<void> {
      await client.conversations.setTopic({ channel, topic });
    },
    async archive(channel: string): Promise<void> {
      try {
        await client.conversations.archive({ channel });
      } catch (error) {
        if (codeOf(error) !== 'already_archived') throw error;
      }
    },
  };
}
