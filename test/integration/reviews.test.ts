// /review on the job engine, real database and an injected clock: on time, in order, once per run (two
// processes), paused and resumed, caught up after downtime, and refused when the schedule is not understood.
// @module-tag time-of-day
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anotherProcess, personAt, startTestBot, type TestBot } from '../support/harness.ts';
import { recordingSender } from '../support/recordingSender.ts';

let clock = new Date('2026-03-10T12:00:00Z');
const now = () => clock;
const MIN = 60_000;
const later = (ms: number) => {
  clock = new Date(clock.getTime() + ms);
};
let bot: TestBot;
let root: ReturnType<typeof personAt>;
let posts: ReturnType<typeof recordingSender>;
const settle = async (...engines: Array<{ drained(): Promise<void> }>) => {
  for (let i = 0; i < 2; i++) {
    await Promise.all(engines.map((e) => e.drained()));
    await bot.core.settled();
  }
};
const said = () => posts.calls.map((c) => c.reply.text);

beforeAll(async () => {
  bot = await startTestBot({ now });
  root = personAt(bot.core, 'root');
  posts = recordingSender('console');
  bot.core.registerSender(posts);
});
afterAll(async () => {
  await bot?.close();
});

describe('/review', () => {
  it('schedules, and shows the next three runs in the asker’s time', async () => {
    const r = await root('/review add "Stand-up" every day at 12:30 --text "in the ops room"');
    expect(r.error, r.text).toBeUndefined();
    expect(r.text).toBe(
      'RV-1 · Stand-up is scheduled (reminder, in console).\nNext runs (UTC): 12:30, 11 Mar 12:30, 12 Mar 12:30',
    );
    later(29 * MIN);
    await settle(bot.jobs);
    expect(said()).toEqual([]);
    later(MIN);
    await settle(bot.jobs);
    expect(said()).toEqual(['Stand-up: in the ops room']);
    expect((await root('/review remove RV-1')).text).toBe('RV-1 · Stand-up is removed.');
    expect((await root('/review show RV-1')).error).toBe('REVIEW.NOT_FOUND');
  });

  it('posts at each run, not while paused, and again once resumed; show tells how runs went', async () => {
    posts.calls.length = 0;
    const r = await root('/review add "Ten" */10 * * * * --text tick');
    expect(r.error, r.text).toBeUndefined();
    const id = r.header?.split(' ')[0] as string;
    later(10 * MIN);
    await settle(bot.jobs);
    later(10 * MIN);
    await settle(bot.jobs);
    expect(said()).toEqual(['Ten: tick', 'Ten: tick']);
    expect((await root(`/review pause ${id}`)).text).toBe(`${id} · Ten is paused.`);
    later(10 * MIN);
    await settle(bot.jobs);
    expect(said()).toHaveLength(2);
    expect((await root(`/review resume ${id}`)).text).toMatch(
      new RegExp(`^${id} · Ten runs again; next \\d\\d:\\d0\\.$`),
    );
    later(10 * MIN);
    await settle(bot.jobs);
    expect(said()).toHaveLength(3);
    const shown = await root(`/review show ${id}`);
    expect(shown.list?.[0]).toMatch(/\(UTC\), posts reminder in console$/);
    expect(shown.list?.filter((l) => l.startsWith('next: '))).toHaveLength(5);
    expect(shown.list?.filter((l) => l.endsWith(': delivered'))).toHaveLength(3);
    expect(shown.list?.filter((l) => l.endsWith(': paused'))).toHaveLength(1);
    expect((await root('/review list')).list).toContain(`${id} · Ten · reminder · console`);
    const removed = await root(`/review remove ${id}`);
    expect(removed.error, removed.text).toBeUndefined();
    later(10 * MIN);
    await settle(bot.jobs);
    expect(said()).toHaveLength(3);
  });

  it('posts the CAB agenda for a change review, now with /review run', async () => {
    posts.calls.length = 0;
    const r = await root('/review add "Weekly CAB" every Tuesday at 10:00 --kind change');
    expect(r.error, r.text).toBeUndefined();
    const id = r.header?.split(' ')[0] as string;
    expect((await root(`/review run ${id}`)).error).toBeUndefined();
    await settle(bot.jobs);
    expect(posts.calls[0]?.reply.header).toMatch(/^Weekly CAB · /);
    expect(said()[0]).toMatch(/no change awaits approval/);
  });

  it.each([
    ['/review add "X" every blursday --text x', 'USAGE.BAD_SCHEDULE'],
    ['/review add "X" 61 * * * * --text x', 'USAGE.BAD_SCHEDULE'],
    ['/review add "X" every day at 09:00 --tz Mars/Olympus --text x', 'USAGE.BAD_TIMEZONE'],
    ['/review add "X" every day at 09:00', 'USAGE.MISSING'],
    ['/review add "X" every day at 09:00 --kind sla', 'REVIEW.SLA_ALWAYS_ON'],
    ['/review add "X" every day at 09:00 --channel "#not a channel" --text x', 'USAGE.BAD_CHANNEL'],
  ])('refuses %s and stores nothing', async (line, code) => {
    const before = await bot.db.connection.collection('reviews').countDocuments();
    const r = await root(line);
    expect(r.error, r.text).toBe(code);
    expect(await bot.db.connection.collection('reviews').countDocuments()).toBe(before);
  });

  it('refuses a #channel id at the terminal with the forms the terminal accepts', async () => {
    const r = await root('/review add "X" every day at 09:00 --channel #C0123ABC --text x');
    expect(r.error).toBe('USAGE.BAD_CHANNEL');
    expect(r.text).toContain('--channel console');
    expect(r.text).not.toContain('--channel #C0123ABC');
  });

  it('lets anyone list reviews, and only managers add them', async () => {
    const ada = personAt(bot.core, 'ada');
    expect((await ada('/review list')).error).toBeUndefined();
    expect((await ada('/review add "Mine" every day at 09:00 --text x')).error).toBe('PERMISSION.DENIED');
  });
});

describe('runs once, and catches up', () => {
  it('posts each run once with two processes (20 runs)', async () => {
    posts.calls.length = 0;
    const r = await root('/review add "Hourly" */10 * * * * --text tick');
    const id = r.header?.split(' ')[0] as string;
    const other = await anotherProcess(bot, { now });
    try {
      other.core.registerSender(posts);
      for (let i = 1; i <= 20; i++) {
        later(10 * MIN);
        await settle(bot.jobs, other.jobs);
        await other.core.settled();
        expect(said().filter((t) => t === 'Hourly: tick')).toHaveLength(i);
      }
    } finally {
      await other.close();
      await root(`/review remove ${id}`);
    }
    // Twenty runs on two engines: well over the default limit on a loaded machine.
  }, 180_000);

  it('runs late what fell due within the grace period while no process ran, and says so', async () => {
    posts.calls.length = 0;
    const slot = new Date(clock.getTime() + 10 * MIN);
    const at = slot.toISOString().slice(11, 16);
    const r = await root(`/review add "Late" every day at ${at} --text hello`);
    const id = r.header?.split(' ')[0] as string;
    await bot.jobs.stop();
    try {
      later(40 * MIN);
      const back = await anotherProcess(bot, { now });
      try {
        back.core.registerSender(posts);
        await settle(back.jobs);
        await back.core.settled();
        expect(said()).toEqual(['Late: hello']);
        expect((await root(`/review show ${id}`)).list).toContain(`${at}: late`);
      } finally {
        await back.close();
      }
    } finally {
      bot.jobs.start();
    }
  });
});
