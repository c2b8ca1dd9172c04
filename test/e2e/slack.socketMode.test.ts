// Socket Mode: with SLACK_APP_TOKEN the same adapter takes commands over the WebSocket instead of HTTP.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSlackAdapter, type SlackAdapter } from '../../adapters/slack/index.ts';
import { type FakeSlack, startFakeSlack } from '../support/fakeSlack.ts';
import { askCore, headerOf, ticketIdOf } from '../support/fakeSlackBot.ts';
import { startTestBot, type TestBot } from '../support/harness.ts';

describe('Slack Socket Mode', () => {
  let fake: FakeSlack;
  let bot: TestBot;
  let adapter: SlackAdapter;
  const mounted: string[] = [];
  let readyBeforeStart: ReturnType<NonNullable<SlackAdapter['ready']>> | undefined;

  beforeAll(async () => {
    fake = await startFakeSlack();
    bot = await startTestBot({
      env: {
        SLACK_BOT_TOKEN: 'xoxb-test-token',
        SLACK_SIGNING_SECRET: 'unused-in-socket-mode',
        SLACK_APP_TOKEN: 'xapp-test-token',
        SLACK_API_URL: fake.apiUrl,
        PORT: '0',
      },
    });
    adapter = createSlackAdapter({
      core: bot.core,
      config: bot.config.slack as NonNullable<TestBot['config']['slack']>,
      log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
      retryConfig: { retries: 0 },
      mount: (prefix) => mounted.push(prefix),
    });
    readyBeforeStart = adapter.ready?.();
    await adapter.start();
    await fake.socket.connected();
  });
  afterAll(async () => {
    await adapter.stop();
    await bot.close();
    await fake.close();
  });

  it('connects with the app token through apps.connections.open at SLACK_API_URL', () => {
    const open = fake.callsTo('apps.connections.open');
    expect(open).toHaveLength(1);
    expect(open[0]?.token).toBe('xapp-test-token');
    // No HTTP route of its own: the socket is the only way in.
    expect(mounted).toEqual([]);
  });

  it('is ready for /readyz only once the socket is connected', () => {
    expect(readyBeforeStart).toEqual({ ok: false, reason: 'not started' });
    expect(adapter.ready?.()).toEqual({ ok: true });
  });

  it('acks a slash command envelope, then posts and records the card', async () => {
    const ack = await fake.socket.envelope('slash_commands', {
      token: 'legacy',
      team_id: 'T1',
      channel_id: 'CSOCKET',
      user_id: 'UADA',
      user_name: 'ada',
      command: '/ticket',
      text: 'new Socket mode works',
      api_app_id: 'A1',
      response_url: fake.responseUrl('socket1'),
      trigger_id: 'trigger.socket.1',
    });
    expect(ack.envelope_id).toBe('env-1');
    const card = await fake.waitFor(
      (c) => c.find((x) => x.method === 'chat.postMessage' && x.body.channel === 'CSOCKET' && ticketIdOf(x)),
      5000,
      'the card',
    );
    expect(headerOf(card.body)).toBe('INC-1 · Socket mode works');
    const deadline = Date.now() + 5000;
    while ((await bot.core.cardsFor('slack:T1', 'INC-1')).length === 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(await bot.core.cardsFor('slack:T1', 'INC-1')).toEqual([expect.objectContaining({ channel: 'CSOCKET' })]);
    const shown = await askCore(bot.core, 'ticket show INC-1');
    expect(shown.header).toBe('INC-1 · Socket mode works');
  });

  it('takes events over the socket too (a mention)', async () => {
    const ack = await fake.socket.envelope('events_api', {
      team_id: 'T1',
      api_app_id: 'A1',
      type: 'event_callback',
      event_id: 'EvSOCKET1',
      event_time: 1,
      event: { type: 'app_mention', user: 'UADA', text: '<@UBOT> help', ts: '1700000700.000100', channel: 'CSOCKET' },
      authorizations: [{ team_id: 'T1', user_id: 'UBOT', is_bot: true }],
    });
    expect(ack.envelope_id).toBeDefined();
    const answer = await fake.waitFor((c) => c.find((x) => x.method === 'chat.postEphemeral'), 5000, 'help');
    expect(answer.body.channel).toBe('CSOCKET');
  });
});
