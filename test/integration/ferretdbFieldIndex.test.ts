// The embedded FerretDB narrows a read by a string equality or `$in` on a field with an index of its own
// (patches/ferretdb/0004): the hot set's `{tenant, state: {$in: OPEN_STATES}}` reads the open tickets, not the
// resolved ones beside them, and every answer stays MongoDB's (arrays holding the value match too).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestDatabase, testDatabase } from '../support/db.ts';
import { isFerretdb, planOf as planIn } from '../support/ferretdbPlan.ts';

const OPEN = ['new', 'assigned', 'in_progress', 'pending'];
const RESOLVED = 1_000;

interface Doc {
  _id: string;
  tenant: string;
  state?: unknown;
  n: number;
}

let db: TestDatabase;
let ferretdb = false;

beforeAll(async () => {
  db = await testDatabase();
  ferretdb = await isFerretdb(db.connection);
  const hot = db.connection.collection<Doc>('hot');
  await hot.createIndex({ state: 1 });
  await hot.createIndex({ tenant: 1, state: 1 });
  await hot.insertMany(
    Array.from({ length: RESOLVED }, (_, i) => ({ _id: `r${i}`, tenant: 'T', state: 'resolved', n: i })),
  );
  await hot.insertMany(
    Array.from({ length: 40 }, (_, i) => ({ _id: `o${i}`, tenant: i % 5 ? 'T' : 'U', state: OPEN[i % 4], n: i })),
  );
  // The cases a WHERE on the index could get wrong: arrays (MongoDB matches an element), other types, no field.
  await hot.insertMany([
    { _id: 'arrayNew', tenant: 'T', state: ['resolved', 'new'], n: 1 },
    { _id: 'arrayResolved', tenant: 'T', state: ['resolved'], n: 2 },
    { _id: 'arrayEmpty', tenant: 'T', state: [], n: 3 },
    { _id: 'arrayOfObject', tenant: 'T', state: [{ s: 'new' }], n: 4 },
    { _id: 'number', tenant: 'T', state: 7, n: 5 },
    { _id: 'numberText', tenant: 'T', state: '7', n: 6 },
    { _id: 'object', tenant: 'T', state: { s: 'new' }, n: 7 },
    { _id: 'missing', tenant: 'T', n: 8 },
    { _id: 'null', tenant: 'T', state: null, n: 9 },
    { _id: 'upper', tenant: 'T', state: 'New', n: 10 },
    { _id: 'escaped', tenant: 'T', state: 'a<b "c"', n: 11 },
  ]);
  // A collection whose `state` has no index of its own: its reads are not narrowed.
  const plain = db.connection.collection<Doc>('plain');
  await plain.createIndex({ tenant: 1, state: 1 });
  await plain.insertMany([{ _id: 'p1', tenant: 'T', state: 'new', n: 1 }]);
}, 120_000);

afterAll(async () => {
  await db?.close();
});

/** SQLite's plan for a find, as FerretDB's explain gives it. */
const planOf = (collection: string, filter: Record<string, unknown>) => planIn(db.connection, collection, filter);

const hot = () => db.connection.collection<Doc>('hot');
const ids = (docs: { _id: unknown }[]) => docs.map((d) => String(d._id)).sort();
/** The same filter inside `$and`, which FerretDB never narrows: what a scan answers. */
const unnarrowed = (filter: Record<string, unknown>) => ({ $and: [filter] });

describe('the embedded FerretDB narrows by a field with an index of its own', () => {
  it('plans the open work of a tenant ({tenant, state: {$in}}) as a search of the state index', async (t) => {
    if (!ferretdb) t.skip();
    expect(await planOf('hot', { tenant: 'T', state: { $in: OPEN } })).toMatch(/SEARCH \S+ USING INDEX \S+_state_1\b/);
    expect(await planOf('hot', { state: 'new' })).toMatch(/SEARCH \S+ USING INDEX \S+_state_1\b/);
    expect(await planOf('hot', { state: { $eq: 'new' }, n: 3 })).toMatch(/SEARCH \S+ USING INDEX \S+_state_1\b/);
    // Neither index is read as a whole: every step of the plan is a search (arrays are a second, ranged search).
    expect(await planOf('hot', { tenant: 'T', state: { $in: OPEN } })).not.toMatch(/SCAN/);
    // An `_id` term still wins, as before.
    expect(await planOf('hot', { _id: 'o1', state: 'assigned' })).toMatch(/SEARCH \S+ USING INDEX \S+__id_/);
    // Not narrowed: a field with only a compound index, a value that is not a plain string, a list with a number in
    // it, a list longer than 1,000, a collection without the index.
    expect(await planOf('hot', { tenant: 'T' })).toMatch(/SCAN/);
    expect(await planOf('hot', { state: 'a<b "c"' })).toMatch(/SCAN/);
    expect(await planOf('hot', { state: { $in: ['new', 7] } })).toMatch(/SCAN/);
    expect(await planOf('hot', { state: { $in: Array.from({ length: 1_001 }, (_, i) => `s${i}`) } })).toMatch(/SCAN/);
    expect(await planOf('plain', { state: 'new' })).toMatch(/SCAN/);
  });

  it('answers a find exactly as a scan does, with MongoDB semantics for arrays, types and missing fields', async () => {
    const cases: Array<[Record<string, unknown>, string[] | null]> = [
      [{ state: 'new' }, ['arrayNew', 'o0', 'o12', 'o16', 'o20', 'o24', 'o28', 'o32', 'o36', 'o4', 'o8']],
      [{ tenant: 'T', state: 'new' }, ['arrayNew', 'o12', 'o16', 'o24', 'o28', 'o32', 'o36', 'o4', 'o8']],
      [{ tenant: 'T', state: { $in: ['new', 'pending'] }, n: { $lt: 4 } }, ['arrayNew', 'o3']],
      [{ state: '7' }, ['numberText']],
      [{ state: { $in: ['7', 'New'] } }, ['numberText', 'upper']],
      [{ state: { $in: ['resolved'] }, n: { $in: [1, 2, 998] } }, ['arrayNew', 'arrayResolved', 'r1', 'r2', 'r998']],
      [{ state: 'nothing' }, []],
      [{ state: 'a<b "c"' }, ['escaped']],
      // Arrays of other things, empty arrays: what the server answers unnarrowed (compared above), never lost.
      [{ state: { $in: ['new'] }, n: 4 }, null],
      [{ state: 'new', n: { $lte: 10 } }, null],
    ];
    for (const [filter, expected] of cases) {
      const got = ids(await hot().find(filter).toArray());
      expect({ filter, got }).toEqual({ filter, got: ids(await hot().find(unnarrowed(filter)).toArray()) });
      if (expected) expect({ filter, got }).toEqual({ filter, got: [...expected].sort() });
    }
    // MongoDB: `{state: 'new'}` matches an array holding 'new', not one holding a document that holds it.
    expect(
      ids(
        await hot()
          .find({ state: 'new', n: { $lte: 10 } })
          .toArray(),
      ),
    ).toEqual(['arrayNew', 'o0', 'o4', 'o8']);
  });

  it('counts, updates, deletes, finds-and-modifies, aggregates and distincts by such a filter exactly', async () => {
    const filter = { tenant: 'T', state: { $in: ['assigned', 'new'] } };
    const count = await db.connection.db?.command({ count: 'hot', query: filter });
    expect(count?.n).toBe(17); // tenant T: 8 assigned, 8 new and the array holding 'new'
    expect(await hot().countDocuments(filter)).toBe(count?.n);
    expect(await hot().countDocuments(unnarrowed(filter))).toBe(count?.n);

    const updated = await hot().updateMany({ ...filter, n: { $gte: 30 } }, { $set: { n: -1 } });
    expect(updated.matchedCount).toBe(4);
    expect(ids(await hot().find({ n: -1 }).toArray())).toEqual(['o32', 'o33', 'o36', 'o37']);

    const one = await hot().findOneAndUpdate({ state: 'new', n: 1 }, { $set: { n: -2 } }, { returnDocument: 'after' });
    expect(one?._id).toBe('arrayNew');
    expect(await hot().findOneAndUpdate({ state: 'new', n: 999 }, { $set: { n: -2 } })).toBeNull();

    const agg = await hot()
      .aggregate<{ _id: string; c: number }>([
        { $match: { state: 'pending' } },
        { $group: { _id: '$tenant', c: { $sum: 1 } } },
      ])
      .toArray();
    expect(agg.sort((a, b) => a._id.localeCompare(b._id))).toEqual([
      { _id: 'T', c: 8 },
      { _id: 'U', c: 2 },
    ]);
    expect((await hot().distinct('tenant', { state: 'new' })).sort()).toEqual(['T', 'U']);

    expect((await hot().deleteMany({ state: 'resolved', n: { $gte: 500 } })).deletedCount).toBe(500);
    expect((await hot().deleteMany({ state: { $in: ['resolved'] }, n: 2 })).deletedCount).toBe(2); // r2, arrayResolved
    expect((await hot().deleteOne({ state: 'resolved', tenant: 'U' })).deletedCount).toBe(0);
    // r0..r499 but r2, and the array that still holds 'resolved'.
    expect(await hot().countDocuments({ state: 'resolved' })).toBe(500);
  });
});
