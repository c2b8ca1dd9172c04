// Reading the Slack message a ticket is opened from (message shortcut, :ticket: reaction): its words, author and link.
import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import type { MessageRead } from '../../src/core/messageTickets.ts';
import type { SlackPeople } from './people.ts';
import { plainSlackText } from './text.ts';

type WebClient = App['client'];

export interface SourceMessage {
  channel: string;
  ts: string;
  text: string;
  /** Slack user id of the message's author, when a person wrote it. */
  author?: string | undefined;
}

export async function permalinkOf(
  client: WebClient,
  log: Logger,
  channel: string,
  ts: string,
): Promise<string | undefined> {
  try {
    const res = await client.chat.getPermalink({ channel, message_ts: ts });
    return res.permalink;
  } catch (error) {
    log.warn({ err: error, channel, ts }, 'slack chat.getPermalink failed; ticket opens without the link');
    return undefined;
  }
}

/** A message by channel and ts: the channel history holds top-level messages, thread replies need conversations.replies. */
export async function fetchMessage(client: WebClient, channel: string, ts: string): Promise<SourceMessage | null> {
  type Msg = { ts?: string; text?: string; user?: string };
  const history = await client.conversations.history({ channel, latest: ts, inclusive: true, limit: 1 });
  let found = (history.messages as Msg[] | undefined)?.find((m) => m.ts === ts);
  if (!found) {
    const replies = await client.conversations.replies({ channel, ts, latest: ts, inclusive: true, limit: 1 });
    found = (replies.messages as Msg[] | undefined)?.find((m) => m.ts === ts);
  }
  return found ? { channel, ts, text: found.text ?? '', author: found.user } : null;
}

/**
 * The message as the core wants it to open a ticket from: its words as the person wrote them, the author's display
 * name and the permalink; the ticket's card goes to the message's channel, in its thread. The core decides the title
 * and description.
 */
export async function readForTicket(
  people: SlackPeople,
  client: WebClient,
  log: Logger,
  args: { workspace: string; message: SourceMessage; deliveryId?: string | undefined },
): Promise<MessageRead> {
  const { message } = args;
  const author = message.author ? (await people.actor(message.author)).displayName : undefined;
  const link = await permalinkOf(client, log, message.channel, message.ts);
  return {
    text: plainSlackText(message.text),
    author,
    link,
    origin: {
      platform: 'slack',
      workspace: args.workspace,
      channel: message.channel,
      thread: message.ts,
      messageLink: link,
    },
    deliveryId: args.deliveryId,
  };
}
