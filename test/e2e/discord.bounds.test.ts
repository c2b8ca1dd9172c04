// The Discord adapter's memory is bounded: forms waiting for a submission and threads it knows about.
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { BoundedMap } from '../../adapters/discord/boundedMap.ts';
import { DiscordCards } from '../../adapters/discord/cards.ts';
import { FormStash } from '../../adapters/discord/customIds.ts';
import type { BotCore } from '../../src/core/bot.ts';

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

  it('a thread told to be quiet for a comment is kept in mind only briefly and boundedly', () => {
    const cards = new DiscordCards({ client: {} as never, core: {} as BotCore, log: pino({ level: 'silent' }) });
    for (let i = 0; i < 12_000; i++) cards.quietOnce(`thread-${i}`);
    expect(cards.threadsKept).toBeLessThanOrEqual(10_000);
  });
});
