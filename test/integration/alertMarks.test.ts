// The marks of alert notifications told, on the real database: one day per collection, carried across midnight, dropped by the day.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlertKeyRepository } from '../../src/store/alertKeyStore.ts';
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
    expect(await names()).toEqual([
      'alert_seen_20260310',
      'alert_seen_20260311',
      'alert_seen_20260312',
      'alert_seen_20260313',
    ]);
  });

  it('give a mark back when telling failed, so the retry is told; old days go whole', async () => {
    const repo = new AlertKeyRepository(db.connection);
    const at = new Date('2026-03-10T12:00:00Z');
    expect(await repo.firstSeen(['a'], at)).toEqual([true]);
    await repo.unsee(['a'], at);
    expect(await repo.firstSeen(['a'], at)).toEqual([true]);
    await repo.firstSeen(['z'], new Date('2026-03-17T12:00:00Z'));
    expect(await repo.dropSeenBefore(new Date('2026-03-17T00:00:00Z'))).toBe(1);
    expect(await names()).toEqual(['alert_seen_20260317']);
  });
});
