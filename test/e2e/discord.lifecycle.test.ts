// stop(): the gateway connection closes for good, and work still in flight ends quietly.
import { expect, it } from 'vitest';
import { startDiscordTestBot } from '../support/fakeDiscordBot.ts';

it('stop closes the gateway for good; an interaction in flight finishes without an unhandled error', async () => {
  let entered = false;
  let release!: () => void;
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const t = await startDiscordTestBot({
    wrapCore: (core) => ({
      ...core,
      async handle(inv) {
        entered = true;
        await gate;
        return core.handle(inv);
      },
    }),
  });
  try {
    const id = t.slash(t.admin, 'ticket', 'new', { title: 'Opened while stopping' });
    await t.fake.waitFor(() => entered, 'the command to start running');
    const identifies = t.fake.gateway.identifies;
    await t.adapter.stop();
    expect(t.adapter.client.isReady()).toBe(false);
    await t.fake.waitFor(() => !t.fake.gateway.open, 'the gateway connection to close');
    release();
    // The work finishes; what it sends after stop may fail, but only into the log.
    await t.fake.waitFor(
      () => t.fake.answerNow(id) || t.logs.some((l) => l.level >= 40 && String(l.interaction ?? '') === id),
      'the interaction to end one way or the other',
    );
    await t.bot.core.settled();
    expect(t.fake.gateway.identifies).toBe(identifies);
    expect(t.fake.gateway.resumes).toBe(0);
  } finally {
    release();
    await t.close();
  }
});
