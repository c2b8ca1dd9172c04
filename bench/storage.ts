// Storage as history grows: each ticket command with 50 open tickets over 1,000 / 10,000 / 50,000 closed ones.
import type mongoose from 'mongoose';
import type { Actor, Invocation, Origin } from '../src/core/invocation.ts';
import { TicketNumbers } from '../src/store/ticketNumbers.ts';
import { archiveName, HOT, pageId, pagesName } from '../src/store/ticketSchema.ts';
import { type BenchDatabase, startBenchBot } from './benchBot.ts';
import { medianMs } from './stats.ts';

const SIZES = (process.env.BENCH_STORAGE_SIZES ?? '1000,10000,50000').split(',').map(Number);
const OPEN = 50;
const RUNS = 20;
const SEED_BATCH = 1000;

type Timed = Record<string, number>;

export async function benchStorage(db: BenchDatabase): Promise<string[]> {
  const results: Array<[number, Timed]> = [];
  for (const size of SIZES) results.push([size, await atSize(db, size)]);
  const names = Object.keys(results[0]?.[1] ?? {});
  const head = `  ${'median ms'.padEnd(34)}${results.map(([n]) => `${n} closed`.padStart(14)).join('')}   largest/smallest`;
  const lines = [head];
  for (const name of names) {
    const row = results.map(([, t]) => t[name] as number);
    const ratio = (row.at(-1) as number) / (row[0] as number);
    lines.push(`  ${name.padEnd(34)}${row.map((v) => v.toFixed(1).padStart(14)).join('')}   ${ratio.toFixed(2)}x`);
  }
  lines.push(
    `  (${OPEN} open tickets at every size; ${RUNS} runs each; the raw updateOne is the driver on a collection of that size)`,
  );
  return lines;
}

async function atSize(db: BenchDatabase, size: number): Promise<Timed> {
  const bot = await startBenchBot(db, `storage${size}`, { SWITCHBOARD_ADMINS: 'console:bench-admin' });
  try {
    const actor: Actor = { id: 'console:bench-admin', platform: 'console', displayName: 'bench admin' };
    const origin: Origin = { platform: 'console', workspace: 'bench', channel: 'general' };
    const run = async (text: string) => {
      const inv: Invocation = { actor, origin, command: 'ticket', text };
      const r = await bot.core.handle(inv);
      if (r.error) throw new Error(`${text}: ${r.text}`);
      return r;
    };
    const first = await run('new "Seed shape" --service print');
    const tenant = first.card?.tenant as string;
    await seedHistory(bot.connection, tenant, size);
    const open: string[] = [];
    for (let i = 0; i < OPEN; i++) open.push((await run(`new "Open ${i}" --service print`)).card?.ticketId as string);
    const t: Timed = {};
    t['/ticket new'] = await medianMs(RUNS, () => run('new "Measured" --service print'));
    let a = 0;
    t['/ticket assign'] = await medianMs(RUNS, () => run(`assign ${open[a++]} me`));
    let r = 0;
    t['/ticket resolve'] = await medianMs(RUNS, () => run(`resolve ${open[r++]} fixed`));
    t['/ticket show (open)'] = await medianMs(RUNS, () => run(`show ${open[OPEN - 1]}`));
    t['/ticket show (closed, archived)'] = await medianMs(RUNS, () => run(`show INC-${Math.ceil(size / 2)}`));
    t['/ticket list'] = await medianMs(RUNS, () => run('list'));
    t['autocomplete'] = await medianMs(RUNS, () => bot.core.suggestTickets('console', 'bench', 'INC', actor));
    t['raw updateOne({_id}), same size'] = await rawUpdate(bot.connection, size);
    return t;
  } finally {
    await bot.close();
  }
}

/** Closed tickets numbered 2..size+1, each with one history page, inserted with insertMany like a migration. */
async function seedHistory(connection: mongoose.Connection, tenant: string, size: number): Promise<void> {
  const sample = await connection.collection(HOT).findOne({});
  if (!sample) throw new Error('the first /ticket new stored nothing');
  const { _id, pages: _pages, ...shape } = sample;
  const byName = new Map<string, unknown[]>();
  const flush = async () => {
    for (const [name, docs] of byName)
      await connection.collection(name).insertMany(docs as never[], { ordered: false });
    byName.clear();
  };
  for (let n = 2; n <= size + 1; n++) {
    const key = `${tenant}/INC-${n}`;
    const at = new Date(shape.openedAt.getTime() - (size - n) * 60_000);
    const closed = {
      ...shape,
      _id: key,
      number: n,
      ticketId: `INC-${n}`,
      title: `History ${n}`,
      state: 'closed',
      openedAt: at,
      closedAt: at,
      pages: ['0.seed'],
    };
    const page = {
      _id: pageId(key, '0.seed'),
      history: [{ at, actor: shape.requester, platform: 'console', action: 'opened', to: 'new' }],
      comments: [],
    };
    byName.set(archiveName(n), [...(byName.get(archiveName(n)) ?? []), closed]);
    byName.set(pagesName(n), [...(byName.get(pagesName(n)) ?? []), page]);
    if (n % SEED_BATCH === 0) await flush();
  }
  await flush();
  await new TicketNumbers(connection).raise(tenant, 'incident', size + 1);
}

/** The floor that grows on FerretDB: one document updated by _id in a collection of `size` ticket-sized ones. */
async function rawUpdate(connection: mongoose.Connection, size: number): Promise<number> {
  const sample = await connection.collection(HOT).findOne({}, { projection: { _id: 0 } });
  const scratch = connection.collection(`bench_raw_update_${size}`);
  for (let i = 0; i < size; i += SEED_BATCH) {
    const docs = Array.from({ length: Math.min(SEED_BATCH, size - i) }, (_, k) => ({ ...sample, _id: `d${i + k}` }));
    await scratch.insertMany(docs as never[]);
  }
  let v = 0;
  return medianMs(RUNS, () =>
    scratch.updateOne({ _id: `d${Math.floor(size / 2)}` as never }, { $set: { version: v++ } }),
  );
}
