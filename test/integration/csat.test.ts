// Requester satisfaction on the real database: asked once whatever reopens or processes, answered once, counted in /status.
// @module-tag time-of-day
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderText } from '../../adapters/console/render.ts';
import type { Reply } from '../../src/present/reply.ts';
import { anotherProcess, personAt, startTestBot, type TestBot } from '../support/harness.ts';
import { recordingSender } from '../support/recordingSender.ts';

let clock = new Date('2026-03-10T12:00:00Z');
const now = () => clock;
let bot: TestBot;
let root: ReturnType<typeof personAt>;
let zed: ReturnType<typeof personAt>;
let eve: ReturnType<typeof personAt>;
let sent: ReturnType<typeof recordingSender>;
const ok = (r: Reply): Reply => {
  expect(r.error, r.text).toBeUndefined();
  return r;
};
const idOf = (r: Reply) => r.card?.ticketId as string;
const asks = (ticketId: string) =>
  sent.calls.filter((c) => c.op === 'dm' && c.channel === 'zed' && c.reply.header === `How did we do on ${ticketId}?`);
const settle = async (...engines: Array<{ drained(): Promise<void> }>) => {
  for (let i = 0; i < 2; i++) {
    // The ask is a job the resolve files: the engines run it right after the reply.
    await Promise.all([bot.services.outbox.drained(), bot.jobs.drained(), ...engines.map((e) => e.drained())]);
    await bot.core.settled();
  }
};
const field = (r: Reply, label: string) => r.fields?.find((f) => f.label === label)?.value;

beforeAll(async () => {
  bot = await startTestBot({ now });
  root = personAt(bot.core, 'root');
  zed = personAt(bot.core, 'zed');
  eve = personAt(bot.core, 'eve');
  ok(await zed('/role show'));
  ok(await eve('/role show'));
  sent = recordingSender('console');
  bot.core.registerSender(sent);
});
afterAll(async () => {
  await bot?.close();
});

describe('requester satisfaction', () => {
  it('asks the requester once on resolve, across a reopen, a resolve in another process, and forgotten outbox keys', async () => {
    const other = await anotherProcess(bot, { now });
    try {
      const inc = idOf(ok(await zed('/ticket new "Printer offline"')));
      ok(await root(`/ticket resolve ${inc} "replaced the toner"`));
      await settle(other.services.outbox, other.jobs);
      const [ask] = asks(inc);
      expect(asks(inc)).toHaveLength(1);
      expect(ask?.reply.actions?.map((a) => [a.id, a.value])).toEqual(
        [1, 2, 3, 4, 5].map((n) => ['ticket.csat', `${inc}:${n}`]),
      );
      // The terminal shows each button as the command that does the same, typed as it would be.
      expect(renderText(ask?.reply as Reply, true)).toContain(
        `  next: ${[1, 2, 3, 4, 5].map((n) => `/ticket csat ${inc} ${n}`).join('  |  ')}`,
      );
      ok(await zed(`/ticket reopen ${inc} "still offline"`));
      ok(await personAt(other.core, 'root')(`/ticket resolve ${inc} "new driver"`));
      await settle(other.services.outbox, other.jobs);
      expect(asks(inc)).toHaveLength(1);
      // Ten days on, the outbox has forgotten its keys and delivery claims (as its nightly prune does).
      clock = new Date('2026-03-20T12:00:00Z');
      await bot.services.outbox.pruneClaims(clock);
      ok(await zed(`/ticket reopen ${inc} "offline again"`));
      ok(await root(`/ticket resolve ${inc} "new printer"`));
      await settle(other.services.outbox, other.jobs);
      expect(asks(inc)).toHaveLength(1);
      // Asked once on the ticket's history alone: no claim of its own is written.
      expect(await bot.db.connection.collection('csat_asks').countDocuments({})).toBe(0);
    } finally {
      await other.close();
    }
  });

  it('takes one answer, from the requester only, by button or typed, and refuses bad scores clearly', async () => {
    clock = new Date('2026-03-20T13:00:00Z');
    const inc = idOf(ok(await zed('/ticket new "VPN drops"')));
    expect((await zed(`/ticket csat ${inc} 5`)).error).toBe('CSAT.NOT_RESOLVED');
    ok(await root(`/ticket resolve ${inc} "new profile"`));
    await settle();
    expect((await eve(`/ticket csat ${inc} 1`)).error).toBe('PERMISSION.DENIED');
    expect((await root(`/ticket csat ${inc} 1`)).error).toBe('PERMISSION.DENIED');
    const bad = await zed(`/ticket csat ${inc} 7`);
    expect(bad.error).toBe('CSAT.BAD_SCORE');
    expect(bad.text).toContain('1 (poor) to 5 (great)');
    // The button: the ticket and the score in one value, as the DM's action sends it.
    const pressed = await bot.core.handle({
      actor: { id: 'console:zed', platform: 'console', displayName: 'zed' },
      origin: { platform: 'console', workspace: 'local', channel: 'DM-zed' },
      command: 'ticket',
      subcommand: 'csat',
      options: { id: `${inc}:4` },
    });
    expect(ok(pressed).text).toContain(`${inc} is rated 4/5`);
    const again = await zed(`/ticket csat ${inc} 1 "changed my mind"`);
    expect(again.error).toBe('CSAT.ANSWERED');
    expect(again.text).toContain('4/5 already');
    const answers = await bot.db.connection.collection('csat').find({}).toArray();
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({ _id: `console:local/${inc}`, score: 4, comment: null });
    const t = await bot.services.tickets.getTicket(
      {
        tenant: 'console:local',
        person: { id: 'console:root', identity: 'console:root', name: 'root' },
        role: 'admin',
        source: { platform: 'console', workspace: 'local' },
        now: clock,
        timezone: 'UTC',
      },
      inc,
    );
    expect(t.history.filter((h) => h.action === 'csat').map((h) => h.to)).toEqual(['4']);
  });

  it('answers once when two processes take the same answer at once', async () => {
    clock = new Date('2026-03-20T14:00:00Z');
    const other = await anotherProcess(bot, { now });
    try {
      const inc = idOf(ok(await zed('/ticket new "Mail slow"')));
      ok(await root(`/ticket resolve ${inc} "quota raised"`));
      const replies = await Promise.all([
        zed(`/ticket csat ${inc} 2 "slow to answer"`),
        personAt(other.core, 'zed')(`/ticket csat ${inc} 2 "slow to answer"`),
      ]);
      expect(replies.map((r) => r.error ?? 'ok').sort()).toEqual(['CSAT.ANSWERED', 'ok']);
      const answer = await bot.db.connection.collection('csat').findOne({ _id: `console:local/${inc}` as never });
      expect(answer).toMatchObject({ score: 2, comment: 'slow to answer' });
    } finally {
      await other.close();
    }
  });

  it('shows in /status: % satisfied (4-5) and the count, against the period before', async () => {
    clock = new Date('2026-03-20T15:00:00Z');
    const r = ok(await root('/status today'));
    // Today: a 4 and a 2 (the printer ticket was never rated).
    expect(field(r, 'CSAT')).toBe('50% (new) · 2 (+2) answers');
    const rebuilt = await bot.services.rollups.rebuild();
    expect(rebuilt.facts).toBeGreaterThan(0);
    expect(field(ok(await root('/status today')), 'CSAT')).toBe('50% (new) · 2 (+2) answers');
  });
});
