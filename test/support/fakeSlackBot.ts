// The whole bot (real core, real database) behind the real Bolt app, talking to the local fake Slack.
import pino from 'pino';
import { createSlackAdapter, type SlackAdapter, type SlackAdapterDeps } from '../../adapters/slack/index.ts';
import type { BotCore } from '../../src/core/bot.ts';
import { checkReadiness } from '../../src/http/readiness.ts';
import { createHttpServer, type HttpServer } from '../../src/http/server.ts';
import { type FakeSlack, type Json, type RecordedCall, startFakeSlack } from './fakeSlack.ts';
import { type SlackSender, slackSender } from './fakeSlackSender.ts';
import { startTestBot, type TestBot } from './harness.ts';

export const SIGNING_SECRET = 'test-signing-secret-8f1c';

/** The environment that points a core's Slack settings at a fake Slack. */
export const slackEnv = (fake: FakeSlack): Record<string, string> => ({
  SLACK_BOT_TOKEN: 'xoxb-test-token',
  SLACK_SIGNING_SECRET: SIGNING_SECRET,
  SLACK_API_URL: fake.apiUrl,
  PORT: '0',
});

export interface SlackBot {
  fake: FakeSlack;
  bot: TestBot;
  adapter: SlackAdapter;
  send: SlackSender;
  /** The bot's one HTTP server (as main.ts runs it), with the adapter mounted on it. */
  http: HttpServer;
  port: number;
  botUrl: string;
  close(): Promise<void>;
}

export async function startSlackBot(
  opts: {
    env?: Record<string, string>;
    /** The Web API retry policy; 'slack-default' keeps the client's own (about 30 minutes). */
    retryConfig?: SlackAdapterDeps['retryConfig'] | 'slack-default';
    /** Adapter settings tests vary: the work pool's size and queue, stop()'s grace period. */
    adapter?: Pick<SlackAdapterDeps, 'concurrency' | 'maxWaiting' | 'stopGraceMs'>;
    now?: () => Date;
    /** Puts something between Slack and the real core (e.g. a gate that holds invocations back). */
    wrapCore?: (core: BotCore) => BotCore;
    /** Prepares the fake Slack before the adapter starts (e.g. a failing or slow auth.test). */
    beforeStart?: (fake: FakeSlack) => void;
    /**
     * A fake Slack and a core already running (another adapter's, configured with `slackEnv(fake)`): Slack joins
     * them, and close() leaves both to whoever started them.
     */
    shared?: { fake: FakeSlack; bot: TestBot };
  } = {},
): Promise<SlackBot> {
  const fake = opts.shared?.fake ?? (await startFakeSlack());
  opts.beforeStart?.(fake);
  const bot =
    opts.shared?.bot ??
    (await startTestBot({
      env: { ...slackEnv(fake), ...opts.env },
      ...(opts.now ? { now: opts.now } : {}),
    }));
  const config = bot.config.slack;
  if (!config) throw new Error('the test environment did not configure Slack');
  const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  let adapters: SlackAdapter[] = [];
  const http = createHttpServer({ log, readiness: () => checkReadiness({ adapters: () => adapters }) });
  const adapter = createSlackAdapter({
    core: opts.wrapCore ? opts.wrapCore(bot.core) : bot.core,
    config,
    log,
    mount: http.mount,
    // No retries unless a test is about them: a failing call fails at once instead of for 30 minutes.
    ...(opts.retryConfig === 'slack-default' ? {} : { retryConfig: opts.retryConfig ?? { retries: 0 } }),
    stopGraceMs: 2000,
    ...opts.adapter,
  });
  adapters = [adapter];
  const { port } = await http.listen(0, '127.0.0.1');
  await adapter.start();
  const botUrl = `http://127.0.0.1:${port}`;
  return {
    fake,
    bot,
    adapter,
    http,
    port,
    botUrl,
    send: slackSender({ botUrl, signingSecret: SIGNING_SECRET, fake }),
    async close() {
      await adapter.stop();
      await http.close();
      if (opts.shared) return;
      await bot.close();
      await fake.close();
    },
  };
}

/** The text of every block of a recorded message, joined: what a person would read. */
export function readable(body: Json): string {
  const parts: string[] = [String(body.text ?? '')];
  for (const b of (body.blocks ?? []) as Array<Json>) {
    if (b.text?.text) parts.push(b.text.text);
    for (const f of b.fields ?? []) parts.push(f.text);
    for (const e of b.elements ?? []) parts.push(e.text?.text ?? e.text ?? '');
  }
  return parts.join('\n');
}

/** The buttons on a recorded message: action id -> value. */
export function buttonsOf(body: Json): Record<string, string> {
  const out: Record<string, string> = {};
  for (const b of (body.blocks ?? []) as Array<Json>) {
    if (b.type !== 'actions') continue;
    for (const e of b.elements ?? []) out[e.action_id] = e.value;
  }
  return out;
}

/** The header of a recorded card, e.g. `INC-1 · Printer on fire`. */
export const headerOf = (body: Json): string | undefined =>
  ((body.blocks ?? []) as Array<Json>).find((b) => b.type === 'header')?.text?.text;

/** The ticket id a posted card is about. */
export const ticketIdOf = (call: RecordedCall): string | undefined =>
  /^([A-Z]{3}-\d+)/.exec(headerOf(call.body) ?? '')?.[1];

/**
 * Waits for the card of a new ticket posted in `channel` (after call number `since`) and for the adapter to
 * have recorded it, so a test can act on the card (press, reply in its thread) the way a person would.
 */
export async function waitForCard(s: SlackBot, channel: string, since = 0, what = `a ticket card in ${channel}`) {
  const card = await s.fake.waitFor(
    (calls) =>
      calls
        .slice(since)
        .find(
          (c) =>
            c.method === 'chat.postMessage' &&
            c.status === 200 &&
            c.body.channel === channel &&
            !c.body.thread_ts &&
            ticketIdOf(c),
        ),
    5000,
    what,
  );
  const tenant = s.bot.core.tenantOf('slack', s.fake.bot.teamId);
  const ticketId = ticketIdOf(card) as string;
  const ts = card.response?.ts as string;
  // Recorded = listed for the ticket and owner of its thread (two writes in the core): replies then count.
  const recorded = async () =>
    (await s.bot.core.cardsFor(tenant, ticketId)).some((c) => c.messageId === ts) &&
    (await s.bot.core.ticketForThread('slack', channel, ts))?.ticketId === ticketId;
  const deadline = Date.now() + 5000;
  while (!(await recorded())) {
    if (Date.now() > deadline) throw new Error(`the card of ${ticketId} in ${channel} was posted but never recorded`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return card;
}

/** Asks the real core directly, as a Slack user of workspace T1 (the tenant the bot's Slack requests land in). */
export function askCore(core: BotCore, line: string, user = 'UADMIN') {
  const m = /^\/?(\S+)\s*([\s\S]*)$/.exec(line.trim());
  return core.handle({
    actor: { id: `slack:${user}`, platform: 'slack', displayName: user.toLowerCase() },
    origin: { platform: 'slack', workspace: 'T1', channel: 'CINSPECT' },
    command: m?.[1] ?? '',
    text: m?.[2] ?? '',
  });
}

/** A field of a ticket card Reply (`State`, `Assignee`, …). */
export const fieldOf = (
  reply: { fields?: Array<{ label: string; value: string }> },
  label: string,
): string | undefined => reply.fields?.find((f) => f.label === label)?.value;
