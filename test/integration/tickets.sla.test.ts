// SLA clocks through commands with a controlled clock: due times, pause and resume, first response, MTTA/MTTR figures.
// @module-tag time-of-day
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reply } from '../../src/present/reply.ts';
import type { Ticket } from '../../src/store/ticketStore.ts';
import { personAt, startTestBot, type TestBot } from '../support/harness.ts';
import { storedTicket } from '../support/storedTickets.ts';

type Person = (line: string) => Promise<Reply>;
const M = 60_000;
const H = 60 * M;
const t0 = new Date('2025-03-03T09:00:00Z');
const at = (ms: number): Date => new Date(t0.getTime() + ms);

let bot: TestBot;
let clock = t0;
let ada: Person;
let bob: Person;
let cat: Person;

const stored = async (ticketId: string): Promise<Ticket> =>
  (await storedTicket(bot.db.connection, 'console:local', ticketId)) as Ticket;
const ok = (r: Reply): Reply => {
  expect(r.error, r.text).toBeUndefined();
  return r;
};
/** Runs a command at `t0 + ms`. */
async function when(ms: number, as: Person, line: string): Promise<Reply> {
  clock = at(ms);
  return ok(await as(line));
}
const sla = (r: Reply) => r.fields?.find((f) => f.label === 'SLA')?.value;

beforeAll(async () => {
  bot = await startTestBot({ now: () => clock });
  const root = personAt(bot.core, 'root');
  ada = personAt(bot.core, 'ada');
  bob = personAt(bot.core, 'bob');
  cat = personAt(bot.core, 'cat');
  // A role goes only to someone Switchboard has seen.
  ok(await bob('/role show'));
  ok(await cat('/role show'));
  ok(await root('/role grant @bob agent'));
  ok(await root('/role grant @cat agent'));
});
afterAll(async () => {
  await bot?.close();
});

describe('SLA through commands', () => {
  it('sets due times from the priority targets when a ticket opens', async () => {
    const card = await when(0, ada, '/ticket new "VPN down" --impact high --urgency high');
    const t = await stored(card.card?.ticketId as string);
    expect(t.openedAt).toEqual(t0);
    expect(t.sla).toMatchObject({ responseDueAt: at(15 * M), resolutionDueAt: at(4 * H), pausedAt: null, pausedMs: 0 });
    expect(sla(card)).toBe('respond by 09:15, resolve by 13:00');

    const p4 = await when(0, ada, '/ticket new Wallpaper --impact low --urgency low');
    const t4 = await stored(p4.card?.ticketId as string);
    expect(t4.sla.responseDueAt).toEqual(at(24 * H));
    expect(t4.sla.resolutionDueAt).toEqual(at(10 * 24 * H));
  });

  it('records the first response at the first assignment by someone else, and time to resolve less paused time', async () => {
    const id = (await when(0, ada, '/ticket new "Mail down" --impact high --urgency high')).card?.ticketId as string;
    await when(2 * M, ada, `/ticket comment ${id} "still down"`);
    expect((await stored(id)).sla.firstResponseAt).toBeNull();

    await when(5 * M, bob, `/ticket assign ${id} me`);
    let t = await stored(id);
    expect(t.sla.firstResponseAt).toEqual(at(5 * M));
    expect(t.sla.ttaMs).toBe(5 * M);

    await when(10 * M, bob, `/ticket start ${id}`);
    const pending = await when(20 * M, bob, `/ticket pending ${id} waiting for the vendor`);
    expect(pending.text).toContain('SLA: paused while pending');
    t = await stored(id);
    expect(t.sla.pausedAt).toEqual(at(20 * M));
    expect(t.sla.resolutionDueAt).toEqual(at(4 * H));

    await when(80 * M, bob, `/ticket start ${id}`);
    t = await stored(id);
    expect(t.sla.pausedAt).toBeNull();
    expect(t.sla.pausedMs).toBe(60 * M);
    // Responded already: only the resolution due time moves.
    expect(t.sla.responseDueAt).toEqual(at(15 * M));
    expect(t.sla.resolutionDueAt).toEqual(at(5 * H));
    // A later comment does not move the first response.
    await when(90 * M, cat, `/ticket comment ${id} "vendor replied"`);
    expect((await stored(id)).sla.ttaMs).toBe(5 * M);

    const resolved = await when(2 * H, bob, `/ticket resolve ${id} vendor fixed it`);
    t = await stored(id);
    expect(t.sla.ttrMs).toBe(H);
    expect(t.resolvedAt).toEqual(at(2 * H));
    expect(resolved.text).toContain('SLA: resolved in 1h');
  });

  it('shifts both due times by the paused time while nobody has responded yet', async () => {
    // bob opens and takes his own ticket: that is no response to anybody.
    const id = (await when(0, bob, '/ticket new "Build server slow" --impact high --urgency high')).card
      ?.ticketId as string;
    await when(1 * M, bob, `/ticket start ${id}`);
    expect((await stored(id)).sla.firstResponseAt).toBeNull();
    await when(2 * M, bob, `/ticket pending ${id}`);
    await when(32 * M, bob, `/ticket start ${id}`);
    let t = await stored(id);
    expect(t.sla.pausedMs).toBe(30 * M);
    expect(t.sla.responseDueAt).toEqual(at(45 * M));
    expect(t.sla.resolutionDueAt).toEqual(at(4 * H + 30 * M));

    await when(40 * M, cat, `/ticket comment ${id} "looking too" --internal`);
    t = await stored(id);
    expect(t.sla.firstResponseAt).toEqual(at(40 * M));
    expect(t.sla.ttaMs).toBe(40 * M);
  });

  it('resolving while pending resumes the clock first', async () => {
    const id = (await when(0, ada, '/ticket new "Printer" --impact high --urgency medium')).card?.ticketId as string;
    await when(10 * M, bob, `/ticket assign ${id} me`);
    await when(11 * M, bob, `/ticket start ${id}`);
    await when(1 * H, bob, `/ticket pending ${id}`);
    await when(3 * H, bob, `/ticket resolve ${id} replaced toner`);
    const t = await stored(id);
    expect(t.sla.pausedAt).toEqual(at(3 * H));
    expect(t.sla.pausedMs).toBe(2 * H);
    expect(t.sla.ttrMs).toBe(H);
  });

  it('reopened and resolved again: the time spent resolved counts neither for the figure nor against the due time', async () => {
    const id = (await when(0, ada, '/ticket new "Laptop fan" --impact high --urgency medium')).card?.ticketId as string;
    await when(10 * M, bob, `/ticket assign ${id} me`);
    await when(1 * H, bob, `/ticket resolve ${id} cleaned the fan`);
    expect((await stored(id)).sla.ttrMs).toBe(H);

    // Resolved for 5 hours, then the requester says it is back.
    const reopened = await when(6 * H, ada, `/ticket reopen ${id} loud again`);
    let t = await stored(id);
    expect(t.sla).toMatchObject({ pausedAt: null, pausedMs: 5 * H, ttrMs: null });
    expect(t.sla.resolutionDueAt).toEqual(at(8 * H + 5 * H));
    expect(reopened.text).toContain('resolve by 22:00');

    await when(7 * H, bob, `/ticket resolve ${id} replaced the fan`);
    t = await stored(id);
    expect(t.sla.ttrMs).toBe(2 * H);
    expect(t.resolvedAt).toEqual(at(7 * H));
  });

  it('moves the due times when the priority changes, keeping paused time', async () => {
    const id = (await when(0, bob, '/ticket new "Slow wifi" --impact low --urgency low')).card?.ticketId as string;
    await when(M, bob, `/ticket start ${id}`);
    await when(2 * M, bob, `/ticket pending ${id}`);
    await when(62 * M, bob, `/ticket start ${id}`);
    await when(70 * M, bob, `/ticket priority ${id} P2`);
    const t = await stored(id);
    expect(t.sla.responseDueAt).toEqual(at(30 * M + H));
    expect(t.sla.resolutionDueAt).toEqual(at(8 * H + H));
  });

  it('shows a breach on the card once a due time passes', async () => {
    const id = (await when(0, ada, '/ticket new "Door stuck" --impact high --urgency high')).card?.ticketId as string;
    expect(sla(await when(16 * M, bob, `/ticket show ${id}`))).toBe('BREACHED: response was due 09:15');
    expect(sla(await when(5 * H, bob, `/ticket show ${id}`))).toBe('BREACHED: resolution was due 13:00');
  });

  it("shows the history in the reader's timezone, like the card", async () => {
    const id = (await when(0, ada, '/ticket new "Monitor flickers"')).card?.ticketId as string;
    await when(30 * M, bob, `/ticket assign ${id} me`);
    clock = at(H);
    const r = await bot.core.handle({
      actor: { id: 'console:bob', platform: 'console', displayName: 'bob', timezone: 'Asia/Tokyo' },
      origin: { platform: 'console', workspace: 'local' },
      command: 'ticket',
      text: `show ${id}`,
    });
    expect(r.list).toEqual(expect.arrayContaining(['• 18:00 ada opened → new', '• 18:30 bob assigned → bob']));
  });
});
