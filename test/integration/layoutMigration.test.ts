// A database in the layout of dated and numbered collections, moved into the fixed set at start-up: nothing lost, once.
// @module-tag time-of-day
import { afterEach, describe, expect, it } from 'vitest';
import { migrateLayout } from '../../src/store/layoutMigration.ts';
import { type TestDatabase, testDatabase } from '../support/db.ts';
import { adminActing, personAt, startTestBot, type TestBot } from '../support/harness.ts';

let db: TestDatabase | undefined;
let bot: TestBot | undefined;
afterEach(async () => {
  await bot?.close();
  await db?.close();
  bot = undefined;
  db = undefined;
});

const clock = new Date('2026-03-11T00:10:00Z');
const tenant = 'console:local';

async function names(d: TestDatabase): Promise<string[]> {
  return ((await d.connection.db?.listCollections({}, { nameOnly: true }).toArray()) ?? []).map((c) => c.name).sort();
}

/** Yesterday's layout, as the previous release wrote it: a closed ticket, its page, jobs, marks, files, rollups. */
async function seedOldLayout(d: TestDatabase): Promise<void> {
  const c = (name: string) => d.connection.collection<{ _id: string; [field: string]: unknown }>(name);
  // A bot on this database writes one open ticket in today's hot set; then its closed twin goes to the old archive.
  const job = (id: string, dueAt: string) => ({
    _id: id,
    tenant,
    kind: 'test.run',
    dueAt: new Date(dueAt),
    payload: {},
    createdAt: new Date('2026-03-10T08:00:00Z'),
    by: null,
    ticketId: null,
  });
  const pending = job('pending', '2026-03-11T00:05:00Z');
  const finished = job('finished', '2026-03-10T09:00:00Z');
  await c('jobs_20260311').insertOne(pending);
  await c('jobs_20260310').insertOne(finished);
  await c('job_slots_2026031100').insertOne({ _id: '2026-03-11T00:05#0', job: pending });
  await c('job_slots_2026031009').insertOne({ _id: '2026-03-10T09:00#0', job: finished });
  await c('job_claims_20260310').insertOne({ _id: 'finished#0', at: new Date('2026-03-10T09:00:00Z'), owner: 'x' });
  await c('job_ends_20260310').insertOne({
    _id: 'finished',
    outcome: 'done',
    at: new Date('2026-03-10T09:00:01Z'),
    reason: null,
    lateMs: 1000,
  });
  await c('alert_seen_20260310').insertOne({ _id: 'mark-a', at: new Date('2026-03-10T20:00:00Z') });
  await c('outbox_keys_20260310').insertOne({ _id: 'msg-1' });
  await c('files_20260310').insertOne({ _id: `${'a'.repeat(24)}#0`, n: 0, of: 1, bytes: Buffer.from('chart') });
  await c('rollups_20260310').insertOne({
    _id: `${tenant}/2026-03-10/INC-7/opened`,
    tenant,
    ticketId: 'INC-7',
    type: 'incident',
    kind: 'opened',
    at: new Date('2026-03-10T10:00:00Z'),
    priority: 'P3',
    service: null,
    team: null,
  });
}

describe('moving the dated and numbered layout into the fixed set', () => {
  it('moves every kind of document once, drops the old collections, and the bot works on', async () => {
    db = await testDatabase();
    // Closed tickets and their pages in the thousand-number buckets, as a bot of the last release left them.
    const first = await startTestBot({ now: () => clock, database: db });
    const root = personAt(first.core, 'root');
    await root('/ticket new "printer on fire"');
    await root('/ticket resolve INC-1 "put out"');
    await root('/ticket close INC-1');
    await first.close();
    const archived = await db.connection.collection('tickets_closed').find({}).toArray();
    const pages = await db.connection.collection('ticket_pages').find({}).toArray();
    expect(archived).toHaveLength(1);
    await db.connection.collection('tickets_closed_0').insertMany(archived);
    await db.connection.collection('ticket_pages_0').insertMany(pages);
    await db.connection.collection('tickets_closed').drop();
    await db.connection.collection('ticket_pages').drop();
    await seedOldLayout(db);

    const lines: string[] = [];
    bot = await startTestBot({ now: () => clock, database: db, progress: (l) => lines.push(l) });
    expect(lines[0]).toMatch(/moving 12 dated or numbered collections/);
    expect(lines.at(-1)).toMatch(/fixed set of collections is in place/);
    const left = await names(db);
    expect(left.filter((n) => /_\d+$/.test(n))).toEqual([]);

    // The closed ticket, with its history, reads as before.
    const t = await bot.services.tickets.getTicket(adminActing(tenant, clock), 'INC-1');
    expect(t.state).toBe('closed');
    expect(t.history.map((h) => h.to)).toEqual(expect.arrayContaining(['resolved', 'closed']));
    // The pending job runs; the finished one is not run again.
    const ran: string[] = [];
    bot.jobs.handle('test.run', async (j) => {
      ran.push(j._id);
    });
    const moved = (await bot.services.jobs.all('jobs')).filter((j) => j.kind === 'test.run');
    expect(moved.map((j) => j._id).sort()).toEqual(['finished', 'pending']);
    expect(await bot.services.jobs.filedUnder('2026-03-11T00:05')).toHaveLength(1);
    expect(await bot.services.jobs.hasHour(new Date('2026-03-11T00:00:00Z'))).toBe(true);
    expect((await bot.services.jobs.endOf({ _id: 'finished', dueAt: new Date() }))?.outcome).toBe('done');
    bot.jobs.kick();
    await bot.jobs.drained();
    expect(ran).toEqual(['pending']);
    // The file is found by the ref its message carried; the mark is still a repeat; the rollup is counted.
    expect((await bot.services.files.get(`20260310/${'a'.repeat(24)}/1`))?.toString()).toBe('chart');
    const facts = await bot.services.rollups.between(tenant, new Date('2026-03-10T00:00:00Z'), clock);
    expect(facts.map((f) => f.ticketId)).toContain('INC-7');
    // Every moved document expires in time (TTL or the nightly sweep): none is left without `expireAt`.
    for (const name of ['jobs', 'job_slots', 'job_claims', 'job_ends', 'alert_seen', 'outbox_keys', 'files']) {
      const without = await db.connection.collection(name).countDocuments({ expireAt: { $exists: false } });
      expect({ name, without }).toEqual({ name, without: 0 });
    }
  });

  it('is safe to run in two processes at once, and to run again after a crash mid-copy', async () => {
    db = await testDatabase();
    await seedOldLayout(db);
    // A crash mid-copy: some documents are in their fixed collection already, the old one is still there.
    await db.connection.collection<{ _id: string; half: boolean }>('jobs').insertOne({ _id: 'pending', half: true });
    const lines: string[] = [];
    const moved = await Promise.all([
      migrateLayout(db.connection, (l) => lines.push(l)),
      migrateLayout(db.connection, (l) => lines.push(l)),
    ]);
    expect(moved[0] + moved[1]).toBeGreaterThanOrEqual(10);
    expect((await names(db)).filter((n) => /_\d+$/.test(n))).toEqual([]);
    // Nothing twice; what was there already is kept as it was.
    expect(await db.connection.collection('jobs').countDocuments({})).toBe(2);
    expect(await db.connection.collection('job_slots').countDocuments({ _id: /#/ })).toBe(2);
    expect(await db.connection.collection('rollup_facts').countDocuments({})).toBe(1);
    // A second start finds nothing to move.
    expect(await migrateLayout(db.connection, () => {})).toBe(0);
  });
});
