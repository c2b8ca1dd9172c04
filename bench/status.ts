// /status as history grows: 500 open tickets over 1,000 / 10,000 / 50,000 closed ones (100 closed a day, so a
// longer history is older, as it is in life), beside a raw countDocuments that scans what it counts.
import type mongoose from 'mongoose';
import type { Actor, Invocation, Origin } from '../src/core/invocation.ts';
import { RollupRepository } from '../src/store/rollupStore.ts';
import { TicketNumbers } from '../src/store/ticketNumbers.ts';
import { archiveName, HOT, pageId, pagesName } from '../src/store/ticketSchema.ts';
import { type BenchDatabase, startBenchBot } from './benchBot.ts';
import { bySizeTable, medianMs } from './stats.ts';

const SIZES = (process.env.BENCH_STATUS_SIZES ?? '1000,10000,50000').split(',').map(Number);
const OPEN = Number(process.env.BENCH_STATUS_OPEN ?? 500);
const PER_DAY = 100;
const RUNS = 10;
const DAY = 86_400_000;

type Timed = Record<string, number>;

export async function benchStatus(db: BenchDatabase): Promise<string[]> {
  const results: Array<[number, Timed]> = [];
  for (const size of SIZES) results.push([size, await atSize(db, size)]);
  const lines = bySizeTable(results);
  lines.push(
    `  (${OPEN} open tickets at every size; closed history ${PER_DAY} a day going back; ${RUNS} runs each; the raw count is the driver on a collection of that many tickets)`,
  );
  return lines;
}

async function atSize(db: BenchDatabase, size: number): Promise<Timed> {
  const bot = await startBenchBot(db, `status${size}`, { SWITCHBOARD_ADMINS: 'console:bench-admin' });
  try {
    const actor: Actor = { id: 'console:bench-admin', platform: 'console', displayName: 'bench admin' };
    const origin: Origin = { platform: 'console', workspace: 'bench', channel: 'general' };
    const run = async (command: string, text: string) => {
      const inv: Invocation = { actor, origin, command, text };
      const r = await bot.core.handle(inv);
      if (r.error) throw new Error(`/${command} ${text}: ${r.text}`);
      return r;
    };
    const first = await run('ticket', 'new "Seed shape" --service print');
    const tenant = first.card?.tenant as string;
    await seedHistory(bot.connection, tenant, size);
    for (let i = 0; i < OPEN; i++) await run('ticket', `new "Open ${i}" --service ${i % 2 ? 'print' : 'mail'}`);
    const t: Timed = {};
    t['/status week'] = await medianMs(RUNS, () => run('status', 'week'));
    t['/status month'] = await medianMs(RUNS, () => run('status', 'month'));
    t['raw countDocuments({tenant, state})'] = await rawCount(bot.connection, tenant, size);
    return t;
  } finally {
    await bot.close();
  }
}

/**
 * Closed tickets numbered 2..size+1 in the archives (one history page each), `PER_DAY` a day back from now, and
 * their rollup facts (opened, responded, resolved) in the day collections, as the change feed would have
 * written them: inserted in bulk, as a migration would.
 */
export async function seedHistory(
  connection: mongoose.Connection,
  tenant: string,
  size: number,
  /** The newest closed ticket's day (default now); bench/services.ts puts the history before the periods it reads. */
  endAt = Date.now(),
  /**
   * Write the facts straight into day documents, as a fold leaves them (bench/services.ts: folding 150,000 facts
   * in one go outlasts the driver's timeout on the embedded FerretDB); default: as facts, then folded.
   */
  asDays = false,
): Promise<void> {
  const days = new Map<string, Record<string, unknown>[]>();
  const sample = await connection.collection(HOT).findOne({});
  if (!sample) throw new Error('the first /ticket new stored nothing');
  const { _id, pages: _pages, ...shape } = sample;
  const byName = new Map<string, unknown[]>();
  const put = (name: string, doc: unknown) => byName.set(name, [...(byName.get(name) ?? []), doc]);
  const flush = async () => {
    for (const [name, docs] of byName) {
      await connection.collection(name).insertMany(docs as never[], { ordered: false });
    }
    byName.clear();
  };
  const now = endAt;
  for (let n = 2; n <= size + 1; n++) {
    const key = `${tenant}/INC-${n}`;
    const at = new Date(now - Math.ceil((size + 2 - n) / PER_DAY) * DAY - ((n * 7919) % DAY));
    const responded = new Date(at.getTime() + 10 * 60_000);
    const resolved = new Date(at.getTime() + 2 * 3_600_000);
    put(archiveName(n), {
      ...shape,
      _id: key,
      number: n,
      ticketId: `INC-${n}`,
      title: `History ${n}`,
      state: 'closed',
      openedAt: at,
      resolvedAt: resolved,
      closedAt: resolved,
      pages: ['0.seed'],
    });
    put(pagesName(n), {
      _id: pageId(key, '0.seed'),
      history: [{ at, actor: shape.requester, platform: 'console', action: 'opened', to: 'new' }],
      comments: [],
    });
    const fact = (kind: string, when: Date, extra: Record<string, unknown> = {}) => {
      const day = when.toISOString().slice(0, 10);
      if (asDays) {
        const f = {
          id: `${tenant}/${day}/INC-${n}/${kind}`,
          tenant,
          ticketId: `INC-${n}`,
          type: 'incident',
          kind,
          at: when,
          priority: 'P3',
          service: n % 2 ? 'print' : 'mail',
          team: null,
          ...extra,
        };
        days.set(day, [...(days.get(day) ?? []), f]);
        return;
      }
      put('rollup_facts', {
        _id: `${tenant}/${day}/INC-${n}/${kind}`,
        day,
        expireAt: new Date(Date.now() + 35 * DAY),
        tenant,
        ticketId: `INC-${n}`,
        type: 'incident',
        kind,
        at: when,
        priority: 'P3',
        service: n % 2 ? 'print' : 'mail',
        team: null,
        ...extra,
      });
    };
    fact('opened', at);
    fact('responded', responded, { ms: 10 * 60_000, met: true });
    fact('resolved', resolved, { ms: 2 * 3_600_000, met: n % 5 !== 0 });
    if (n % 1000 === 0) await flush();
  }
  await flush();
  if (asDays) {
    const docs = [...days].map(([day, facts]) => ({ _id: `${tenant}/${day}#0`, facts }));
    for (let i = 0; i < docs.length; i += 50) {
      await connection.collection('rollups').insertMany(docs.slice(i, i + 50) as never[], { ordered: false });
    }
  }
  // As the nightly maintenance leaves them: past days folded into their day documents and the recent window.
  const rollups = new RollupRepository(connection);
  if (asDays) await rollups.windowFromDays(tenant);
  await rollups.fold(new Date(Date.now()));
  await new TicketNumbers(connection).raise(tenant, 'incident', size + 1);
}

/** The query that grows with history on FerretDB: a count over `size` ticket-sized documents. */
export async function rawCount(connection: mongoose.Connection, tenant: string, size: number): Promise<number> {
  const sample = await connection.collection(HOT).findOne({}, { projection: { _id: 0 } });
  const scratch = connection.collection(`bench_raw_count_${size}`);
  for (let i = 0; i < size; i += 1000) {
    const docs = Array.from({ length: Math.min(1000, size - i) }, (_, k) => ({
      ...sample,
      _id: `d${i + k}`,
      tenant,
      state: 'closed',
    }));
    await scratch.insertMany(docs as never[]);
  }
  // At the largest sizes one count can outlast the driver's 10 s timeout: that is the figure, not a failure.
  try {
    return await medianMs(RUNS, () => scratch.countDocuments({ tenant, state: 'closed' }));
  } catch (err) {
    if ((err as Error).name !== 'MongoNetworkTimeoutError') throw err;
    return Number.POSITIVE_INFINITY;
  }
}
