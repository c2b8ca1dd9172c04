// Adapters' memory and work are bounded: forms waiting, threads known, work in flight (Discord).
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { DiscordCards } from '../../adapters/discord/cards.ts';
import { FormStash } from '../../adapters/discord/customIds.ts';
import type { BotCore } from '../../src/core/bot.ts';
import { BoundedMap } from '../../src/kit/boundedMap.ts';
import { isEphemeral, startDiscordTestBot, textOf } from '../support/fakeDiscordBot.ts';
import { holdCore } from '../support/harness.ts';
import { storedTickets } from '../support/storedTickets.ts';

describe('BoundedMap', () => {
  it('keeps at most max entries, the oldest going first', () => {
    const m = new BoundedMap<number, string>(3);
    for (let i = 0; i < 5; i++) m.set(i, `v${i}`);
    expect(m.size).toBe(3);
    expect([0, 1, 2, 3, 4].map((i) => m.get(i))).toEqual([undefined, undefined, 'v2', 'v3', 'v4']);
  });

  it('forgets an entry once it has lived ttl, and setting a key again renews it', () => {
    const m = new BoundedMap<string, boolean>(10, 1_000);
    m.set('a', true, 0);
    m.set('b', true, 500);
    m.set('a', true, 900);
    expect(m.get('b', 1_499)).toBe(true);
    expect(m.get('b', 1_500)).toBeUndefined();
    expect(m.get('a', 1_800)).toBe(true);
    m.set('c', true, 5_000);
    expect(m.size).toBe(1);
  });

  it('take hands a value out once', () => {
    const m = new BoundedMap<string, number>(10);
    m.set('k', 1);
    expect(m.take('k')).toBe(1);
    expect(m.take('k')).toBeUndefined();
  });
});

describe('FormStash', () => {
  it('a flood of opened forms pushes out the oldest instead of growing without end', () => {
    const stash = new FormStash(60_000, 100);
    const first = stash.put({ id: 'INC-1' }, 0);
    for (let i = 0; i < 1_000; i++) stash.put({ id: `INC-${i}` }, 1);
    expect(stash.size).toBe(100);
    expect(stash.take(first, 2)).toBeUndefined();
  });

  it('a form kept past its time is gone; one inside it is handed out once', () => {
    const stash = new FormStash(60_000);
    const old = stash.put({ id: 'INC-1' }, 0);
    const fresh = stash.put({ id: 'INC-2' }, 30_000);
    expect(stash.take(old, 60_001)).toBeUndefined();
    expect(stash.take(fresh, 60_001)).toEqual({ id: 'INC-2' });
    expect(stash.take(fresh, 60_001)).toBeUndefined();
  });
});

describe('DiscordCards', () => {
  it('chatter in ever more threads that are no ticket’s keeps a bounded number of them in mind', async () => {
    let lookups = 0;
    const core = {
      async ticketForThread() {
        lookups++;
        return null;
      },
    } as unknown as BotCore;
    const cards = new DiscordCards({ client: {} as never, core, log: pino({ level: 'silent' }) });
    for (let i = 0; i < 12_000; i++) await cards.ticketForThread('parent', `thread-${i}`);
    expect(cards.threadsKept).toBeLessThanOrEqual(10_000);
    // Still a cache: the latest thread is not looked up again.
    await cards.ticketForThread('parent', 'thread-11999');
    expect(lookups).toBe(12_000);
  });
});

describe('work in flight', () => {
  it('beyond the pool and its queue, a person is told Switchboard is busy at once, and nothing was done', async () => {
    const { wrap, release } = holdCore();
    const t = await startDiscordTestBot({
      wrapCore: wrap,
      slowReplyMs: 200,
      adapter: { concurrency: 1, maxWaiting: 1 },
    });
    try {
      const running = t.slash(t.admin, 'ticket', 'new', { title: 'Held one' });
      const waiting = t.slash(t.admin, 'ticket', 'new', { title: 'Waiting one' });
      // Both answered inside Discord's 3 seconds (the fake refuses later answers): deferred while held.
      const deferred = (id: string) =>
        t.fake.waitFor(
          () => t.fake.interactions.get(id)?.callbacks.some((c) => c.status < 300 && c.type === 5),
          `the deferral of ${id}`,
        );
      await deferred(running);
      await deferred(waiting);
      const refused = await t.answer(t.slash(t.admin, 'ticket', 'new', { title: 'One too many' }));
      expect(refused.deferred).toBe(false);
      expect(isEphemeral(refused.message)).toBe(true);
      expect(textOf(refused.message)).toMatch(/^Switchboard is too busy right now, so that was not done\./);
      expect(t.logs.some((l) => l.msg === 'discord: not done, too much work waiting')).toBe(true);

      release();
      // Deferred privately (a slash command's first guess), the public card follows the placeholder.
      const card = async (id: string) =>
        textOf((await t.answer(id, (a) => Boolean(a.followups?.length))).followups?.[0]);
      expect(await card(running)).toContain('Held one');
      expect(await card(waiting)).toContain('Waiting one');
      await t.bot.core.settled();
      const titles = (await storedTickets(t.bot.db.connection)).map((d) => d.title);
      expect(titles.sort()).toEqual(['Held one', 'Waiting one']);
    } finally {
      release();
      await t.close();
    }
  });
});
