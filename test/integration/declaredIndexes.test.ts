// The secondary indexes declared at start-up: all of them where the server uses indexes (MongoDB), and on the
// embedded FerretDB only those it uses (the rest would cost every write and serve no read there).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { declareIndexes } from '../../src/store/indexes.ts';
import { assumeServerProfile } from '../../src/store/serverProfile.ts';
import { type TestDatabase, testDatabase } from '../support/db.ts';
import { isFerretdb } from '../support/ferretdbPlan.ts';

let db: TestDatabase;
beforeAll(async () => {
  db = await testDatabase();
});
afterAll(() => db?.close());

const namesOf = async (collection: string): Promise<string[]> =>
  (await db.connection.collection(collection).indexes()).map((i) => i.name as string).sort();

describe('declared indexes', () => {
  it('on FerretDB, creates only the indexes it uses; with the MongoDB profile, every one', async (t) => {
    if (!(await isFerretdb(db.connection))) t.skip();
    // Collections exist first, so that an index left out is seen as absent rather than as a missing collection.
    for (const c of ['outbox', 'outbox_claims', 'teams', 'actions'])
      await db.connection.collection(c).insertOne({ _id: 'x' } as never);
    await declareIndexes(db.connection);
    expect(await namesOf('teams')).toEqual(['_id_', 'tenant_1']);
    expect(await namesOf('outbox')).toEqual(['_id_']);
    expect(await namesOf('outbox_claims')).toEqual(['_id_']);
    expect(await namesOf('actions')).toEqual(['_id_']);

    assumeServerProfile(db.connection, { ferretdb: false, ttl: false, idSetsIndexed: true, atomicUpdates: false });
    await declareIndexes(db.connection);
    expect(await namesOf('outbox')).toEqual(['_id_', 'writer_1']);
    expect(await namesOf('outbox_claims')).toEqual(['_id_', 'at_1']);
    expect(await namesOf('actions')).toEqual(['_id_', 'tenant_1_owner.id_1_state_1', 'tenant_1_state_1']);
  });
});
