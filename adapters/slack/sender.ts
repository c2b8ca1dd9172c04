// Slack's part of the messaging port: posts, DMs and card edits for the outbox, each failure classified for it.
import type { App } from '@slack/bolt';
import type { BotCore } from '../../src/core/bot.ts';
import type { Reply, ReplyFile } from '../../src/present/reply.ts';
import { DeliveryFailure, type MessageContext, type PlatformSender, type Sent } from '../../src/present/sender.ts';
import type { SlackDelivery } from './delivery.ts';
import { escapeText, renderReply } from './render.ts';

type WebClient = App['client'];

/** Slack errors no retry will change: recorded as they are. */
const PERMANENT = new Set([
  'not_in_channel',
  'channel_not_found',
  'is_archived',
  'message_not_found',
  'cant_update_message',
  'user_not_found',
  'users_not_found',
  'cannot_dm_bot',
  'user_disabled',
  'account_inactive',
  'invalid_auth',
  'not_authed',
  'token_revoked',
  'missing_scope',
  'restricted_action',
  'msg_too_long',
  'invalid_blocks',
  'no_text',
]);
/** Of those, the ones that mean a card's message is gone for good. */
const GONE = new Set(['message_not_found', 'channel_not_found', 'is_archived', 'cant_update_message']);

/** The outbox's view of a failed Slack call. */
export function classifySlackFailure(error: unknown): DeliveryFailure {
  const e = error as { code?: string; retryAfter?: number; data?: { error?: string }; statusCode?: number };
  if (e?.code === 'slack_webapi_rate_limited_error') {
    return new DeliveryFailure(
      'rate_limited',
      `429 rate limited (retry after ${e.retryAfter ?? 1} s)`,
      (e.retryAfter ?? 1) * 1000,
    );
  }
  const code = e?.data?.error;
  if (code && PERMANENT.has(code)) {
    const status = code === 'not_in_channel' || code === 'restricted_action' || code === 'missing_scope' ? '403 ' : '';
    return new DeliveryFailure('permanent', `${status}${code}`, undefined, GONE.has(code));
  }
  if (code) return new DeliveryFailure('transient', code);
  if (e?.statusCode) return new DeliveryFailure('transient', `HTTP ${e.statusCode}`);
  return new DeliveryFailure('transient', (error as Error)?.message ?? String(error));
}

/** A one-line reply (a thread line) goes as plain text, as a person would write it. */
const messageFor = (reply: Reply) =>
  reply.header || reply.fields?.length || reply.list?.length || reply.actions?.length
    ? renderReply(reply)
    : { text: escapeText(reply.text) };

/**
 * `client` must reject 429s at once (rejectRateLimitedCalls) and not retry: the outbox waits out a 429 on
 * its channel only, where the Web API client would pause every call behind it.
 */
export function slackSender(client: WebClient, delivery: SlackDelivery, core: BotCore): PlatformSender {
  const call = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw classifySlackFailure(error);
    }
  };
  /**
   * Slack's upload: files.getUploadURLExternal, the bytes to the URL it gives, files.completeUploadExternal
   * sharing it in the channel (the web client's filesUploadV2 makes exactly these three calls). The header goes
   * as the file's comment; Slack gives the file's id, not a message ts.
   */
  const upload = async (channel: string, reply: Reply, file: ReplyFile, thread: string | undefined): Promise<Sent> => {
    const res = await call(() =>
      client.filesUploadV2({
        channel_id: channel,
        ...(thread ? { thread_ts: thread } : {}),
        file: Buffer.from(file.base64, 'base64'),
        filename: file.name,
        title: file.name,
        alt_text: file.alt,
        initial_comment: escapeText(reply.header ?? reply.text),
      } as never),
    );
    const files = (res as { files?: Array<{ files?: Array<{ id?: string }> }> }).files;
    return { messageId: files?.[0]?.files?.[0]?.id, channel };
  };
  return {
    platform: 'slack',
    async post(channel: string, reply: Reply, thread: string | undefined): Promise<Sent> {
      if (reply.file) return upload(channel, reply, reply.file, thread);
      const res = await call(() =>
        client.chat.postMessage({ channel, ...(thread ? { thread_ts: thread } : {}), ...messageFor(reply) } as never),
      );
      return { messageId: res.ts, channel };
    },
    async dm(user: string, reply: Reply): Promise<Sent> {
      const opened = await call(() => client.conversations.open({ users: user }));
      const channel = (opened.channel as { id?: string } | undefined)?.id;
      if (!channel) throw new DeliveryFailure('transient', 'conversations.open gave no channel');
      const res = await call(() => client.chat.postMessage({ channel, ...renderReply(reply) } as never));
      return { messageId: res.ts, channel };
    },
    async edit(channel: string, messageId: string, reply: Reply): Promise<Sent> {
      const message = renderReply(reply);
      if (delivery.shows(channel, messageId, message)) return { skipped: 'the card already shows this' };
      await call(() => client.chat.update({ channel, ts: messageId, ...message } as never));
      delivery.showing(channel, messageId, message);
      return { messageId };
    },
    async cardGone(channel: string, messageId: string, ctx: MessageContext): Promise<void> {
      if (!ctx.ticketId) return;
      await core.forgetCard({ tenant: ctx.tenant, ticketId: ctx.ticketId, platform: 'slack', channel, messageId });
    },
    async cannotPost(channel: string): Promise<string | null> {
      try {
        const info = (await client.conversations.info({ channel })) as {
          channel?: { is_archived?: boolean; is_member?: boolean };
        };
        if (info.channel?.is_archived) return 'it is archived';
        if (info.channel?.is_member === false) return 'the bot is not a member (invite it: /invite @Switchboard)';
        return null;
      } catch (error) {
        const code = (error as { data?: { error?: string } }).data?.error;
        if (code === 'channel_not_found') return 'Slack does not know it (channel_not_found)';
        if (code && PERMANENT.has(code)) return `Slack refuses it (${code})`;
        return null;
      }
    },
  };
}
