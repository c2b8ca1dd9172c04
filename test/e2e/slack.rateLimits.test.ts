// Web API rate limits: a 429 with Retry-After is waited out, and nothing is lost when posting to many channels.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { askCore, headerOf, type SlackBot, startSlackBot, waitForCard } from '../support/fakeSlackBot.ts';
import { personAt } from '../support/harness.ts';

// Retries on, without the default policy's extra backoff on top of Retry-After.
const RETRY = { retries: 3, minTimeout: 0, maxTimeout: 0 };

describe('Slack rate limits', () => {
  let s: SlackBot;
  beforeEach(async () => {
    s = await startSlackBot({ retryConfig: RETRY, env: { SWITCHBOARD_ORGS: 'acme=slack:T1,console:local' } });
  });
  afterEach(async () => {
    await s.close();
  });

  it('a 429 on chat.postMessage is waited out and the card is still delivered and recorded', async () => {
    s.fake.rateLimit('chat.postMessage', 1);
    await s.send.command('/ticket', 'new Rate limited but fine', { channel: 'CLIMIT' });
    const card = await waitForCard(s, 'CLIMIT');
    expect(headerOf(card.body)).toBe('INC-1 · Rate limited but fine');
    const attempts = s.fake.calls
      .filter((c) => c.method === 'chat.postMessage' && !c.body.thread_ts)
      .map((c) => c.status);
    expect(attempts).toEqual([429, 200]);
    expect(await s.bot.core.cardsFor('acme', 'INC-1')).toEqual([
      expect.objectContaining({ channel: 'CLIMIT', messageId: card.response?.ts }),
    ]);
  });

  it('twenty tickets opened in twenty channels at once all get their card, through several 429s', async () => {
    s.fake.rateLimit('chat.postMessage', 1, 3);
    const channels = Array.from({ length: 20 }, (_, i) => `CMANY${i}`);
    const acks = await Promise.all(
      channels.map((c, i) => s.send.command('/ticket', `new Outage ${i}`, { channel: c })),
    );
    expect(acks.every((a) => a.status === 200)).toBe(true);
    await s.fake.waitFor(
      (calls) =>
        channels.every((c) =>
          calls.some((x) => x.method === 'chat.postMessage' && x.status === 200 && x.body.channel === c),
        ),
      15_000,
      'a card in every channel',
    );
    expect(s.fake.calls.filter((c) => c.method === 'chat.postMessage' && c.status === 429)).toHaveLength(3);
    await s.bot.core.settled();
    const list = await askCore(s.bot.core, 'ticket list --state all');
    expect(list.list).toHaveLength(20);
    for (const c of channels) {
      const posted = s.fake.callsTo('chat.postMessage').find((x) => x.body.channel === c);
      const id = /^(INC-\d+)/.exec(headerOf(posted?.body ?? {}) ?? '')?.[1] as string;
      expect(await s.bot.core.cardsFor('acme', id)).toEqual([expect.objectContaining({ channel: c })]);
    }
  });

  it('a change to a ticket with cards in many channels updates every one of them, through 429s', async () => {
    await s.send.command('/ticket', 'new Shared incident', { channel: 'CHOME' });
    await waitForCard(s, 'CHOME');
    // The same ticket's card shown in fifteen more channels (as the core records cards from any adapter).
    const channels = Array.from({ length: 15 }, (_, i) => `CFAN${i}`);
    for (const channel of channels) {
      const m = s.fake.addMessage({ channel, text: 'INC-1 card', bot_id: s.fake.bot.botId });
      await s.bot.core.recordCard({
        tenant: 'acme',
        ticketId: 'INC-1',
        platform: 'slack',
        channel,
        messageId: m.ts,
        thread: m.ts,
      });
    }
    s.fake.rateLimit('chat.update', 1, 2);
    s.fake.rateLimit('chat.postMessage', 1, 2);
    await personAt(s.bot.core, 'root', 'console', 'local')('ticket priority INC-1 P1');
    const everywhere = ['CHOME', ...channels];
    await s.fake.waitFor(
      (calls) =>
        everywhere.every(
          (c) =>
            calls.some((x) => x.method === 'chat.update' && x.status === 200 && x.body.channel === c) &&
            calls.some(
              (x) =>
                x.method === 'chat.postMessage' &&
                x.status === 200 &&
                x.body.channel === c &&
                x.body.thread_ts &&
                String(x.body.text).includes('priority'),
            ),
        ),
      15_000,
      'an update and a thread summary in every channel',
    );
    for (const c of everywhere) {
      const update = s.fake.callsTo('chat.update').find((x) => x.body.channel === c);
      expect(JSON.stringify(update?.body.blocks)).toContain('*Priority*\\nP1');
    }
  });
});
