// Post-incident reviews on the real database with an injected clock: opened once when a P1 incident is resolved,
// due two business days on (over a weekend), the assignee reminded each business day until it is marked done.
// @module-tag time-of-day
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reply } from '../../src/present/reply.ts';
import type { Job, JobEnd } from '../../src/store/jobStore.ts';
import { anotherProcess, personAt, startTestBot, type TestBot } from '../support/harness.ts';
import { recordingSender } from '../support/recordingSender.ts';

// A Thursday: the second business day after it is the Monday.
let clock = new Date('2026-03-12T12:00:00Z');
const now = () => clock;
const at = (iso: string) => {
  clock = new Date(iso);
};
let bot: TestBot;
let root: ReturnType<typeof personAt>;
let ada: ReturnType<typeof personAt>;
let zed: ReturnType<typeof personAt>;
let sent: ReturnType<typeof recordingSender>;
let inc = '';
const pirs = () => bot.db.connection.collection('pirs').find({}).toArray();
// Not the SLA watch's notices about the same tickets: only what the PIRs send.
const fromPirs = () => sent.calls.filter((c) => !c.reply.text.includes(': SLA '));
const dmsToAda = () =>
  fromPirs()
    .filter((c) => c.op === 'dm' && c.channel === 'ada')
    .map((c) => c.reply.text);
const posts = () =>
  fromPirs()
    .filter((c) => c.op === 'post')
    .map((c) => c.reply.text);
const ok = (r: Reply): Reply => {
  expect(r.error, r.text).toBeUndefined();
  return r;
};
const settle = async (...engines: Array<{ drained(): Promise<void> }>) => {
  for (let i = 0; i < 2; i++) {
    await Promise.all(engines.map((e) => e.drained()));
    await bot.core.settled();
  }
};
const idOf = (r: Reply) => r.card?.ticketId as string;

beforeAll(async () => {
  bot = await startTestBot({ now, env: { SWITCHBOARD_PIR_DAYS: '2' } });
  root = personAt(bot.core, 'root');
  ada = personAt(bot.core, 'ada');
  zed = personAt(bot.core, 'zed');
  ok(await ada('/role show'));
  ok(await zed('/role show'));
  ok(await root('/role grant @ada agent'));
  sent = recordingSender('console');
  bot.core.registerSender(sent);
});
afterAll(async () => {
  await bot?.close();
});

describe('post-incident reviews', () => {
  it('are not opened for a P3 incident, nor for a P1 request', async () => {
    const p3 = idOf(ok(await root('/ticket new "Printer jam" --priority P3')));
    ok(await root(`/ticket resolve ${p3} cleared`));
    const req = idOf(ok(await root('/ticket new "Laptop" --type request --priority P1')));
    ok(await root(`/ticket resolve ${req} delivered`));
    expect(await pirs()).toEqual([]);
    expect((await root(`/ticket pir ${p3} done https://wiki.example.com/pir`)).error).toBe('PIR.NOT_FOUND');
  });

  it('is opened once on a P1 resolve, due two business days on over the weekend, across reopen and two processes', async () => {
    const other = await anotherProcess(bot, { now });
    try {
      inc = idOf(ok(await root('/ticket new "VPN down" --priority P1')));
      ok(await root(`/ticket assign ${inc} @ada`));
      ok(await ada(`/ticket resolve ${inc} rolled back`));
      // The resolve files the PIR's opening; the job engine opens it right after.
      await settle(bot.jobs);
      const [pir] = await pirs();
      expect(pir).toMatchObject({ ticketId: inc, priority: 'P1', channel: 'console', done: null });
      expect(pir?.assignee?.name).toBe('ada');
      expect((pir!.dueAt as Date).toISOString()).toBe('2026-03-16T12:00:00.000Z');
      // Reopened here and resolved again in another process: still the first PIR, its reminders planned once.
      const elsewhere = personAt(other.core, 'ada');
      ok(await ada(`/ticket reopen ${inc} it came back`));
      at('2026-03-12T12:30:00Z');
      ok(await elsewhere(`/ticket resolve ${inc} really fixed`));
      await settle(bot.jobs, other.jobs);
      const after = await pirs();
      expect(after).toHaveLength(1);
      expect((after[0]!.dueAt as Date).toISOString()).toBe('2026-03-16T12:00:00.000Z');
      // Each resolve filed an opening (the second found the first PIR) and the first reminder, as slots only (no
      // `jobs` record): the second reminder, filed for 12:30, runs once all the same (below: ada hears once).
      const filed = (await bot.services.jobs.all<{ job?: Job }>('job_slots')).flatMap((s) =>
        s.job?.ticketId === inc && s.job.kind.startsWith('pir.') ? [s.job] : [],
      );
      expect(filed.map((j) => [j._id, j.dueAt.toISOString()]).sort()).toEqual([
        [`pir-open:console:local/${inc}@2026-03-12T12:00:00.000Z`, '2026-03-12T12:00:00.000Z'],
        [`pir-open:console:local/${inc}@2026-03-12T12:30:00.000Z`, '2026-03-12T12:30:00.000Z'],
        [`pir:console:local/${inc}#1`, '2026-03-13T12:00:00.000Z'],
        [`pir:console:local/${inc}#1`, '2026-03-13T12:30:00.000Z'],
      ]);
      expect((await bot.services.jobs.all('jobs')).filter((j) => j.kind.startsWith('pir.'))).toEqual([]);
      const opened = await bot.services.jobs.all<JobEnd>('job_ends');
      expect(opened.filter((e) => e._id.startsWith(`pir-open:console:local/${inc}@`)).map((e) => e.reason)).toEqual([
        null,
        'open already',
      ]);
      const list = ok(await ada('/ticket pir list'));
      expect(list.text).toBe(`PIRs: 1 open, 0 overdue\n• ${inc} · P1 · VPN down · ada · due Mon 16 Mar 12:00`);

      // Friday: both processes run the day's job; ada hears once.
      other.core.registerSender(sent);
      at('2026-03-13T11:59:00Z');
      await settle(bot.jobs, other.jobs);
      await other.core.settled();
      expect(dmsToAda()).toEqual([]);
      at('2026-03-13T12:00:00Z');
      await settle(bot.jobs, other.jobs);
      await other.core.settled();
      expect(dmsToAda()).toEqual([
        `PIR for ${inc} (VPN down) is due Mon 16 Mar 12:00 (1 business day left). When it is written: /ticket pir ${inc} done <link>`,
      ]);
    } finally {
      await other.close();
    }
  });

  it('reminds nobody at the weekend, and the assignee again on Monday, the day it is due', async () => {
    at('2026-03-14T12:00:00Z');
    await settle(bot.jobs);
    at('2026-03-15T12:00:00Z');
    await settle(bot.jobs);
    expect(dmsToAda()).toHaveLength(1);
    at('2026-03-16T12:00:00Z');
    await settle(bot.jobs);
    expect(dmsToAda().slice(1)).toEqual([
      `PIR for ${inc} (VPN down) is due today, Mon 16 Mar 12:00. When it is written: /ticket pir ${inc} done <link>`,
    ]);
  });

  it('lists it as overdue (agents only), and a pir review posts the list in its channel', async () => {
    at('2026-03-16T12:01:00Z');
    const list = ok(await ada('/ticket pir list'));
    expect(list.header).toBe('PIRs');
    expect(list.text).toBe(`PIRs: 1 open, 1 overdue\n• ${inc} · P1 · VPN down · ada · OVERDUE since Mon 16 Mar 12:00`);
    expect((await zed('/ticket pir list')).error).toBe('PERMISSION.DENIED');
    ok(await root('/review add "PIRs" weekdays at 09:00 --kind pir'));
    at('2026-03-17T09:00:00Z');
    await settle(bot.jobs);
    expect(posts()).toEqual([
      `PIRs: 1 open, 1 overdue\n• ${inc} · P1 · VPN down · ada · OVERDUE since Mon 16 Mar 12:00`,
    ]);
  });

  it('refuses a bad link and people who may not, then is done: the team channel is told, the reminders stop', async () => {
    at('2026-03-17T09:30:00Z');
    expect((await zed(`/ticket pir ${inc} done https://wiki.example.com/pir`)).error).toBe('PERMISSION.DENIED');
    for (const bad of ['not-a-link', 'ftp://wiki.example.com/pir', 'https://wiki']) {
      const r = await ada(`/ticket pir ${inc} done ${bad}`);
      expect(r.error, bad).toBe('USAGE.BAD_LINK');
      expect(r.text).toMatch(/does not look like a link/);
    }
    expect((await ada(`/ticket pir ${inc} finished https://wiki.example.com/pir`)).error).toBe('USAGE.BAD_ARGS');
    expect((await pirs())[0]?.done).toBeNull();

    const link = `https://wiki.example.com/pir/${inc}`;
    const r = ok(await ada(`/ticket pir ${inc} done ${link}`));
    expect(r.text).toBe(`PIR for ${inc} is done: ${link} (09:30).\nTold console.\nIt is on ${inc}'s history.`);
    await settle(bot.jobs);
    expect(posts().slice(1)).toEqual([`PIR for ${inc} is done: ${link}`]);
    expect(ok(await root(`/ticket show ${inc}`)).text).toContain(`ada pir_done → ${link}`);
    const again = await root(`/ticket pir ${inc} done https://wiki.example.com/other`);
    expect(again.error).toBe('PIR.ALREADY_DONE');
    expect(again.text).toContain(`marked done by ada: ${link}`);
    expect(ok(await ada('/ticket pir list')).text).toBe('PIRs: no PIR is open.');

    at('2026-03-17T12:00:00Z');
    await settle(bot.jobs);
    expect(dmsToAda()).toHaveLength(2);
    const end = (await bot.services.jobs.all<JobEnd>('job_ends')).find((e) => e._id === `pir:console:local/${inc}#3`);
    expect(end).toMatchObject({ outcome: 'done', reason: 'done' });
  });

  it('is opened by another process when the one that resolved stops before its job runs; a second run opens none', async () => {
    at('2026-03-18T10:00:00Z');
    const other = await anotherProcess(bot, { now });
    other.core.registerSender(sent);
    const id = idOf(ok(await root('/ticket new "Mail queue stuck" --priority P1')));
    ok(await root(`/ticket assign ${id} @ada`));
    // This process's job engine is down (as if it died right after the resolve's writes): the other one runs the job.
    await bot.jobs.stop();
    try {
      ok(await ada(`/ticket resolve ${id} flushed`));
      await bot.core.settled();
      await settle(other.jobs);
      const mine = (await pirs()).filter((p) => p.ticketId === id);
      expect(mine.map((p) => [p.assignee?.name, (p.dueAt as Date).toISOString()])).toEqual([
        ['ada', '2026-03-20T10:00:00.000Z'],
      ]);
      const opening = (await other.services.jobs.all<{ job?: Job }>('job_slots'))
        .map((s) => s.job)
        .find((j) => j?.kind === 'pir.open' && j.ticketId === id) as Job;
      const ended = (await other.services.jobs.all<JobEnd>('job_ends')).find((e) => e._id === opening._id);
      expect(ended).toMatchObject({ outcome: 'done', reason: null });
      // Run again (a run taken over from a process that died after the insert): the PIR stands, one of it.
      expect(await other.services.pirs.runOpen(opening)).toBe('open already');
      expect((await pirs()).filter((p) => p.ticketId === id)).toHaveLength(1);
      // Its first reminder, filed with the resolve, comes the next business day from the process that is up.
      const before = dmsToAda().length;
      at('2026-03-19T10:00:00Z');
      await settle(other.jobs);
      expect(dmsToAda().slice(before)).toEqual([
        `PIR for ${id} (Mail queue stuck) is due Fri 20 Mar 10:00 (1 business day left). When it is written: /ticket pir ${id} done <link>`,
      ]);
    } finally {
      bot.jobs.start();
      await other.close();
    }
  });
});
