// The storage layout on the real database: closing moves a ticket to the archive exactly once, whoever races it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reply } from '../../src/present/reply.ts';
import { archiveName, HOT, pagesName } from '../../src/store/ticketSchema.ts';
import { anotherProcess, personAt, startTestBot, type TestBot } from '../support/harness.ts';
import { storedTicket } from '../support/storedTickets.ts';

let bot: TestBot;
let other: Awaited<ReturnType<typeof anotherProcess>>;
beforeAll(async () => {
  bot = await startTestBot();
  other = await anotherProcess(bot);
});
afterAll(async () => {
  await other?.close();
  await bot?.close();
});

const TENANT = 'console:local';
const ok = (r: Reply): Reply => {
  expect(r.error, r.text).toBeUndefined();
  return r;
};
const root = () => personAt(bot.core, 'root');
const rootThere = () => personAt(other.core, 'root');
const hot = () => bot.db.connection.collection(HOT);
const archive = (n: number) => bot.db.connection.collection(archiveName(n));
const key = (id: string) => `${TENANT}/${id}`;
const numberOf = (id: string) => Number(id.split('-')[1]);

/** Where copies of a ticket are: how many in the hot set, how many archived. */
async function copies(id: string): Promise<{ hot: number; archived: number }> {
  return {
    hot: await hot().countDocuments({ _id: key(id) as never }),
    archived: await archive(numberOf(id)).countDocuments({ _id: key(id) as never }),
  };
}

async function resolved(title: string): Promise<string> {
  const id = ok(await root()(`/ticket new "${title}"`)).card?.ticketId as string;
  ok(await root()(`/ticket comment ${id} first look`));
  ok(await root()(`/ticket resolve ${id} fixed it`));
  return id;
}

describe('closing moves a ticket to the archive', () => {
  it('leaves one archived copy, lean, that show, its card and its history still read', async () => {
    const id = await resolved('Archive me');
    ok(await root()(`/ticket close ${id}`));
    expect(await copies(id)).toEqual({ hot: 0, archived: 1 });
    const doc = await archive(numberOf(id)).findOne({ _id: key(id) as never });
    expect(doc).not.toHaveProperty('history');
    expect(doc).not.toHaveProperty('comments');
    const shown = ok(await root()(`/ticket show ${id}`));
    expect(shown.text).toContain('closed');
    expect(shown.list).toContain('💬 root: first look');
    expect(shown.list?.filter((l) => l.includes('state → closed'))).toHaveLength(1);
    // No claim of its own is written or freed: each change's page, named by its version, was its claim.
    expect(
      await bot.db.connection
        .collection('ticket_versions')
        .countDocuments({ _id: { $regex: `^${key(id)}#` } as never }),
    ).toBe(0);
    expect(doc?.pages.slice(1)).toEqual(['1', '2', '3']);
    // Closed is final, whichever process asks.
    expect((await rootThere()(`/ticket reopen ${id}`)).error).toBe('TICKET.INVALID_TRANSITION');
  });

  it('a process that last saw the ticket resolved is refused after another closed it: the close’s claim stands', async () => {
    const id = ok(await root()('/ticket new "Raced close"')).card?.ticketId as string;
    // The other process resolves it, so it remembers the ticket resolved, one version before the close.
    ok(await rootThere()(`/ticket resolve ${id} fixed`));
    ok(await root()(`/ticket show ${id}`));
    ok(await root()(`/ticket close ${id}`));
    // Its remembered copy says "resolved": a reopen is tried on it, the close's claim refuses that version, and the
    // fresh read finds it closed.
    expect((await rootThere()(`/ticket reopen ${id}`)).error).toBe('TICKET.INVALID_TRANSITION');
    expect((await rootThere()(`/ticket comment ${id} "too late"`)).error).toBeDefined();
    expect(await copies(id)).toEqual({ hot: 0, archived: 1 });
    const shown = ok(await root()(`/ticket show ${id}`));
    expect(shown.list?.some((l) => l.includes('too late'))).toBe(false);
  });

  it('a crash between the archive insert and the hot delete: the reader finishes the move, closing again is refused', async () => {
    const id = await resolved('Crash mid-move');
    ok(await root()(`/ticket close ${id}`));
    // The state a crash leaves: the archived copy is in, the hot copy was never deleted.
    const archived = await archive(numberOf(id)).findOne({ _id: key(id) as never });
    await hot().insertOne(archived as never);
    expect(await copies(id)).toEqual({ hot: 1, archived: 1 });

    const read = await storedTicket(other.handle.connection, TENANT, id);
    expect(read?.state).toBe('closed');
    expect(await copies(id)).toEqual({ hot: 0, archived: 1 });
    const again = await rootThere()(`/ticket close ${id}`);
    expect(again.error).toBe('TICKET.INVALID_TRANSITION');
    expect(await copies(id)).toEqual({ hot: 0, archived: 1 });
  });

  it('a crash before the archive insert: the closed hot copy is archived by the next reader', async () => {
    const id = await resolved('Crash before the archive');
    ok(await root()(`/ticket close ${id}`));
    const archived = await archive(numberOf(id)).findOne({ _id: key(id) as never });
    await archive(numberOf(id)).deleteOne({ _id: key(id) as never });
    await hot().insertOne(archived as never);
    expect(ok(await rootThere()(`/ticket show ${id}`)).text).toContain('closed');
    expect(await copies(id)).toEqual({ hot: 0, archived: 1 });
  });

  it('two processes closing at once: one closes, the other is told it is closed already, one copy', async () => {
    for (let i = 0; i < 4; i++) {
      const id = await resolved(`Closed twice ${i}`);
      const replies = await Promise.all([root()(`/ticket close ${id}`), rootThere()(`/ticket close ${id}`)]);
      expect(replies.map((r) => r.error ?? 'ok').sort()).toEqual(['TICKET.INVALID_TRANSITION', 'ok']);
      expect(await copies(id)).toEqual({ hot: 0, archived: 1 });
      const t = await storedTicket(bot.db.connection, TENANT, id);
      expect(t?.history.filter((h) => h.to === 'closed')).toHaveLength(1);
    }
  });

  it('a reopen racing a close ends in one state that both processes read', async () => {
    const outcomes = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const id = await resolved(`Reopen or close ${i}`);
      const [close, reopen] = await Promise.all([
        (i % 2 ? root() : rootThere())(`/ticket close ${id}`),
        (i % 2 ? rootThere() : root())(`/ticket reopen ${id} not fixed`),
      ]);
      // Exactly one of them happened.
      expect([close.error, reopen.error].filter((e) => e === undefined)).toHaveLength(1);
      const here = await storedTicket(bot.db.connection, TENANT, id);
      const there = await storedTicket(other.handle.connection, TENANT, id);
      expect(there?.state).toBe(here?.state);
      expect(there?.version).toBe(here?.version);
      const where = await copies(id);
      if (close.error === undefined) {
        outcomes.add('closed');
        expect(here?.state).toBe('closed');
        expect(where).toEqual({ hot: 0, archived: 1 });
      } else {
        outcomes.add('reopened');
        expect(here?.state).toBe('in_progress');
        expect(where).toEqual({ hot: 1, archived: 0 });
      }
    }
    expect(outcomes.size).toBeGreaterThan(0);
  });
});

describe('comments and history', () => {
  it('are appended as pages of their own, never grown inside the ticket document', async () => {
    const id = ok(await root()('/ticket new "Chatty"')).card?.ticketId as string;
    for (let i = 1; i <= 5; i++) ok(await (i % 2 ? root() : rootThere())(`/ticket comment ${id} note ${i}`));
    const doc = await hot().findOne({ _id: key(id) as never });
    expect(doc).not.toHaveProperty('comments');
    expect(doc).not.toHaveProperty('history');
    expect(doc?.pages).toHaveLength(6);
    const pages = await bot.db.connection
      .collection(pagesName(numberOf(id)))
      .countDocuments({ _id: { $regex: `^${key(id)}/h` } as never });
    expect(pages).toBe(6);
    const t = await storedTicket(other.handle.connection, TENANT, id);
    expect(t?.comments.map((c) => c.text)).toEqual(['note 1', 'note 2', 'note 3', 'note 4', 'note 5']);
    expect(t?.history.map((h) => h.action)).toEqual(['opened', 'comment', 'comment', 'comment', 'comment', 'comment']);
  });
});

describe('numbers and lists after closing', () => {
  it('numbers go on past archived tickets, and the open list and autocomplete leave closed ones out', async () => {
    const p = personAt(bot.core, 'root', 'console', 'numbers');
    const first = ok(await p('/ticket new "One"')).card?.ticketId as string;
    ok(await p(`/ticket resolve ${first} done`));
    ok(await p(`/ticket close ${first}`));
    // A fresh process learns the next number from the counter, not from the tickets.
    const third = await anotherProcess(bot);
    try {
      const next = ok(await personAt(third.core, 'root', 'console', 'numbers')('/ticket new "Two"')).card?.ticketId;
      expect(next).toBe('INC-2');
    } finally {
      await third.close();
    }
    expect(ok(await p('/ticket list')).list?.map((l) => l.split(' · ')[0])).toEqual(['INC-2']);
    expect(ok(await p('/ticket list --state closed')).list?.map((l) => l.split(' · ')[0])).toEqual([first]);
    expect(ok(await p('/ticket list --state all')).list?.map((l) => l.split(' · ')[0])).toEqual(['INC-2', first]);
    const suggested = await bot.core.suggestTickets('console', 'numbers', 'INC', {
      id: 'console:root',
      platform: 'console',
      displayName: 'root',
    });
    expect(suggested.map((s) => s.id)).toEqual(['INC-2']);
  });
});
