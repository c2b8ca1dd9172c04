// Opening a ticket from an existing Slack message (message shortcut, :ticket: reaction): quote it, link it.
import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import type { BotCore } from '../../src/core/bot.ts';
import type { Actor } from '../../src/core/invocation.ts';
import { plainProse } from '../../src/kit/typedText.ts';
import { plainSlackText } from './text.ts';

type WebClient = App['client'];

const MAX_TITLE = 80;
const MAX_QUOTE = 3000;

export interface SourceMessage {
  channel: string;
  ts: string;
  text: string;
  /** Slack user id of the message's author, when a person wrote it. */
  author?: string | undefined;
  /** The author's display name, for the quote's attribution. */
  authorName?: string | undefined;
}

export function ticketFromMessageOptions(
  message: SourceMessage,
  permalink: string | undefined,
): { title: string; description: string } {
  // A message quoted into a ticket is prose: what the core would refuse in it is dropped, not refused.
  const plain = plainProse(plainSlackText(message.text)).trim();
  const firstLine =
    plain
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim() ?? '';
  const title = firstLine
    ? firstLine.length > MAX_TITLE
      ? `${firstLine.slice(0, MAX_TITLE - 1)}…`
      : firstLine
    : 'Ticket from a Slack message';
  const body = plain.length > MAX_QUOTE ? `${plain.slice(0, MAX_QUOTE - 1)}…` : plain;
  const quote = (body || '(no text)')
    .split('\n')
    .map((l) => `> ${l}`)
    .join('\n');
  const by = message.authorName ? ` by ${message.authorName}` : '';
  return { title, description: `${quote}\n\n— message${by}${permalink ? ` ${permalink}` : ''}` };
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

export async function openTicketFromMessage(
  core: BotCore,
  client: WebClient,
  log: Logger,
  args: { actor: Actor; workspace: string; message: SourceMessage; deliveryId?: string | undefined },
) {
  const permalink = await permalinkOf(client, log, args.message.channel, args.message.ts);
  return core.handle({
    actor: args.actor,
    origin: {
      platform: 'slack',
      workspace: args.workspace,
      channel: args.message.channel,
      thread: args.message.ts,
      messageLink: permalink,
    },
    command: 'ticket',
    subcommand: 'new',
    options: ticketFromMessageOptions(args.message, permalink),
    deliveryId: args.deliveryId,
  });
}
