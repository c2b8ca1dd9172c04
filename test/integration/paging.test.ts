// Paging on the real database with an injected clock: the escalation timeline, ack, an ack racing a step,
// escalate now, a restart mid-escalation, two processes paging each step once, and the overdue-step auditor.
// @module-tag time-of-day
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ticket } from '../../src/domain/entities.ts';
import { createHttpServer } from '../../src/http/server.ts';
import { createAlertWebhooks, WEBHOOK_PREFIX } from '../../src/http/webhooks.ts';
import type { Reply } from '../../src/present/reply.ts';
import { PAGE_END_KIND, pageJobId, pageStartJobId, pageStartRetryId } from '../../src/services/paging.ts';
import type { Job } from '../../src/store/jobStore.ts';
import { type LiveEscalation, PageRepository } from '../../src/store/pageStore.ts';
import { adminActing, anotherProcess, personAt, startTestBot, type TestBot } from '../support/harness.ts';
import { recordingSender } from '../support/recordingSender.ts';

let clock = new Date('2026-03-10T10:00:00Z');
const now = () => clock;
const MIN = 60_000;
const tenant = 'console:local';
let bot: TestBot;
type Person = (line: string) => Promise<Reply>;
let root: Person;
let ann: Person;
let bob: Person;
let terminal: ReturnType<typeof recordingSender>;
const ok = (r: Reply): Reply => {
  expect(r.error, r.text).toBeUndefined();
  return r;
};
type Engine = { drained(): Promise<void> };
const settle = async (engines: Engine[], cores = [bot.core]) => {
  for (let i = 0; i < 2; i++) {
    await Promise.all(engines.map((e) => e.drained()));
    await Promise.all(cores.map((c) => c.settled()));
  }
};
/** Moves the clock to `m` minutes after `from`, half a minute at a time, as a running process would see it. */
async function until(from: Date, m: number, engines: Engine[] = [bot.jobs], cores = [bot.core]) {
  const to = from.getTime() + m * MIN;
  while (clock.getTime() < to) {
    clock = new Date(Math.min(to, clock.getTime() + MIN / 2));
    await settle(engines, cores);
  }
}
/** Who was paged about one ticket, in order. */
const pages = (id: string, calls = terminal.calls) =>
  calls
    .filter((c) => c.op === 'dm' && c.reply.text.startsWith('PAGE') && c.reply.text.includes(` ${id} `))
    .map((c) => c.channel);
/** Moves the clock on by `ms` (a start's retry is due that much later on it) and lets the engine run what fell due. */
async function later(ms: number): Promise<void> {
  clock = new Date(clock.getTime() + ms);
  await settle([bot.jobs]);
}
/** The channel posts saying a ticket's page is being tried again. */
const retryingSaid = (id: string) =>
  terminal.calls.filter((c) => c.op === 'post' && c.reply.text.startsWith(`Paging for ${id} could not start`));
let seq = 0;
async function incident(): Promise<string> {
  const r = ok(await root(`/ticket new "Database down ${++seq}" --type incident --priority P1 --service db`));
  return r.card?.ticketId as string;
}

beforeAll(async () => {
  bot = await startTestBot({ now });
  root = personAt(bot.core, 'root');
  ann = personAt(bot.core, 'ann');
  bob = personAt(bot.core, 'bob');
  terminal = recordingSender('console');
  bot.core.registerSender(terminal);
  for (const p of [ann, bob]) ok(await p('/help'));
  ok(await root('/role grant @ann agent'));
  ok(await root('/role grant @bob agent'));
  ok(await root('/team create storage --channel console --services db'));
  ok(await root('/oncall rotation storage @ann --every 1w'));
  ok(await root('/team add storage @bob'));
  ok(await root('/oncall policy storage "oncall; @bob after 5m"'));
});
afterAll(async () => {
  await bot?.close();
});

describe('paging', () => {
  it('pages the on-call person, again every 2m, then the next level, then says nobody acknowledged', async () => {
    const start = clock;
    const id = await incident();
    const seen: string[] = [];
    const watch = async (m: number) => {
      const before = pages(id).length;
      await until(start, m);
      for (const p of pages(id).slice(before)) seen.push(`${p} by ${m}m`);
    };
    for (const m of [0.5, 1.5, 2, 3.5, 4, 4.5, 5, 6.5, 7, 8.5, 9, 10.5, 11]) await watch(m);
    expect(seen).toEqual(['ann by 0.5m', 'ann by 2m', 'ann by 4m', 'bob by 5m', 'bob by 7m', 'bob by 9m']);
    const told = terminal.calls.filter((c) => c.op === 'post' && c.reply.text.startsWith('Nobody acknowledged'));
    expect(told.map((c) => c.reply.text)).toEqual([
      `Nobody acknowledged the page for ${id} (P1 Database down ${seq}) after every level of storage's policy.`,
    ]);
    const t = await ticket(id);
    expect(t.history.filter((h) => h.action.startsWith('page')).map((h) => `${h.action}: ${h.note}`)).toEqual([
      'paged: level 1: ann',
      'paged: level 1, again (1): ann',
      'paged: level 1, again (2): ann',
      'paged: level 2: bob',
      'paged: level 2, again (1): bob',
      'paged: level 2, again (2): bob',
      'page_exhausted: nobody acknowledged',
    ]);
    await until(start, 20);
    expect(pages(id)).toHaveLength(6);
    ok(await root(`/ticket resolve ${id} fixed`));
  });

  it('an ack stops it at once; every copy of the page is redrawn to say so; a second ack is the same ack', async () => {
    const start = clock;
    const id = await incident();
    await until(start, 0.5);
    const dm = terminal.calls.find((c) => c.op === 'dm' && c.reply.text.includes(` ${id} `));
    expect(dm?.reply.actions?.map((a) => a.id)).toEqual(['oncall.ack', 'ticket.resolve', 'oncall.escalate']);
    expect(dm?.reply.card).toEqual({ tenant, ticketId: id });
    await until(start, 1.5);
    expect(ok(await ann(`/oncall ack ${id}`)).text).toBe(`You acknowledged ${id} (MTTA 2m); paging stopped.`);
    expect(ok(await root(`/oncall ack ${id}`)).text).toMatch(new RegExp(`^${id} was acknowledged already by ann at `));
    await until(start, 12);
    expect(pages(id)).toEqual(['ann']);
    const edits = terminal.calls.filter((c) => c.op === 'edit' && c.ctx.ticketId === id);
    expect(
      edits.some((c) => c.channel === 'DM-ann' && JSON.stringify(c.reply).includes('Acknowledged the page (MTTA 2m)')),
    ).toBe(true);
    ok(await root(`/ticket resolve ${id} fixed`));
  });

  it('an ack whose process died before filing its line: the next step finds it, stops, and writes the line once', async () => {
    const start = clock;
    const id = await incident();
    await until(start, 0.5);
    // What the ack's process wrote before it died: the ack alone (no line filed, the live record left standing).
    const repo = new PageRepository(bot.db.connection);
    const at = new Date(start.getTime() + MIN);
    const by = { id: 'console:ann', identity: 'ann', name: 'ann' };
    expect(await repo.ack({ tenant, ticketId: id, by, at, platform: 'console', mttaMs: MIN }, 0)).toBe(true);
    await until(start, 12);
    // The step due at 2m found the ack: nobody else was paged, the live record went, and the line was written once.
    expect(pages(id)).toEqual(['ann']);
    expect(await repo.find(tenant, id)).toBeNull();
    const shown = ok(await root(`/ticket show ${id}`)).text;
    expect(shown.split('Acknowledged the page (MTTA 1m)').length - 1).toBe(1);
    ok(await root(`/ticket resolve ${id} fixed`));
  });

  it('keeps Acknowledge on every copy while the page waits, through other changes, and drops it once acked', async () => {
    const start = clock;
    const id = await incident();
    await until(start, 0.5);
    const mark = terminal.calls.length;
    ok(await root(`/ticket comment ${id} looking at the replica`));
    await until(start, 1);
    const edits = () => terminal.calls.slice(mark).filter((c) => c.op === 'edit' && c.ctx.ticketId === id);
    const dmEdit = edits().find((c) => c.channel === 'DM-ann');
    expect(dmEdit?.reply.actions?.map((a) => a.id)).toContain('oncall.ack');
    ok(await ann(`/oncall ack ${id}`));
    const after = terminal.calls.length;
    ok(await root(`/ticket comment ${id} replica is fine`));
    await until(start, 1.5);
    const later = terminal.calls
      .slice(after)
      .filter((c) => c.op === 'edit' && c.channel === 'DM-ann' && c.ctx.ticketId === id);
    expect(later.length).toBeGreaterThan(0);
    // The ack's comment redraws every copy right after its reply (a job): a comment in between may redraw it once more
    // from before the ack's line, but the last copy has no Acknowledge, and no redraw after that brings it back.
    const hasAck = (c: (typeof later)[number]) => (c.reply.actions ?? []).some((a) => a.id === 'oncall.ack');
    expect(hasAck(later.at(-1) as (typeof later)[number])).toBe(false);
    const settledAt = terminal.calls.length;
    ok(await root(`/ticket comment ${id} watching it`));
    await until(start, 2);
    const after2 = terminal.calls
      .slice(settledAt)
      .filter((c) => c.op === 'edit' && c.channel === 'DM-ann' && c.ctx.ticketId === id);
    expect(after2.length).toBeGreaterThan(0);
    expect(after2.some(hasAck)).toBe(false);
    ok(await root(`/ticket resolve ${id} fixed`));
  });

  it('an ack racing a step: the step pages or does not, and nothing pages after the ack', async () => {
    for (let round = 0; round < 5; round++) {
      const start = clock;
      const id = await incident();
      await until(start, 0.5);
      clock = new Date(start.getTime() + 2 * MIN);
      const [ack] = await Promise.all([ann(`/oncall ack ${id}`), settle([bot.jobs])]);
      ok(ack);
      const paged = pages(id).length;
      expect([1, 2]).toContain(paged);
      await until(start, 12);
      expect(pages(id)).toHaveLength(paged);
      // The ack's line, filed by the ack and maybe again by the step that found it, is written once.
      expect(ok(await root(`/ticket show ${id}`)).text.split('Acknowledged the page (MTTA').length - 1).toBe(1);
      ok(await root(`/ticket resolve ${id} fixed`));
    }
  });

  it('escalate now pages the next level at once and goes on from there; a resolve stops it', async () => {
    const start = clock;
    const id = await incident();
    await until(start, 0.5);
    expect(ok(await ann(`/oncall escalate ${id}`)).text).toBe(`Escalated ${id} to level 2: paging bob now.`);
    await until(start, 1);
    expect(pages(id)).toEqual(['ann', 'bob']);
    expect((await ann(`/oncall escalate ${id}`)).error).toBe('ONCALL.LAST_LEVEL');
    await until(start, 3);
    expect(pages(id)).toEqual(['ann', 'bob', 'bob']);
    ok(await root(`/ticket resolve ${id} fixed`));
    await until(start, 12);
    expect(pages(id)).toEqual(['ann', 'bob', 'bob']);
  });

  it('a resolve ends the page of an incident lowered to P3 since: the priority it had on its history says so', async () => {
    const start = clock;
    const id = await incident();
    await until(start, 0.5);
    expect(pages(id)).toEqual(['ann']);
    ok(await root(`/ticket priority ${id} P3`));
    ok(await root(`/ticket resolve ${id} fixed`));
    await settle([bot.jobs]);
    const repo = new PageRepository(bot.db.connection);
    expect(await repo.find(tenant, id)).toBeNull();
    // The episode is over: a reopen starts the next one.
    expect((await repo.episodes(tenant, id)).current).toBe(1);
    await until(start, 12);
    expect(pages(id)).toEqual(['ann']);
  });

  it('refuses what it cannot do, with the reason', async () => {
    expect((await ann('/oncall ack INC-999')).error).toBe('TICKET.NOT_FOUND');
    const r = ok(await root('/ticket new "Printer" --type incident --priority P3'));
    expect((await ann(`/oncall ack ${r.card?.ticketId}`)).error).toBe('ONCALL.NOT_PAGED');
    expect((await ann(`/oncall escalate ${r.card?.ticketId}`)).error).toBe('ONCALL.NOT_PAGED');
    expect((await root('/oncall policy storage "team after 5m"')).error).toBe('ONCALL.BAD_AFTER');
    expect((await root('/oncall page nosuch disk full')).error).toBe('TEAM.NOT_FOUND');
  });

  it('/oncall page @person opens an incident and pages that person', async () => {
    const start = clock;
    const r = ok(await root('/oncall page @bob the backup disk is full'));
    const id = /about (INC-\d+)/.exec(r.text)?.[1] as string;
    expect(r.text).toBe(`Paging bob about ${id}: the backup disk is full. Acknowledge with /oncall ack ${id}.`);
    await until(start, 0.5);
    expect(pages(id)).toEqual(['bob']);
    // The message is the incident's title: the page says it once.
    const dm = terminal.calls.find(
      (c) => c.op === 'dm' && c.reply.text.startsWith('PAGE') && c.reply.text.includes(id),
    );
    expect(dm?.reply.text).toBe(
      `PAGE (on-call, level 1): ${id} P2 the backup disk is full. Acknowledge with /oncall ack ${id}.`,
    );
    ok(await root(`/oncall ack ${id}`));
  });

  it('/oncall escalate and /oncall ack typed the moment /oncall page answers find its page (its start job is waited for)', async () => {
    // The page starts as a job run right after the reply: what is typed next, with nothing settled between, waits for
    // it here and finds it paging.
    let start = clock;
    const paged = ok(await root('/oncall page storage the backup disk is full'));
    const id = /about (INC-\d+)/.exec(paged.text)?.[1] as string;
    expect(ok(await ann(`/oncall escalate ${id}`)).text).toBe(`Escalated ${id} to level 2: paging bob now.`);
    await until(start, 1);
    expect(pages(id)).toEqual(['ann', 'bob']);
    ok(await root(`/ticket resolve ${id} fixed`));
    start = clock;
    const other = ok(await root('/oncall page @bob the tape library is jammed'));
    const next = /about (INC-\d+)/.exec(other.text)?.[1] as string;
    expect(ok(await bob(`/oncall ack ${next}`)).text).toContain(next);
    await until(start, 3);
    // Paged once (the start job, before the ack), then no more.
    expect(pages(next)).toEqual(['bob']);
    ok(await root(`/ticket resolve ${next} fixed`));
  });

  it('/oncall page @person resolved unacknowledged ends its page: no service or team, but its tag says it paged', async () => {
    const start = clock;
    const r = ok(await root('/oncall page @bob the printer is smoking'));
    const id = /about (INC-\d+)/.exec(r.text)?.[1] as string;
    await until(start, 0.5);
    expect(pages(id)).toEqual(['bob']);
    ok(await root(`/ticket resolve ${id} unplugged it`));
    // The page's teardown is a job the resolve files, run by the engine right after the reply: the settle waits for it.
    await bot.core.settled();
    // The episode is ended by the resolve (a reopened incident pages again) and the live record is gone.
    expect(
      await bot.db.connection.collection<{ _id: string }>('page_starts').findOne({ _id: `closed:${tenant}/${id}` }),
    ).not.toBeNull();
    expect(
      await bot.db.connection.collection<{ _id: string }>('page_live').findOne({ _id: `${tenant}/${id}` }),
    ).toBeNull();
  });

  it('/oncall page @someone the bot has never seen is refused before any incident is opened', async () => {
    const opened = async () =>
      (await bot.services.tickets.listTickets(adminActing(tenant, clock), { limit: 100 })).map((t) => t.ticketId);
    const before = await opened();
    const r = await root('/oncall page @nobody the backup disk is full');
    expect(r.error, r.text).toBe('ONCALL.UNKNOWN_PERSON');
    expect(r.text).toMatch(/never seen console:nobody/);
    expect(await opened()).toEqual(before);
    expect(terminal.calls.some((c) => c.op === 'dm' && c.channel === 'DM-nobody')).toBe(false);
  });

  it('a restart mid-escalation resumes the pending step', async () => {
    const start = clock;
    const id = await incident();
    await until(start, 0.5);
    await bot.jobs.stop();
    // Down over the 2m page: the next process pages it, late, and the rest on time.
    clock = new Date(start.getTime() + 3 * MIN);
    const mark = terminal.calls.length;
    const other = await anotherProcess(bot);
    const heard = recordingSender('console');
    other.core.registerSender(heard);
    // The steps are the other process's jobs now; either process's outbox may deliver their DMs.
    const since = () => [...pages(id, terminal.calls.slice(mark)), ...pages(id, heard.calls)].sort();
    try {
      await until(start, 3.5, [other.jobs], [other.core, bot.core]);
      expect(since()).toEqual(['ann']);
      await until(start, 5, [other.jobs], [other.core, bot.core]);
      expect(since()).toEqual(['ann', 'ann', 'bob']);
      ok(await personAt(other.core, 'root')(`/ticket resolve ${id} fixed`));
    } finally {
      await other.close();
      bot.jobs.start();
    }
  });

  it('a start job its process never ran (its engine stopped after the reply) is run by another process, once', async () => {
    const start = clock;
    await bot.jobs.stop();
    let id = '';
    const other = await anotherProcess(bot);
    const heard = recordingSender('console');
    other.core.registerSender(heard);
    const mark = terminal.calls.length;
    const both = () => [...pages(id, terminal.calls.slice(mark)), ...pages(id, heard.calls)];
    try {
      id = await incident();
      await bot.core.settled();
      // Nothing of the page was written by the command: it is all the job's, now the other process's.
      expect(await new PageRepository(bot.db.connection).find(tenant, id)).toBeNull();
      await until(start, 0.5, [other.jobs], [other.core, bot.core]);
      expect(both()).toEqual(['ann']);
      bot.jobs.start();
      await until(start, 2.5, [bot.jobs, other.jobs], [bot.core, other.core]);
      expect(both()).toEqual(['ann', 'ann']);
      ok(await ann(`/oncall ack ${id}`));
      ok(await root(`/ticket resolve ${id} fixed`));
    } finally {
      bot.jobs.start();
      await other.close();
    }
  });

  it('two processes page each step once', async () => {
    const other = await anotherProcess(bot);
    const heard = recordingSender('console');
    other.core.registerSender(heard);
    try {
      for (let round = 0; round < 10; round++) {
        const start = clock;
        const id = await incident();
        await until(start, 11, [bot.jobs, other.jobs], [bot.core, other.core]);
        const both = [...pages(id), ...pages(id, heard.calls)].sort();
        expect(both).toEqual(['ann', 'ann', 'ann', 'bob', 'bob', 'bob']);
        ok(await root(`/ticket resolve ${id} fixed`));
      }
    } finally {
      await other.close();
    }
    // Ten escalations walked to the end on two engines: minutes of work on a loaded machine.
  }, 240_000);

  it('the auditor reports a step more than 2 minutes overdue, once in the team channel', async () => {
    const start = clock;
    const id = await incident();
    await until(start, 0.5);
    await bot.jobs.stop();
    clock = new Date(start.getTime() + 5 * MIN);
    const late = await bot.services.paging.audit(clock);
    expect(late.map((l) => [l.ticketId, l.lateMs])).toEqual([[id, 3 * MIN]]);
    await bot.services.paging.audit(clock);
    await bot.services.outbox.drained();
    const told = terminal.calls.filter((c) => c.op === 'post' && c.reply.text.startsWith(`Paging is late: ${id}`));
    expect(told).toHaveLength(1);
    bot.jobs.start();
    await until(start, 5.5);
    expect(await bot.services.paging.audit(clock)).toEqual([]);
    ok(await root(`/ticket resolve ${id} fixed`));
  });

  it('pages a reopened incident again, once, and its ack is its own; the first episode’s steps stay quiet', async () => {
    const start = clock;
    const id = await incident();
    await until(start, 0.5);
    ok(await ann(`/oncall ack ${id}`));
    ok(await root(`/ticket resolve ${id} fixed`));
    await until(start, 1);
    expect(pages(id)).toEqual(['ann']);
    ok(await root(`/ticket reopen ${id} "it is down again"`));
    // Reopened, still a P1 of the team's service: a new episode, paged from the first level.
    await until(start, 1.5);
    expect(pages(id)).toEqual(['ann', 'ann']);
    ok(await root(`/ticket comment ${id} "looking"`));
    await until(start, 2);
    expect(pages(id)).toEqual(['ann', 'ann']);
    // MTTA is the ticket's time to acknowledge, as /status counts it: opened to its first acknowledgement (30s).
    expect(ok(await ann(`/oncall ack ${id}`)).text).toBe(`You acknowledged ${id} (MTTA 30s); paging stopped.`);
    await until(start, 12);
    expect(pages(id)).toEqual(['ann', 'ann']);
    // Each episode's start is a job of its own, filed as a slot only (no `jobs` record), which paged its first level.
    const jobs = (await filed()).filter((j) => j.ticketId === id).map((j) => j._id);
    expect(jobs).toContain(pageStartJobId(tenant, id, 0));
    expect(jobs).toContain(pageStartJobId(tenant, id, 1));
    expect(jobs).not.toContain(pageJobId(tenant, id, 0, 0));
    ok(await root(`/ticket resolve ${id} fixed again`));
  });

  it('a resolve’s teardown run late, after a reopen paged again, leaves the newer page running', async () => {
    const start = clock;
    const id = await incident();
    await until(start, 0.5);
    expect(pages(id)).toEqual(['ann']);
    // The first resolve's teardown is held back (its job ended as if run; it is run by hand below, late).
    await bot.jobs.stop();
    let late: Job | undefined;
    try {
      ok(await root(`/ticket resolve ${id} fixed`));
      await bot.core.settled();
      late = (await filed()).find((j) => j.kind === PAGE_END_KIND && j.ticketId === id) as Job;
      expect(late).toBeDefined();
      await bot.services.jobs.claim(late, 0, clock, 'someone');
      await bot.services.jobs.end(late, { outcome: 'done', at: clock, reason: null, lateMs: 0 });
    } finally {
      bot.jobs.start();
    }
    await until(start, 1);
    // Reopened, resolved again (this teardown runs), reopened again: a new episode, paged from the first level.
    ok(await root(`/ticket reopen ${id} "flapping"`));
    await until(start, 1.5);
    ok(await root(`/ticket resolve ${id} fixed again`));
    await until(start, 2);
    ok(await root(`/ticket reopen ${id} "down again"`));
    await until(start, 2.5);
    expect(pages(id)).toEqual(['ann', 'ann']);
    // The first resolve's teardown, late: the page running now started after that resolve, and is not its to end.
    await bot.services.paging.runEnd(late as Job);
    expect((await new PageRepository(bot.db.connection).find(tenant, id))?.episode).toBe(1);
    await until(start, 4.5);
    expect(pages(id)).toEqual(['ann', 'ann', 'ann']);
    ok(await ann(`/oncall ack ${id}`));
    ok(await root(`/ticket resolve ${id} fixed for good`));
  });

  it('a start that fails on our side (the database slow) is tried again on the clock, and pages', async () => {
    const teams = bot.services.teams;
    const teamFor = teams.teamFor.bind(teams);
    let failures = 0;
    teams.teamFor = async (...args) => {
      if (failures++ === 0) throw new Error('connection 11 to 127.0.0.1 timed out');
      return teamFor(...args);
    };
    try {
      const id = await incident();
      // The listener's start failed: its next try is a job due a second later on the clock, not in real time.
      await settle([bot.jobs]);
      expect(pages(id)).toEqual([]);
      const retry = (await filed()).find((j) => j.ticketId === id && j.kind === 'oncall.retry');
      expect(retry?.dueAt).toEqual(new Date(clock.getTime() + 1000));
      await later(1000);
      expect(pages(id)).toEqual(['ann']);
      expect(failures).toBeGreaterThan(1);
      await later(30_000);
      expect(pages(id)).toEqual(['ann']);
      ok(await ann(`/oncall ack ${id}`));
      ok(await root(`/ticket resolve ${id} fixed`));
    } finally {
      teams.teamFor = teamFor;
    }
  });

  it('a start job run twice (a process taken over) pages once and writes one history line', async () => {
    const start = clock;
    await bot.jobs.stop();
    let id = '';
    try {
      id = await incident();
      await bot.core.settled();
      // The command wrote no page record: the start is its job's, run after the reply.
      expect(await new PageRepository(bot.db.connection).find(tenant, id)).toBeNull();
      const job = (await filed()).find((j) => j._id === pageStartJobId(tenant, id, 0)) as Job;
      expect(job).toBeDefined();
      await bot.services.paging.runStart(job, clock);
      await bot.services.paging.runStart(job, clock);
    } finally {
      bot.jobs.start();
    }
    // The engine runs its slot too: a third run.
    await until(start, 0.5);
    expect(pages(id)).toEqual(['ann']);
    const t = await ticket(id);
    expect(t.history.filter((h) => h.action === 'paged').map((h) => h.note)).toEqual(['level 1: ann']);
    // Its next step was filed (by each run: it still runs once) and pages on time.
    await until(start, 2.5);
    expect(pages(id)).toEqual(['ann', 'ann']);
    ok(await ann(`/oncall ack ${id}`));
    ok(await root(`/ticket resolve ${id} fixed`));
  });

  it('a start job that fails on our side after its live record is tried again on the clock: it resumes the record and pages once', async () => {
    const outbox = bot.services.outbox;
    const toPerson = outbox.toPerson.bind(outbox);
    let failures = 0;
    outbox.toPerson = async (...args) => {
      // Page DMs only (a resolved ticket's survey is a DM too).
      if (args[2].text.startsWith('PAGE') && failures++ === 0) throw new Error('connection 12 to 127.0.0.1 timed out');
      return toPerson(...args);
    };
    try {
      const id = await incident();
      // The start job ran and failed; its next try waits for the clock (a second), not for real time.
      await settle([bot.jobs]);
      expect(failures).toBe(1);
      expect(pages(id)).toEqual([]);
      const retry = (await filed()).find((j) => j._id === pageStartRetryId(tenant, id, 0, 1));
      expect(retry?.dueAt).toEqual(new Date(clock.getTime() + 1000));
      await later(1000);
      expect(pages(id)).toEqual(['ann']);
      expect(failures).toBe(2);
      await later(30_000);
      expect(pages(id)).toEqual(['ann']);
      const t = await ticket(id);
      expect(t.history.filter((h) => h.action === 'paged').map((h) => h.note)).toEqual(['level 1: ann']);
      ok(await ann(`/oncall ack ${id}`));
      ok(await root(`/ticket resolve ${id} fixed`));
    } finally {
      outbox.toPerson = toPerson;
    }
  });

  it('the tries of a failing start, on two processes, resume one record and page once', async () => {
    const other = await anotherProcess(bot);
    const heard = recordingSender('console');
    other.core.registerSender(heard);
    let failures = 0;
    const restore: Array<() => void> = [];
    // Both processes' page DMs fail twice (whichever runs the try): the first try and the first retry.
    for (const outbox of [bot.services.outbox, other.services.outbox]) {
      const toPerson = outbox.toPerson.bind(outbox);
      outbox.toPerson = async (...args) => {
        if (args[2].text.startsWith('PAGE') && failures++ < 2) throw new Error('connection 15 to 127.0.0.1 timed out');
        return toPerson(...args);
      };
      restore.push(() => {
        outbox.toPerson = toPerson;
      });
    }
    try {
      const start = clock;
      const id = await incident();
      await until(start, 1.5, [bot.jobs, other.jobs], [bot.core, other.core]);
      expect(failures).toBe(3);
      expect([...pages(id), ...pages(id, heard.calls)]).toEqual(['ann']);
      const t = await ticket(id);
      expect(t.history.filter((h) => h.action === 'paged').map((h) => h.note)).toEqual(['level 1: ann']);
      ok(await ann(`/oncall ack ${id}`));
      ok(await root(`/ticket resolve ${id} fixed`));
      await until(start, 2, [bot.jobs, other.jobs], [bot.core, other.core]);
    } finally {
      for (const r of restore) r();
      await other.close();
    }
  });

  it('a start that keeps failing before its live record is tried on past the quick tries, says so in the channel once, and pages once it can', async () => {
    const start = clock;
    const tickets = bot.services.tickets;
    const getTicket = tickets.getTicket.bind(tickets);
    let failing = true;
    let failures = 0;
    // The start job's read of the ticket fails (paging's own system person reads it), a person's command's does not.
    tickets.getTicket = async (acting, id) => {
      if (failing && acting.person.id === 'switchboard-oncall') {
        failures++;
        throw new Error('connection 13 to 127.0.0.1 timed out');
      }
      return getTicket(acting, id);
    };
    let id = '';
    try {
      id = await incident();
      await settle([bot.jobs]);
      expect(failures).toBe(1);
      // Tries at 30 s, 1 m and 1.5 m (each due 1 s, 5 s, 25 s after the one before): the quick ones, after which a
      // start used to give up for good; the channel is told once they are used.
      await until(start, 1.5);
      expect(failures).toBe(4);
      expect(pages(id)).toEqual([]);
      expect(retryingSaid(id).map((c) => c.reply.text)).toEqual([
        `Paging for ${id} could not start (a fault on our side): nobody has been paged yet. It is tried again every 1m until it pages or the incident is resolved. Page by hand if need be.`,
      ]);
      // The fault clears: the next try (a minute after the last) pages the first level.
      failing = false;
      await until(start, 2);
      expect(pages(id)).toEqual([]);
      await until(start, 2.5);
      expect(pages(id)[0]).toBe('ann');
      const t = await ticket(id);
      expect(t.history.filter((h) => h.action === 'paged').map((h) => h.note)[0]).toBe('level 1: ann');
      expect(retryingSaid(id)).toHaveLength(1);
    } finally {
      tickets.getTicket = getTicket;
    }
    ok(await ann(`/oncall ack ${id}`));
    ok(await root(`/ticket resolve ${id} fixed`));
  });

  it('a start that keeps failing is tried no more once its incident is downgraded, or resolved', async () => {
    const teams = bot.services.teams;
    const { policyOf, teamFor } = teams;
    const failing = () => {
      throw new Error('connection 14 to 127.0.0.1 timed out');
    };
    /** The tries of an incident's start filed so far: the start job's own, and a listener's. */
    const tries = async (id: string) =>
      (await filed()).filter((j) => j.ticketId === id && (j.kind === 'oncall.start' || j.kind === 'oncall.retry'));
    // The start job fails after reading the ticket (the team's policy); or the listener does, before filing it.
    for (const fault of ['start job', 'listener'] as const) {
      const start = clock;
      if (fault === 'start job') teams.policyOf = failing;
      else teams.teamFor = async () => failing();
      const lowered = await incident();
      const resolved = await incident();
      try {
        await until(start, 3);
        // Tried on past the quick tries: 0 s, 30 s, 1 m, 1.5 m, 2.5 m.
        for (const id of [lowered, resolved]) expect((await tries(id)).length, `${fault} ${id}`).toBeGreaterThan(4);
        ok(await root(`/ticket priority ${lowered} P3`));
        ok(await root(`/ticket resolve ${resolved} gave up on the bot`));
        const at = clock.getTime();
        await until(start, 8);
        // The try due next (within a minute) found it downgraded or resolved: none was filed after it.
        for (const id of [lowered, resolved]) {
          expect(
            (await tries(id)).filter((j) => j.dueAt.getTime() > at + MIN),
            `${fault} ${id}`,
          ).toEqual([]);
          expect(pages(id)).toEqual([]);
        }
      } finally {
        teams.policyOf = policyOf;
        teams.teamFor = teamFor;
      }
      ok(await root(`/ticket resolve ${lowered} fixed`));
    }
  });

  it('a step whose job was never written (its starter died) is planned again by the auditor, and pages', async () => {
    // A P3 is not paged; a live record is written for it as a starter would, which then died: no start, no job.
    const r = ok(await root(`/ticket new "Cache cold ${++seq}" --type incident --priority P3 --service db`));
    const id = r.card?.ticketId as string;
    const team = await bot.services.teams.get(tenant, 'storage');
    const at = clock;
    const e: LiveEscalation = {
      tenant,
      ticketId: id,
      team: 'storage',
      policy: bot.services.teams.policyOf(team),
      startedAt: at,
      gen: 0,
      fromLevel: 0,
      genStartedAt: at,
      pending: { index: 0, dueAt: at },
      lastLevel: null,
      message: null,
      episode: 0,
    };
    await bot.db.connection
      .collection<{ _id: string }>('page_live')
      .insertOne({ _id: `${tenant}/${id}`, ...e } as never);
    await until(at, 2);
    expect(pages(id)).toEqual([]);
    clock = new Date(at.getTime() + 2.5 * MIN);
    expect((await bot.services.paging.audit(clock)).map((l) => l.ticketId)).toEqual([id]);
    await until(at, 3);
    // The first step, then its repeat (due at 2m, so due already): a late step's followers are never skipped.
    expect(pages(id)).toEqual(['ann', 'ann']);
    // Its start was restored with it: the ack finds the page.
    expect(ok(await ann(`/oncall ack ${id}`)).text).toMatch(new RegExp(`^You acknowledged ${id} \\(MTTA 3m\\)`));
    expect(await new PageRepository(bot.db.connection).find(tenant, id)).toBeNull();
    ok(await root(`/ticket resolve ${id} fixed`));
  });

  it('a next step filed as a slot only (by the start job) that failed is run again by the auditor, and pages', async () => {
    const start = clock;
    const id = await incident();
    await until(start, 0.5);
    expect(pages(id)).toEqual(['ann']);
    const next = (await filed()).find((j) => j._id === pageJobId(tenant, id, 0, 1)) as Job;
    // No record: the auditor learns of it from its end.
    expect(await bot.services.jobs.get(next)).toBeNull();
    await bot.services.jobs.claim(next, 0, clock, 'someone');
    await bot.services.jobs.end(next, { outcome: 'failed', at: clock, reason: 'database gone', lateMs: 0 });
    await until(start, 4);
    expect(pages(id)).toEqual(['ann']);
    clock = new Date(start.getTime() + 4.5 * MIN);
    expect((await bot.services.paging.audit(clock)).map((l) => l.ticketId)).toEqual([id]);
    await until(start, 5);
    expect(pages(id).slice(0, 2)).toEqual(['ann', 'ann']);
    ok(await ann(`/oncall ack ${id}`));
    ok(await root(`/ticket resolve ${id} fixed`));
  });

  it('a step that failed is run again by the auditor, and pages', async () => {
    const start = clock;
    const id = await incident();
    await until(start, 0.5);
    expect(pages(id)).toEqual(['ann']);
    // Level 1 again is due at 2m: its job ends as failed before it pages (a database error, say).
    const step1 = (await filed()).find((j) => j._id === pageJobId(tenant, id, 0, 1)) as Job;
    await bot.services.jobs.claim(step1, 0, clock, 'someone');
    await bot.services.jobs.end(step1, { outcome: 'failed', at: clock, reason: 'database gone', lateMs: 0 });
    await until(start, 4.5);
    expect(pages(id)).toEqual(['ann']);
    clock = new Date(start.getTime() + 4.5 * MIN);
    expect((await bot.services.paging.audit(clock)).map((l) => l.ticketId)).toEqual([id]);
    await until(start, 5);
    // The retry pages level 1 again; it plans the steps after it: the repeat due at 4m (at once) and level 2 at 5m.
    expect(pages(id)).toEqual(['ann', 'ann', 'ann', 'bob']);
    ok(await ann(`/oncall ack ${id}`));
    ok(await root(`/ticket resolve ${id} fixed`));
  });
});

/** The Events API webhook on a real HTTP server, as main.ts mounts it: `send` posts an event and reads the answer. */
async function eventsWebhook() {
  const token = 'paging-test-webhook-token-0123';
  const http = createHttpServer({
    log: pino({ level: 'silent' }),
    readiness: async () => ({ ready: true, reasons: [] }),
  });
  http.mount(
    WEBHOOK_PREFIX,
    createAlertWebhooks({ token, alerts: bot.services.alerts, log: pino({ level: 'silent' }) }),
  );
  const { port } = await http.listen(0, '127.0.0.1');
  const send = async (body: unknown) => {
    const r = await fetch(`http://127.0.0.1:${port}/webhooks/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return (await r.json()) as { outcome: string; ticket: string };
  };
  return { http, send };
}

describe('paging, stopped by monitoring', () => {
  it('an Events API acknowledge stops the page as the Acknowledge button does', async () => {
    const { http, send } = await eventsWebhook();
    try {
      const start = clock;
      const opened = await send({
        event_action: 'trigger',
        dedup_key: 'db-down-events',
        payload: { summary: 'Database down (events)', severity: 'critical', source: 'db' },
      });
      expect(opened.outcome).toBe('opened');
      const id = opened.ticket;
      await until(start, 1.5);
      expect(pages(id)).toEqual(['ann']);
      expect(await send({ event_action: 'acknowledge', dedup_key: 'db-down-events' })).toMatchObject({
        outcome: 'acknowledged',
        ticket: id,
      });
      await until(start, 12);
      // The button's ack: nothing pages after it, nobody is told "nobody acknowledged", the ack is on record.
      expect(pages(id)).toEqual(['ann']);
      const t = await ticket(id);
      expect(t.history.filter((h) => h.action.startsWith('page')).map((h) => h.action)).toEqual(['paged', 'page_ack']);
      expect(ok(await ann(`/oncall ack ${id}`)).text).toMatch(new RegExp(`^${id} was acknowledged already by `));
      expect(await new PageRepository(bot.db.connection).find(tenant, id)).toBeNull();
      ok(await root(`/ticket resolve ${id} fixed`));
    } finally {
      await http.close();
    }
  });

  it('an Events API acknowledge that fails on our side is tried again on the clock, and stops the page', async () => {
    const { http, send } = await eventsWebhook();
    const paging = bot.services.paging;
    const ack = paging.ack.bind(paging);
    let failures = 0;
    try {
      const start = clock;
      const opened = await send({
        event_action: 'trigger',
        dedup_key: 'db-down-events-retried',
        payload: { summary: 'Database down (events, retried)', severity: 'critical', source: 'db' },
      });
      const id = opened.ticket;
      await until(start, 0.5);
      expect(pages(id)).toEqual(['ann']);
      paging.ack = async (...args) => {
        if (failures++ === 0) throw new Error('connection 16 to 127.0.0.1 timed out');
        return ack(...args);
      };
      expect((await send({ event_action: 'acknowledge', dedup_key: 'db-down-events-retried' })).outcome).toBe(
        'acknowledged',
      );
      await settle([bot.jobs]);
      expect(failures).toBe(1);
      // Its next try is due a second later on the clock.
      await later(1000);
      expect(failures).toBe(2);
      await until(start, 12);
      expect(pages(id)).toEqual(['ann']);
      const t = await ticket(id);
      expect(t.history.filter((h) => h.action.startsWith('page')).map((h) => h.action)).toEqual(['paged', 'page_ack']);
      ok(await root(`/ticket resolve ${id} fixed`));
    } finally {
      paging.ack = ack;
      await http.close();
    }
  });
});

describe('MTTA', () => {
  it('the MTTA an ack reports is the one /status shows for the period, the requester acking too', async () => {
    ok(await root('/team create mtta --services mtta-db'));
    ok(await root('/oncall rotation mtta @bob --every 1w'));
    const bob = personAt(bot.core, 'bob');
    const start = clock;
    const first = ok(await root('/ticket new "mtta one" --type incident --priority P1 --service mtta-db')).card
      ?.ticketId as string;
    await until(start, 1);
    expect(ok(await bob(`/oncall ack ${first}`)).text).toBe(`You acknowledged ${first} (MTTA 1m); paging stopped.`);
    const r = ok(await root('/oncall page mtta the mtta disk is full'));
    const second = /about (INC-\d+)/.exec(r.text)?.[1] as string;
    await until(start, 4);
    // Acknowledged by the one who paged (its requester): still its acknowledgement.
    expect(ok(await root(`/oncall ack ${second}`)).text).toBe(`You acknowledged ${second} (MTTA 3m); paging stopped.`);
    const status = ok(await root('/status mtta today'));
    expect(status.fields?.find((f) => f.label === 'MTTA')?.value).toMatch(/^all 2m\b.* · P1 1m\b.* · P2 3m\b/);
    ok(await root(`/ticket resolve ${first} fixed`));
    ok(await root(`/ticket resolve ${second} fixed`));
  });
  it('a start job found after the catch-up period (every process down for hours) still pages the incident', async () => {
    const start = clock;
    await bot.jobs.stop();
    let id = '';
    const heard = recordingSender('console');
    try {
      id = await incident();
      await bot.core.settled();
      // Three hours later (the catch-up is one): the next process to start finds the start job and pages.
      clock = new Date(start.getTime() + 180 * MIN);
      const other = await anotherProcess(bot);
      other.core.registerSender(heard);
      try {
        await settle([other.jobs], [other.core, bot.core]);
        expect(pages(id, heard.calls)[0]).toBe('ann');
        ok(await ann(`/oncall ack ${id}`));
        ok(await root(`/ticket resolve ${id} fixed`));
        await settle([other.jobs], [other.core, bot.core]);
      } finally {
        await other.close();
      }
    } finally {
      bot.jobs.start();
    }
  });
});

/** Every job filed (the slots carry them: a step filed as a slot only has no `jobs` record). */
async function filed(): Promise<Job[]> {
  return (await bot.services.jobs.all<{ _id: string; job?: Job }>('job_slots')).flatMap((s) => (s.job ? [s.job] : []));
}

function ticket(id: string): Promise<Ticket> {
  return bot.services.tickets.getTicket(adminActing(tenant, clock), id);
}
