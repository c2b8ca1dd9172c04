// /status on the real database over a seeded fortnight: figures from the rollups, the open work, on-call, scopes, refusals.
// @module-tag time-of-day
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reply } from '../../src/present/reply.ts';
import { RollupRepository } from '../../src/store/rollupStore.ts';
import { personAt, startTestBot, type TestBot } from '../support/harness.ts';
import { recordingSender } from '../support/recordingSender.ts';

type Person = (line: string) => Promise<Reply>;
let clock = new Date('2026-02-26T09:00:00Z');
let bot: TestBot;
let ada: Person;
let bob: Person;
let root: Person;

const ok = (r: Reply): Reply => {
  expect(r.error, r.text).toBeUndefined();
  return r;
};
async function at(iso: string, as: Person, line: string): Promise<Reply> {
  clock = new Date(iso);
  return ok(await as(line));
}
const field = (r: Reply, label: string) => r.fields?.find((f) => f.label === label)?.value;

beforeAll(async () => {
  bot = await startTestBot({ now: () => clock });
  ada = personAt(bot.core, 'ada');
  bob = personAt(bot.core, 'bob');
  root = personAt(bot.core, 'root');
  ok(await bob('/role show'));
  ok(await root('/role grant @bob agent'));
  ok(await root('/team create storage --services db'));
  ok(await root('/oncall rotation storage @bob --every 1w'));
  // The week before the week asked about (25 Feb..3 Mar): one P1 answered in 5 minutes and resolved in 2 hours.
  await at('2026-02-26T09:00:00Z', ada, '/ticket new "db slow" --service db --impact high --urgency high');
  await at('2026-02-26T09:05:00Z', bob, '/ticket assign INC-1 me');
  await at('2026-02-26T11:00:00Z', bob, '/ticket resolve INC-1 "vacuumed"');
  await at('2026-03-03T10:00:00Z', ada, '/ticket new "mail bounces" --service mail');
  // The week (4..10 March): a P1 answered late, paused four hours, resolved, reopened and resolved again.
  await at('2026-03-05T09:00:00Z', ada, '/ticket new "db down" --service db --impact high --urgency high');
  await at('2026-03-05T09:30:00Z', bob, '/ticket assign INC-3 me');
  await at('2026-03-05T09:31:00Z', bob, '/ticket start INC-3');
  await at('2026-03-05T10:00:00Z', bob, '/ticket pending INC-3 waiting on the vendor');
  await at('2026-03-05T14:00:00Z', bob, '/ticket start INC-3');
  await at('2026-03-05T15:00:00Z', bob, '/ticket resolve INC-3 "failed over"');
  await at('2026-03-06T09:00:00Z', bob, '/ticket reopen INC-3 "down again"');
  await at('2026-03-06T10:00:00Z', bob, '/ticket resolve INC-3 "replaced the disk"');
  await at('2026-03-09T08:00:00Z', ada, '/ticket new "vpn flaky" --service vpn --impact high --urgency high');
  await at('2026-03-10T11:00:00Z', ada, '/ticket new "db replica lag" --service db --impact high --urgency medium');
  await at('2026-03-10T11:01:00Z', ada, '/ticket new "new laptop" --type request');
  clock = new Date('2026-03-10T12:00:00Z');
  await bot.core.settled();
});
afterAll(async () => {
  await bot?.close();
});

describe('/status', () => {
  it('posts the week in the channel: flows against the week before, the open work, breaches, on call', async () => {
    const r = ok(await bob('/status'));
    expect(r.visibility).toBe('channel');
    expect(r.header).toBe('Status · everything · 2026-03-04..2026-03-10 (UTC)');
    expect(field(r, 'Opened / resolved')).toBe('4 (+2) / 2 (+1) · reopened 1 (+1)');
    expect(field(r, 'SLA within target')).toBe('responded 0% (−100 pts) · resolved 100% (±0 pts)');
    // INC-3: 2h the first time; 3h the second (25h on the wall, less 4h pending and 18h resolved).
    expect(field(r, 'MTTR')).toBe('all 2h 30m (+30m) · P1 2h 30m (+30m) · P2 – · P3 – · P4 –');
    expect(field(r, 'MTTA')).toBe('all 30m (+25m) · P1 30m (+25m) · P2 – · P3 – · P4 –');
    expect(field(r, 'Open now')).toBe('4 · new 4 · assigned 0 · in progress 0 · pending 0 · P1 1 · P2 1 · P3 2 · P4 0');
    expect(field(r, 'Backlog age')).toBe('<1d 2 · 1-3d 1 · 3-7d 0 · >7d 1');
    expect(field(r, 'Oldest open')).toBe('P1 INC-4 vpn flaky (open 1d 4h) · P2 INC-5 db replica lag (open 1h)');
    expect(field(r, 'Breaches now')).toBe('3');
    expect(r.list).toHaveLength(3);
    expect(r.list?.[0]).toBe('INC-4 · P1 · not resolved in time · vpn flaky');
    expect(field(r, 'Top services (incidents opened)')).toBe('db 2 (+1) · vpn 1 (+1)');
    expect(field(r, 'On call now')).toMatch(/^storage: bob until /);
    expect(field(r, 'Changes awaiting approval')).toBe('none');
    expect(field(r, 'CSAT')).toBe('– · 0 (±0) answers');
    expect(r.context).toBe('Changes against the 7 days before (2026-02-25..2026-03-03); open figures are as of now.');
    expect(r.text).toContain('Opened / resolved: 4 (+2) / 2 (+1)');
  });

  it('narrows to a team (its services), to a service, and to a period', async () => {
    const team = ok(await bob('/status storage week'));
    expect(team.header).toBe('Status · storage · 2026-03-04..2026-03-10 (UTC)');
    expect(field(team, 'Opened / resolved')).toBe('2 (+1) / 2 (+1) · reopened 1 (+1)');
    expect(field(team, 'Open now')).toMatch(/^1 · /);
    const vpn = ok(await bob('/status VPN today'));
    expect(vpn.header).toBe('Status · vpn · 2026-03-10 (UTC)');
    expect(field(vpn, 'Opened / resolved')).toBe('0 (−1) / 0 (±0) · reopened 0 (±0)');
    expect(field(vpn, 'On call now')).toBe('no team');
    const range = ok(await bob('/status 2026-02-26..2026-02-26'));
    expect(field(range, 'Opened / resolved')).toBe('1 (+1) / 1 (+1) · reopened 0 (±0)');
    expect(field(range, 'SLA within target')).toBe('responded 100% (new) · resolved 100% (new)');
  });

  it('reads its figures from the rollups: without them the flows are empty, and a rebuild brings them back', async () => {
    const before = ok(await bob('/status month'));
    const repo = new RollupRepository(bot.db.connection);
    await repo.clear();
    const empty = ok(await bob('/status month'));
    expect(field(empty, 'Opened / resolved')).toBe('0 (±0) / 0 (±0) · reopened 0 (±0)');
    expect(field(empty, 'Open now')).toBe(field(before, 'Open now'));
    await bot.services.rollups.rebuild();
    expect(ok(await bob('/status month')).text).toBe(before.text);
  });

  it('refuses a bad period, an unknown scope, and a requester, each with a clear reply', async () => {
    const bad = await bob('/status week-ish');
    expect(bad.error).toBe('STATUS.UNKNOWN_SCOPE');
    const period = await bob('/status storage fortnight');
    expect(period.error).toBe('STATUS.BAD_PERIOD');
    expect(period.text).toContain('/status week');
    expect(period.text).toContain('/status 2026-03-01..2026-03-07');
    const backwards = await bob('/status 2026-03-10..2026-03-01');
    expect(backwards.error).toBe('STATUS.BAD_PERIOD');
    expect((await ada('/status')).error).toBe('PERMISSION.DENIED');
  });

  it('a digest review posts the same summary, for the team and period its text names', async () => {
    const posts = recordingSender('console');
    bot.core.registerSender(posts);
    const added = ok(await root('/review add "Storage digest" every day at 12:30 --kind digest --text "storage week"'));
    // A scope that names nothing is refused when the review is added, with the reason; nothing is scheduled.
    const reviews = await bot.db.connection.collection('reviews').countDocuments();
    const typo = await root('/review add "Typo digest" every day at 12:30 --kind digest --text "storge"');
    expect(typo.error).toBe('STATUS.UNKNOWN_SCOPE');
    expect(typo.text).toContain('No team is called "storge", and no ticket names it as a service.');
    expect(await bot.db.connection.collection('reviews').countDocuments()).toBe(reviews);
    expect(
      (await root('/review add "Long digest" every day at 12:30 --kind digest --text "storage fortnight"')).error,
    ).toBe('STATUS.BAD_PERIOD');
    const shown = ok(await root(`/review show ${added.text.split(' ')[0]}`));
    expect(shown.list?.[0]).toMatch(/posts digest \(scope: storage, period: week\) in console/);
    const direct = ok(await bob('/status storage week'));
    clock = new Date('2026-03-10T12:30:00Z');
    for (let i = 0; i < 3; i++) {
      await bot.jobs.drained();
      await bot.core.settled();
    }
    const digest = posts.calls.find((c) => c.reply.header?.startsWith('Storage digest'))?.reply;
    expect(digest?.header).toBe('Storage digest · Status · storage · 2026-03-04..2026-03-10 (UTC)');
    expect(digest?.fields?.find((f) => f.label === 'Opened / resolved')).toEqual(
      direct.fields?.find((f) => f.label === 'Opened / resolved'),
    );
    expect(posts.calls.find((c) => c.reply.header === 'Typo digest')).toBeUndefined();
    // The chart follows the digest in the same lane, once; none follows the refusal.
    await bot.services.outbox.drained();
    const after = posts.calls.slice(posts.calls.findIndex((c) => c.reply.header?.startsWith('Storage digest')));
    expect(after.filter((c) => c.reply.file).map((c) => c.reply.header)).toEqual([
      'Chart · storage · 2026-03-04..2026-03-10: opened vs resolved per day, open by priority',
    ]);
  });
});
