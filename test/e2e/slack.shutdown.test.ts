// stop(): no new requests, work not yet started dropped, running work finishes, and nothing waits on Slack's retries.

import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { BotCore } from '../../src/core/bot.ts';
import { askCore, headerOf, startSlackBot, waitForCard } from '../support/fakeSlackBot.ts';
import { personAt } from '../support/harness.ts';

describe('Slack adapter shutdown', () => {
  it('does not wait out the default 30-minute retries when Slack is down: stop() returns and the core settles', async () => {
    const s = await startSlackBot({
      retryConfig: 'slack-default',
      env: { SWITCHBOARD_ORGS: 'acme=slack:T1,console:local' },
    });
    let restore = () => {};
    try {
      await s.send.command('/ticket', 'new Slack goes down next', { channel: 'CDOWN' });
      await waitForCard(s, 'CDOWN');
      restore = s.fake.down('chat.update');
      // A change made at the terminal: its card update keeps failing, and the client keeps retrying.
      await personAt(s.bot.core, 'root', 'console', 'local')('ticket priority INC-1 P1');
      await s.fake.waitFor(
        (c) => c.find((x) => x.method === 'chat.update' && x.status === 503),
        5000,
        'a failed update',
      );
      await s.adapter.stop();
      await s.bot.core.settled();
      // Nothing of the bot is left calling Slack once stopped.
      const attempts = s.fake.calls.filter((c) => c.method === 'chat.update').length;
      await s.send.command('/help', '', { channel: 'CDOWN' }).catch(() => undefined);
      expect(s.fake.calls.filter((c) => c.method === 'chat.update')).toHaveLength(attempts);
    } finally {
      restore();
      await s.close();
    }
  });

  it('drops work that had not started, and lets running work finish', async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const reached: string[] = [];
    const held = (core: BotCore): BotCore =>
      Object.assign(Object.create(core) as BotCore, {
        handle: async (inv: Parameters<BotCore['handle']>[0]) => {
          reached.push(String(inv.text));
          if (String(inv.text).includes('First')) await gate;
          return core.handle(inv);
        },
      });
    const s = await startSlackBot({ wrapCore: held, adapter: { concurrency: 1, stopGraceMs: 10_000 } });
    try {
      await s.send.command('/ticket', 'new First', { channel: 'CSTOP' });
      await s.fake.waitFor(() => reached.length === 1 || undefined, 5000, 'the first command to reach the core');
      // Acked, but waiting for the one slot the first command holds.
      expect((await s.send.command('/ticket', 'new Second', { channel: 'CSTOP' })).status).toBe(200);
      expect((await s.send.command('/ticket', 'new Third', { channel: 'CSTOP' })).status).toBe(200);
      const stopping = s.adapter.stop();
      release();
      await stopping;
      await s.bot.core.settled();
      expect(reached).toEqual(['new First']);
      const card = await waitForCard(s, 'CSTOP');
      expect(headerOf(card.body)).toBe('INC-1 · First');
      expect((await askCore(s.bot.core, 'ticket list --state all')).list).toHaveLength(1);
    } finally {
      release();
      await s.close();
    }
  });

  it('closes a connection whose request never finishes instead of waiting for it', async () => {
    const s = await startSlackBot();
    const socket = connect(s.port, '127.0.0.1');
    socket.on('error', () => {}); // the reset that closing it causes
    try {
      await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
      socket.write('POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n{"type":');
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      // As main.ts stops: the adapter, then the shared server; neither waits for the client to finish.
      await s.adapter.stop();
      await s.http.close();
      await closed;
    } finally {
      socket.destroy();
      await s.close();
    }
  });
});
