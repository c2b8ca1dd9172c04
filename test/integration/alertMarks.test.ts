// The marks of alert notifications told, on the real database: one collection, a repeat carried across midnight, expiring after a week.
// @module-tag time-of-day
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlertKeyRepository } from '../../src/store/alertKeyStore.ts';
import { sweepExpired } from '../../src/store/expiry.ts';
import { serverProfile } from '../../src/store/serverProfile.ts';
import { type TestDatabase, testDatabase } from '../support/db.ts';

let db: TestDatabase;
beforeEach(async () => {
  db = await testDatabase();
});
afterEach(async () => {
  await db?.close();
});
const names = async () =>
  (await db.connection.db?.listCollections({}, { nameOnly: true }).toArray())
    ?.map((c) => c.name)
    .filter((n) => n.startsWith('alert_'))
    .sort();

describe('alert notification marks', () => {
  it('tell a notification once; a repeat across midnight, and for days while it fires daily, is a repeat', async () => {
    const repo = new AlertKeyRepository(db.connection);
    expect(await repo.firstSeen(['a', 'b'], new Date('2026-03-10T23:59:00Z'))).toEqual([true, true]);
    expect(await repo.firstSeen(['a', 'c'], new Date('2026-03-10T23:59:30Z'))).toEqual([false, true]);
    // After midnight: found in the day before, so a repeat; carried into the new day.
    expect(await repo.firstSeen(['a'], new Date('2026-03-11T00:00:30Z'))).toEqual([false]);
    expect(await repo.firstSeen(['a'], new Date('2026-03-12T00:00:30Z'))).toEqual([false]);
    expect(await repo.firstSeen(['a', 'b'], new Date('2026-03-13T03:00:00Z'))).toEqual([false, true]);
    // One collection, whatever the days.
    expect(await names()).toEqual(['alert_seen']);
  });

  it('give a mark back when telling failed, so the retry is told; a mark unheard for a week expires', async () => {
    const repo = new AlertKeyRepository(db.connection);
    const at = new Date('2026-03-10T12:00:00Z');
    expect(await repo.firstSeen(['a'], at)).toEqual([true]);
    await repo.unsee(['a'], at);
    expect(await repo.firstSeen(['a'], at)).toEqual([true]);
    await repo.firstSeen(['z'], new Date('2026-03-17T12:00:00Z'));
    if ((await serverProfile(db.connection)).ttl) return; // MongoDB's TTL index does the rest
    expect(await sweepExpired(db.connection, new Date('2026-03-17T13:00:00Z'))).toBe(1);
    const left = await db.connection.collection('alert_seen').find({}).toArray();
    expect(left.map((d) => d._id)).toEqual(['z']);
  });
});
