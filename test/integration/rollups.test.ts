// Daily rollups on the real database: kept from the change feed, counted once, and equal to a rebuild from the tickets.
// @module-tag time-of-day
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RollupFact } from '../../src/domain/rollupFacts.ts';
import { RollupService } from '../../src/services/rollups.ts';
import { RollupRepository } from '../../src/store/rollupStore.ts';
import { TicketRepository } from '../../src/store/ticketStore.ts';
import { anotherProcess, personAt, startTestBot, type TestBot } from '../support/harness.ts';

const M = 60_000;
let clock = new Date('2026-03-01T08:00:00Z');
let bot: TestBot;
const byId = (a: RollupFact, b: RollupFact) => a.id.localeCompare(b.id);
/** Every event of the tenant since `since` (each day is a collection read: the span is kept to the test's). */
const factsOf = async (tenant: string, since: Date) =>
  (await bot.services.rollups.between(tenant, since, new Date(clock.getTime() + 1))).sort(byId);

beforeAll(async () => {
  bot = await startTestBot({ now: () => clock });
});
afterAll(async () => {
  await bot?.close();
});

const OPS = ['open', 'assign', 'start', 'pending', 'resolve', 'reopen', 'close', 'priority', 'comment'] as const;
const op = fc.record({
  // Resolves and reopens weigh more, so most runs reopen something.
  kind: fc.constantFrom(...OPS, 'resolve', 'reopen', 'reopen', 'start'),
  ticket: fc.integer({ min: 1, max: 2 }),
  /** minutes to wait first: up to two days, so events cross days */
  wait: fc.integer({ min: 0, max: 2 * 24 * 60 }),
  priority: fc.constantFrom('P1', 'P2', 'P3', 'P4'),
});

describe('rollups', () => {
  it('kept as tickets change equal those rebuilt from the tickets, after any mix of changes', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 4, maxLength: 16 }), async (ops) => {
        const workspace = `mix${++run}`;
        const tenant = `console:${workspace}`;
        const requester = personAt(bot.core, 'req', 'console', workspace);
        const agent = personAt(bot.core, 'root', 'console', workspace);
        const since = clock;
        await requester('/ticket new first');
        for (const o of ops) {
          clock = new Date(clock.getTime() + o.wait * M);
          const id = `INC-${o.ticket}`;
          const line = {
            open: '/ticket new another',
            assign: `/ticket assign ${id} me`,
            start: `/ticket start ${id}`,
            pending: `/ticket pending ${id} waiting on the vendor`,
            resolve: `/ticket resolve ${id} "fixed it"`,
            reopen: `/ticket reopen ${id} still broken`,
            close: `/ticket close ${id}`,
            priority: `/ticket priority ${id} ${o.priority}`,
            comment: `/ticket comment ${id} looking`,
          }[o.kind];
          // Refusals (a transition not allowed from here) are part of the mix: they change nothing.
          await (o.kind === 'open' ? requester : agent)(line);
        }
        await bot.core.settled();
        const kept = await factsOf(tenant, since);
        expect(kept.filter((f) => f.kind === 'opened').length).toBeGreaterThan(0);
        await bot.services.rollups.rebuild();
        expect(await factsOf(tenant, since)).toEqual(kept);
      }),
      { numRuns: 15, endOnFailure: true },
    );
  }, 120_000);

  it('counts a replayed change once, even from two processes at the same moment', async () => {
    const other = await anotherProcess(bot);
    try {
      const since = clock;
      const ada = personAt(bot.core, 'ada', 'console', 'replay');
      const root = personAt(bot.core, 'root', 'console', 'replay');
      await ada('/ticket new "printer on fire"');
      clock = new Date(clock.getTime() + 5 * M);
      await root('/ticket assign INC-1 me');
      clock = new Date(clock.getTime() + 5 * M);
      await root('/ticket resolve INC-1 "put it out"');
      await bot.core.settled();
      const before = await factsOf('console:replay', since);
      expect(before.map((f) => f.id.split('/').slice(2).join('/'))).toEqual([
        'INC-1/opened',
        'INC-1/resolved.1',
        'INC-1/responded',
      ]);
      const ticket = await bot.services.tickets.getTicket(
        {
          tenant: 'console:replay',
          person: { id: 'x', identity: 'console:root', name: 'root' },
          role: 'admin',
          source: { platform: 'console', workspace: 'replay' },
          now: clock,
          timezone: 'UTC',
        },
        'INC-1',
      );
      const mine = bot.services.rollups;
      const theirs = other.services.rollups;
      const added = await Promise.all([mine.record(ticket), theirs.record(ticket), mine.record(ticket)]);
      expect(added).toEqual([0, 0, 0]);
      expect(await factsOf('console:replay', since)).toEqual(before);
    } finally {
      await other.close();
    }
  });

  it('reads a period from its days, before and after the nightly fold, in two fixed collections', async () => {
    const repo = new RollupRepository(bot.db.connection);
    const service = new RollupService(repo, new TicketRepository(bot.db.connection), bot.config.sla);
    const fact = (day: string, n: number): RollupFact => ({
      id: `console:days/${day}/INC-${n}/opened`,
      tenant: 'console:days',
      ticketId: `INC-${n}`,
      type: 'incident',
      kind: 'opened',
      at: new Date(`${day}T12:00:00Z`),
      priority: 'P3',
      service: null,
      team: null,
    });
    for (const [i, day] of ['2025-06-01', '2025-06-02', '2025-06-03'].entries()) await repo.insert(fact(day, i + 1));
    const period = () =>
      service.between('console:days', new Date('2025-06-02T00:00:00Z'), new Date('2025-06-03T00:00:00Z'));
    expect((await period()).map((f) => f.ticketId)).toEqual(['INC-2']);
    // Folded (the nightly maintenance, in any number of processes at once): the same period, the same facts.
    const folded = await Promise.all([
      service.fold(new Date('2025-06-10T03:17:00Z')),
      repo.fold(new Date('2025-06-10T03:17:00Z')),
    ]);
    expect(folded[0] + folded[1]).toBe(3);
    expect((await period()).map((f) => f.ticketId)).toEqual(['INC-2']);
    // A replay of a folded event is refused... as a new fact it waits beside its day, and is not counted twice.
    await repo.insert(fact('2025-06-02', 2));
    expect((await period()).map((f) => f.ticketId)).toEqual(['INC-2']);
    const names =
      (await bot.db.connection.db?.listCollections({}, { nameOnly: true }).toArray())?.map((c) => c.name) ?? [];
    expect(names.filter((n) => n.startsWith('rollup')).sort()).toEqual(['rollup_facts', 'rollups']);
  });
});
