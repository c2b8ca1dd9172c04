// What a burst of reminders falling due at once costs the database, counted in commands and rows (never timed):
// their reminders are read in one list and removed in one delete, and only the pairs asked for go.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PendingReminder } from '../../src/store/reminderStore.ts';
import { ReminderRepository } from '../../src/store/reminderStore.ts';
import { countRoundTrips, type RoundTrips } from '../../src/store/roundTrips.ts';
import { type TestDatabase, testDatabase } from '../support/db.ts';
import { personAt, startTestBot, type TestBot } from '../support/harness.ts';
import { recordingSender } from '../support/recordingSender.ts';

const log = pino({ level: 'silent' });
let clock = new Date('2026-03-10T12:00:00Z');
const now = () => clock;
let db: TestDatabase;
let bot: TestBot;
let trips: RoundTrips;

beforeAll(async () => {
  db = await testDatabase(log, { monitorCommands: true });
  trips = countRoundTrips(db.connection);
  bot = await startTestBot({ now, database: db });
});
afterAll(async () => {
  trips?.stop();
  await bot?.close();
  await db?.close();
});

const count = (name: string) => trips.seen().filter((s) => s === name).length;

describe('a burst of reminders due at one instant', () => {
  it('reads their reminders together and removes them together, each DM sent once', async () => {
    const root = personAt(bot.core, 'root');
    const sent = recordingSender('console');
    // Reminders only: the SLA watch tells this terminal about the ticket as the hours pass.
    const skip = { messageId: 'sla', channel: 'console' };
    bot.core.registerSender({
      ...sent,
      dm: (user, reply, ctx) => (reply.text.includes(': SLA ') ? Promise.resolve(skip) : sent.dm(user, reply, ctx)),
      post: (ch, reply, th, ctx) =>
        reply.text.includes(': SLA ') ? Promise.resolve(skip) : sent.post(ch, reply, th, ctx),
    });
    const t = await root('/ticket new "Call the vendor"');
    const id = t.card?.ticketId as string;
    const N = 40;
    for (let i = 0; i < N; i++) {
      const r = await root(`/ticket remind ${id} in 2h --note "call ${i}"`);
      expect(r.error, r.text).toBeUndefined();
    }
    expect(await db.connection.collection('reminders').countDocuments({})).toBe(N);
    clock = new Date(clock.getTime() + 2 * 3_600_000);
    trips.reset();
    for (let i = 0; i < 20 && sent.calls.filter((c) => c.op === 'dm').length < N; i++) {
      await bot.jobs.drained();
      await bot.core.settled();
    }
    const notes = sent.calls.filter((c) => c.op === 'dm').map((c) => c.reply.text);
    expect(notes.length).toBe(N);
    expect(new Set(notes).size).toBe(N);
    // One read and one delete per reminder before (40 of each); now a few for the whole burst.
    expect(count('find reminders')).toBeLessThanOrEqual(4);
    expect(count('delete reminders')).toBeLessThanOrEqual(4);
    expect(await db.connection.collection('reminders').countDocuments({})).toBe(0);
  });
});

describe('sent reminders removed in one delete', () => {
  it('removes exactly the reminders still waiting on the job that sent them', async () => {
    const repo = new ReminderRepository(db.connection);
    const at = new Date('2026-03-10T14:00:00Z');
    const reminder = (reminderId: string, move: number): PendingReminder => ({
      tenant: 't1',
      reminderId,
      personId: 'p1',
      personName: 'ada',
      by: 'console:ada',
      ticketId: 'INC-1',
      note: null,
      timezone: 'UTC',
      dueAt: at,
      jobId: `remind:t1/${reminderId}#${move}`,
      jobDueAt: at,
      held: false,
      moves: move,
      createdAt: at,
    });
    // A waits on its first job; B was moved to its second (quiet hours); C too, and both of its jobs run now.
    for (const r of [reminder('RM-0000A', 0), reminder('RM-0000B', 1), reminder('RM-0000C', 1)]) {
      expect(await repo.add(r)).toBe(true);
    }
    trips.reset();
    await Promise.all([
      repo.sent('t1', 'RM-0000A', 'remind:t1/RM-0000A#0'),
      // B's first job, run late: B waits on its second job, and stays.
      repo.sent('t1', 'RM-0000B', 'remind:t1/RM-0000B#0'),
      repo.sent('t1', 'RM-0000C', 'remind:t1/RM-0000C#0'),
      repo.sent('t1', 'RM-0000C', 'remind:t1/RM-0000C#1'),
    ]);
    expect(count('delete reminders')).toBe(1);
    expect(await repo.get('t1', 'RM-0000A')).toBeNull();
    expect(await repo.get('t1', 'RM-0000B')).toMatchObject({ jobId: 'remind:t1/RM-0000B#1' });
    expect(await repo.get('t1', 'RM-0000C')).toBeNull();
    trips.reset();
    const read = await Promise.all(['RM-0000A', 'RM-0000B', 'RM-0000B', 'RM-0000X'].map((r) => repo.get('t1', r)));
    expect(read.map((r) => r?.jobId ?? null)).toEqual([null, 'remind:t1/RM-0000B#1', 'remind:t1/RM-0000B#1', null]);
    expect(count('find reminders')).toBe(1);
  });
});
