// Where the server's updates are atomic (MongoDB), a ticket change needs no version claim: the `{_id, version}`
// filter alone decides. Run on the test server with that profile assumed; the decision lives in the store.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRoundTrips } from '../../src/store/roundTrips.ts';
import { assumeServerProfile } from '../../src/store/serverProfile.ts';
import { TicketRepository, VersionConflict } from '../../src/store/ticketStore.ts';
import { type TestDatabase, testDatabase } from '../support/db.ts';
import { adminActing, personAt, startTestBot, type TestBot } from '../support/harness.ts';

let db: TestDatabase;
let bot: TestBot;
beforeAll(async () => {
  db = await testDatabase(undefined, { monitorCommands: true });
  assumeServerProfile(db.connection, { ferretdb: false, ttl: false, idSetsIndexed: true, atomicUpdates: true });
  bot = await startTestBot({ database: db });
});
afterAll(async () => {
  await bot?.close();
  await db?.close();
});

describe('a ticket change on a server whose updates are atomic', () => {
  it('writes no version claim, keeps every change, and refuses a writer of a version already written', async () => {
    const root = personAt(bot.core, 'root');
    const wire = countRoundTrips(db.connection);
    expect((await root('/ticket new "VPN drops" --impact high --urgency high')).error).toBeUndefined();
    await bot.core.settled();
    wire.reset();
    expect((await root('/ticket assign INC-1 me')).error).toBeUndefined();
    await bot.core.settled();
    expect(wire.seen().filter((c) => c.includes('ticket_versions'))).toEqual([]);
    wire.stop();
    expect((await root('/ticket comment INC-1 "rolled back"')).error).toBeUndefined();
    expect((await root('/ticket resolve INC-1 "fixed"')).error).toBeUndefined();
    expect((await root('/ticket close INC-1')).error).toBeUndefined();
    const t = await bot.services.tickets.getTicket(adminActing('console:local'), 'INC-1');
    expect(t.state).toBe('closed');
    expect(t.comments.map((c) => c.text)).toEqual(['rolled back']);
    expect(await db.connection.collection('ticket_versions').countDocuments({})).toBe(0);

    // A writer holding an old version (it read before another change) is refused, and changes nothing.
    expect((await root('/ticket new "Printer"')).error).toBeUndefined();
    const repo = new TicketRepository(db.connection);
    const before = await repo.find('console:local', 'INC-2');
    await repo.apply('console:local', 'INC-2', 0, { set: { title: 'first' }, history: [] });
    await expect(
      repo.apply('console:local', 'INC-2', 0, { set: { title: 'second' }, history: [] }),
    ).rejects.toBeInstanceOf(VersionConflict);
    const after = await repo.find('console:local', 'INC-2');
    expect({ title: after?.title, version: after?.version }).toEqual({
      title: 'first',
      version: (before?.version ?? 0) + 1,
    });
  });
});
