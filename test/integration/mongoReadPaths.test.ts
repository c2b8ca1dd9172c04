// The store's MongoDB read paths (one `$in` or `_id` range read) give the answers the FerretDB ones do: run on the
// test server with the MongoDB profile assumed (on FerretDB they scan, which changes the cost, not the answer).
// @module-tag time-of-day
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RollupFact } from '../../src/domain/rollupFacts.ts';
import { FileRepository } from '../../src/store/fileStore.ts';
import { type Job, JobRepository } from '../../src/store/jobStore.ts';
import { RollupRepository } from '../../src/store/rollupStore.ts';
import { assumeServerProfile, findByIds } from '../../src/store/serverProfile.ts';
import { type TestDatabase, testDatabase } from '../support/db.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await testDatabase();
  assumeServerProfile(db.connection, { ferretdb: false, ttl: false, idSetsIndexed: true, atomicUpdates: false });
});
afterAll(() => db?.close());

const job = (id: string, dueAt: string): Job => ({
  _id: id,
  tenant: 't',
  kind: 'test.run',
  dueAt: new Date(dueAt),
  payload: {},
  createdAt: new Date('2026-03-10T00:00:00Z'),
  by: null,
  ticketId: null,
});

describe('with the MongoDB read paths', () => {
  it('finds the jobs of a minute in one range read, and no other minute’s', async () => {
    const jobs = new JobRepository(db.connection);
    for (let i = 0; i < 12; i++) await jobs.add(job(`a${i}`, '2026-03-10T08:30:00Z'));
    await jobs.add(job('b', '2026-03-10T08:31:00Z'));
    await jobs.add(job('c', '2026-03-10T08:29:00Z'));
    expect((await jobs.filedUnder('2026-03-10T08:30')).map((j) => j._id).sort()).toEqual(
      Array.from({ length: 12 }, (_, i) => `a${i}`).sort(),
    );
    await jobs.end(job('a3', '2026-03-10T08:30:00Z'), { outcome: 'done', at: new Date(), reason: null, lateMs: 0 });
    const ended = await jobs.endedAmong(['a3', 'a4', 'b'].map((id) => job(id, '2026-03-10T08:30:00Z')));
    expect([...ended]).toEqual(['a3']);
  });

  it('reads a period’s folded days in one range read, for that tenant only', async () => {
    const repo = new RollupRepository(db.connection);
    const fact = (tenant: string, day: string, n: number): RollupFact => ({
      id: `${tenant}/${day}/INC-${n}/opened`,
      tenant,
      ticketId: `INC-${n}`,
      type: 'incident',
      kind: 'opened',
      at: new Date(`${day}T12:00:00Z`),
      priority: 'P3',
      service: null,
      team: null,
    });
    for (const [i, day] of ['2025-06-01', '2025-06-02', '2025-06-03', '2025-06-04'].entries()) {
      await repo.insert(fact('acme', day, i + 1));
      await repo.insert(fact('acme2', day, i + 1));
    }
    await repo.fold(null);
    const got = await repo.between('acme', new Date('2025-06-02T00:00:00Z'), new Date('2025-06-04T00:00:00Z'));
    expect(got.map((f) => `${f.tenant} ${f.ticketId}`).sort()).toEqual(['acme INC-2', 'acme INC-3']);
  });

  it('reads files and documents by a set of ids', async () => {
    const files = new FileRepository(db.connection);
    const ref = await files.put(Buffer.alloc(1_200_000, 7), new Date('2026-03-10T00:00:00Z'));
    expect((await files.get(ref))?.length).toBe(1_200_000);
    const c = db.connection.collection<{ _id: string }>('some');
    await c.insertMany([{ _id: 'x' }, { _id: 'y' }, { _id: 'z' }]);
    expect((await findByIds(c, ['z', 'x', 'nope'])).map((d) => d._id).sort()).toEqual(['x', 'z']);
  });
});
