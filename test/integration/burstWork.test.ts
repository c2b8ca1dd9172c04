// What a burst of due jobs costs the database, counted in commands (never timed): a block of due jobs is claimed in
// one or two inserts, callers at once asking for one person's settings or identities share one read, and ledger lines
// that lost their slots to another process go past its lines in one more insert.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobEngine } from '../../src/scheduler/jobs.ts';
import { PeopleService } from '../../src/services/people.ts';
import { type Job, JobRepository } from '../../src/store/jobStore.ts';
import { type LedgerEntry, OutboxRepository } from '../../src/store/outboxStore.ts';
import { PersonRepository } from '../../src/store/personStore.ts';
import { countRoundTrips, type RoundTrips } from '../../src/store/roundTrips.ts';
import { type TestDatabase, testDatabase } from '../support/db.ts';

const log = pino({ level: 'silent' });
let db: TestDatabase;
let trips: RoundTrips;
const clock = new Date('2031-05-06T10:00:30Z');
const now = () => clock;

beforeAll(async () => {
  db = await testDatabase(log, { monitorCommands: true });
  trips = countRoundTrips(db.connection);
});
afterAll(async () => {
  trips?.stop();
  await db?.close();
});

const count = (name: string) => trips.seen().filter((s) => s === name).length;

describe('a burst of due jobs', () => {
  it('has a block of 64 due jobs claimed in at most two inserts, each job run once', async () => {
    const due = new Date('2031-05-06T10:00:00Z');
    const repo = new JobRepository(db.connection, now);
    for (let i = 0; i < 64; i++) {
      await repo.add({
        _id: `burst-${i}`,
        tenant: 't',
        kind: 'test.burst',
        dueAt: due,
        payload: {},
        createdAt: new Date(due.getTime() - 3_600_000),
        by: null,
        ticketId: null,
      } satisfies Job);
    }
    const ran: string[] = [];
    const engine = new JobEngine(repo, { now, log, pollMs: 20 });
    engine.handle('test.burst', async (j) => {
      ran.push(j._id);
    });
    trips.reset();
    engine.start();
    try {
      for (let i = 0; i < 100 && ran.length < 64; i++) await engine.drained();
    } finally {
      await engine.stop();
    }
    expect(ran.length).toBe(64);
    expect(new Set(ran).size).toBe(64);
    // Eight claims at a time took eight inserts and more.
    expect(count('insert job_claims')).toBeLessThanOrEqual(2);
  });
});

describe('a burst of reminders to one person', () => {
  it('reads their settings and their identities once, however many ask at once', async () => {
    const repo = new PersonRepository(db.connection);
    const people = new PeopleService(repo, new Set());
    const person = await people.personFor('slack:T1', 'slack:U1', new Date('2031-05-06T10:00:00Z'));
    // A second service: a process that has read nothing about this person yet.
    const cold = new PeopleService(repo, new Set());
    trips.reset();
    const answers = await Promise.all(
      Array.from({ length: 20 }, () =>
        Promise.all([cold.settingsOf('slack:T1', person.id), cold.identitiesOf('slack:T1', person.id)]),
      ),
    );
    expect(answers.every(([, ids]) => ids.length === 1 && ids[0]?.identity === 'slack:U1')).toBe(true);
    expect(count('find person_settings')).toBe(1);
    expect(count('find identities')).toBe(1);
  });
});

describe('two processes recording deliveries about one ticket at once', () => {
  it('writes the ledger lines that lost their slots in one more insert, past what the other process wrote', async () => {
    const entry = (id: string): LedgerEntry => ({
      messageId: id,
      tenant: 't',
      ticketId: 'INC-7',
      what: 'DM',
      to: 'slack DM to ada',
      platform: 'slack',
      outcome: 'delivered',
      reason: null,
      attempts: 1,
      createdAt: clock,
      finishedAt: clock,
      platformMessageId: null,
    });
    const a = new OutboxRepository(db.connection);
    const b = new OutboxRepository(db.connection);
    await Promise.all(Array.from({ length: 40 }, (_, i) => a.record(entry(`a-${i}`))));
    trips.reset();
    // This process has written nothing about INC-7 yet: its first five slots are taken, and the next 35 too.
    await Promise.all(Array.from({ length: 5 }, (_, i) => b.record(entry(`b-${i}`))));
    const lines = await a.ledgerFor('t', 'INC-7');
    expect(lines.map((l) => l.messageId).sort()).toEqual(
      [...Array.from({ length: 40 }, (_, i) => `a-${i}`), ...Array.from({ length: 5 }, (_, i) => `b-${i}`)].sort(),
    );
    // One slot further a round took four more inserts, then one insert per line probing slot by slot.
    expect(count('insert outbox_ledger')).toBe(2);
  });
});
