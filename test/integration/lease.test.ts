// The one Lease on the real database: a claim is taken once however many ask at once, kept while its holder's
// process beats, and may be taken over only once it was held past the lease by a process that stopped beating.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Heartbeats } from '../../src/store/heartbeats.ts';
import { Claims, Lease } from '../../src/store/lease.ts';
import { countRoundTrips } from '../../src/store/roundTrips.ts';
import { type TestDatabase, testDatabase } from '../support/db.ts';

let db: TestDatabase;
let lease: Lease;
let heartbeats: Heartbeats;
const t0 = new Date('2026-03-10T12:00:00Z').getTime();
const at = (ms: number) => new Date(t0 + ms);

beforeAll(async () => {
  db = await testDatabase(undefined, { monitorCommands: true });
  heartbeats = new Heartbeats(db.connection);
  lease = new Lease(db.connection.collection('lease_test'), heartbeats);
});
afterAll(async () => {
  await db?.close();
});

describe('claim', () => {
  it('is taken by exactly one of many asking at once, and says so as true or false', async () => {
    const won = await Promise.all(Array.from({ length: 12 }, (_, i) => lease.claim('work-1', at(0), `p${i}`)));
    expect(won.filter(Boolean)).toHaveLength(1);
    const holder = await lease.holder('work-1');
    expect(holder?.owner).toBe(`p${won.indexOf(true)}`);
  });

  it('takes claims asked for at once in a few inserts, not one each, each still taken or refused on its own', async () => {
    const wire = countRoundTrips(db.connection);
    try {
      // Thirty different keys and three askers of one more, at once (a burst's openings claiming their work).
      const keys = [...Array.from({ length: 30 }, (_, i) => `burst-${i}`), 'burst-x', 'burst-x', 'burst-x'];
      await lease.claim('burst-7', at(0), 'earlier');
      wire.reset();
      const won = await Promise.all(keys.map((k, i) => lease.claimCarrying(k, { n: i }, at(0), 'p1')));
      expect(won.slice(0, 30).filter(Boolean)).toHaveLength(29);
      expect(won[7]).toBe(false);
      expect(won.slice(30).filter(Boolean)).toHaveLength(1);
      expect((await lease.holder('burst-7'))?.owner).toBe('earlier');
      const inserts = wire.seen().filter((c) => c === 'insert lease_test').length;
      // The first goes alone; those asked for while it is on its way go together in the next.
      expect(inserts).toBeLessThanOrEqual(2);
      const doc = await db.connection.collection('lease_test').findOne({ _id: 'burst-12' } as never);
      expect(doc).toMatchObject({ n: 12, owner: 'p1' });
    } finally {
      wire.stop();
    }
  });

  it('claims many in one write, leaving out those taken already', async () => {
    await lease.claim('many-2', at(0), 'other');
    const won = await lease.claimMany(['many-1', 'many-2', 'many-3'], at(0), 'me');
    expect([...won].sort()).toEqual(['many-1', 'many-3']);
  });

  it('has a claim-only form that can give a claim back, only its holder’s when asked so', async () => {
    const claims = new Claims(db.connection.collection('claims_only_test'));
    expect(await claims.claim('v#2', at(0), 'writer-a')).toBe(true);
    expect(await claims.claim('v#2', at(0), 'writer-b')).toBe(false);
    expect(await claims.release('v#2', 'writer-b')).toBe(false);
    expect(await claims.release('v#2', 'writer-a')).toBe(true);
    expect(await claims.claim('v#2', at(0), 'writer-b')).toBe(true);
  });
});

describe('takeover', () => {
  it('never before the lease, never while the holder beats, and at once after it stopped', async () => {
    await lease.claim('job-9#0', at(0), 'holder');
    await heartbeats.beat('holder', at(0));
    const seen = t0;
    // Seen held for less than the lease: kept, whatever the holder does.
    expect(await lease.abandoned('job-9#0', t0 + 30_000, { since: seen })).toBe(false);
    // Past the lease, but it still beats: slow, not dead.
    await heartbeats.beat('holder', at(70_000));
    expect(await lease.abandoned('job-9#0', t0 + 75_000, { since: seen })).toBe(false);
    // Its last beat is older than the lease: it died.
    expect(await lease.abandoned('job-9#0', t0 + 140_000, { since: seen })).toBe(true);
  });

  it('counts from the claim’s own time when nobody watched it, and a process that said it stopped is gone at once', async () => {
    await lease.claim('key-3#0', at(0), 'leaver');
    await heartbeats.beat('leaver', at(0));
    expect(await lease.abandoned('key-3#0', t0 + 20_000, { leaseMs: 30_000 })).toBe(false);
    await heartbeats.beat('leaver', at(25_000));
    expect(await lease.abandoned('key-3#0', t0 + 31_000, { leaseMs: 30_000 })).toBe(false);
    await heartbeats.gone('leaver');
    expect(await lease.abandoned('key-3#0', t0 + 31_000, { leaseMs: 30_000 })).toBe(true);
    // Nobody holds it: anyone may take the work.
    expect(await lease.abandoned('never-claimed', t0)).toBe(true);
  });
});
