// Outbox benchmark: posts per second through the outbox and Slack's real sender to the fake Slack beside direct Web
// API posts, and written→delivered latency with an empty ledger and with 100,000 delivered messages behind it.
import { LogLevel, webApi } from '@slack/bolt';
import pino from 'pino';
import { SlackDelivery } from '../adapters/slack/delivery.ts';
import { slackSender } from '../adapters/slack/sender.ts';
import type { Reply } from '../src/present/reply.ts';
import type { PlatformSender } from '../src/present/sender.ts';
import type { Outbox } from '../src/services/outbox.ts';
import { type BenchDatabase, startBenchBot } from './benchBot.ts';
import { type DbSamples, dbWorkRows, measureDbWork, noSamples, seedHistory } from './outboxHistory.ts';
import { type RemoteFake, startRemoteFake } from './slack.ts';
import { type Figure, figureTable, type Run, type Summary, summarize } from './stats.ts';

const TENANT = 'slack:TBENCH';
const CHANNELS = 20;
const WARMUP = 100;
/** Handed over all at once: the Web API client's own queue keeps 100 calls in flight, the outbox 16 channels. */
const BURST = Number(process.env.BENCH_OUTBOX_BURST ?? 2000);
/**
 * A smaller burst, with the ledger empty and then full: the outbox's rate depends on how much waits (FerretDB scans
 * the outbox to read it and to delete from it), so the full-ledger burst is compared with one of the same size.
 */
const SMALL_BURST = Number(process.env.BENCH_OUTBOX_SMALL ?? 500);
/** The small bursts too take turns: empty then full, then full then empty. */
const SMALL_ROUNDS = 2;
/** Open loop: a message leaves on schedule whether or not the earlier ones were delivered. */
const TRICKLE = { rate: 50, count: Number(process.env.BENCH_OUTBOX_TRICKLE ?? 500) };
/** Delivered messages put behind the outbox (ledger entries and their claims) before the second measurements. */
const HISTORY = Number(process.env.BENCH_OUTBOX_HISTORY ?? 100_000);
/** Seeding stops here, and says so, if the database inserts more slowly than the bench can wait. */
const SEED_BUDGET_MS = 240_000;
/** The trickle and the database work are measured in this many rounds, the empty and the full ledger in turn. */
const ROUNDS = 5;
const DB_WORK_RUNS = 300;
const DRAIN_TIMEOUT_MS = 180_000;

const channelOf = (i: number) => `CBENCH${i % CHANNELS}`;
const textOf = (phase: string, i: number) => `bench ${phase} ${i}`;
const replyOf = (text: string): Reply => ({ text, visibility: 'channel' });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** When each message (by its text) was answered 200 by the fake Slack, as the sender or the direct poster saw it. */
type DoneAt = Map<string, number>;
/** How many of each phase's messages were answered: what a run waits on. */
const perPhase = new Map<string, number>();
const countPhase = (phase: string) => perPhase.get(phase) ?? 0;
function markDone(doneAt: DoneAt, text: string): void {
  doneAt.set(text, performance.now());
  const phase = text.split(' ')[1] as string;
  perPhase.set(phase, (perPhase.get(phase) ?? 0) + 1);
}

async function waitUntil(done: () => boolean): Promise<void> {
  const t0 = performance.now();
  while (!done() && performance.now() - t0 < DRAIN_TIMEOUT_MS) await sleep(5);
}

/** The run of `count` messages handed over at `handedAt[i]` and answered at `doneAt`. */
function runOf(phase: string, count: number, handedAt: readonly number[], doneAt: DoneAt): Run {
  const latencies: number[] = [];
  let last = 0;
  for (let i = 0; i < count; i++) {
    const at = doneAt.get(textOf(phase, i));
    if (at === undefined) continue;
    latencies.push(at - (handedAt[i] as number));
    last = Math.max(last, at);
  }
  const seconds = (last - Math.min(...handedAt)) / 1000;
  return { ops: count, failed: count - latencies.length, seconds, latencies };
}

/** Rate (of messages answered) and latency of a run. */
const figures = (run: Run): Summary => summarize(run, (run.ops - run.failed) / run.seconds);
const merged = (runs: readonly Run[]): Run => ({
  ops: runs.reduce((n, r) => n + r.ops, 0),
  failed: runs.reduce((n, r) => n + r.failed, 0),
  seconds: runs.reduce((n, r) => n + r.seconds, 0),
  latencies: runs.flatMap((r) => r.latencies),
});

/** Every message of a phase handed over at once; `post` resolves when it is handed over (not delivered). */
async function burst(
  phase: string,
  count: number,
  post: (i: number, text: string) => Promise<unknown>,
  doneAt: DoneAt,
  settle: () => Promise<void>,
): Promise<Run & { handOverSeconds: number }> {
  const handedAt: number[] = [];
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: count }, (_, i) => {
      handedAt[i] = performance.now();
      return post(i, textOf(phase, i)).catch(() => {});
    }),
  );
  const handOverSeconds = (performance.now() - t0) / 1000;
  await waitUntil(() => countPhase(phase) >= count);
  await settle();
  return { ...runOf(phase, count, handedAt, doneAt), handOverSeconds };
}

/** Messages handed over at a fixed rate; latency counts from when each was due, so falling behind shows. */
async function trickle(
  phase: string,
  post: (i: number, text: string) => Promise<unknown>,
  doneAt: DoneAt,
  settle: () => Promise<void>,
  count: number,
): Promise<Run> {
  const { rate } = TRICKLE;
  const due: number[] = [];
  const inflight: Array<Promise<unknown>> = [];
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    due[i] = t0 + (i * 1000) / rate;
    const wait = (due[i] as number) - performance.now();
    if (wait > 0.5) await sleep(wait);
    inflight.push(post(i, textOf(phase, i)).catch(() => {}));
  }
  await Promise.all(inflight);
  await waitUntil(() => countPhase(phase) >= count);
  await settle();
  return runOf(phase, count, due, doneAt);
}

/** Slack's real outbox sender, as adapters/slack/index.ts builds it, noting when each post was answered. */
function timedSlackSender(fake: RemoteFake, core: ConstructorParameters<typeof SlackDelivery>[1], doneAt: DoneAt) {
  const log = pino({ level: 'silent' });
  const client = new webApi.WebClient('xoxb-bench', {
    slackApiUrl: fake.apiUrl,
    logLevel: LogLevel.ERROR,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
  });
  const real = slackSender(client, new SlackDelivery(client, core, log), core);
  const timed: PlatformSender = {
    ...real,
    async post(channel, reply, thread, ctx) {
      const sent = await real.post(channel, reply, thread, ctx);
      markDone(doneAt, reply.text);
      return sent;
    },
  };
  return timed;
}

/** One bot's outbox on a database of its own: one stays empty, the other has the history seeded into it. */
interface Side {
  name: string;
  outbox: Outbox;
  connection: Parameters<typeof seedHistory>[0];
}

export async function benchOutbox(db: BenchDatabase): Promise<string[]> {
  const fake = await startRemoteFake();
  try {
    const empty = await startBenchBot(db, 'outbox_empty', {});
    try {
      const full = await startBenchBot(db, 'outbox_full', {});
      try {
        const doneAt: DoneAt = new Map();
        for (const bot of [empty, full]) bot.services.outbox.register(timedSlackSender(fake, bot.core, doneAt));
        const direct = new webApi.WebClient('xoxb-bench', {
          slackApiUrl: fake.apiUrl,
          logLevel: LogLevel.ERROR,
          retryConfig: { retries: 0 },
        });
        const side = (name: string, bot: typeof empty): Side => ({
          name,
          outbox: bot.services.outbox,
          connection: bot.connection,
        });
        return await measureAll(side('empty', empty), side('full', full), direct, doneAt, db.backend);
      } finally {
        await full.close();
      }
    } finally {
      await empty.close();
    }
  } finally {
    await fake.close();
  }
}

async function measureAll(
  empty: Side,
  full: Side,
  client: InstanceType<typeof webApi.WebClient>,
  doneAt: DoneAt,
  backend: string,
): Promise<string[]> {
  const none = async () => {};
  const viaOutbox = (s: Side) => (i: number, text: string) =>
    s.outbox.toChannel(`slack:${channelOf(i)}`, replyOf(text), { tenant: TENANT });
  const settle = (s: Side) => () => s.outbox.drained();
  const directly = async (i: number, text: string) => {
    await client.chat.postMessage({ channel: channelOf(i), text });
    markDone(doneAt, text);
  };
  /** Direct, but in the outbox's order: one call at a time per channel, the channels side by side. */
  const directPerChannel = async (phase: string, count: number) => {
    const handedAt = Array.from({ length: count }, () => performance.now());
    await Promise.all(
      Array.from({ length: CHANNELS }, async (_, lane) => {
        for (let i = lane; i < count; i += CHANNELS) await directly(i, textOf(phase, i)).catch(() => {});
      }),
    );
    return figures(runOf(phase, count, handedAt, doneAt));
  };

  const seeded = await seedHistory(full.connection, TENANT, HISTORY, SEED_BUDGET_MS);
  const behind = `${seeded.count.toLocaleString('en')} delivered behind`;

  await burst('warm-direct', WARMUP, directly, doneAt, none);
  for (const s of [empty, full]) {
    await burst(`warm-${s.name}`, WARMUP, viaOutbox(s), doneAt, settle(s));
    await trickle(`warm-trickle-${s.name}`, viaOutbox(s), doneAt, settle(s), WARMUP);
    await measureDbWork(s.connection, TENANT, 'warm', WARMUP);
  }

  // The empty and the full database take turns, round by round, so the load of a shared machine falls on both alike.
  const trickles = { direct: [] as Run[], empty: [] as Run[], full: [] as Run[] };
  const work: Record<string, DbSamples> = { empty: noSamples(), full: noSamples() };
  const per = TRICKLE.count / ROUNDS;
  for (let r = 0; r < ROUNDS; r++) {
    trickles.direct.push(await trickle(`trickle-direct-${r}`, directly, doneAt, none, per));
    for (const s of r % 2 ? [full, empty] : [empty, full]) {
      trickles[s.name as 'empty' | 'full'].push(
        await trickle(`trickle-${s.name}-${r}`, viaOutbox(s), doneAt, settle(s), per),
      );
      await measureDbWork(s.connection, TENANT, `${s.name}-${r}`, DB_WORK_RUNS / ROUNDS, work[s.name]);
    }
  }
  const trickleDirect = figures(merged(trickles.direct));
  const trickleEmpty = figures(merged(trickles.empty));
  const trickleFull = figures(merged(trickles.full));

  const smallDirect = figures(await burst('small-direct', SMALL_BURST, directly, doneAt, none));
  const small = { empty: [] as Run[], full: [] as Run[] };
  for (let r = 0; r < SMALL_ROUNDS; r++) {
    for (const s of r % 2 ? [full, empty] : [empty, full]) {
      const run = await burst(`small-${s.name}-${r}`, SMALL_BURST, viaOutbox(s), doneAt, settle(s));
      small[s.name as 'empty' | 'full'].push(run);
    }
  }
  const smallEmpty = figures(merged(small.empty));
  const smallFull = figures(merged(small.full));

  const burstDirect = figures(await burst('burst-direct', BURST, directly, doneAt, none));
  const burstLanes = await directPerChannel('burst-lanes', BURST);
  const bigBurst = await burst('burst-outbox', BURST, viaOutbox(empty), doneAt, settle(empty));
  const burstOutbox = figures(bigBurst);

  const { rate, count } = TRICKLE;
  const rows: Array<Figure | string> = [
    { figure: `WebClient direct, ${BURST} at once`, run: burstDirect },
    { figure: 'WebClient direct, one at a time per channel', run: burstLanes, floor: burstDirect },
    { figure: `outbox -> Slack sender, ${BURST} at once`, run: burstOutbox, floor: burstDirect },
    `    (${BURST} written to the outbox in ${bigBurst.handOverSeconds.toFixed(2)} s; latency counts from each write)`,
    { figure: `WebClient direct, ${SMALL_BURST} at once`, run: smallDirect },
    { figure: `outbox, ${SMALL_BURST} at once ×${SMALL_ROUNDS}, empty ledger`, run: smallEmpty, floor: smallDirect },
    { figure: `outbox, ${SMALL_BURST} at once ×${SMALL_ROUNDS}, ${behind}`, run: smallFull, floor: smallDirect },
    { figure: `WebClient direct, ${rate}/s for ${count}`, run: trickleDirect },
    { figure: `outbox written→delivered, ${rate}/s, empty ledger`, run: trickleEmpty, floor: trickleDirect },
    { figure: `outbox written→delivered, ${rate}/s, ${behind}`, run: trickleFull, floor: trickleDirect },
  ];
  const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
  const workEmpty = work.empty as DbSamples;
  const workFull = work.full as DbSamples;
  const p99 = (xs: number[]) => summarize({ ops: xs.length, failed: 0, seconds: 1, latencies: xs }).p99;
  return [
    `outbox (${backend}; ${CHANNELS} channels of the fake Slack in its own process; floor = chat.postMessage with ` +
      `a WebClient straight to it; empty and full ledger on two databases, measured in alternating rounds)`,
    ...figureTable(rows, { unit: 'msg/s', floor: 'direct' }),
    `  history: ${seedLine(seeded, HISTORY)}`,
    ...dbWorkRows(workEmpty, workFull, behind),
    `  aim: outbox ≥ 0.5x direct -> ${ratio(burstOutbox.perSecond, burstDirect.perSecond)}; ` +
      `${SMALL_BURST} at once with ${behind} ≈ empty (1x) -> ${ratio(smallFull.perSecond, smallEmpty.perSecond)}; ` +
      `p99 written→delivered with ${behind} ≈ empty (1x) -> ${ratio(trickleFull.p99, trickleEmpty.p99)}; ` +
      `delivery database work p99 ${behind} ÷ empty -> ${ratio(p99(workFull.total), p99(workEmpty.total))}`,
  ];
}

function seedLine(s: { count: number; seconds: number }, wanted: number): string {
  const rate = (2 * s.count) / s.seconds;
  const cut = s.count < wanted ? ` (stopped short of ${wanted.toLocaleString('en')}: the seeding budget ran out)` : '';
  return (
    `seeded ${s.count.toLocaleString('en')} ledger entries and as many claims with insertMany in ` +
    `${s.seconds.toFixed(1)} s (${rate.toFixed(0)} docs/s)${cut}`
  );
}
