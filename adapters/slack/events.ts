// Events API: replies in a card's thread become comments, :ticket: reactions open tickets, mentions run commands.
import type { App } from '@slack/bolt';
import { splitFirstWord } from '../../src/kit/typedText.ts';
import { families, routeText } from './commands.ts';
import type { SlackContext } from './context.ts';
import { fetchMessage, permalinkOf, readForTicket } from './fromMessage.ts';
import { commandText, plainSlackText } from './text.ts';

export const TICKET_REACTION = 'ticket';
/** Message subtypes that are still a person talking (a reply with a file, a reply also sent to the channel). */
const PERSON_SUBTYPES = new Set([undefined, 'file_share', 'thread_broadcast']);

interface MessageEvent {
  subtype?: string;
  bot_id?: string;
  user?: string;
  text?: string;
  ts: string;
  thread_ts?: string;
  channel: string;
  /** `im` for a direct message with the bot. */
  channel_type?: string;
  team?: string;
}

interface Envelope {
  event_id?: string;
  team_id?: string;
  /** Who the event was delivered to: the bot's own user id, also when auth.test has not answered yet. */
  authorizations?: Array<{ user_id?: string; is_bot?: boolean }>;
}

const botUserIdOf = (body: unknown, known: string | undefined): string | undefined =>
  known ?? (body as Envelope).authorizations?.find((a) => a.is_bot)?.user_id;

/** The words after the bot's mention: `hey <@UBOT> ticket new x` -> `ticket new x`. */
export function textAfterMention(text: string, botUserId: string | undefined): string {
  const mention = botUserId ? new RegExp(`<@${botUserId}(?:\\|[^>]*)?>`) : /<@[A-Z0-9]+(?:\|[^>]*)?>/;
  const m = mention.exec(text);
  return (m ? text.slice(m.index + m[0].length) : text).trim();
}

export function registerEvents(app: App, ctx: SlackContext): void {
  const { core, people, delivery, log, client, request } = ctx;
  app.event('message', async ({ event, body, context }) => {
    const e = event as unknown as MessageEvent;
    const { user, thread_ts: thread, channel } = e;
    if (!PERSON_SUBTYPES.has(e.subtype) || e.bot_id || !user) return;
    if (e.channel_type === 'im' && (!thread || thread === e.ts)) {
      // A direct message to the bot is a command line, as after a mention: `ticket list --mine`.
      await runLine(
        { user, channel, ts: e.ts, thread: undefined, text: e.text ?? '', team: e.team, body },
        'direct message',
      );
      return;
    }
    if (!thread || thread === e.ts) return;
    // A mention of the bot is a command (app_mention handles it), not a comment.
    const botUserId = botUserIdOf(body, context.botUserId);
    if (botUserId && e.text?.includes(`<@${botUserId}`)) return;
    const eventId = (body as Envelope).event_id;
    const place = { user, channel, thread };
    await request({
      what: 'thread comment',
      place,
      async dispatch() {
        const ticket = await core.ticketForThread('slack', channel, thread);
        if (!ticket) return null;
        return core.dispatch(eventId ? `slack:event:${eventId}` : undefined, async () =>
          core.commentInThread(ticket.ticketId, {
            actor: await people.actor(user),
            origin: { platform: 'slack', workspace: (body as Envelope).team_id ?? '', channel, thread },
            text: plainSlackText(e.text ?? ''),
            deliveryId: eventId,
          }),
        );
      },
      // Success shows up as the card's update; only a refusal needs telling.
      answer: async (reply) => {
        if (reply.error) await delivery.ephemeral(reply, place);
      },
    });
  });

  app.event('reaction_added', async ({ event, body }) => {
    if (event.reaction !== TICKET_REACTION || event.item.type !== 'message') return;
    const { channel, ts } = event.item;
    const place = { user: event.user, channel };
    const eventId = (body as Envelope).event_id;
    const workspace = (body as Envelope).team_id ?? '';
    await request({
      what: 'ticket reaction',
      place,
      // Slack's retries of one reaction are that reaction; many reactions on one message make one ticket.
      dispatch: () =>
        core.dispatch(
          eventId ? `slack:event:${eventId}` : undefined,
          async () => ({
            actor: await people.actor(event.user),
            origin: { platform: 'slack', workspace, channel },
            command: 'ticket',
            subcommand: 'new',
            deliveryId: eventId,
          }),
          async ({ actor }) => {
            const result = await core.ticketFromMessage(
              { platform: 'slack', workspace, channel, messageId: ts, actor },
              async () => {
                const message = await fetchMessage(client, channel, ts);
                if (!message) {
                  log.warn({ channel, ts }, 'reacted message not found; no ticket opened');
                  return null;
                }
                return readForTicket(people, client, log, { workspace, message, deliveryId: eventId });
              },
            );
            // Reacting while the ticket is being opened needs no answer: its card is on the way.
            return result.outcome === 'opening' ? null : result.reply;
          },
        ),
    });
  });

  /** A line of words typed to the bot (after a mention, or in a DM) runs as a command. */
  async function runLine(
    m: {
      user: string;
      channel: string;
      ts: string;
      thread: string | undefined;
      text: string;
      team?: string | undefined;
      body: unknown;
    },
    what: string,
  ): Promise<void> {
    const eventId = (m.body as Envelope).event_id;
    const place = { user: m.user, channel: m.channel, ...(m.thread ? { thread: m.thread } : {}) };
    await request({
      what,
      place,
      dispatch: () =>
        core.dispatch(eventId ? `slack:event:${eventId}` : undefined, async () => {
          const defs = core.definitions();
          const words = commandText(m.text);
          const [first, rest] = splitFirstWord(words);
          const family = first.replace(/^\//, '').toLowerCase();
          const routed = families(defs).includes(family)
            ? routeText(defs, family, rest)
            : { command: 'help', text: '' };
          const workspace = (m.body as Envelope).team_id ?? m.team ?? '';
          const [actor, messageLink] = await Promise.all([
            people.actor(m.user),
            permalinkOf(client, log, m.channel, m.ts),
            people.rememberMentioned(m.text, workspace),
          ]);
          return {
            actor,
            origin: { platform: 'slack', workspace, channel: m.channel, thread: m.thread, messageLink },
            command: routed.command,
            text: routed.text,
            deliveryId: eventId,
          };
        }),
    });
  }

  app.event('app_mention', async ({ event, body, context }) => {
    if (!event.user) return;
    await runLine(
      {
        user: event.user,
        channel: event.channel,
        ts: event.ts,
        thread: event.thread_ts ?? event.ts,
        text: textAfterMention(event.text ?? '', botUserIdOf(body, context.botUserId)),
        team: event.team,
        body,
      },
      'mention',
    );
  });
}
