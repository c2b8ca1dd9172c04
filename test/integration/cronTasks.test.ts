// Reviews as node-cron tasks on the real database: one task per review, each run elected once across two
// processes by the insert of its job's claim, the job engine standing aside; paused reviews lose their task.
// node-cron keeps real time, so these tasks run on a seconds field (the only real waits: about 3 s).
// @module-tag time-of-day
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CronTasks } from '../../src/scheduler/cronTasks.ts';
import { jobIdOf } from '../../src/services/reviews.ts';
import type { JobEnd } from '../../src/store/jobStore.ts';
import { anotherProcess, personAt, startTestBot, type TestBot } from '../support/harness.ts';
import { recordingSender } from '../support/recordingSender.ts';

const log = pino({ level: 'silent' });
let bot: TestBot;
let other: Awaited<ReturnType<typeof anotherProcess>>;
const posts = recordingSender('console');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tasksOf(services: TestBot['services'], owner: string): CronTasks {
  return new CronTasks({
    active: () => services.reviewStore.active(),
    jobOf: (review, slot) => ({ _id: jobIdOf(review, slot), dueAt: slot }),
    claim: (ref, attempt, at, o) => services.jobs.claim(ref, attempt, at, o),
    end: (ref, entry) => services.jobs.end(ref, entry),
    run: (review, slot, now) => services.reviews.runOnTask(review.tenant, review.reviewId, slot, now),
    log,
    owner,
    refreshMs: 100,
    // Every second, so a test sees several runs without waiting minutes.
    expressionOf: () => '* * * * * *',
  });
}

beforeAll(async () => {
  bot = await startTestBot();
  other = await anotherProcess(bot);
  bot.core.registerSender(posts);
  other.core.registerSender(posts);
});
afterAll(async () => {
  await other?.close();
  await bot?.close();
});

describe('review tasks', () => {
  it('runs each slot once across two processes, the run claimed as its job', async () => {
    const root = personAt(bot.core, 'root');
    const r = await root('/review add "Tick" * * * * * --text tick');
    expect(r.error, r.text).toBeUndefined();
    const id = r.header?.split(' ')[0] as string;
    const a = tasksOf(bot.services, 'a');
    const b = tasksOf(other.services, 'b');
    await Promise.all([a.start(), b.start()]);
    try {
      expect(a.names()).toEqual([`review:console:local/${id}`]);
      expect(b.names()).toEqual(a.names());
      await sleep(3200);
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
    await bot.core.settled();
    await other.core.settled();
    const ends = (await bot.services.jobs.all<JobEnd>('job_ends')).filter((e) => e._id.includes(`/${id}@`));
    expect(ends.length).toBeGreaterThanOrEqual(2);
    expect(ends.every((e) => e.outcome === 'done' && e.reason === 'run by its node-cron task')).toBe(true);
    // One post per run: the claim elected one process for each slot.
    const ticks = posts.calls.filter((c) => c.reply.text === 'Tick: tick');
    expect(ticks).toHaveLength(ends.length);
    const claims = (await bot.services.jobs.all<{ _id: string; owner: string }>('job_claims')).filter((c) =>
      c._id.includes(`/${id}@`),
    );
    // Every run ended was claimed once. A slot elected just as the tasks stopped may hold a claim and no end: that
    // run is the job engine's to take over after the lease (as after a crash), so at most one such claim.
    const claimed = claims.map((c) => c._id);
    expect(ends.map((e) => `${e._id}#0`).filter((id) => !claimed.includes(id))).toEqual([]);
    expect(claims.length - ends.length).toBeLessThanOrEqual(1);
    await root(`/review remove ${id}`);
  });

  it('drops the task of a paused review, and gives it back on resume', async () => {
    const root = personAt(bot.core, 'root');
    const id = (await root('/review add "Pausable" * * * * * --text p')).header?.split(' ')[0] as string;
    const a = tasksOf(bot.services, 'a');
    await a.start();
    try {
      expect(a.names()).toContain(`review:console:local/${id}`);
      await root(`/review pause ${id}`);
      await a.sync();
      expect(a.names()).not.toContain(`review:console:local/${id}`);
      // A run begun before the pause may still be posting: what follows counts only what the pause let through.
      await a.settled();
      await bot.core.settled();
      posts.calls.length = 0;
      await sleep(1500);
      expect(posts.calls.filter((c) => c.reply.text === 'Pausable: p')).toEqual([]);
      await root(`/review resume ${id}`);
      await a.sync();
      expect(a.names()).toContain(`review:console:local/${id}`);
    } finally {
      await a.stop();
      await root(`/review remove ${id}`);
    }
  });

  it('stands aside for a run the job engine claimed first', async () => {
    const root = personAt(bot.core, 'root');
    const id = (await root('/review add "Taken" * * * * * --text t')).header?.split(' ')[0] as string;
    const review = await bot.services.reviewStore.find('console:local', id);
    // The engine (or another process) holds the next five seconds' runs.
    const next = Math.ceil(Date.now() / 1000) * 1000;
    for (let s = 0; s < 5; s++) {
      const slot = new Date(next + s * 1000);
      expect(await bot.services.jobs.claim({ _id: jobIdOf(review!, slot), dueAt: slot }, 0, new Date(), 'engine')).toBe(
        true,
      );
    }
    const a = tasksOf(bot.services, 'a');
    posts.calls.length = 0;
    await a.start();
    try {
      await sleep(2500);
    } finally {
      await a.stop();
    }
    await bot.core.settled();
    expect(posts.calls.filter((c) => c.reply.text === 'Taken: t')).toEqual([]);
    await root(`/review remove ${id}`);
  });
});
