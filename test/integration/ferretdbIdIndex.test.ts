// The embedded FerretDB is built with its `_id` index used (patches/ferretdb): `_id` access costs the same at any size.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestDatabase, testDatabase } from '../support/db.ts';
import { isFerretdb, planOf as planIn } from '../support/ferretdbPlan.ts';

const SMALL = 1_000;
const LARGE = 50_000;
const ROUNDS = 15;

let db: TestDatabase;
let ferretdb = false;

beforeAll(async () => {
  db = await testDatabase();
  ferretdb = await isFerretdb(db.connection);
  if (!ferretdb) return;
  for (const [name, count] of [
    ['small', SMALL],
    ['large', LARGE],
  ] as const) {
    const c = db.connection.collection<{ _id: string; n: number; pad: string }>(name);
    for (let i = 0; i < count; i += 5_000) {
      await c.insertMany(
        Array.from({ length: Math.min(5_000, count - i) }, (_, k) => ({
          _id: `d${i + k}`,
          n: i + k,
          pad: 'x'.repeat(200),
        })),
      );
    }
  }
}, 240_000);

afterAll(async () => {
  await db?.close();
});

/** SQLite's plan for a find, as FerretDB's explain gives it. */
const planOf = (collection: string, filter: Record<string, unknown>) => planIn(db.connection, collection, filter);

/** The median of a few runs of `op` (a ratio of two medians from the same run is what is compared, never a time). */
async function median(op: (i: number) => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const t = process.hrtime.bigint();
    await op(i);
    times.push(Number(process.hrtime.bigint() - t));
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(ROUNDS / 2)] as number;
}

describe('the embedded FerretDB uses its _id index', () => {
  it('plans a find by _id as an index search at 1,000 and at 50,000 documents (a scan only for other fields)', async (t) => {
    if (!ferretdb) t.skip();
    for (const name of ['small', 'large']) {
      expect(await planOf(name, { _id: 'd500' })).toMatch(/SEARCH \S+ USING INDEX \S+__id_/);
      // The same server scans for any other field: the plan above is the patch's doing, not the server's habit.
      expect(await planOf(name, { n: 500 })).toMatch(/SCAN/);
    }
  });

  it('searches by _id beside other keys (a version filter, an owner), and still applies those keys', async (t) => {
    if (!ferretdb) t.skip();
    // patches/ferretdb/0002: stock FerretDB narrows by _id only when _id is the filter's one key, so a ticket's
    // `{_id, version}` update or a claim's `{_id, owner}` delete scanned the whole collection.
    expect(await planOf('large', { _id: 'd700', n: 700 })).toMatch(/SEARCH \S+ USING INDEX \S+__id_/);
    const large = db.connection.collection<{ _id: string; n: number }>('large');
    expect((await large.findOne({ _id: 'd700', n: 700 }))?._id).toBe('d700');
    expect(await large.findOne({ _id: 'd700', n: 701 })).toBeNull();
    expect((await large.updateOne({ _id: 'd701', n: 0 }, { $set: { n: -7 } })).matchedCount).toBe(0);
    expect((await large.updateOne({ _id: 'd701', n: 701 }, { $set: { n: -7 } })).matchedCount).toBe(1);
    expect((await large.deleteOne({ _id: 'd702', n: { $lt: 0 } })).deletedCount).toBe(0);
    expect((await large.deleteOne({ _id: 'd702', n: { $gte: 0 } })).deletedCount).toBe(1);
    // A filter with no _id equality or list still scans.
    expect(await planOf('large', { _id: { $gte: 'd1' }, n: 1 })).toMatch(/SCAN/);
  });

  it('searches an _id list ($in of strings) by the index, and a list with other kinds of value still gives all', async (t) => {
    if (!ferretdb) t.skip();
    // patches/ferretdb/0003: stock FerretDB sends SQLite no WHERE for `_id: {$in}`, so a list read scanned.
    expect(await planOf('large', { _id: { $in: ['d10', 'd20', 'nope'] } })).toMatch(/SEARCH \S+ USING INDEX \S+__id_/);
    const large = db.connection.collection<{ _id: string | number; n: number }>('large');
    const ids = (docs: { _id: unknown }[]) => docs.map((d) => String(d._id)).sort();
    expect(ids(await large.find({ _id: { $in: ['d10', 'd20', 'nope'] } }).toArray())).toEqual(['d10', 'd20']);
    expect(ids(await large.find({ _id: { $in: ['d10', 'd20'] }, n: 20 }).toArray())).toEqual(['d20']);
    // A number in the list: not narrowed (a scan), and the answer is the same.
    expect(ids(await large.find({ _id: { $in: ['d10', 7] } }).toArray())).toEqual(['d10']);
    expect((await large.deleteMany({ _id: { $in: ['d30', 'd31'] } })).deletedCount).toBe(2);
  });

  it('finds, updates and deletes by _id at the same cost at 1,000 and at 50,000 documents', async (t) => {
    if (!ferretdb) t.skip();
    const small = db.connection.collection<{ _id: string; n: number }>('small');
    const large = db.connection.collection<{ _id: string; n: number }>('large');
    // Unpatched, the large collection costs 50x and more (every access scans 50,000 documents).
    const ratios = {
      find:
        (await median((i) => large.findOne({ _id: `d${i * 997}` }))) /
        (await median((i) => small.findOne({ _id: `d${i * 13}` }))),
      update:
        (await median((i) => large.updateOne({ _id: `d${i * 991}` }, { $set: { n: -1 } }))) /
        (await median((i) => small.updateOne({ _id: `d${i * 11}` }, { $set: { n: -1 } }))),
      delete:
        (await median((i) => large.deleteOne({ _id: `d${i * 983}` }))) /
        (await median((i) => small.deleteOne({ _id: `d${i * 17}` }))),
    };
    // The work was done: the updates and deletes found their documents.
    expect(await large.findOne({ _id: `d${983}` })).toBeNull();
    expect((await small.findOne({ _id: `d${11}` }))?.n).toBe(-1);
    for (const [op, ratio] of Object.entries(ratios))
      expect({ op, sameCost: ratio < 5 }).toEqual({ op, sameCost: true });
  }, 120_000);
});
