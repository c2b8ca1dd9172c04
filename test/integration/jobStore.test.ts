// The job store's day partitions on the real database: where jobs go, old days dropped whole, the old layout moved.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobEngine } from '../../src/scheduler/jobs.ts';
import { type Job, JobRepository } from '../../src/store/jobStore.ts';
import { type TestDatabase, testDatabase } from '../support/db.ts';

const log = pino({ level: 'silent' });
let db: TestDatabase;
let repo: JobRepository;
let clock = new Date('2026-03-10T23:58:00Z');
const now = () => clock;

const job = (id: string, dueAt: string, createdAt = clock): Job => ({
  _id: id,
  tenant: 't',
  kind: 'test.run',
  dueAt: new Date(dueAt),
  payload: {},
  createdAt,
  by: null,
  ticketId: null,
});

async function names(): Promise<string[]> {
  return (await db.connection.db?.listCollections({}, { nameOnly: true }).toArray())?.map((c) => c.name).sort() ?? [];
}

async function engineRunning(ran: string[]): Promise<JobEngine> {
  const engine = new JobEngine(new JobRepository(db.connection), { now, log, pollMs: 20 });
  engine.handle('test.run', async (j) => {
    ran.push(j._id);
  });
  engine.start();
  return engine;
}

beforeAll(async () => {
  db = await testDatabase();
  repo = new JobRepository(db.connection);
});
afterAll(() => db.close());

describe('day partitions', () => {
  it('keeps each job, its claim and end in the collections of its day, its slot in those of its hour', async () => {
    await repo.add(job('a', '2026-03-10T23:59:00Z'));
    await repo.add(job('b', '2026-03-11T00:01:00Z'));
    expect(await names()).toEqual(
      expect.arrayContaining(['jobs_20260310', 'jobs_20260311', 'job_slots_2026031023', 'job_slots_2026031100']),
    );
    const ran: string[] = [];
    const engine = await engineRunning(ran);
    try {
      clock = new Date('2026-03-11T00:02:00Z');
      await engine.drained();
      expect(ran.sort()).toEqual(['a', 'b']);
      expect((await repo.endOf({ _id: 'a', dueAt: new Date('2026-03-10T23:59:00Z') }))?.outcome).toBe('done');
      expect((await repo.endOf({ _id: 'b', dueAt: new Date('2026-03-11T00:01:00Z') }))?.outcome).toBe('done');
      expect(await names()).toEqual(expect.arrayContaining(['job_ends_20260310', 'job_ends_20260311']));
      // Planning the same job again is refused by its id, in its day.
      await expect(repo.add(job('b', '2026-03-11T00:01:00Z'))).rejects.toMatchObject({ code: 11000 });
    } finally {
      await engine.stop();
    }
  });

  it('drops whole days before a date and nothing after', async () => {
    await repo.add(job('later', '2026-03-12T09:00:00Z'));
    const dropped = await repo.dropDaysBefore(new Date('2026-03-11T12:00:00Z'));
    expect(dropped).toBe(4);
    const left = await names();
    expect(left.filter((n) => /_20260310\d*$/.test(n))).toEqual([]);
    expect(left).toEqual(expect.arrayContaining(['jobs_20260311', 'jobs_20260312', 'job_ends_20260311']));
    expect((await repo.all('jobs')).map((j) => j._id).sort()).toEqual(['b', 'later']);
  });
});

describe('the layout before partitions', () => {
  it('moves jobs that never ended into their days and drops the old collections', async () => {
    const old = await testDatabase();
    try {
      const c = old.connection;
      const pending = job('pending', '2026-03-11T00:05:00Z', new Date('2026-03-10T08:00:00Z'));
      const finished = job('finished', '2026-03-10T09:00:00Z', new Date('2026-03-10T08:00:00Z'));
      await c.collection<Job>('jobs').insertMany([pending, finished]);
      await c.collection<{ _id: string; jobId: string }>('job_slots').insertMany([
        { _id: '2026-03-11T00:05#0', jobId: 'pending' },
        { _id: '2026-03-10T09:00#0', jobId: 'finished' },
      ]);
      await c.collection<{ _id: string }>('job_hours').insertMany([{ _id: '2026-03-11T00' }, { _id: '2026-03-10T09' }]);
      await c.collection<{ _id: string; outcome: string }>('job_ends').insertOne({ _id: 'finished', outcome: 'done' });
      const ran: string[] = [];
      const engine = new JobEngine(new JobRepository(c), { now, log, pollMs: 20 });
      engine.handle('test.run', async (j) => {
        ran.push(j._id);
      });
      engine.start();
      try {
        clock = new Date('2026-03-11T00:06:00Z');
        await engine.drained();
        expect(ran).toEqual(['pending']);
        const left = (await c.db?.listCollections({}, { nameOnly: true }).toArray())?.map((x) => x.name) ?? [];
        for (const gone of ['jobs', 'job_slots', 'job_hours', 'job_ends', 'job_claims'])
          expect(left).not.toContain(gone);
        expect(left).toContain('jobs_20260311');
      } finally {
        await engine.stop();
      }
    } finally {
      await old.close();
    }
  });
});
