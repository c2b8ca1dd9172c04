import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketChange } from '../../src/core/bot.ts';
import type { Bot } from '../../src/core/createBot.ts';
import type { Reply } from '../../src/present/reply.ts';
import type { Ticket } from '../../src/store/ticketStore.ts';
import { anotherProcess, personAt, startTestBot, type TestBot } from '../support/harness.ts';
import { storedTicket, storedTickets, ticketCount } from '../support/storedTickets.ts';

let bot: TestBot;
const ok = (r: Reply): Reply => {
  expect(r.error, r.text).toBeUndefined();
  return r;
};
const numbersOf = (replies: Reply[], prefix: string): number[] =>
  replies.map((r) => {
    expect(r.error, r.text).toBeUndefined();
    const id = r.card?.ticketId as string;
    expect(id.startsWith(`${prefix}-`)).toBe(true);
    return Number(id.slice(prefix.length + 1));
  });
const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i + 1);
const sorted = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);

beforeAll(async () => {
  bot = await startTestBot();
});
afterAll(async () => {
  await bot?.close();
});

describe('ticket numbers', () => {
  it('gives 200 concurrent opens 200 distinct consecutive numbers', async () => {
    const people = range(10).map((i) => personAt(bot.core, `user${i}`, 'console', 'burst'));
    const replies = await Promise.all(
      range(200).map((i) => (people[i % 10] as (l: string) => Promise<Reply>)(`/ticket new "Burst ${i}"`)),
    );
    expect(sorted(numbersOf(replies, 'INC'))).toEqual(range(200));
    expect(await ticketCount(bot.db.connection, { tenant: 'console:burst' })).toBe(200);
  });

  it('keeps each type on its own sequence under concurrency', async () => {
    const as = personAt(bot.core, 'mixer', 'console', 'mixed');
    const replies = await Promise.all(
      range(60).map((i) => as(`/ticket new "Mixed ${i}" --type ${i % 2 ? 'incident' : 'request'}`)),
    );
    expect(
      sorted(
        numbersOf(
          replies.filter((_, i) => (i + 1) % 2 === 1),
          'INC',
        ),
      ),
    ).toEqual(range(30));
    expect(
      sorted(
        numbersOf(
          replies.filter((_, i) => (i + 1) % 2 === 0),
          'REQ',
        ),
      ),
    ).toEqual(range(30));
  });

  describe('two bots on one database', () => {
    let second: Bot;
    let other: Awaited<ReturnType<typeof anotherProcess>>;
    beforeAll(async () => {
      other = await anotherProcess(bot);
      second = other.core;
    });
    afterAll(async () => {
      await other?.close();
    });

    it('never give two tickets the same number (the unique index decides, duplicates are retried)', async () => {
      const a = personAt(bot.core, 'ann', 'console', 'shared');
      const b = personAt(second, 'ben', 'console', 'shared');
      // Each learns the sequence first, so both then believe the same next number.
      ok(await a('/ticket new "Warm-up A"'));
      ok(await b('/ticket new "Warm-up B"'));
      const replies = await Promise.all(range(200).map((i) => (i % 2 ? a : b)(`/ticket new "Race ${i}"`)));
      const numbers = numbersOf(replies, 'INC');
      expect(new Set(numbers).size).toBe(200);
      expect(sorted(numbers)).toEqual(range(202).slice(2));
      const stored = await storedTickets(bot.db.connection, { tenant: 'console:shared' });
      expect(sorted(stored.map((t) => t.number as number))).toEqual(range(202));
    });

    it('never lose a change when both write one ticket at once (each version is claimed once)', async () => {
      const root = personAt(bot.core, 'root', 'console', 'shared');
      const a = personAt(bot.core, 'root', 'console', 'shared');
      const b = personAt(second, 'root', 'console', 'shared');
      const opened = ok(await root('/ticket new "Hot ticket"'));
      const id = opened.card?.ticketId as string;
      const replies = await Promise.all(range(30).map((i) => (i % 2 ? a : b)(`/ticket comment ${id} "note ${i}"`)));
      // Nobody is told "added" for a comment that was not kept, and nothing fails on our side.
      expect(replies.filter((r) => r.error === 'SYSTEM.ERROR')).toEqual([]);
      const told = replies.filter((r) => r.error === undefined).map((_, i) => i);
      const t = await storedTicket(bot.db.connection, 'console:shared', id);
      const comments = ((t?.comments ?? []) as Array<{ text: string }>).map((c) => c.text);
      expect(comments).toHaveLength(told.length);
      expect(new Set(comments).size).toBe(comments.length);
      expect(t?.version).toBe(comments.length);
      expect(told.length).toBeGreaterThanOrEqual(25);
    });
  });
});

describe('claimDelivery', () => {
  it('is true the first time a key is claimed, false ever after', async () => {
    expect(await bot.core.claimDelivery('slack:event:Ev1')).toBe(true);
    expect(await bot.core.claimDelivery('slack:event:Ev1')).toBe(false);
    expect(await bot.core.claimDelivery('slack:event:Ev1')).toBe(false);
    expect(await bot.core.claimDelivery('slack:event:Ev2')).toBe(true);
  });

  it('lets exactly one of 20 parallel claims of one key win', async () => {
    const results = await Promise.all(range(20).map(() => bot.core.claimDelivery('discord:interaction:42')));
    expect(results.filter(Boolean)).toHaveLength(1);
  });
});

describe('change notifications', () => {
  // A database of its own: on FerretDB 1.x every ticket lookup scans the collection, so keep it small.
  let quiet: TestBot;
  let changes: TicketChange[];
  beforeAll(async () => {
    quiet = await startTestBot();
    changes = [];
    quiet.core.onTicketChanged(async (c) => {
      if (c.tenant !== 'console:notify') return;
      // A slow listener: later changes must still arrive after earlier ones.
      await new Promise((r) => setTimeout(r, (c.summary.length * 7) % 13));
      changes.push(c);
    });
    quiet.core.onTicketChanged(async (c) => {
      if (c.tenant === 'console:notify') throw new Error('a broken adapter');
    });
  });
  afterAll(async () => {
    await quiet?.close();
  });
  const root = () => personAt(quiet.core, 'root', 'console', 'notify');

  it('arrive once per change, with the card as it is now, in the order of the changes', async () => {
    const as = root();
    const id = ok(await as('/ticket new "Notify me"')).card?.ticketId as string;
    for (const step of ['assign ID me', 'start ID', 'pending ID', 'start ID', 'resolve ID done', 'close ID']) {
      ok(await as(`/ticket ${step.replace('ID', id)}`));
    }
    await quiet.core.settled();
    const mine = changes.filter((c) => c.ticketId === id);
    expect(mine.map((c) => c.card.fields?.find((f) => f.label === 'State')?.value)).toEqual([
      'new',
      'assigned',
      'in_progress',
      'pending',
      'in_progress',
      'resolved',
      'closed',
    ]);
    expect(mine[0]).toMatchObject({
      tenant: 'console:notify',
      platform: 'console',
      actor: { id: 'console:root', platform: 'console', displayName: 'root' },
      summary: `root opened ${id}: Notify me`,
      card: { card: { tenant: 'console:notify', ticketId: id } },
    });
    expect(mine[1]?.summary).toBe(`root assigned ${id} to root`);
  });

  it('keep per-ticket order when changes to several tickets race', async () => {
    const as = root();
    const ids = await Promise.all(
      range(3).map(async (i) => ok(await as(`/ticket new "Race ${i}"`)).card?.ticketId as string),
    );
    await Promise.all(
      ids.flatMap((id) => range(12).map((n) => as(`/ticket comment ${id} "note ${n} ${'x'.repeat(n)}"`))),
    );
    await quiet.core.settled();
    for (const id of ids) {
      const t = (await storedTicket(quiet.db.connection, 'console:notify', id)) as Ticket;
      expect(t.comments).toHaveLength(12);
      expect(t.version).toBe(12);
      const applied = t.comments.map((c) => c.text);
      const heard = changes
        .filter((c) => c.ticketId === id && c.summary.includes('commented on'))
        .map((c) => c.summary.slice(c.summary.indexOf(': ') + 2));
      expect(heard).toEqual(applied);
    }
  });
});
