// The rollups' recent window (src/store/rollupWindow.ts): a recent period is one read of the tenant's window, an
// older one still reads day documents, and what a fold, a rebuild or an older layout leaves reads the same.
// @module-tag time-of-day
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RollupFact } from '../../src/domain/rollupFacts.ts';
import { RollupRepository } from '../../src/store/rollupStore.ts';
import { countRoundTrips } from '../../src/store/roundTrips.ts';
import { type TestDatabase, testDatabase } from '../support/db.ts';

const DAY = 86_400_000;
const now = new Date('2026-06-30T10:00:00Z');
const clock = () => now;

let db: TestDatabase;
beforeAll(async () => {
  db = await testDatabase(undefined, { monitorCommands: true });
});
afterAll(() => db?.close());

let n = 0;
/** An `opened` fact `daysAgo` days before now. */
function fact(tenant: string, daysAgo: number): RollupFact {
  const at = new Date(now.getTime() - daysAgo * DAY);
  n++;
  return {
    id: `${tenant}/${at.toISOString().slice(0, 10)}/INC-${n}/opened`,
    tenant,
    ticketId: `INC-${n}`,
    type: 'incident',
    kind: 'opened',
    at,
    priority: 'P3',
    service: null,
    team: null,
  };
}

const ids = (facts: RollupFact[]) => facts.map((f) => f.ticketId).sort();
const back = (days: number) => new Date(now.getTime() - days * DAY);

describe('the recent window', () => {
  it('answers a recent period in one read, an older one from its days, each with what was folded', async () => {
    const repo = new RollupRepository(db.connection, clock);
    const recent = [fact('w1', 3), fact('w1', 10), fact('w1', 50)];
    const old = [fact('w1', 80), fact('w1', 90)];
    const other = fact('w1-other', 3);
    for (const f of [...recent, ...old, other]) expect(await repo.insert(f)).toBe(true);
    await repo.fold(now);
    const fresh = new RollupRepository(db.connection, clock);
    const wire = countRoundTrips(db.connection);
    try {
      expect(ids(await fresh.between('w1', back(14), now))).toEqual(ids(recent.slice(0, 2)));
      // The window (the unfolded facts beside it): one read of `rollups`.
      expect(wire.seen().filter((c) => c === 'find rollups')).toHaveLength(1);
      wire.reset();
      expect(ids(await fresh.between('w1', back(60), now))).toEqual(ids(recent));
      // Kept: only the fold marker is asked.
      expect(wire.seen().filter((c) => c === 'find rollups')).toHaveLength(1);
      // Before the window: its days, by _id.
      expect(ids(await fresh.between('w1', back(95), back(70)))).toEqual(ids(old));
    } finally {
      wire.stop();
    }
    expect(ids(await fresh.between('w1-other', back(14), now))).toEqual(ids([other]));
    expect(await fresh.between('nobody', back(14), now)).toEqual([]);
  });

  it('sees a fold by another process, and a rebuild there empties what this one kept', async () => {
    const here = new RollupRepository(db.connection, clock);
    const there = new RollupRepository(db.connection, clock);
    const first = fact('w2', 5);
    await there.insert(first);
    await there.fold(now);
    expect(ids(await here.between('w2', back(14), now))).toEqual(ids([first]));
    const second = fact('w2', 6);
    await there.insert(second);
    await there.fold(now);
    expect(ids(await here.between('w2', back(14), now))).toEqual(ids([first, second]));
    await there.clear();
    expect(await here.between('w2', back(14), now)).toEqual([]);
  });

  it('holds each fact once when two processes fold the same facts at once, and again after a fold cut short', async () => {
    const a = new RollupRepository(db.connection, clock);
    const b = new RollupRepository(db.connection, clock);
    const facts = [fact('w3', 4), fact('w3', 4), fact('w3', 20)];
    for (const f of facts) await a.insert(f);
    await Promise.all([a.fold(now), b.fold(now)]);
    // A fold cut short before it deleted the facts: they are folded again, by id, once.
    for (const f of facts) await a.insert(f);
    await a.fold(now);
    const got = await new RollupRepository(db.connection, clock).between('w3', back(30), now);
    expect(ids(got)).toEqual(ids(facts));
  });

  it('is built once at start-up for a tenant folded before windows were kept, from its day documents', async () => {
    const repo = new RollupRepository(db.connection, clock);
    const facts = [fact('w4', 3), fact('w4', 40), fact('w4', 100)];
    for (const f of facts) await repo.insert(f);
    await repo.fold(now);
    // As an older version left it: day documents, and no window.
    const rollups = db.connection.collection<{ _id: string }>('rollups');
    await rollups.deleteOne({ _id: 'w4/~recent' });
    await db.connection.collection<{ _id: string }>('migrations').deleteOne({ _id: 'rollups-recent-window' });
    const started = new RollupRepository(db.connection, clock);
    const lines: string[] = [];
    await started.ensureWindows((line) => lines.push(line));
    expect(lines.join('\n')).toMatch(/recent window/);
    expect(await rollups.findOne({ _id: 'w4/~recent' })).not.toBeNull();
    expect(ids(await started.between('w4', back(60), now))).toEqual(ids(facts.slice(0, 2)));
    expect(ids(await started.between('w4', back(110), back(90)))).toEqual(ids(facts.slice(2)));
    // Once: a later start reads only that it was done.
    const wire = countRoundTrips(db.connection);
    try {
      await new RollupRepository(db.connection, clock).ensureWindows();
      expect(wire.seen()).toEqual(['find migrations']);
    } finally {
      wire.stop();
    }
  });
});
