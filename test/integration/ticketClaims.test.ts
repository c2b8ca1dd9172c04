// A ticket's version claim across two processes: a clock running ahead and a stalled writer cannot both write.
// @module-tag time-of-day
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Ticket, TicketRepository, VersionConflict } from '../../src/store/ticketStore.ts';
import { anotherProcess, personAt, startTestBot, type TestBot } from '../support/harness.ts';

let bot: TestBot;
let other: Awaited<ReturnType<typeof anotherProcess>>;
beforeAll(async () => {
  bot = await startTestBot();
  // The other host's clock runs 15 s ahead; the claims must not care.
  const ahead = () => new Date(bot.now().getTime() + 15_000);
  other = await anotherProcess(bot, { now: ahead });
});
afterAll(async () => {
  await other?.close();
  await bot?.close();
});
afterEach(() => {
  vi.restoreAllMocks();
});

const TENANT = 'console:local';
const actor = { id: 'p1', identity: 'console:root', name: 'root' };

async function openTicket(title: string): Promise<Ticket> {
  const r = await personAt(bot.core, 'root')(`/ticket new "${title}"`);
  expect(r.error, r.text).toBeUndefined();
  const ticket = await new TicketRepository(bot.db.connection).find(TENANT, r.card?.ticketId as string);
  return ticket as Ticket;
}

const retitle = (title: string) => ({
  set: { title },
  history: [{ at: new Date(), actor, platform: 'console', action: 'retitled', to: title }],
});

async function serverTime(): Promise<Date> {
  const hello = await bot.db.connection.db?.command({ hello: 1 });
  return hello?.localTime as Date;
}

describe('ticket version claims', () => {
  it('a host whose clock is ahead does not take over a claim another writer holds', async () => {
    const t = await openTicket('Clock skew');
    // Writer A has just claimed version 1 (its change's page, under the version's name) and is about to write it.
    await bot.db.connection.collection('ticket_pages').insertOne({
      _id: `${TENANT}/${t.ticketId}/h1` as never,
      history: [],
      comments: [],
      owner: 'writer-a',
      at: await serverTime(),
    });

    // Host B, 15 s ahead by its own clock, tries to write version 1 too.
    const realNow = Date.now.bind(Date);
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() + 15_000);
    const b = new TicketRepository(other.handle.connection);
    await expect(b.apply(TENANT, t.ticketId, 0, retitle('B was here'))).rejects.toBeInstanceOf(VersionConflict);
    vi.restoreAllMocks();

    const claims = await bot.db.connection
      .collection('ticket_pages')
      .find({ _id: { $regex: `^${TENANT}/${t.ticketId}/h1` } as never })
      .toArray();
    expect(claims.map((c) => c.owner)).toEqual(['writer-a']);
    expect((await b.find(TENANT, t.ticketId))?.title).toBe('Clock skew');
  });

  it('a stalled writer whose claim was taken over cannot write afterwards', async () => {
    const t = await openTicket('Stalled writer');
    // Long enough that B claims and writes within its own half of the lease on a loaded machine.
    const staleClaimMs = 2000;
    const a = new TicketRepository(bot.db.connection, { staleClaimMs });
    const b = new TicketRepository(other.handle.connection, { staleClaimMs });

    const held = await a.claim(TENANT, t.ticketId, 0, retitle('A woke up'));
    await new Promise((r) => setTimeout(r, staleClaimMs + 200)); // A stalls past the claim's age limit
    await b.apply(TENANT, t.ticketId, 0, retitle('B took over'));

    await expect(a.write(held)).rejects.toBeInstanceOf(VersionConflict);
    const after = await a.find(TENANT, t.ticketId);
    expect(after?.title).toBe('B took over');
    expect(after?.version).toBe(1);
    expect(after?.history.filter((h) => h.action === 'retitled').map((h) => h.to)).toEqual(['B took over']);
    // B wrote under the version's next name; A's page, never listed, is gone, and no listed page was replaced.
    const doc = await bot.db.connection.collection('tickets_open').findOne({ _id: `${TENANT}/${t.ticketId}` as never });
    expect(doc?.pages.slice(1)).toEqual(['1~1']);
    expect(
      await bot.db.connection.collection('ticket_pages').findOne({ _id: `${TENANT}/${t.ticketId}/h1` as never }),
    ).toBeNull();
  });

  it('a writer within its claim writes, and only once per version', async () => {
    const t = await openTicket('Fresh claim');
    const a = new TicketRepository(bot.db.connection);
    const b = new TicketRepository(other.handle.connection);
    const held = await a.claim(TENANT, t.ticketId, 0, retitle('A wrote'));
    await expect(b.claim(TENANT, t.ticketId, 0, retitle('B wrote'))).rejects.toBeInstanceOf(VersionConflict);
    await a.write(held);
    // Written once: a second write of the same claim is refused, and the page it listed stays.
    await expect(a.write(held)).rejects.toBeInstanceOf(VersionConflict);
    const after = await b.find(TENANT, t.ticketId);
    expect(after?.title).toBe('A wrote');
    expect(after?.history.filter((h) => h.action === 'retitled').map((h) => h.to)).toEqual(['A wrote']);
    // A writer behind (it last saw version 0) finds that version's name taken: refused, nothing written.
    await expect(b.apply(TENANT, t.ticketId, 0, retitle('B behind'))).rejects.toBeInstanceOf(VersionConflict);
    expect((await a.find(TENANT, t.ticketId))?.history.filter((h) => h.action === 'retitled')).toHaveLength(1);
  });
});
