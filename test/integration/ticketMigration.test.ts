// Start-up migration from the old one-collection layout, on the real database: once, whoever starts at the same time.
import mongoose from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateTickets } from '../../src/store/ticketMigration.ts';
import { anotherProcess, personAt, startTestBot, type TestBot } from '../support/harness.ts';
import { storedTicket } from '../support/storedTickets.ts';

let bot: TestBot;
beforeAll(async () => {
  bot = await startTestBot();
});
afterAll(async () => {
  await bot?.close();
});

const TENANT = 'console:local';
const person = { id: 'console:root', identity: 'console:root', name: 'root' };
const at = new Date('2026-03-01T09:00:00Z');

/** A ticket as the old layout stored it: everything inline, in the one `tickets` collection. */
function oldTicket(number: number, state: 'in_progress' | 'closed') {
  return {
    _id: `${TENANT}/INC-${number}`,
    tenant: TENANT,
    type: 'incident',
    number,
    ticketId: `INC-${number}`,
    title: `Old ${number}`,
    description: '',
    impact: 'medium',
    urgency: 'medium',
    priority: 'P3',
    state,
    service: null,
    team: null,
    requester: person,
    assignee: person,
    watchers: [person.id],
    source: { platform: 'console', workspace: 'local' },
    tags: [],
    sla: {
      responseDueAt: at,
      resolutionDueAt: at,
      pausedAt: null,
      pausedMs: 0,
      firstResponseAt: at,
      ttaMs: 0,
      ttrMs: null,
    },
    openedAt: new Date(at.getTime() + number * 1000),
    updatedAt: at,
    resolvedAt: state === 'closed' ? at : null,
    closedAt: state === 'closed' ? at : null,
    resolution: state === 'closed' ? 'done' : null,
    comments: [{ author: person, text: `comment on ${number}`, internal: false, at, platform: 'console' }],
    history: [
      { at, actor: person, platform: 'console', action: 'opened', to: 'new' },
      { at, actor: person, platform: 'console', action: 'comment' },
    ],
    version: 2,
  };
}

describe('migration from the old tickets collection', () => {
  it('moves open tickets to the hot set and closed ones to the archive, once, with progress lines', async () => {
    const old = [];
    for (let n = 1; n <= 1200; n++) old.push(oldTicket(n, n % 10 === 0 ? 'in_progress' : 'closed'));
    await bot.db.connection.collection('tickets').insertMany(old as never[]);

    // Two processes start at once: one migrates, the other waits for it.
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    const raw = await mongoose.createConnection(bot.db.uri, { dbName: bot.db.dbName }).asPromise();
    await Promise.all([
      migrateTickets(bot.db.connection, { log, pollMs: 20 }),
      migrateTickets(raw, { log, pollMs: 20 }),
    ]).finally(() => raw.close());
    const second = await anotherProcess(bot);
    try {
      expect(lines.filter((l) => l.startsWith('tickets: migrating 1200 tickets'))).toHaveLength(1);
      expect(lines).toContain('tickets: migrated 1200/1200');

      const names = (await bot.db.connection.db?.listCollections({}, { nameOnly: true }).toArray())?.map((c) => c.name);
      expect(names).not.toContain('tickets');
      expect(await bot.db.connection.collection('tickets_open').countDocuments({})).toBe(120);
      expect(await bot.db.connection.collection('tickets_closed').countDocuments({})).toBe(1080);

      // Read by id, whichever collection it went to, with its inline past as its first page.
      const closed = await storedTicket(second.handle.connection, TENANT, 'INC-1001');
      expect(closed?.state).toBe('closed');
      expect(closed?.comments.map((c) => c.text)).toEqual(['comment on 1001']);
      expect(closed?.history.map((h) => h.action)).toEqual(['opened', 'comment']);
      const open = ok(await personAt(second.core, 'root')('/ticket comment INC-1200 after the move'));
      expect(open.text).toContain('INC-1200');
      const after = await storedTicket(bot.db.connection, TENANT, 'INC-1200');
      expect(after?.comments.map((c) => c.text)).toEqual(['comment on 1200', 'after the move']);
      expect(after?.version).toBe(3);

      // Numbering goes on after the highest migrated number, read from the counter.
      const fresh = await anotherProcess(bot);
      try {
        const r = ok(await personAt(fresh.core, 'root')('/ticket new "After the migration"'));
        expect(r.card?.ticketId).toBe('INC-1201');
      } finally {
        await fresh.close();
      }

      // Once: a later start finds it done and reads nothing.
      const again: string[] = [];
      await migrateTickets(bot.db.connection, { log: (l) => again.push(l) });
      expect(again).toEqual([]);
    } finally {
      await second.close();
    }
  });
});

function ok<T extends { error?: string | undefined; text: string }>(r: T): T {
  expect(r.error, r.text).toBeUndefined();
  return r;
}
