// A file posted to a Discord channel in a process where Bolt's undici is the global dispatcher, as it is when the
// Slack adapter loads before the Discord one (adapters/discord/rest.ts says why that broke every attachment).
import { createRequire } from 'node:module';
import { afterEach, describe, expect, it } from 'vitest';
import { type DiscordTestBot, startDiscordTestBot, textOf } from '../support/fakeDiscordBot.ts';

const DISPATCHER = Symbol.for('undici.globalDispatcher.1');

interface Undici {
  Agent: new () => unknown;
  setGlobalDispatcher(agent: unknown): void;
}

/** The undici that @slack/bolt brings (through @slack/socket-mode), not discord.js's own. */
function boltsUndici(): Undici {
  const fromBolt = createRequire(createRequire(import.meta.url).resolve('@slack/bolt'));
  const fromSocketMode = createRequire(fromBolt.resolve('@slack/socket-mode'));
  return fromSocketMode('undici') as Undici;
}

describe('a Discord attachment with Slack loaded first', () => {
  let t: DiscordTestBot | undefined;
  let before: unknown;
  afterEach(async () => {
    await t?.close();
    if (before) boltsUndici().setGlobalDispatcher(before);
  });

  it('is posted once, on the first attempt, when Bolt’s undici dispatches every request', async () => {
    before = (globalThis as Record<symbol, unknown>)[DISPATCHER];
    const undici = boltsUndici();
    undici.setGlobalDispatcher(new undici.Agent());
    t = await startDiscordTestBot();
    await t.answer(t.slash(t.admin, 'ticket', 'new', { title: 'Printer jam', service: 'printing' }));
    const a = await t.answer(t.slash(t.admin, 'status', null, { scope: 'export', period: 'week', format: 'csv' }));
    expect(textOf(a.message)).toMatch(/Exported 1 ticket .* uploaded to this channel/);

    const channel = t.channel.id;
    const posted = await t.fake.waitFor(
      () => t?.fake.channelMessages(channel).find((m) => m.files?.length),
      'the CSV in the channel',
    );
    expect(posted.files[0].name).toMatch(/^tickets-.*\.csv$/);
    expect(posted.files[0].bytes.toString('utf8')).toContain('Printer jam');
    // One request carried the file: no attempt failed in the client and was retried.
    const uploads = t.fake.requests.filter(
      (r) => r.method === 'POST' && r.path === `/channels/${channel}/messages` && r.body?.files?.length,
    );
    expect(uploads).toHaveLength(1);
  });
});
