// Scheduler benchmark: a burst of one-shot jobs due in one minute run by two engines (two connections, as two
// processes would) on one database: each exactly once, how late, what bounds the rate; then an idle engine's CPU.
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import pino from 'pino';
import { JobEngine, type JobEngineOptions } from '../src/scheduler/jobs.ts';
import { openDatabase } from '../src/store/connection.ts';
import { type Job, type JobRef, JobRepository } from '../src/store/jobStore.ts';
import type { BenchDatabase } from './benchBot.ts';
import { percentile } from './stats.ts';

const log = pino({ level: 'silent' });
/** 10,000 is the figure; BENCH_SCHEDULER_JOBS lowers it where the burst drains too slowly to wait for. */
const JOBS = Number(process.env.BENCH_SCHEDULER_JOBS ?? 10_000);
/** The engines as main.ts runs them unless overridden: BENCH_SCHEDULER_POLL_MS, BENCH_SCHEDULER_CONCURRENCY. */
const ENGINE: Pick<JobEngineOptions, 'pollMs' | 'concurrency'> = {
  ...(process.env.BENCH_SCHEDULER_POLL_MS ? { pollMs: Number(process.env.BENCH_SCHEDULER_POLL_MS) } : {}),
  ...(process.env.BENCH_SCHEDULER_CONCURRENCY ? { concurrency: Number(process.env.BENCH_SCHEDULER_CONCURRENCY) } : {}),
};
/** How long each handler takes (a real one posts to Slack): BENCH_SCHEDULER_HANDLER_MS, default 0 (a no-op). */
const HANDLER_MS = Number(process.env.BENCH_SCHEDULER_HANDLER_MS ?? 0);
/** The burst is given up on (and what ran is reported) after this long. */
const DRAIN_BUDGET_MS = Number(process.env.BENCH_SCHEDULER_BUDGET_MS ?? 900_000);
/** Real time the idle engine is watched for (the issue asks for 60 s; 20 s keeps the bench short). */
const IDLE_MS = Number(process.env.BENCH_SCHEDULER_IDLE_MS ?? 20_000);
/** Database round trips timed for the per-job floor. */
const FLOOR_OPS = 300;
const KIND = 'bench.noop';
/** The minute every job is due at the start of: a burst, as "remind me at 09:00" makes. */
const DUE = new Date('2030-01-07T09:00:00Z');
const ascending = (x: number, y: number) => x - y;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ms = (v: number) => `${v.toFixed(0)} ms`;

export async function benchScheduler(db: BenchDatabase): Promise<string[]> {
  const dbName = `bench_scheduler_${randomBytes(6).toString('hex')}`;
  const open = () => openDatabase({ uri: db.uri, dbName, dataDir: tmpdir(), timeoutMs: 10_000, log });
  const a = await open();
  const b = await open();
  const engines: JobEngine[] = [];
  try {
    const lines: string[] = [`  ${JOBS} one-shot jobs due at one instant (${DUE.toISOString()}), two engines`];
    lines.push(
      `  engine settings: ${JSON.stringify({ pollMs: 1000, concurrency: 16, ...ENGINE })}, each handler ${HANDLER_MS} ms`,
    );
    const floor = await roundTrips(a.connection);
    lines.push(
      `  floor, one round trip by _id: findOne p50 ${floor.find.toFixed(2)} ms, insertOne p50 ${floor.insert.toFixed(2)} ms`,
    );

    const repoA = new JobRepository(a.connection);
    const t0 = performance.now();
    for (let i = 0; i < JOBS; i++) await repoA.add(jobAt(i));
    const addS = (performance.now() - t0) / 1000;
    lines.push(`  added ${JOBS} jobs (job + slot inserts) in ${addS.toFixed(1)} s: ${(JOBS / addS).toFixed(0)} jobs/s`);
    lines.push(...(await byIdAtSize(a.connection)));

    // The engines' clock is real time shifted so the burst falls due 2 s after they start: lateness is real time.
    const shift = DUE.getTime() - 2000 - Date.now();
    const now = () => new Date(Date.now() + shift);
    const calls = new Map<string, number>();
    const started: number[] = [];
    const byEngine = [0, 0];
    const counted = [new CountingRepository(a.connection), new CountingRepository(b.connection)];
    for (const [n, repo] of counted.entries()) {
      const engine = new JobEngine(repo, { now, log, ...ENGINE });
      engine.handle(KIND, async (job) => {
        started.push(now().getTime() - job.dueAt.getTime());
        calls.set(job._id, (calls.get(job._id) ?? 0) + 1);
        byEngine[n] = (byEngine[n] as number) + 1;
        if (HANDLER_MS) await sleep(HANDLER_MS);
      });
      engine.start();
      engines.push(engine);
    }
    const ends = a.connection.collection('job_ends');
    const deadline = performance.now() + 2000 + DRAIN_BUDGET_MS;
    let ended = 0;
    while (performance.now() < deadline) {
      await sleep(1000);
      if (started.length < JOBS) continue;
      ended = await ends.countDocuments();
      if (ended >= JOBS) break;
    }
    // Time for a second run of anything to show itself before counting.
    await sleep(3000);
    ended = await ends.countDocuments();
    const twice = [...calls.values()].filter((c) => c > 1).length;
    const lateness = [...started].sort(ascending);
    lines.push(
      `  ran ${calls.size} of ${JOBS} (${byEngine.join(' + ')} by engine), ${twice} more than once; job_ends: ${ended}` +
        (calls.size < JOBS ? ` — stopped after the ${(DRAIN_BUDGET_MS / 1000).toFixed(0)} s budget` : ''),
    );
    const last = lateness.at(-1) ?? Number.NaN;
    lines.push(
      `  lateness, due → handler start: first ${ms(lateness[0] ?? Number.NaN)}, p50 ${ms(percentile(lateness, 50))}, ` +
        `p99 ${ms(percentile(lateness, 99))}, max ${ms(last)} (${(calls.size / (last / 1000)).toFixed(1)} jobs/s through both engines)`,
    );
    for (const [n, r] of counted.entries()) {
      const c = r.count;
      lines.push(
        `  engine ${n + 1} round trips: ${c.slotReads} minute reads, ${c.endedReads} which-ended reads, ${c.endOf} endOf, ${c.get} get, ` +
          `${c.claimsWon} claims won + ${c.claimsLost} lost, ${c.end} ends`,
      );
    }

    await (engines[1] as JobEngine).stop();
    lines.push(...(await idleCpu(engines[0] as JobEngine)));
    return lines;
  } finally {
    for (const e of engines) await e.stop();
    await a.connection.dropDatabase().catch(() => {});
    await a.close();
    await b.close();
  }
}

/** The real repository, counting the engine's round trips by kind (a slot read is one findOne). */
class CountingRepository extends JobRepository {
  readonly count = { slotReads: 0, endedReads: 0, endOf: 0, get: 0, claimsWon: 0, claimsLost: 0, end: 0 };
  override async filedSince(minute: string, from: number, max?: number, until?: number) {
    this.count.slotReads++;
    return super.filedSince(minute, from, max, until);
  }
  override endedAmong(refs: readonly JobRef[]) {
    this.count.endedReads++;
    return super.endedAmong(refs);
  }
  override endOf(ref: JobRef) {
    this.count.endOf++;
    return super.endOf(ref);
  }
  override get(ref: JobRef) {
    this.count.get++;
    return super.get(ref);
  }
  override async claim(ref: JobRef, attempt: number, at: Date, owner: string): Promise<boolean> {
    const won = await super.claim(ref, attempt, at, owner);
    if (won) this.count.claimsWon++;
    else this.count.claimsLost++;
    return won;
  }
  override end(ref: JobRef, entry: Parameters<JobRepository['end']>[1]) {
    this.count.end++;
    return super.end(ref, entry);
  }
}

const jobAt = (i: number): Job => ({
  _id: `bench:${i}`,
  tenant: 'bench',
  kind: KIND,
  dueAt: DUE,
  payload: { i },
  createdAt: new Date(),
  by: null,
  ticketId: null,
});

/** CPU this process spends over IDLE_MS with one engine watching and nothing due, then with no engine at all. */
async function idleCpu(engine: JobEngine): Promise<string[]> {
  // Let the engine leave the burst's minute behind first.
  await sleep(2500);
  const watch = async () => {
    const c0 = process.cpuUsage();
    await sleep(IDLE_MS);
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / 1000;
  };
  const withEngine = await watch();
  await engine.stop();
  const without = await watch();
  const s = IDLE_MS / 1000;
  return [
    `  idle, nothing due, ${s.toFixed(0)} s of real time: ${ms(withEngine)} CPU with one engine running, ` +
      `${ms(without)} with none (the driver's own heartbeats): ${ms(((withEngine - without) * 60) / s)} per minute for the engine`,
  ];
}

/** What one findOne by `_id` costs on the engine's collections once they hold the burst, and the server's plan for it. */
async function byIdAtSize(connection: import('mongoose').Connection): Promise<string[]> {
  const lines: string[] = [];
  for (const [name, id] of [
    ['job_slots', `${DUE.toISOString().slice(0, 16)}#${Math.floor(JOBS / 2)}`],
    ['jobs', `bench:${Math.floor(JOBS / 2)}`],
  ] as const) {
    const c = connection.collection<{ _id: string }>(name);
    const took: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      await c.findOne({ _id: id });
      took.push(performance.now() - t);
    }
    const plan = JSON.stringify((await c.find({ _id: id }).explain()).queryPlanner ?? {});
    lines.push(
      `  findOne by _id on ${name} (${JOBS} documents): p50 ${percentile(took.sort(ascending), 50).toFixed(2)} ms; plan ${plan.slice(0, 120)}`,
    );
  }
  return lines;
}

/** Median findOne and insertOne by `_id` on this server: what one engine step costs at the least. */
async function roundTrips(connection: import('mongoose').Connection): Promise<{ find: number; insert: number }> {
  const c = connection.collection<{ _id: string }>('bench_floor');
  const ins: number[] = [];
  const fin: number[] = [];
  for (let i = 0; i < FLOOR_OPS; i++) {
    let t = performance.now();
    await c.insertOne({ _id: `f${i}` });
    ins.push(performance.now() - t);
    t = performance.now();
    await c.findOne({ _id: `f${i}` });
    fin.push(performance.now() - t);
  }
  await c.drop().catch(() => {});
  const median = (v: number[]) => percentile(v.sort(ascending), 50);
  return { find: median(fin), insert: median(ins) };
}
