// Stale reviews and the always-on housekeeping on the job engine, real database and an injected clock: the sweep by
// assignee; the pending requester nudged once then the ticket resolved, resolved tickets closed, with no review at all.
// The waits are fractions of a day (0.01 d = 14.4 minutes) so the engine walks minutes, not weeks.
// @module-tag time-of-day
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reply } from '../../src/present/reply.ts';
import { adminActing, personAt, startTestBot, type TestBot } from '../support/harness.ts';
import { recordingSender } from '../support/recordingSender.ts';

let clock = new Date('2026-03-10T12:00:00Z');
const now = () => clock;
const MIN = 60_000;
let bot: TestBot;
let posts: ReturnType<typeof recordingSender>;
type Person = (line: string) => Promise<Reply>;
let root: Person;
let ada: Person;
let cat: Person;
const ok = (r: Reply): Reply => {
  expect(r.error, r.text).toBeUndefined();
  return r;
};
const idOf = (r: Reply): string => /\b(INC|REQ)-\d+/.exec(r.header ?? r.text)?.[0] ?? '';
const settle = async () => {
  for (let i = 0; i < 2; i++) {
    await bot.jobs.drained();
    await bot.core.settled();
  }
};
const later = async (ms: number) => {
  clock = new Date(clock.getTime() + ms);
  await settle();
};
const postsOf = (header: string) =>
  posts.calls.filter((c) => c.op === 'post' && c.reply.header?.startsWith(`${header} · `)).map((c) => c.reply);
// The housekeeping's DMs, not the satisfaction question a person's resolve asks (src/services/csat.ts).
const dmsTo = (who: string) =>
  posts.calls
    .filter((c) => c.op === 'dm' && c.channel === who && !c.reply.header?.startsWith('How did we do'))
    .map((c) => c.reply);
const runNow = async (id: string) => {
  ok(await root(`/review run ${id}`));
  await settle();
};

beforeAll(async () => {
  bot = await startTestBot({
    now,
    env: {
      SWITCHBOARD_PENDING_NUDGE_DAYS: '0.01',
      SWITCHBOARD_PENDING_RESOLVE_DAYS: '0.01',
      SWITCHBOARD_AUTOCLOSE_DAYS: '0.02',
    },
  });
  posts = recordingSender('console');
  bot.core.registerSender(posts);
  root = personAt(bot.core, 'root');
  ada = personAt(bot.core, 'ada');
  cat = personAt(bot.core, 'cat');
  const bob = personAt(bot.core, 'bob');
  for (const p of [ada, bob, cat]) ok(await p('/role show'));
  ok(await root('/role grant @ada agent'));
  ok(await root('/role grant @bob agent'));
});
afterAll(async () => {
  await bot?.close();
});

describe('a stale review', () => {
  it('posts nothing stale for fresh tickets, with --days 3 by default', async () => {
    const r = ok(await root('/review add "Fresh sweep" weekdays at 09:00 --kind stale'));
    const id = r.header?.split(' ')[0] as string;
    expect((await root(`/review show ${id}`)).list?.[0]).toMatch(/posts stale \(no update for 3 days\) in console$/);
    ok(await cat('/ticket new "Fresh printer jam"'));
    await later(30 * MIN);
    await runNow(id);
    const [post] = postsOf('Fresh sweep');
    expect(post?.header).toBe('Fresh sweep · nothing stale');
    expect(post?.list).toEqual(['No open ticket has gone 3 days without an update.']);
    expect(post?.context).toBeUndefined();
    ok(await root(`/review remove ${id}`));
  });

  it('lists open tickets with no update for --days, grouped by assignee, at its scheduled time', async () => {
    // 12:30 now: the fresh printer ticket above is 30 minutes old.
    const a1 = idOf(ok(await cat('/ticket new "VPN drops"')));
    const a2 = idOf(ok(await cat('/ticket new "Mail slow"')));
    const touched = idOf(ok(await cat('/ticket new "Wiki down"')));
    const b1 = idOf(ok(await cat('/ticket new "Badge reader"')));
    for (const [t, who] of [
      [a1, '@ada'],
      [a2, '@ada'],
      [touched, '@ada'],
      [b1, '@bob'],
    ]) {
      ok(await root(`/ticket assign ${t} ${who}`));
    }
    const r = ok(await root('/review add "Stale sweep" every day at 13:00 --kind stale --days 0.01'));
    const id = r.header?.split(' ')[0] as string;
    await later(25 * MIN);
    ok(await ada(`/ticket comment ${touched} looking at it`));
    expect(postsOf('Stale sweep')).toEqual([]);
    await later(5 * MIN);
    const [post] = postsOf('Stale sweep');
    expect(post?.header).toBe('Stale sweep · 4 stale tickets');
    const list = (post?.list ?? []).map((l) => l.replace(/ · no update for .*$/, ''));
    expect(list).toEqual([
      '@ada · 2 tickets',
      `  ${a1} · P3 · assigned · VPN drops`,
      `  ${a2} · P3 · assigned · Mail slow`,
      '@bob · 1 ticket',
      `  ${b1} · P3 · assigned · Badge reader`,
      'Unassigned · 1 ticket',
      expect.stringMatching(/^ {2}INC-\d+ · P3 · new · Fresh printer jam$/),
    ]);
    expect(post?.list?.[1]).toMatch(/ · no update for 30m$/);
    // Each assignee is mentioned on the platform the sweep posts to (here the terminal's own identities).
    expect(post?.mentions).toEqual(['console:ada', 'console:bob']);
    expect(post?.text).toMatch(/^Stale sweep · 4 stale tickets \(no update for 0\.01 days\)\n@ada · 2 tickets\n/);
    ok(await root(`/review remove ${id}`));
  });

  it.each([
    ['--days soon', 'USAGE.BAD_NUMBER'],
    ['--days 0', 'USAGE.BAD_NUMBER'],
    ['--days 400', 'USAGE.BAD_NUMBER'],
  ])('refuses %s and stores nothing', async (days, code) => {
    const before = await bot.db.connection.collection('reviews').countDocuments();
    expect((await root(`/review add "X" weekdays at 09:00 --kind stale ${days}`)).error).toBe(code);
    expect((await root('/review add "X" weekdays at 09:00 --text x --days 3')).error).toBe('USAGE.BAD_OPTION');
    expect(await bot.db.connection.collection('reviews').countDocuments()).toBe(before);
  });
});

describe('the housekeeping, always on (no review needed)', () => {
  it('nudges a quiet pending requester once, then resolves the ticket, then closes it', async () => {
    const req = idOf(ok(await cat('/ticket new "New laptop" --type request')));
    ok(await root(`/ticket assign ${req} @ada`));
    ok(await ada(`/ticket start ${req}`));
    ok(await ada(`/ticket pending ${req} which model?`));
    await later(10 * MIN);
    expect(dmsTo('cat')).toEqual([]);

    // 15 minutes pending, over the 14.4 of 0.01 days: one nudge, however long it then waits.
    await later(5 * MIN);
    await later(MIN);
    const nudges = dmsTo('cat');
    expect(nudges.map((d) => d.header)).toEqual([`${req} is waiting for you`]);
    expect(nudges[0]?.text).toMatch(/resolved automatically in 14m/);
    expect((await cat(`/ticket show ${req}`)).fields).toEqual(
      expect.arrayContaining([expect.objectContaining({ label: 'State', value: 'pending' })]),
    );

    // 14.4 minutes after the nudge (at +15): resolved, through the lifecycle, by Switchboard.
    await later(13 * MIN);
    expect((await cat(`/ticket show ${req}`)).fields).toEqual(
      expect.arrayContaining([expect.objectContaining({ label: 'State', value: 'pending' })]),
    );
    await later(MIN);
    const resolved = await bot.core.services.tickets.getTicket(adminActing('console:local', clock), req);
    expect(resolved.state).toBe('resolved');
    expect(resolved.resolution).toMatch(/^Resolved automatically: no answer from the requester/);
    expect(resolved.history.at(-1)?.actor.name).toBe('Switchboard');
    expect(dmsTo('cat')).toHaveLength(1);

    // Closed 0.02 days (28.8 minutes) after its resolution, not before.
    await later(28 * MIN);
    expect((await cat(`/ticket show ${req}`)).fields).toEqual(
      expect.arrayContaining([expect.objectContaining({ label: 'State', value: 'resolved' })]),
    );
    await later(MIN);
    expect((await cat(`/ticket show ${req}`)).fields).toEqual(
      expect.arrayContaining([expect.objectContaining({ label: 'State', value: 'closed' })]),
    );
  });

  it('leaves alone a pending ticket whose requester answers, and a fresh resolved one', async () => {
    const before = dmsTo('cat').length;
    const req = idOf(ok(await cat('/ticket new "Monitor flickers" --type request')));
    ok(await root(`/ticket assign ${req} @ada`));
    ok(await ada(`/ticket start ${req}`));
    ok(await ada(`/ticket pending ${req} which port?`));
    const inc = idOf(ok(await cat('/ticket new "Desk phone"')));
    ok(await ada(`/ticket resolve ${inc} replaced`));
    await later(10 * MIN);
    ok(await cat(`/ticket comment ${req} the HDMI one`));
    await later(10 * MIN);
    expect(dmsTo('cat')).toHaveLength(before);
    const shown = async (id: string) =>
      (await cat(`/ticket show ${id}`)).fields?.find((f) => f.label === 'State')?.value;
    expect(await shown(req)).toBe('pending');
    expect(await shown(inc)).toBe('resolved');
    // Quiet since the answer for longer than the wait: now the nudge comes, once.
    await later(5 * MIN);
    expect(dmsTo('cat')).toHaveLength(before + 1);
  });

  it('plans the steps of tickets that waited while no process ran, at start-up, once', async () => {
    // A step a change planned is filed without its `jobs` record (one round trip fewer a change): the next start-up
    // plans it once more, recorded (it still runs once: its claim decides), and after that, nothing.
    expect(await bot.services.housekeeping.planWaiting()).toBeGreaterThan(0);
    expect(await bot.services.housekeeping.planWaiting()).toBe(0);
    // Filed twice, a step runs once: the resolved ticket of the test before closes once, by one history line.
    await later(30 * MIN);
    const listed = ok(await root('/ticket list --state all --text "Desk phone"')).list ?? [];
    const id = listed[0]?.split(' · ')[0] as string;
    const t = await bot.core.services.tickets.getTicket(adminActing('console:local', clock), id);
    expect(t.state).toBe('closed');
    expect(t.history.filter((h) => h.action === 'state' && h.to === 'closed')).toHaveLength(1);
  });
});
