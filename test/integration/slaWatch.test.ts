// The SLA watch on the real database with an injected clock: 75% and 100% of each target, once each, to the
// assignee or the ticket's channel; nothing while pending and later after it; a P1 breach in the card thread.
// @module-tag time-of-day
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job, JobEnd } from '../../src/store/jobStore.ts';
import { anotherProcess, personAt, startTestBot, type TestBot } from '../support/harness.ts';
import { recordingSender } from '../support/recordingSender.ts';

let clock = new Date('2026-03-10T12:00:00Z');
const now = () => clock;
const MIN = 60_000;
let bot: TestBot;
let root: ReturnType<typeof personAt>;
let terminal: ReturnType<typeof recordingSender>;
const tenant = 'console:local';

const settle = async (...engines: Array<{ drained(): Promise<void> }>) => {
  await Promise.all(engines.map((e) => e.drained()));
  await bot.core.settled();
};
/** Moves the clock to `m` minutes after `from`, a minute at a time, as a running process would see it. */
async function until(from: Date, m: number, ...engines: Array<{ drained(): Promise<void> }>): Promise<void> {
  const to = from.getTime() + m * MIN;
  while (clock.getTime() < to) {
    clock = new Date(Math.min(to, clock.getTime() + MIN));
    await settle(...(engines.length ? engines : [bot.jobs]));
  }
}
async function ticket(line: string): Promise<string> {
  const r = await root(line);
  expect(r.error, r.text).toBeUndefined();
  return r.card?.ticketId as string;
}
/** What the terminal was sent about one ticket: `dm root: …` or `post console: …`. */
const heard = (id: string) =>
  terminal.calls.filter((c) => c.reply.text.startsWith(`${id} `)).map((c) => `${c.op} ${c.channel}: ${c.reply.text}`);
const run = async (line: string) => {
  const r = await root(line);
  expect(r.error, r.text).toBeUndefined();
};

beforeAll(async () => {
  // Short targets, so the simulated spans stay minutes: P3 (the default) responds in 4m and resolves in 8m.
  bot = await startTestBot({ now, env: { SWITCHBOARD_SLA: 'P1=4m/8m,P3=4m/8m' } });
  root = personAt(bot.core, 'root');
  terminal = recordingSender('console');
  bot.core.registerSender(terminal);
});
afterAll(async () => {
  await bot?.close();
});

describe('SLA notices', () => {
  it('tells the assignee at 75% and 100% of each target, once each', async () => {
    const start = clock;
    const id = await ticket('/ticket new "Disk full"');
    await run(`/ticket assign ${id} me`);
    await until(start, 2);
    expect(heard(id)).toEqual([]);
    await until(start, 3);
    expect(heard(id)).toEqual([
      `dm root: ${id} (P3) "Disk full": SLA warning: 75% of the 4m response time is used; respond by 12:04 UTC.`,
    ]);
    await until(start, 12);
    expect(heard(id)).toEqual([
      `dm root: ${id} (P3) "Disk full": SLA warning: 75% of the 4m response time is used; respond by 12:04 UTC.`,
      `dm root: ${id} (P3) "Disk full": SLA breached: no response within 4m (due 12:04 UTC).`,
      `dm root: ${id} (P3) "Disk full": SLA warning: 75% of the 8m resolution time is used; resolve by 12:08 UTC.`,
      `dm root: ${id} (P3) "Disk full": SLA breached: not resolved within 8m (due 12:08 UTC).`,
    ]);
    expect(terminal.calls.find((c) => c.reply.text.startsWith(id))?.reply.actions).toEqual([
      { id: 'ticket.show', label: 'Show', value: id },
    ]);
    await run(`/ticket resolve ${id} freed space`);
  });

  it('raised to P1 past its response target, says the breach once (no warning with it), in the assignee’s zone', async () => {
    const ada = personAt(bot.core, 'ada');
    expect((await ada('/help')).error).toBeUndefined();
    await run('/role grant @ada agent');
    expect((await ada('/profile tz Europe/Berlin')).error).toBeUndefined();
    const start = clock;
    // P2 answers in 30m (the default): at 5m nothing is due yet.
    const id = await ticket('/ticket new "Backup disk full" --priority P2');
    await run(`/ticket assign ${id} @ada`);
    await until(start, 5);
    expect(heard(id)).toEqual([]);
    // P1 answers in 4m: 75% and 100% are both behind it.
    await run(`/ticket priority ${id} P1`);
    await until(start, 9);
    const due = (m: number) =>
      new Date(start.getTime() + m * MIN).toLocaleTimeString('en-GB', {
        timeZone: 'Europe/Berlin',
        hour: '2-digit',
        minute: '2-digit',
      });
    // The response's 75% is passed over for its breach; the resolution's notices come as their times come.
    expect(heard(id).filter((l) => l.includes(' response') || l.includes('no response'))).toEqual([
      `dm ada: ${id} (P1) "Backup disk full": SLA breached: no response within 4m (due ${due(4)} Europe/Berlin).`,
    ]);
    expect(heard(id).some((l) => l.includes('resolve') && l.includes(`${due(8)} Europe/Berlin`))).toBe(true);
    await run(`/ticket resolve ${id} freed space`);
  });

  it('tells the channel the ticket came from when nobody is assigned; nothing after the first response', async () => {
    const start = clock;
    const id = await ticket('/ticket new "Printer offline"');
    await until(start, 3);
    expect(heard(id)).toEqual([
      `post console: ${id} (P3) "Printer offline": SLA warning: 75% of the 4m response time is used; respond by ${hhmm(start, 4)} UTC — unassigned.`,
    ]);
    // An agent's comment is the first response: the response breach never comes.
    const ada = personAt(bot.core, 'ada');
    await ada('/help');
    await run('/role grant console:ada agent');
    expect((await ada(`/ticket comment ${id} looking`)).error).toBeUndefined();
    await until(start, 6);
    expect(heard(id).slice(1)).toEqual([
      `post console: ${id} (P3) "Printer offline": SLA warning: 75% of the 8m resolution time is used; resolve by ${hhmm(start, 8)} UTC — unassigned.`,
    ]);
    await run(`/ticket resolve ${id} cable`);
    await until(start, 10);
    expect(heard(id)).toHaveLength(2);
  });

  it('says nothing while pending, and after resuming warns at the moved times', async () => {
    const start = clock;
    const id = await ticket('/ticket new "Waiting on vendor"');
    await run(`/ticket assign ${id} me`);
    await run(`/ticket start ${id}`);
    await until(start, 1);
    await run(`/ticket pending ${id} vendor`);
    await until(start, 11);
    expect(heard(id)).toEqual([]);
    await run(`/ticket start ${id}`);
    // Ten minutes paused: 75% of the response target at 13m, its breach at 14m.
    await until(start, 12);
    expect(heard(id)).toEqual([]);
    await until(start, 13);
    expect(heard(id)).toEqual([
      `dm root: ${id} (P3) "Waiting on vendor": SLA warning: 75% of the 4m response time is used; respond by ${hhmm(start, 14)} UTC.`,
    ]);
    await until(start, 14);
    expect(heard(id)[1]).toBe(
      `dm root: ${id} (P3) "Waiting on vendor": SLA breached: no response within 4m (due ${hhmm(start, 14)} UTC).`,
    );
    const ends = (await bot.services.jobs.all<JobEnd>('job_ends')).filter((e) =>
      e._id.startsWith(`sla:${tenant}/${id}:response:`),
    );
    // The job planned before the pause came due while it lasted; the walk began again on resuming.
    expect(ends.map((e) => e.reason).sort()).toEqual(['paused', null, null].sort());
    await run(`/ticket resolve ${id} done`);
  });

  it('never tells a threshold twice when a pause re-plans it, even once the outbox has forgotten its keys', async () => {
    const start = clock;
    const id = await ticket('/ticket new "Flaky wifi"');
    await run(`/ticket assign ${id} me`);
    await run(`/ticket start ${id}`);
    await until(start, 3);
    expect(heard(id)).toHaveLength(1);
    // A week on, the nightly maintenance has forgotten the outbox's claims.
    await bot.db.connection.collection('outbox_claims').deleteMany({});
    clock = new Date(start.getTime() + 3 * MIN + 30_000);
    await run(`/ticket pending ${id} user away`);
    clock = new Date(start.getTime() + 5 * MIN);
    // Resumed: 75% is at 4m30, passed already, planned for now, and found told.
    await run(`/ticket start ${id}`);
    await settle(bot.jobs);
    expect(heard(id)).toHaveLength(1);
    await until(start, 6);
    expect(heard(id)).toEqual([
      `dm root: ${id} (P3) "Flaky wifi": SLA warning: 75% of the 4m response time is used; respond by ${hhmm(start, 4)} UTC.`,
      `dm root: ${id} (P3) "Flaky wifi": SLA breached: no response within 4m (due ${hhmm(start, 5.5)} UTC).`,
    ]);
    await run(`/ticket resolve ${id} done`);
  });

  it('posts a P1 breach in the card threads too (Slack in the thread, Discord in its thread channel)', async () => {
    const slack = recordingSender('slack');
    const discord = recordingSender('discord');
    bot.core.registerSender(slack);
    bot.core.registerSender(discord);
    const start = clock;
    const id = await ticket('/ticket new "Core switch down" --priority P1');
    for (const [platform, channel, thread] of [
      ['slack', 'CSLA', '1700000000.000100'],
      ['discord', '200000000000000001', '200000000000000002'],
    ] as const) {
      await bot.core.recordCard({ tenant, ticketId: id, platform, channel, messageId: `${channel}-card`, thread });
    }
    await until(start, 3);
    expect(slack.calls.filter((c) => c.op === 'post')).toEqual([]);
    await until(start, 8);
    const threadLines = (s: typeof slack) =>
      s.calls.filter((c) => c.op === 'post').map((c) => [c.channel, c.thread, c.reply.text.split(': ').slice(1, 2)[0]]);
    expect(threadLines(slack)).toEqual([
      ['CSLA', '1700000000.000100', 'SLA breached'],
      ['CSLA', '1700000000.000100', 'SLA breached'],
    ]);
    expect(threadLines(discord)).toEqual([
      ['200000000000000002', undefined, 'SLA breached'],
      ['200000000000000002', undefined, 'SLA breached'],
    ]);
    // The channel it came from hears all four.
    expect(heard(id)).toHaveLength(4);
    await run(`/ticket resolve ${id} replaced`);
  });

  it('with two processes, tells each threshold once', async () => {
    const other = await anotherProcess(bot, { now });
    try {
      other.core.registerSender(terminal);
      for (let round = 0; round < 3; round++) {
        const start = clock;
        const id = await ticket(`/ticket new "Round ${round}"`);
        // Assigned from the other process: both have planned the same jobs.
        expect((await personAt(other.core, 'root')(`/ticket assign ${id} me`)).error).toBeUndefined();
        await until(start, 9, bot.jobs, other.jobs);
        await other.core.settled();
        expect(heard(id).map((l) => l.split(': SLA ')[1]?.slice(0, 30))).toEqual([
          'warning: 75% of the 4m respons',
          'breached: no response within 4',
          'warning: 75% of the 8m resolut',
          'breached: not resolved within ',
        ]);
        await run(`/ticket resolve ${id} done`);
      }
    } finally {
      await other.close();
    }
  });

  it('files the opening’s first threshold as a slot only: it fires once at its time, and a resolve cancels it', async () => {
    const start = clock;
    const slaJobs = async (id: string) => {
      const mine = (j: { _id: string }) => j._id.startsWith(`sla:${tenant}/${id}:`);
      const slots = (await bot.services.jobs.all<{ _id: string; job?: Job }>('job_slots')).flatMap((s) =>
        s.job && mine(s.job) ? [s.job] : [],
      );
      return { records: (await bot.services.jobs.all('jobs')).filter(mine), slots };
    };
    const id = await ticket('/ticket new "Slot only"');
    const gone = await ticket('/ticket new "Slot only, resolved early"');
    for (const t of [id, gone]) {
      const { records, slots } = await slaJobs(t);
      // One insert, not two: no `jobs` record, the slot carries the job.
      expect(records).toEqual([]);
      expect(slots.map((j) => j._id)).toEqual([expect.stringMatching(/:response:75:/)]);
    }
    // Filed again (a second filing of the same id, as a re-plan elsewhere would): still told once.
    const [first] = (await slaJobs(id)).slots as [Job];
    await bot.services.jobs.fileWithoutRecord({ ...first, createdAt: clock });
    await run(`/ticket resolve ${gone} fixed already`);
    await until(start, 2);
    expect(heard(id)).toEqual([]);
    await until(start, 3);
    expect(heard(id)).toEqual([
      `post console: ${id} (P3) "Slot only": SLA warning: 75% of the 4m response time is used; respond by ${hhmm(start, 4)} UTC — unassigned.`,
    ]);
    await until(start, 4);
    expect(heard(id)).toHaveLength(2);
    const ends = (await bot.services.jobs.all<JobEnd>('job_ends')).filter((e) => e._id === first._id);
    expect(ends.map((e) => [e.outcome, e.reason])).toEqual([['done', null]]);
    // The resolved ticket's job ran at its time and found nothing to tell: cancelled by the ticket's state.
    expect(heard(gone)).toEqual([]);
    const [goneJob] = (await slaJobs(gone)).slots as [Job];
    const goneEnds = (await bot.services.jobs.all<JobEnd>('job_ends')).filter((e) => e._id === goneJob._id);
    expect(goneEnds.map((e) => [e.outcome, e.reason])).toEqual([['done', 'resolved']]);
    await run(`/ticket resolve ${id} done`);
  });

  it('answers /review add --kind sla: the watch is always on', async () => {
    const r = await root('/review add "SLA" every day at 09:00 --kind sla');
    expect(r.error).toBe('REVIEW.SLA_ALWAYS_ON');
    expect(r.text).toMatch(/standing watch, always on/);
  });
});

function hhmm(from: Date, m: number): string {
  return new Date(from.getTime() + m * MIN).toISOString().slice(11, 16);
}
