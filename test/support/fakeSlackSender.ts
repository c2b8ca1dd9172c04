// Plays Slack's side of the Events/Interactivity/Commands APIs: correctly signed requests to the bot.
import { createHmac, randomUUID } from 'node:crypto';
import type { FakeSlack, Json } from './fakeSlack.ts';

export function signSlackRequest(signingSecret: string, timestampSec: number, rawBody: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestampSec}:${rawBody}`).digest('hex')}`;
}

export interface SendOptions {
  /** Shift the signed timestamp (seconds) from now: negative = old, positive = in the future. */
  skewSeconds?: number;
  /** Replace the signature (forgeries). */
  signature?: string;
  headers?: Record<string, string>;
}

export interface SlackResponse {
  status: number;
  text: string;
  json(): Json;
  /** Sends the very same bytes and headers again (a captured request replayed inside the 5-minute window). */
  replay(): Promise<SlackResponse>;
}

export interface SlashCommandOptions extends SendOptions {
  user?: string;
  userName?: string;
  channel?: string;
  team?: string;
}

export interface SlackSender {
  post(rawBody: string, contentType: string, options?: SendOptions): Promise<SlackResponse>;
  /** A slash command, form-encoded; answers with the response_url id and trigger id it used. */
  command(
    command: string,
    text: string,
    options?: SlashCommandOptions,
  ): Promise<SlackResponse & { responseId: string; triggerId: string }>;
  /** An Events API callback, JSON; `retryNum` adds X-Slack-Retry-Num like Slack's redeliveries. */
  event(
    event: Record<string, unknown>,
    options?: SendOptions & { eventId?: string; retryNum?: number; team?: string },
  ): Promise<SlackResponse & { eventId: string }>;
  /** An interactivity payload (`payload=<json>`, form-encoded). */
  interaction(payload: Record<string, unknown>, options?: SendOptions): Promise<SlackResponse>;
}

export function slackSender(opts: {
  botUrl: string;
  signingSecret: string;
  fake: FakeSlack;
  team?: string;
}): SlackSender {
  const team = opts.team ?? 'T1';
  let seq = 0;

  const post: SlackSender['post'] = async (rawBody, contentType, options = {}) => {
    const ts = Math.floor(Date.now() / 1000) + (options.skewSeconds ?? 0);
    const headers = {
      'content-type': contentType,
      'x-slack-request-timestamp': String(ts),
      'x-slack-signature': options.signature ?? signSlackRequest(opts.signingSecret, ts, rawBody),
      ...options.headers,
    };
    const send = async (): Promise<SlackResponse> => {
      const res = await fetch(`${opts.botUrl}/slack/events`, { method: 'POST', headers, body: rawBody });
      const text = await res.text();
      return { status: res.status, text, json: () => JSON.parse(text), replay: send };
    };
    return send();
  };

  return {
    post,
    async command(command, text, options = {}) {
      const responseId = `cmd${++seq}`;
      const triggerId = `trigger.${seq}.${randomUUID().slice(0, 8)}`;
      const user = options.user ?? 'UADA';
      const form = new URLSearchParams({
        token: 'legacy-verification-token',
        team_id: options.team ?? team,
        team_domain: 'fake',
        channel_id: options.channel ?? 'C1',
        channel_name: 'general',
        user_id: user,
        user_name: options.userName ?? user.toLowerCase(),
        command,
        text,
        api_app_id: 'A1',
        is_enterprise_install: 'false',
        response_url: opts.fake.responseUrl(responseId),
        trigger_id: triggerId,
      });
      const res = await post(form.toString(), 'application/x-www-form-urlencoded', options);
      return { ...res, responseId, triggerId };
    },
    async event(event, options = {}) {
      const eventId = options.eventId ?? `Ev${++seq}${randomUUID().slice(0, 6)}`;
      const body = JSON.stringify({
        token: 'legacy-verification-token',
        team_id: options.team ?? team,
        api_app_id: 'A1',
        event,
        type: 'event_callback',
        event_id: eventId,
        event_time: Math.floor(Date.now() / 1000),
        authorizations: [
          {
            enterprise_id: null,
            team_id: options.team ?? team,
            user_id: opts.fake.bot.userId,
            is_bot: true,
            is_enterprise_install: false,
          },
        ],
        is_ext_shared_channel: false,
      });
      const headers = { ...options.headers };
      if (options.retryNum !== undefined) {
        headers['x-slack-retry-num'] = String(options.retryNum);
        headers['x-slack-retry-reason'] = 'http_timeout';
      }
      const res = await post(body, 'application/json', { ...options, headers });
      return { ...res, eventId };
    },
    interaction(payload, options = {}) {
      const form = new URLSearchParams({ payload: JSON.stringify(payload) });
      return post(form.toString(), 'application/x-www-form-urlencoded', options);
    },
  };
}

/** Payload builders, shaped like Slack's. */
export const payloads = {
  button(args: {
    user?: string;
    channel?: string;
    team?: string;
    messageTs: string;
    actionId: string;
    value: string;
    responseUrl: string;
    triggerId?: string;
  }) {
    const user = args.user ?? 'UADA';
    return {
      type: 'block_actions',
      team: { id: args.team ?? 'T1', domain: 'fake' },
      user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: args.team ?? 'T1' },
      api_app_id: 'A1',
      token: 'legacy-verification-token',
      container: { type: 'message', message_ts: args.messageTs, channel_id: args.channel ?? 'C1', is_ephemeral: false },
      trigger_id: args.triggerId ?? `trigger.${randomUUID().slice(0, 8)}`,
      channel: { id: args.channel ?? 'C1', name: 'general' },
      message: { type: 'message', ts: args.messageTs, text: 'card', user: 'UBOT', bot_id: 'BBOT' },
      response_url: args.responseUrl,
      actions: [
        {
          type: 'button',
          action_id: args.actionId,
          block_id: 'actions',
          text: { type: 'plain_text', text: args.actionId },
          value: args.value,
          action_ts: `${Math.floor(Date.now() / 1000)}.${randomUUID().replace(/\D/g, '').slice(0, 6).padEnd(6, '0')}`,
        },
      ],
    };
  },
  viewSubmission(args: { user?: string; team?: string; view: Json; values: Record<string, string> }) {
    const user = args.user ?? 'UADA';
    const state: Record<string, Record<string, unknown>> = {};
    for (const block of args.view.blocks as Array<{ block_id: string; element: { type: string; action_id: string } }>) {
      const v = args.values[block.block_id];
      state[block.block_id] = {
        [block.element.action_id]:
          block.element.type === 'static_select' || block.element.type === 'external_select'
            ? {
                type: block.element.type,
                selected_option: v === undefined ? null : { text: { type: 'plain_text', text: v }, value: v },
              }
            : { type: 'plain_text_input', value: v ?? null },
      };
    }
    return {
      type: 'view_submission',
      team: { id: args.team ?? 'T1', domain: 'fake' },
      user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: args.team ?? 'T1' },
      api_app_id: 'A1',
      token: 'legacy-verification-token',
      trigger_id: `trigger.${randomUUID().slice(0, 8)}`,
      view: {
        id: `V${randomUUID().slice(0, 8)}`,
        team_id: args.team ?? 'T1',
        type: 'modal',
        ...args.view,
        state: { values: state },
        hash: `${Date.now()}.abc`,
        app_id: 'A1',
        bot_id: 'BBOT',
      },
      response_urls: [],
    };
  },
  /**
   * What Slack sends the options load URL while someone types in a modal's external select (`block_suggestion`):
   * the menu's block and action ids, what is typed so far, and the view it is in. The answer is `{options}`.
   */
  blockSuggestion(args: { user?: string; team?: string; view: Json; actionId: string; value: string }) {
    const user = args.user ?? 'UADA';
    return {
      type: 'block_suggestion',
      user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: args.team ?? 'T1' },
      container: { type: 'view', view_id: args.view.id ?? 'VOPEN' },
      api_app_id: 'A1',
      token: 'legacy-verification-token',
      action_id: args.actionId,
      block_id: args.actionId,
      value: args.value,
      team: { id: args.team ?? 'T1', domain: 'fake' },
      enterprise: null,
      is_enterprise_install: false,
      view: {
        id: args.view.id ?? 'VOPEN',
        team_id: args.team ?? 'T1',
        type: 'modal',
        ...args.view,
        state: { values: {} },
        hash: `${Date.now()}.abc`,
        app_id: 'A1',
        bot_id: 'BBOT',
      },
    };
  },
  messageShortcut(args: {
    user?: string;
    channel?: string;
    team?: string;
    message: { ts: string; text: string; user?: string };
    responseUrl: string;
  }) {
    const user = args.user ?? 'UADA';
    return {
      type: 'message_action',
      token: 'legacy-verification-token',
      action_ts: `${Math.floor(Date.now() / 1000)}.000001`,
      team: { id: args.team ?? 'T1', domain: 'fake' },
      user: { id: user, username: user.toLowerCase(), name: user.toLowerCase(), team_id: args.team ?? 'T1' },
      channel: { id: args.channel ?? 'C1', name: 'general' },
      is_enterprise_install: false,
      callback_id: 'open_ticket_from_message',
      trigger_id: `trigger.${randomUUID().slice(0, 8)}`,
      response_url: args.responseUrl,
      message_ts: args.message.ts,
      message: { type: 'message', ...args.message },
    };
  },
};
