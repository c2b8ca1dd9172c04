// The store's side of the job engine's port on the real database: `due(until)` hands out the jobs due up to a time and
// not ended, reads a minute that is over once, remembers where it stood across a restart, and (where slots are read
// one by one) splits a burst's blocks between engines. No engine here: a look that records what it is handed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DueLook, JobQueue } from '../../src/store/jobQueue.ts';
import { type Job, JobRepository } from '../../src/store/jobStore.ts';
import { type TestDatabase, testDatabase } from '../support/db.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await testDatabase();
});
afterAll(() => db.close());

const job = (id: string, dueAt: string): Job => ({
  _id: id,
  tenant: 't',
  kind: 'test.run',
  dueAt: new Date(dueAt),
  payload: {},
  createdAt: new Date(new Date(dueAt).getTime() - 3_600_000),
  by: null,
  ticketId: null,
});

/** A look that takes nothing on itself: it records the ids it is handed (`waiting` says how many it holds back). */
function recorder(waiting = 0): DueLook & { seen: Set<string>; batches: number } {
  const seen = new Set<string>();
  const look = {
    seen,
    batches: 0,
    take: async (jobs: readonly Job[]) => {
      look.batches++;
      for (const j of jobs) seen.add(j._id);
      return true;
    },
    waiting: () => waiting,
    runsHere: () => true,
    full: () => false,
    soon: () => {},
  };
  return look;
}

const opts = { leaseMs: 60_000, graceMs: 3_600_000 };
const endAll = async (q: JobQueue, jobs: Iterable<Job>) => {
  for (const j of [...jobs]) await q.end(j, { outcome: 'done', at: j.dueAt, reason: null, lateMs: 0 });
};

describe('the jobs due, from the store', () => {
  it('hands out the jobs due up to `until`, none later, and none again once ended', async () => {
    const repo = new JobRepository(db.connection);
    await repo.add(job('d-1000', '2031-06-01T10:00:10Z'));
    await repo.add(job('d-1001', '2031-06-01T10:01:00Z'));
    await repo.add(job('d-1005', '2031-06-01T10:05:00Z'));
    const q = repo.queue(opts);
    await q.open(new Date('2031-06-01T10:00:30Z'));
    const first = recorder();
    await q.due(new Date('2031-06-01T10:01:30Z'), first);
    expect([...first.seen].sort()).toEqual(['d-1000', 'd-1001']);
    expect([...q.pending()].map((j) => j._id).sort()).toEqual(['d-1000', 'd-1001']);
    await endAll(q, q.pending());
    const second = recorder();
    await q.due(new Date('2031-06-01T10:06:00Z'), second);
    expect([...second.seen]).toEqual(['d-1005']);
  });

  it('reads a minute that is over once, however often it is looked at while a job in it waits', async () => {
    const repo = new JobRepository(db.connection);
    await repo.add(job('w-1', '2031-06-02T10:00:00Z'));
    let reads = 0;
    const filedInSince = repo.filedInSince.bind(repo);
    const minute = Date.parse('2031-06-02T10:00:00Z');
    repo.filedInSince = (...args: Parameters<typeof filedInSince>) => {
      if (args[0].getTime() === minute) reads++;
      return filedInSince(...args);
    };
    const q = repo.queue(opts);
    await q.open(new Date('2031-06-02T10:02:00Z'));
    await q.due(new Date('2031-06-02T10:02:00Z'), recorder());
    expect(reads).toBe(1);
    // `w-1` never ends here: its minute is watched (the minute now is read on every look), but not read again.
    for (let i = 0; i < 3; i++) await q.due(new Date('2031-06-02T10:02:00Z'), recorder());
    expect(reads).toBe(1);
    // (The queue starts where the last look on this database stood: the first test's jobs are pending too.)
    expect([...q.pending()].map((j) => j._id)).toContain('w-1');
  });

  it('remembers where it stood: a queue opened after downtime finds what fell due since, beyond the catch-up', async () => {
    const repo = new JobRepository(db.connection);
    await repo.add(job('r-1', '2031-06-03T08:00:00Z'));
    await repo.add(job('r-2', '2031-06-03T08:30:00Z'));
    const q = repo.queue(opts);
    await q.open(new Date('2031-06-03T08:10:00Z'));
    await q.due(new Date('2031-06-03T08:10:00Z'), recorder());
    await endAll(q, q.pending());
    // Left behind once over and ended, and the place saved.
    await q.due(new Date('2031-06-03T08:10:00Z'), recorder());
    // Five hours later, a new queue (a restart) with a one-minute catch-up still starts where the last one stood.
    const later = repo.queue({ ...opts, graceMs: 60_000 });
    await later.open(new Date('2031-06-03T13:10:00Z'));
    const look = recorder();
    await later.due(new Date('2031-06-03T13:10:00Z'), look);
    expect([...look.seen]).toEqual(['r-2']);
  });

  it('splits a burst read slot by slot: a block one queue took is not read by another', async () => {
    const repo = new JobRepository(db.connection, undefined, { blockSize: 4 });
    if (!(await repo.slotBySlot())) return; // On MongoDB a minute is one read: there are no blocks.
    for (let i = 0; i < 12; i++) await repo.add(job(`b-${i}`, '2031-06-04T10:00:00Z'));
    const at = new Date('2031-06-04T10:00:20Z');
    const a = repo.queue(opts);
    const b = repo.queue(opts);
    await a.open(at);
    await b.open(at);
    // A has nothing waiting: it takes on every block it finds. B comes after: only block 0 is everyone's.
    const lookA = recorder(0);
    await a.due(at, lookA);
    const lookB = recorder(0);
    await b.due(at, lookB);
    const burst = (seen: Set<string>, prefix: string) => [...seen].filter((id) => id.startsWith(prefix)).sort();
    expect(burst(lookA.seen, 'b-')).toHaveLength(12);
    expect(burst(lookB.seen, 'b-')).toEqual(['b-0', 'b-1', 'b-2', 'b-3']);
    // A holding a burst's worth waiting takes on no block past the first.
    for (let i = 0; i < 12; i++) await repo.add(job(`c-${i}`, '2031-06-04T11:00:00Z'));
    const busy = recorder(4);
    await a.due(new Date('2031-06-04T11:00:20Z'), busy);
    expect(burst(busy.seen, 'c-')).toEqual(['c-0', 'c-1', 'c-2', 'c-3']);
  });
});
