// Request verification on the real receiver: forged, stale and future-dated requests are refused and change nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askCore, type SlackBot, startSlackBot, waitForCard } from '../support/fakeSlackBot.ts';
import { signSlackRequest } from '../support/fakeSlackSender.ts';

describe('Slack request verification', () => {
  let s: SlackBot;
  beforeAll(async () => {
    s = await startSlackBot();
  });
  afterAll(async () => {
    await s.close();
  });

  /** Nothing reached the core or Slack: no Web API call beyond the bot's own auth check, no ticket. */
  async function expectNothingChanged() {
    expect(s.fake.calls.filter((c) => c.method !== 'auth.test')).toEqual([]);
    expect((await askCore(s.bot.core, 'ticket list --state all')).text).toMatch(/^No /);
  }

  it('refuses a forged signature with 401', async () => {
    const res = await s.send.command('/ticket', 'new Forged', { signature: `v0=${'0'.repeat(64)}` });
    expect(res.status).toBe(401);
    await expectNothingChanged();
  });

  it('refuses a body signed with another secret', async () => {
    const body = 'command=%2Fticket&text=new+Other&team_id=T1&user_id=UADA&channel_id=C1';
    const ts = Math.floor(Date.now() / 1000);
    const res = await s.send.post(body, 'application/x-www-form-urlencoded', {
      signature: signSlackRequest('not-the-secret', ts, body),
    });
    expect(res.status).toBe(401);
    await expectNothingChanged();
  });

  it('refuses a body changed after signing', async () => {
    const signed = 'command=%2Fticket&text=new+A&team_id=T1&user_id=UADA&channel_id=C1';
    const ts = Math.floor(Date.now() / 1000);
    const signature = signSlackRequest('test-signing-secret-8f1c', ts, signed);
    const res = await s.send.post(signed.replace('new+A', 'new+B'), 'application/x-www-form-urlencoded', { signature });
    expect(res.status).toBe(401);
    await expectNothingChanged();
  });

  it('refuses a stale timestamp (more than 5 minutes old) with 401, even correctly signed', async () => {
    const res = await s.send.command('/ticket', 'new Replayed', { skewSeconds: -6 * 60 });
    expect(res.status).toBe(401);
    await expectNothingChanged();
  });

  it('refuses a timestamp more than 5 minutes in the future with 401, even correctly signed', async () => {
    const res = await s.send.command('/ticket', 'new From the future', { skewSeconds: 6 * 60 });
    expect(res.status).toBe(401);
    const event = await s.send.event(
      { type: 'app_mention', user: 'UADA', text: '<@UBOT> ticket new x', ts: '1.1', channel: 'C1' },
      { skewSeconds: 3600 },
    );
    expect(event.status).toBe(401);
    await expectNothingChanged();
  });

  it('refuses a request without signature headers', async () => {
    const res = await fetch(`${s.botUrl}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ type: 'event_callback', event: { type: 'app_mention', text: 'hi' } }),
    });
    expect(res.status).toBe(401);
    await expectNothingChanged();
  });

  it('answers a correctly signed body that is not a JSON object with 400, and keeps serving', async () => {
    // Bolt's receiver throws on a signed `null` in a promise nobody awaits: the request hung and the process died.
    const form = await s.send.post('payload=null', 'application/x-www-form-urlencoded');
    expect(form.status).toBe(400);
    for (const body of ['null', '42', '"text"', '[1]']) {
      expect((await s.send.post(body, 'application/json')).status).toBe(400);
    }
    // Unsigned, the same bodies are refused as forgeries.
    const forged = await s.send.post('null', 'application/json', { signature: `v0=${'0'.repeat(64)}` });
    expect(forged.status).toBe(401);
    await expectNothingChanged();
    const res = await s.send.command('/ticket', 'new Still here', { channel: 'CALIVE' });
    expect(res.status).toBe(200);
    await waitForCard(s, 'CALIVE');
  });

  it('serves /healthz without a signature', async () => {
    const res = await fetch(`${s.botUrl}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });

  it('answers Slack’s URL verification challenge (signed)', async () => {
    const res = await s.send.post(
      JSON.stringify({ type: 'url_verification', challenge: 'abc123', token: 't' }),
      'application/json',
    );
    expect(res.status).toBe(200);
    expect(res.text).toContain('abc123');
  });

  it('accepts a correctly signed request within the window (a few minutes of clock skew either way)', async () => {
    const res = await s.send.command('/ticket', 'new Skewed but fine', { skewSeconds: 4 * 60, channel: 'COK' });
    expect(res.status).toBe(200);
    await waitForCard(s, 'COK');
  });
});

describe('Slack Events API retries', () => {
  it('a mention redelivered with X-Slack-Retry-Num opens one ticket', async () => {
    const s = await startSlackBot();
    try {
      const event = {
        type: 'app_mention',
        user: 'UADA',
        text: '<@UBOT> ticket new Coffee machine leaks',
        ts: '1700000600.000100',
        channel: 'CRETRY',
      };
      const first = await s.send.event(event);
      await Promise.all([1, 2, 3].map((n) => s.send.event(event, { eventId: first.eventId, retryNum: n })));
      await waitForCard(s, 'CRETRY');
      await s.bot.core.settled();
      const list = await askCore(s.bot.core, 'ticket list --state all');
      expect(list.list).toHaveLength(1);
      expect(s.fake.callsTo('chat.postMessage').filter((c) => !c.body.thread_ts)).toHaveLength(1);
    } finally {
      await s.close();
    }
  });
});
