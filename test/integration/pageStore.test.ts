// The page store's reads and deletes a teardown uses: the episodes in one read, the live record ended without one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LiveEscalation, PageRepository } from '../../src/store/pageStore.ts';
import { countRoundTrips } from '../../src/store/roundTrips.ts';
import { type TestDatabase, testDatabase } from '../support/db.ts';

const tenant = 'console:local';
const at = new Date('2026-03-10T10:00:00Z');
let db: TestDatabase;
let repo: PageRepository;
beforeAll(async () => {
  db = await testDatabase(undefined, { monitorCommands: true });
  repo = new PageRepository(db.connection);
});
afterAll(async () => {
  await db?.close();
});

const live = (ticketId: string, episode: number | undefined): LiveEscalation => ({
  tenant,
  ticketId,
  team: 'storage',
  policy: { levels: [{ after: 0, targets: [{ kind: 'oncall' }] }], repeat: 0 },
  startedAt: at,
  gen: 0,
  fromLevel: 0,
  genStartedAt: at,
  pending: { index: 0, dueAt: at },
  lastLevel: null,
  message: null,
  ...(episode === undefined ? {} : { episode }),
});

describe('page store', () => {
  it('reads the episodes in one read, as they were written, however often a ticket was reopened', async () => {
    // Episodes 0..n-1 started and ended; episode n started or not.
    for (const [ticketId, ended, startedNow] of [
      ['INC-1', 0, false],
      ['INC-2', 0, true],
      ['INC-3', 1, false],
      ['INC-4', 3, true],
      ['INC-5', 4, false],
      ['INC-6', 4, true],
      ['INC-7', 9, true],
    ] as const) {
      for (let n = 0; n < ended; n++) {
        expect(await repo.startOrResume({ ...live(ticketId, n), episode: n })).toBe('started');
        expect(await repo.closeEpisode(tenant, ticketId, n, at)).toBe(true);
        await repo.end(tenant, ticketId);
      }
      if (startedNow) expect(await repo.startOrResume(live(ticketId, ended))).toBe('started');
      const wire = countRoundTrips(db.connection);
      const episodes = await repo.episodes(tenant, ticketId);
      const reads = wire.seen().length;
      wire.stop();
      // What was written: episodes 0..ended-1 started and ended, the current one started or not.
      expect({ ticketId, ...episodes }).toEqual({
        ticketId,
        current: ended,
        started: startedNow,
        everStarted: ended > 0 || startedNow,
        // When each one started, from the same read (an ack asks no more).
        startedAt: new Map(Array.from({ length: ended + (startedNow ? 1 : 0) }, (_, n) => [n, at])),
      });
      // One read for the first four episodes, one more for each four after.
      expect(reads).toBe(Math.floor(ended / 4) + 1);
    }
  });

  it('a start run again resumes its own live record, and refuses another’s or an episode started before', async () => {
    const e = { ...live('INC-21', 0), lastLevel: 0, pending: { index: 1, dueAt: new Date(at.getTime() + 120_000) } };
    expect(await repo.startOrResume(e, { notStarted: true })).toBe('started');
    // The same escalation (a start job taken over after its process died): its record is resumed.
    expect(await repo.startOrResume(e, { notStarted: true })).toBe('resumed');
    // Another start of the same episode (another time), or one escalated since: refused.
    expect(await repo.startOrResume({ ...e, startedAt: new Date(at.getTime() + 1) }, { notStarted: true })).toBe(
      'refused',
    );
    expect(await repo.save({ ...e, gen: 1 }, 0)).toBe(true);
    expect(await repo.startOrResume(e, { notStarted: true })).toBe('refused');
    // Ended (acknowledged, say) and run again: the episode started before, so nothing is written back.
    await repo.end(tenant, 'INC-21');
    expect(await repo.startOrResume(e, { notStarted: true })).toBe('refused');
    expect(await repo.find(tenant, 'INC-21')).toBeNull();
  });

  it('ends the live record of an episode over, or an earlier or older one, and leaves a later episode’s', async () => {
    const liveIds = async () =>
      (await db.connection.collection('page_live').find({}).toArray()).map((d) => String(d._id)).sort();
    await db.connection.collection('page_live').deleteMany({});
    for (const [ticketId, episode] of [
      ['INC-11', 0],
      ['INC-12', 1],
      ['INC-13', undefined],
      ['INC-14', 2],
    ] as const) {
      await db.connection
        .collection('page_live')
        .insertOne({ _id: `${tenant}/${ticketId}`, ...live(ticketId, episode) } as never);
    }
    await repo.endUpTo(tenant, 'INC-11', 0);
    // An earlier episode's record, left behind by a teardown cut short, would refuse the next start: it goes.
    await repo.endUpTo(tenant, 'INC-12', 2);
    // A record written before episodes existed is episode 0's.
    await repo.endUpTo(tenant, 'INC-13', 0);
    // A later episode started since the teardown read: it stays.
    await repo.endUpTo(tenant, 'INC-14', 1);
    expect(await liveIds()).toEqual([`${tenant}/INC-14`]);
  });
});
