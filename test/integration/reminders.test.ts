// /ticket remind on the job engine, real database and an injected clock: due on time, once (two processes, a
// process that died mid-job), caught up after downtime within the grace period and recorded as missed beyond it.
// @module-tag time-of-day
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reply } from '../../src/present/reply.ts';
import { formatTime } from '../../src/present/time.ts';
import type { Job, JobEnd } from '../../src/store/jobStore.ts';
import { anotherProcess, personAt, startTestBot, type TestBot } from '../support/harness.ts';
import { recordingSender } from '../support/recordingSender.ts';

let clock = new Date('2026-03-10T12:00:00Z');
const now = () => clock;
const later = (ms: number) => {
  clock = new Date(clock.getTime() + ms);
};
const MIN = 60_000;
let bot: TestBot;
let root: ReturnType<typeof personAt>;
let dms: ReturnType<typeof recordingSender>;
const ends = () => bot.services.jobs.all<JobEnd>('job_ends');

const ok = (r: Reply): Reply => {
  expect(r.error, r.text).toBeUndefined();
  return r;
};

async function ticket(title: string): Promise<string> {
  const r = await root(`/ticket new "${title}"`);
  expect(r.error, r.text).toBeUndefined();
  return r.card?.ticketId as string;
}
const settle = async (...engines: Array<{ drained(): Promise<void> }>) => {
  await Promise.all(engines.map((e) => e.drained()));
  await bot.core.settled();
};
/** Both processes: a job the other one ran is delivered by its own outbox, from its memory. */
const settleBoth = async (other: { jobs: { drained(): Promise<void> }; core: { settled(): Promise<void> } }) => {
  await settle(bot.jobs, other.jobs);
  await other.core.settled();
};

beforeAll(async () => {
  bot = await startTestBot({ now });
  root = personAt(bot.core, 'root');
  // Reminders only: the SLA watch tells this terminal about the same tickets as the hours pass.
  const all = recordingSender('console');
  const skipSla = { messageId: 'sla', channel: 'console' };
  dms = {
    ...all,
    dm: (user, reply, ctx) => (reply.text.includes(': SLA ') ? Promise.resolve(skipSla) : all.dm(user, reply, ctx)),
    post: (ch, reply, th, ctx) =>
      reply.text.includes(': SLA ') ? Promise.resolve(skipSla) : all.post(ch, reply, th, ctx),
  };
  bot.core.registerSender(dms);
});
afterAll(async () => {
  await bot?.close();
});

describe('/ticket remind', () => {
  it('says when, in the asker’s timezone, and DMs them then, not before', async () => {
    const id = await ticket('Call the vendor');
    const r = await root(`/ticket remind ${id} in 2h --note "ask about the RMA"`);
    expect(r.error, r.text).toBeUndefined();
    expect(r.text).toMatch(
      new RegExp(
        `^I will remind you about ${id} at 14:00 \\(UTC\\), by DM\\. It is (RM-\\w{5}): /ticket remind cancel \\1 drops it\\.$`,
      ),
    );
    later(119 * MIN);
    await settle(bot.jobs);
    expect(dms.calls).toEqual([]);
    later(MIN);
    await settle(bot.jobs);
    expect(dms.calls.map((c) => [c.op, c.channel, c.reply.text])).toEqual([
      ['dm', 'root', `Reminder: ${id} — ask about the RMA`],
    ]);
    expect(dms.calls[0]?.reply.actions?.map((a) => [a.id, a.value])).toEqual([['ticket.show', id]]);
    const [end] = await ends();
    expect(end).toMatchObject({ outcome: 'done', lateMs: 0 });
  });

  it.each([
    ['every blursday', /every blursday|not a time|understand/i],
    ['2020-01-01 09:00', /past/],
  ])('refuses "%s" with what was wrong and examples, and stores nothing', async (when, why) => {
    const id = await ticket('Bad time');
    const before = (await bot.services.jobs.all('jobs')).length;
    const r = await root(`/ticket remind ${id} ${when}`);
    expect(r.error).toBe('USAGE.BAD_TIME');
    expect(r.text).toMatch(why);
    expect(r.text).toMatch(/Try: \/ticket remind .+, or /);
    expect((await bot.services.jobs.all('jobs')).length).toBe(before);
  });

  it('reminds only about tickets the asker may see', async () => {
    const id = await ticket('Root only');
    const r = await personAt(bot.core, 'zed')(`/ticket remind ${id} in 1h`);
    expect(r.error).toBe('PERMISSION.DENIED');
  });
});

describe('far ahead', () => {
  it('sends a reminder days ahead at its time, passing the empty hours between', async () => {
    const id = await ticket('Next week');
    dms.calls.length = 0;
    const r = await root(`/ticket remind ${id} in 3 days --note later`);
    expect(r.error, r.text).toBeUndefined();
    later(3 * 24 * 60 * MIN - MIN);
    await settle(bot.jobs);
    expect(dms.calls).toEqual([]);
    later(MIN);
    await settle(bot.jobs);
    expect(dms.calls.map((c) => c.reply.text)).toEqual([`Reminder: ${id} — later`]);
  });
});

describe('quiet hours', () => {
  it('holds a reminder that falls in them until they end', async () => {
    const id = await ticket('Not at night');
    dms.calls.length = 0;
    const start = clock;
    const hhmm = (ms: number) => new Date(start.getTime() + ms).toISOString().slice(11, 16);
    // Quiet from half an hour from now for two hours (the terminal's zone is UTC).
    expect((await root(`/profile quiet ${hhmm(30 * MIN)}-${hhmm(120 * MIN)}`)).error).toBeUndefined();
    try {
      await root(`/ticket remind ${id} in 1h`);
      later(60 * MIN);
      await settle(bot.jobs);
      expect(dms.calls).toEqual([]);
      clock = new Date(start.getTime() + 120 * MIN);
      await settle(bot.jobs);
      await settle(bot.jobs);
      expect(dms.calls.map((c) => c.reply.text)).toEqual([`Reminder: ${id}`]);
    } finally {
      await root('/profile quiet off');
    }
  });
});

describe('quiet hours, told and changed', () => {
  const at = (d: Date) => formatTime(d, clock, 'UTC');
  const hhmm = (d: Date) => d.toISOString().slice(11, 16);
  const idIn = (r: { text: string }) => /It is (RM-\w{5})/.exec(r.text)?.[1] as string;

  it('says when a held reminder will really arrive, shows it waiting, and releases it when quiet hours go', async () => {
    const id = await ticket('Quiet, then not');
    dms.calls.length = 0;
    const start = clock;
    const from = new Date(start.getTime() + 30 * MIN);
    const to = new Date(start.getTime() + 120 * MIN);
    expect((await root(`/profile quiet ${hhmm(from)}-${hhmm(to)}`)).error).toBeUndefined();
    try {
      const r = await root(`/ticket remind ${id} in 1h`);
      expect(r.error, r.text).toBeUndefined();
      expect(r.text).toContain(
        `That is in your quiet hours (${hhmm(from)}-${hhmm(to)}), so it will arrive at ${at(to)}, when they end.`,
      );
      const rm = idIn(r);
      later(60 * MIN);
      await settle(bot.jobs);
      expect(dms.calls).toEqual([]);
      const ledger = await root(`/ticket show ${id} --deliveries`);
      expect(ledger.list).toContainEqual(
        expect.stringMatching(
          new RegExp(`reminder ${rm} → root: waiting \\(held for quiet hours, arrives ${at(to)}\\)$`),
        ),
      );
      expect((await root('/ticket remind list')).list).toContainEqual(
        `${rm} · ${id} · ${at(new Date(start.getTime() + 60 * MIN))} · held for quiet hours, arrives ${at(to)}`,
      );
      // Quiet hours end early: the held reminder comes now, not at their old end.
      expect((await root('/profile quiet off')).error).toBeUndefined();
      await settle(bot.jobs);
      await settle(bot.jobs);
      expect(dms.calls.map((c) => c.reply.text)).toEqual([`Reminder: ${id}`]);
      expect((await root('/ticket remind list')).text).toMatch(/^You have no reminders waiting/);
      clock = to;
      await settle(bot.jobs);
      expect(dms.calls).toHaveLength(1);
    } finally {
      await root('/profile quiet off');
    }
  });

  it('a quiet window changed to end sooner releases a held reminder at its new end', async () => {
    const id = await ticket('Shorter night');
    dms.calls.length = 0;
    const start = clock;
    const mins = (m: number) => new Date(start.getTime() + m * MIN);
    expect((await root(`/profile quiet ${hhmm(mins(30))}-${hhmm(mins(120))}`)).error).toBeUndefined();
    try {
      ok(await root(`/ticket remind ${id} in 1h`));
      later(60 * MIN);
      await settle(bot.jobs);
      expect((await root(`/profile quiet ${hhmm(mins(30))}-${hhmm(mins(70))}`)).error).toBeUndefined();
      later(9 * MIN);
      await settle(bot.jobs);
      expect(dms.calls).toEqual([]);
      later(MIN);
      await settle(bot.jobs);
      await settle(bot.jobs);
      expect(dms.calls.map((c) => c.reply.text)).toEqual([`Reminder: ${id}`]);
    } finally {
      await root('/profile quiet off');
    }
  });

  it('a job that moved its reminder and stopped before filing the job it points at: its next run files it', async () => {
    const id = await ticket('Moved, then died');
    dms.calls.length = 0;
    const start = clock;
    const to = new Date(start.getTime() + 120 * MIN);
    expect((await root(`/profile quiet ${hhmm(new Date(start.getTime() + 30 * MIN))}-${hhmm(to)}`)).error).toBe(
      undefined,
    );
    try {
      const rm = idIn(ok(await root(`/ticket remind ${id} in 1h`)));
      // What a run of the first job leaves when its process stops between the two writes of a move: the reminder
      // points at the job for the end of quiet hours, and that job was never filed.
      const key = `console:local/${rm}`;
      const moved = await bot.db.connection
        .collection<{ _id: string }>('reminders')
        .updateOne(
          { _id: key },
          { $set: { jobId: `remind:console:local/${rm}#1`, jobDueAt: to, held: true, moves: 1 } },
        );
      expect(moved.matchedCount).toBe(1);
      // The first job runs (as a takeover would): it finds the reminder moved, and files the job it points at.
      later(60 * MIN);
      await settle(bot.jobs);
      expect(dms.calls).toEqual([]);
      clock = to;
      await settle(bot.jobs);
      await settle(bot.jobs);
      expect(dms.calls.map((c) => c.reply.text)).toEqual([`Reminder: ${id}`]);
    } finally {
      await root('/profile quiet off');
    }
  });

  it('lists your reminders and cancels one: only the others come', async () => {
    const id = await ticket('Two reminders');
    dms.calls.length = 0;
    const keep = idIn(ok(await root(`/ticket remind ${id} in 10m --note keep`)));
    const drop = idIn(ok(await root(`/ticket remind ${id} in 20m --note drop`)));
    const listed = ok(await root('/ticket remind list'));
    expect(listed.list).toEqual([
      `${keep} · ${id} · ${at(new Date(clock.getTime() + 10 * MIN))} · keep`,
      `${drop} · ${id} · ${at(new Date(clock.getTime() + 20 * MIN))} · drop`,
    ]);
    expect((await personAt(bot.core, 'zed')(`/ticket remind cancel ${drop}`)).error).toBe('REMINDER.NOT_FOUND');
    expect((await root('/ticket remind cancel RM-NOPE1')).error).toBe('REMINDER.NOT_FOUND');
    expect(ok(await root(`/ticket remind cancel ${drop.toLowerCase()}`)).text).toBe(
      `Cancelled ${drop}: no reminder about ${id} at ${at(new Date(clock.getTime() + 20 * MIN))}.`,
    );
    expect((await root(`/ticket show ${id} --deliveries`)).list).toEqual([
      expect.stringMatching(new RegExp(`reminder ${keep} → root: waiting \\(due `)),
    ]);
    later(20 * MIN);
    await settle(bot.jobs);
    await settle(bot.jobs);
    expect(dms.calls.map((c) => c.reply.text)).toEqual([`Reminder: ${id} — keep`]);
  });
});

describe('exactly once', () => {
  it('delivers each of many reminders due in one minute once, with two processes (20 rounds)', async () => {
    const other = await anotherProcess(bot, { now });
    try {
      other.core.registerSender(dms);
      for (let round = 0; round < 20; round++) {
        dms.calls.length = 0;
        const id = await ticket(`Round ${round}`);
        for (let i = 0; i < 10; i++) {
          const r = await root(`/ticket remind ${id} in 5m --note "n${i}"`);
          expect(r.error, r.text).toBeUndefined();
        }
        later(5 * MIN);
        await settleBoth(other);
        await settleBoth(other);
        const notes = dms.calls.map((c) => c.reply.text.split('— ')[1]).sort();
        expect(notes).toEqual(Array.from({ length: 10 }, (_, i) => `n${i}`).sort());
      }
    } finally {
      await other.close();
    }
    // Twenty rounds of ten reminders on two engines: a minute or more on a loaded machine.
  }, 180_000);

  it('leaves a job whose process died mid-run to another, after the lease', async () => {
    const id = await ticket('Died mid-job');
    dms.calls.length = 0;
    await root(`/ticket remind ${id} in 1m`);
    const job = (await bot.services.jobs.all('jobs')).find((j) => j.ticketId === id && j.kind === 'ticket.remind');
    // A process claimed it and died before it did the work.
    expect(await bot.services.jobs.claim(job as Job, 0, clock, 'dead')).toBe(true);
    later(MIN);
    await settle(bot.jobs);
    expect(dms.calls).toEqual([]);
    later(61_000);
    await settle(bot.jobs);
    await settle(bot.jobs);
    expect(dms.calls.map((c) => c.reply.text)).toEqual([`Reminder: ${id}`]);
  });
});

describe('a slow process', () => {
  it('is not overtaken while it still beats, however long it holds a job; once it stops, it is', async () => {
    const id = await ticket('Slow holder');
    dms.calls.length = 0;
    await root(`/ticket remind ${id} in 1m`);
    const job = (await bot.services.jobs.all('jobs')).find((j) => j.ticketId === id && j.kind === 'ticket.remind');
    // A live process claimed it and is slow: it keeps saying it is alive.
    expect(await bot.services.jobs.claim(job as Job, 0, clock, 'slow')).toBe(true);
    await bot.services.jobs.heartbeats.beat('slow', clock);
    later(MIN);
    await settle(bot.jobs);
    for (let i = 0; i < 3; i++) {
      later(61_000);
      await bot.services.jobs.heartbeats.beat('slow', clock);
      await settle(bot.jobs);
      expect(dms.calls).toEqual([]);
    }
    // It stops beating (it died): after the lease, another process runs the job.
    later(61_000);
    await settle(bot.jobs);
    later(61_000);
    await settle(bot.jobs);
    await settle(bot.jobs);
    expect(dms.calls.map((c) => c.reply.text)).toEqual([`Reminder: ${id}`]);
  });
});

describe('downtime', () => {
  it('catches up what fell due within the grace period, and records as missed what is older', async () => {
    const id = await ticket('Due while down');
    dms.calls.length = 0;
    await root(`/ticket remind ${id} in 10m --note soon`);
    await root(`/ticket remind ${id} in 3h --note much-later`);
    await bot.jobs.stop();
    try {
      // Down for 40 minutes: the first is 30 minutes late when a process comes back.
      later(40 * MIN);
      const back = await anotherProcess(bot, { now });
      try {
        back.core.registerSender(dms);
        await settle(back.jobs);
        await back.core.settled();
        expect(dms.calls.map((c) => c.reply.text)).toEqual([`Reminder: ${id} — soon`]);
        await back.jobs.stop();
        // Down again until two hours after the second was due: beyond the hour of grace.
        later(5 * 60 * MIN);
      } finally {
        await back.close();
      }
      const again = await anotherProcess(bot, { now });
      try {
        again.core.registerSender(dms);
        await settle(again.jobs);
        await again.core.settled();
        expect(dms.calls.map((c) => c.reply.text)).toEqual([`Reminder: ${id} — soon`]);
        const missed = (await ends()).filter((e) => e.outcome === 'missed' && !String(e._id).startsWith('sla:'));
        expect(missed).toHaveLength(1);
      } finally {
        await again.close();
      }
    } finally {
      bot.jobs.start();
    }
  });
});
