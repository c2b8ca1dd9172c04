// The command core's benchmark: ticket opens and lists through createBot beside a raw insert floor, same run.
import { randomBytes } from 'node:crypto';
import type mongoose from 'mongoose';
import type { Bot } from '../src/core/createBot.ts';
import type { Actor, Invocation, Origin } from '../src/core/invocation.ts';
import { OPEN_STATES } from '../src/domain/ticket.ts';
import { type BenchDatabase, startBenchBot } from './benchBot.ts';
import { type Figure, figureTable, type Summary, summarize } from './stats.ts';

// Bounded so the whole bench stays near a minute on two cores against the embedded FerretDB.
// FerretDB 1.x scans the whole collection for any query not on _id, so a list or a show costs 0.2-0.5 s at
// 1000 tickets: those figures get far fewer runs than the opens (their p99 is close to the maximum).
const WARMUP = 50;
const SEQUENTIAL = 400;
const CONCURRENT = 300;
const CONCURRENCY = [8, 32] as const;
const LIST_TICKETS = 1000;
const LIST_RUNS = 40;
const ROUND_TRIP_SAMPLE = 5;

const OPEN_TEXT = 'new "Printer on fire" --impact high --service print';

export async function benchCore(db: BenchDatabase): Promise<string[]> {
  const bot = await startBenchBot(db, 'core', { SWITCHBOARD_ADMINS: 'console:bench-admin' });
  try {
    return await measureAll(bot.connection, bot.core, db.backend);
  } finally {
    await bot.close();
  }
}

async function measureAll(connection: mongoose.Connection, core: Bot, backend: string): Promise<string[]> {
  // A requester (not a configured admin), so every invocation pays the identity upsert and the role lookup.
  const actor: Actor = { id: 'console:bench-user', platform: 'console', displayName: 'bench user' };
  const origin: Origin = { platform: 'console', workspace: 'bench', channel: 'general' };
  const invoke = (text: string): Invocation => ({ actor, origin, command: 'ticket', text });
  const open = async () => {
    const r = await core.handle(invoke(OPEN_TEXT));
    if (r.error || !r.card) throw new Error(r.text);
  };
  const list = async () => {
    const r = await core.handle(invoke('list'));
    if (r.error) throw new Error(r.text);
  };
  // No ticket work at all: what every invocation pays to learn who is asking and what they may do.
  const help = async () => {
    const r = await core.handle({ actor, origin, command: 'help', text: '' });
    if (r.error) throw new Error(r.text);
  };

  // The floor: the same ticket-shaped document, straight through the driver into a scratch collection.
  await measure(1, 1, open);
  const sample = await connection.collection('tickets_open').findOne({}, { projection: { _id: 0 } });
  if (!sample) throw new Error('the first /ticket new stored nothing');
  const scratch = connection.collection(`bench_raw_${randomBytes(3).toString('hex')}`);
  let n = 1_000_000;
  const rawInsert = async () => {
    await scratch.insertOne({ ...sample, number: n++ });
  };

  // The list floor: the query TicketRepository.list sends for a requester's open tickets, through the driver.
  const tickets = connection.collection('tickets_open');
  const rawList = async () => {
    await tickets
      .find(
        { tenant: sample.tenant, state: { $in: [...OPEN_STATES] }, 'requester.id': sample.requester.id },
        { projection: { pages: 0 } },
      )
      .sort({ openedAt: -1 })
      .limit(20)
      .toArray();
  };

  await measure(WARMUP, 1, rawInsert);
  await measure(WARMUP, 1, open);
  await measure(WARMUP, 1, help);

  const rows: Figure[] = [];
  const rawSeq = await measure(SEQUENTIAL, 1, rawInsert);
  const rawBy = new Map<number, Summary>();
  for (const c of CONCURRENCY) rawBy.set(c, await measure(CONCURRENT, c, rawInsert));
  rows.push({ figure: 'raw insertOne, sequential', run: rawSeq });
  for (const c of CONCURRENCY) rows.push({ figure: `raw insertOne, ${c} in flight`, run: rawBy.get(c) as Summary });

  rows.push({ figure: '/ticket new, sequential', run: await measure(SEQUENTIAL, 1, open), floor: rawSeq });
  for (const c of CONCURRENCY) {
    rows.push({ figure: `/ticket new, ${c} in flight`, run: await measure(CONCURRENT, c, open), floor: rawBy.get(c) });
  }

  rows.push({ figure: '/help (who-is-asking only)', run: await measure(SEQUENTIAL, 1, help) });

  const opened = await tickets.countDocuments({ tenant: sample.tenant });
  if (opened < LIST_TICKETS) await measure(LIST_TICKETS - opened, 8, open);
  const present = await tickets.countDocuments({ tenant: sample.tenant });
  await measure(5, 1, rawList);
  await measure(5, 1, list);
  const rawListRun = await measure(LIST_RUNS, 1, rawList);
  rows.push({ figure: `raw find, list query (${present} tickets)`, run: rawListRun });
  rows.push({ figure: `/ticket list (${present} tickets)`, run: await measure(LIST_RUNS, 1, list), floor: rawListRun });

  // One ticket by its id, as show/assign/comment/resolve all start; and by _id, the lookup FerretDB pushes down.
  const middle = await tickets.findOne({ tenant: sample.tenant, number: Math.ceil(present / 2) });
  if (!middle) throw new Error('no ticket in the middle of the range');
  const rawFind = async () => {
    await tickets.findOne({ tenant: middle.tenant, ticketId: middle.ticketId }, { projection: { _id: 0 } });
  };
  const rawFindById = async () => {
    await tickets.findOne({ _id: middle._id });
  };
  const show = async () => {
    const r = await core.handle(invoke(`show ${middle.ticketId}`));
    if (r.error) throw new Error(r.text);
  };
  await measure(5, 1, show);
  const rawFindRun = await measure(LIST_RUNS, 1, rawFind);
  rows.push({ figure: 'raw findOne by (tenant, ticketId)', run: rawFindRun });
  rows.push({ figure: 'raw findOne by _id (contrast)', run: await measure(LIST_RUNS, 1, rawFindById) });
  rows.push({ figure: `/ticket show ${middle.ticketId}`, run: await measure(LIST_RUNS, 1, show), floor: rawFindRun });

  const trips = await roundTrips(connection, core, [
    ['/ticket new', open],
    ['/ticket list', list],
    ['/ticket show', show],
    ['/help', help],
  ]);
  await core.settled();

  return [
    `core (${backend}; one tenant, a requester; floors are the driver alone on the same connection)`,
    ...figureTable(rows, { unit: 'ops/s', floor: 'raw' }),
    `  db round trips per command: ${trips.map(([what, k]) => `${what} ${k.toFixed(1)}`).join(', ')}`,
  ];
}

/** Runs `op` `count` times with `concurrency` in flight; failures are counted, not thrown. */
async function measure(count: number, concurrency: number, op: () => Promise<void>): Promise<Summary> {
  const latencies: number[] = [];
  let next = 0;
  let failed = 0;
  let firstError: unknown;
  const worker = async () => {
    while (next < count) {
      next++;
      const t0 = performance.now();
      try {
        await op();
      } catch (err) {
        failed++;
        firstError ??= err;
      }
      latencies.push(performance.now() - t0);
    }
  };
  const started = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  const seconds = (performance.now() - started) / 1000;
  if (firstError) process.stderr.write(`bench: ${failed}/${count} failed, first: ${(firstError as Error).message}\n`);
  return summarize({ ops: count, failed, seconds, latencies });
}

/** Database operations mongoose issues per command, counted over a few sequential runs. */
async function roundTrips(
  connection: mongoose.Connection,
  core: Bot,
  ops: Array<[string, () => Promise<void>]>,
): Promise<Array<[string, number]>> {
  const out: Array<[string, number]> = [];
  for (const [what, op] of ops) {
    await core.settled();
    let count = 0;
    connection.set('debug', () => {
      count++;
    });
    try {
      for (let i = 0; i < ROUND_TRIP_SAMPLE; i++) await op();
    } finally {
      connection.set('debug', false);
    }
    out.push([what, count / ROUND_TRIP_SAMPLE]);
  }
  return out;
}
