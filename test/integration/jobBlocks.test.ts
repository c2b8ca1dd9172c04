// Two job engines split a burst on the real database: a minute's slots in blocks, each block after the first read
// and run by the engine that claimed it; a block whose engine died is taken over; one holding a job its engine may
// not run is opened to the other. Small blocks stand for the 64-slot ones. The clock is injected.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobEngine } from '../../src/scheduler/jobs.ts';
import { type Job, JobRepository } from '../../src/store/jobStore.ts';
import { type TestDatabase, testDatabase } from '../support/db.ts';

const log = pino({ level: 'silent' });
let db: TestDatabase;
let clock = new Date('2031-04-02T10:00:30Z');
const now = () => clock;
const later = (ms: number) => {
  clock = new Date(clock.getTime() + ms);
};

const job = (id: string, dueAt: Date, kind = 'test.run'): Job => ({
  _id: id,
  tenant: 't',
  kind,
  dueAt,
  payload: {},
  createdAt: new Date(dueAt.getTime() - 3_600_000),
  by: null,
  ticketId: null,
});

/**
 * An engine with small blocks that records what it ran; `other` also runs `test.other` jobs. `gate`, when given,
 * holds each job (recorded as it starts) until it resolves.
 */
function engine(ran: string[], other = false, gate?: Promise<void>): { engine: JobEngine; repo: JobRepository } {
  // Blocks are the store's layout: the repository is told their size, the engine knows nothing of them.
  const repo = new JobRepository(db.connection, now, { blockSize: 4 });
  const e = new JobEngine(repo, { now, log, pollMs: 20, concurrency: 2 });
  const run = async (j: Job) => {
    if (gate) {
      ran.push(j._id);
      await gate;
      return;
    }
    await new Promise((r) => setTimeout(r, 2));
    ran.push(j._id);
  };
  e.handle('test.run', run);
  if (other) e.handle('test.other', run);
  return { engine: e, repo };
}

async function until(
  done: () => boolean,
  engines: JobEngine[],
  doneAsync: () => Promise<boolean> = async () => false,
): Promise<void> {
  for (let i = 0; i < 200 && !done() && !(await doneAsync()); i++) {
    await Promise.all(engines.map((e) => e.drained()));
    await new Promise((r) => setTimeout(r, 20));
  }
}

const once = (ran: string[]) => new Set(ran).size === ran.length;

beforeAll(async () => {
  db = await testDatabase();
});
afterAll(() => db.close());

describe('a burst in one minute', () => {
  it('is split between two engines: each job runs once, and each engine runs whole blocks of it', async () => {
    const due = new Date('2031-04-02T10:00:00Z');
    const repo = new JobRepository(db.connection, now);
    for (let i = 0; i < 40; i++) await repo.add(job(`split-${i}`, due));
    const [ranA, ranB]: [string[], string[]] = [[], []];
    const a = engine(ranA);
    const b = engine(ranB);
    a.engine.start();
    b.engine.start();
    try {
      await until(() => ranA.length + ranB.length >= 40, [a.engine, b.engine]);
      const all = [...ranA, ...ranB];
      expect(all.sort()).toEqual(Array.from({ length: 40 }, (_, i) => `split-${i}`).sort());
      expect(once(all)).toBe(true);
      // Past block 0 (slots 0–3, everyone's), a job is run by the engine holding its block.
      expect(ranA.length).toBeGreaterThan(0);
      expect(ranB.length).toBeGreaterThan(0);
      // Once the minute is over (and settled, within the lease), each engine closes its own blocks, whatever it
      // holds of the other's, and both walk on past the minute when they look again (both still beating).
      later(40_000);
      for (let i = 0; i < 5; i++) await Promise.all([a.engine.drained(), b.engine.drained()]);
      const ends = await repo.all('job_ends');
      expect(ends.filter((e) => e._id.startsWith('split-'))).toHaveLength(40);
      const blockClaims = () =>
        db.connection
          .collection<{ _id: string; owner: string }>('job_claims')
          .find({ _id: /^block:/ })
          .toArray();
      const blocks = await blockClaims();
      later(25_000);
      for (const owner of new Set(blocks.map((c) => c.owner))) await repo.heartbeats.beat(owner, clock);
      const past = async () => ((await repo.scannedTo())?.getTime() ?? 0) > due.getTime();
      await until(() => false, [a.engine, b.engine], past);
      // No block was taken over: each was closed by the engine that held it.
      expect(blocks.length).toBeGreaterThan(0);
      expect((await blockClaims()).every((c) => c._id.endsWith('#0'))).toBe(true);
      expect((await repo.scannedTo())?.getTime()).toBeGreaterThan(due.getTime());
    } finally {
      await a.engine.stop();
      await b.engine.stop();
    }
  });

  it('has a block whose engine died taken over after the lease, and one holding a job its engine may not run opened', async () => {
    later(3_600_000);
    const due = new Date(Math.floor(clock.getTime() / 60_000) * 60_000);
    const repo = new JobRepository(db.connection, now);
    // Slots 0–3 (block 0), 4–7 (block 1: held by a process that died), 8–11 (block 2, with a job only B may run).
    for (let i = 0; i < 12; i++) await repo.add(job(`blk-${i}`, due, i === 9 ? 'test.other' : 'test.run'));
    expect(await repo.claimBlock(due, 1, 0, clock, 'dead')).toBe(true);
    const [ranA, ranB]: [string[], string[]] = [[], []];
    const a = engine(ranA);
    const b = engine(ranB, true);
    // A alone first: it runs blocks 0 and 2 but the job of block 2 it may not run; block 1 waits for the lease.
    a.engine.start();
    try {
      await until(() => ranA.length >= 7, [a.engine]);
      await a.engine.drained();
      expect(ranA.sort()).toEqual(['blk-0', 'blk-1', 'blk-10', 'blk-11', 'blk-2', 'blk-3', 'blk-8']);
      b.engine.start();
      // B sees blocks 1 and 2 held, and looks again a second later: block 2 is open to it.
      await b.engine.drained();
      later(2_000);
      await until(() => ranB.includes('blk-9'), [a.engine, b.engine]);
      expect(ranB).toEqual(['blk-9']);
      // The dead process's block, once past the lease: taken over and run, each job once.
      later(61_000);
      await until(() => ranA.length + ranB.length >= 12, [a.engine, b.engine]);
      later(61_000);
      await until(() => ranA.length + ranB.length >= 12, [a.engine, b.engine]);
      const all = [...ranA, ...ranB];
      expect(all.sort()).toEqual(Array.from({ length: 12 }, (_, i) => `blk-${i}`).sort());
      expect(once(all)).toBe(true);
    } finally {
      await a.engine.stop();
      await b.engine.stop();
    }
  });

  it('has the blocks an engine held given back when it stops, so another runs them at once, not after the lease', async () => {
    later(2 * 3_600_000);
    const due = new Date(Math.floor(clock.getTime() / 60_000) * 60_000);
    const repo = new JobRepository(db.connection, now);
    for (let i = 0; i < 16; i++) await repo.add(job(`stop-${i}`, due));
    const blockClaims = async () =>
      (
        await db.connection
          .collection<{ _id: string }>('job_claims')
          .find({ _id: /^block:/ })
          .toArray()
      ).length;
    const before = await blockClaims();
    let open = () => {};
    const gate = new Promise<void>((r) => {
      open = r;
    });
    const [ranA, ranB]: [string[], string[]] = [[], []];
    const a = engine(ranA, false, gate);
    a.engine.start();
    // A starts a few jobs, which wait; with a block's worth waiting to start it holds a block past the first.
    for (let i = 0; i < 250 && !(ranA.length >= 2 && (await blockClaims()) > before); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(ranA.length).toBeLessThan(8);
    expect(await blockClaims()).toBeGreaterThan(before);
    open();
    await a.engine.stop();
    // B, started after A stopped, runs everything A did not, on the same clock: no lease has run out.
    const b = engine(ranB);
    b.engine.start();
    try {
      await until(() => ranA.length + ranB.length >= 16, [b.engine]);
      const all = [...ranA, ...ranB];
      expect(all.sort()).toEqual(Array.from({ length: 16 }, (_, i) => `stop-${i}`).sort());
      expect(once(all)).toBe(true);
    } finally {
      await b.engine.stop();
    }
  });
});
