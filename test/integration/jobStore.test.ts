// The job store on the real database: four fixed collections, jobs found by the minute they are filed under, expiry.
// @module-tag time-of-day
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobEngine } from '../../src/scheduler/jobs.ts';
import { JOB_RETENTION_MS, sweepExpired } from '../../src/store/expiry.ts';
import { type Job, JobRepository } from '../../src/store/jobStore.ts';
import { serverProfile } from '../../src/store/serverProfile.ts';
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

describe('a fixed set of collections', () => {
  it('keeps every job, slot, claim and end in four collections whatever the day, each reached by its _id', async () => {
    await repo.add(job('a', '2026-03-10T23:59:00Z'));
    await repo.add(job('b', '2026-03-11T00:01:00Z'));
    await repo.add(job('far', '2028-01-01T00:00:00Z'));
    const ran: string[] = [];
    const engine = await engineRunning(ran);
    try {
      clock = new Date('2026-03-11T00:02:00Z');
      await engine.drained();
      expect(ran.sort()).toEqual(['a', 'b']);
      expect((await repo.endOf({ _id: 'a', dueAt: new Date('2026-03-10T23:59:00Z') }))?.outcome).toBe('done');
      expect((await repo.endOf({ _id: 'b', dueAt: new Date('2026-03-11T00:01:00Z') }))?.outcome).toBe('done');
      // Planning the same job again is refused by its id.
      await expect(repo.add(job('b', '2026-03-11T00:01:00Z'))).rejects.toMatchObject({ code: 11000 });
    } finally {
      await engine.stop();
    }
    const jobNames = (await names()).filter((n) => n.startsWith('job'));
    expect(jobNames).toEqual(['job_claims', 'job_cursor', 'job_ends', 'job_slots', 'jobs']);
    expect((await names()).filter((n) => /\d{6}/.test(n))).toEqual([]);
  });

  it('marks each hour something is filed in, so the walk passes an empty hour in one read', async () => {
    expect(await repo.hasHour(new Date('2026-03-10T23:00:00Z'))).toBe(true);
    expect(await repo.hasHour(new Date('2026-03-11T00:00:00Z'))).toBe(true);
    expect(await repo.hasHour(new Date('2026-03-11T05:00:00Z'))).toBe(false);
    expect(await repo.hasHour(new Date('2028-01-01T00:00:00Z'))).toBe(true);
  });

  it('finds every job filed under a minute, however many share it', async () => {
    for (let i = 0; i < 20; i++) await repo.add(job(`m${i}`, '2026-03-12T08:30:00Z'));
    expect((await repo.filedUnder('2026-03-12T08:30')).map((j) => j._id).sort()).toEqual(
      Array.from({ length: 20 }, (_, i) => `m${i}`).sort(),
    );
    expect(await repo.filedUnder('2026-03-12T08:31')).toEqual([]);
  });

  it('reads a minute again only from where the last look stopped: what was filed since, not the whole minute', async () => {
    // A database of its own: the other tests here count every job filed.
    const own = await testDatabase();
    try {
      const slots = new JobRepository(own.connection);
      for (let i = 0; i < 12; i++) await slots.add(job(`s${i}`, '2026-03-12T09:30:00Z'));
      const first = await slots.filedSince('2026-03-12T09:30', 0);
      expect(first.jobs).toHaveLength(12);
      for (let i = 12; i < 15; i++) await slots.add(job(`s${i}`, '2026-03-12T09:30:00Z'));
      const next = await slots.filedSince('2026-03-12T09:30', first.next);
      expect(next.jobs.map((j) => j._id).sort()).toEqual(['s12', 's13', 's14']);
      expect(next.next).toBe(15);
    } finally {
      await own.close();
    }
  });

  it('walks a day behind a job left to another process in a few reads, not one per minute on every pass', async () => {
    const own = await testDatabase();
    let at = new Date('2026-03-12T09:00:00Z');
    const engineNow = () => at;
    try {
      const store = new JobRepository(own.connection, engineNow);
      await store.add(job('elsewhere', '2026-03-12T09:10:00Z'));
      await store.add(job('here', '2026-03-13T09:20:00Z'));
      // Counts what the engine asks of the real store: the minutes it reads and the hours it checks.
      let minuteReads = 0;
      const filedInSince = store.filedInSince.bind(store);
      store.filedInSince = (...args: Parameters<typeof filedInSince>) => {
        minuteReads++;
        return filedInSince(...args);
      };
      // A catch-up period of two days: `elsewhere` is never too late here, so nothing but its end lets the walk on.
      const engine = new JobEngine(store, { now: engineNow, log, pollMs: 20, graceMs: 2 * 86_400_000 });
      const ran: string[] = [];
      // `elsewhere` is for another process (one with a platform this one lacks): it holds the walk at 09:10.
      engine.handle(
        'test.run',
        async (j) => void ran.push(j._id),
        (j) => j._id !== 'elsewhere',
      );
      engine.start();
      try {
        at = new Date('2026-03-12T09:15:00Z');
        await engine.drained();
        const before = minuteReads;
        // Stopped for a day, then started again (a restart): the walk goes on from 09:10, where it stood.
        await engine.stop();
        at = new Date('2026-03-13T09:21:00Z');
        engine.start();
        for (let pass = 0; pass < 2; pass++) await engine.drained();
        expect(ran).toEqual(['here']);
        // The minutes of the two hours with jobs, each read about once once over: not 1,451 minutes on each pass.
        expect(minuteReads - before).toBeLessThan(3 * 60);
      } finally {
        await engine.stop();
      }
    } finally {
      await own.close();
    }
  });

  it('lets a job and its records expire a retention after it is due: TTL on MongoDB, the nightly sweep on FerretDB', async () => {
    const { ttl } = await serverProfile(db.connection);
    if (ttl) {
      const indexes = await db.connection.collection('jobs').indexes();
      expect(indexes.find((i) => i.name === 'expireAt_ttl')).toMatchObject({ expireAfterSeconds: 0 });
      return;
    }
    const swept = await sweepExpired(db.connection, new Date(Date.parse('2026-03-11T00:00:00Z') + JOB_RETENTION_MS));
    expect(swept).toBeGreaterThan(0);
    // Due on the 10th, gone; due on the 11th and later, kept.
    expect((await repo.all('jobs')).map((j) => j._id).sort()).toEqual(
      ['b', 'far', ...Array.from({ length: 20 }, (_, i) => `m${i}`)].sort(),
    );
    expect(await repo.endOf({ _id: 'a', dueAt: new Date('2026-03-10T23:59:00Z') })).toBeNull();
    expect((await repo.endOf({ _id: 'b', dueAt: new Date('2026-03-11T00:01:00Z') }))?.outcome).toBe('done');
  });
});

describe('jobs planned at once', () => {
  it('are each filed once, every hour marked ahead of its slots, around what another process filed', async () => {
    const mine = new JobRepository(db.connection);
    // Another process marked one of the hours and took the first slot of one of the minutes; this one knows neither.
    const slots = db.connection.collection<{ _id: string; expireAt: Date; job?: Job }>('job_slots');
    await slots.insertMany([
      { _id: 'hour:2027-05-01T09', expireAt: new Date('2028-06-01T00:00:00Z') },
      {
        _id: '2027-05-01T09:15#0',
        expireAt: new Date('2028-06-01T00:00:00Z'),
        job: job('theirs', '2027-05-01T09:15:00Z'),
      },
    ]);
    const planned = await Promise.all([
      mine.schedule(job('x1', '2027-05-01T09:15:00Z')),
      mine.schedule(job('x2', '2027-05-01T10:30:00Z')),
      mine.schedule(job('x3', '2027-05-02T08:00:00Z')),
      mine.schedule(job('x1', '2027-05-01T09:15:00Z')),
    ]);
    expect(planned).toEqual(['added', 'added', 'added', 'exists']);
    expect((await mine.filedUnder('2027-05-01T09:15')).map((j) => j._id).sort()).toEqual(['theirs', 'x1']);
    expect((await mine.filedUnder('2027-05-01T10:30')).map((j) => j._id)).toEqual(['x2']);
    expect((await mine.filedUnder('2027-05-02T08:00')).map((j) => j._id)).toEqual(['x3']);
    for (const at of ['2027-05-01T09:00:00Z', '2027-05-01T10:00:00Z', '2027-05-02T08:00:00Z']) {
      expect(await mine.hasHour(new Date(at))).toBe(true);
    }
    // Each job filed once: one slot each.
    const all = await slots.find({ _id: { $regex: '^2027-05' } } as never).toArray();
    expect(all.map((s) => s.job?._id).sort()).toEqual(['theirs', 'x1', 'x2', 'x3']);
  });
});
