// The secondary indexes declared at start-up: all of them where the server uses indexes (MongoDB), and on the
// embedded FerretDB only those it uses (the rest would cost every write and serve no read there).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClaimRepository } from '../../src/store/deliveryStore.ts';
import { declareIndexes } from '../../src/store/indexes.ts';
import { PersonRepository } from '../../src/store/personStore.ts';
import { assumeServerProfile } from '../../src/store/serverProfile.ts';
import { ARCHIVE } from '../../src/store/ticketSchema.ts';
import { TicketRepository } from '../../src/store/ticketStore.ts';
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

  it("on FerretDB, gives the schemas' collections only their unique indexes and the single-field ones it searches; every one with the MongoDB profile", async (t) => {
    if (!(await isFerretdb(db.connection))) t.skip();
    const initAll = async () => {
      await new TicketRepository(db.connection).init();
      await new PersonRepository(db.connection).init();
      await new ClaimRepository(db.connection).init();
    };
    // A data directory from before: mongoose's autoIndex gave FerretDB every schema index.
    assumeServerProfile(db.connection, { ferretdb: false, ttl: false, idSetsIndexed: true, atomicUpdates: false });
    await initAll();
    const mongodb = {
      tickets_open: [
        '_id_',
        'state_1',
        'tenant_1_assignee.id_1_state_1',
        'tenant_1_openedAt_-1',
        'tenant_1_requester.id_1_state_1',
        'tenant_1_service_1_state_1',
        'tenant_1_state_1_priority_1',
        'tenant_1_ticketId_1',
        'tenant_1_type_1_number_1',
      ],
      [ARCHIVE]: ['_id_', 'tenant_assignee_openedAt', 'tenant_openedAt', 'tenant_requester_openedAt'],
      identities: ['_id_', 'identity_1', 'tenant_1_displayName_1', 'tenant_1_identity_1', 'tenant_1_personId_1'],
      claims: ['_id_', 'at_1'],
    };
    for (const [c, names] of Object.entries(mongodb)) expect(await namesOf(c)).toEqual(names);

    // On FerretDB: each ticket write keeps 4 indexes up to date, not 9; the ones left from before are dropped.
    assumeServerProfile(db.connection, { ferretdb: true, ttl: false, idSetsIndexed: false, atomicUpdates: false });
    await initAll();
    expect(await namesOf('tickets_open')).toEqual([
      '_id_',
      'state_1',
      'tenant_1_ticketId_1',
      'tenant_1_type_1_number_1',
    ]);
    expect(await namesOf(ARCHIVE)).toEqual(['_id_']);
    expect(await namesOf('identities')).toEqual(['_id_', 'identity_1', 'tenant_1_identity_1']);
    expect(await namesOf('claims')).toEqual(['_id_']);
    // A second start finds nothing to do, and the unique ones still refuse a second ticket under one number.
    await initAll();
    expect(await namesOf('tickets_open')).toHaveLength(4);
    const hot = db.connection.collection('tickets_open');
    await hot.insertOne({ _id: 'a', tenant: 't', type: 'incident', number: 1, ticketId: 'INC-1' } as never);
    await expect(
      hot.insertOne({ _id: 'b', tenant: 't', type: 'incident', number: 1, ticketId: 'INC-1b' } as never),
    ).rejects.toMatchObject({ code: 11000 });
  });
});
