// /status services month as history grows: the same catalog, open work and a month of P1/P2 outages over 1,000 and
// 50,000 closed tickets, beside /service list (the catalog in memory: the floor) and a raw countDocuments that
// scans what it counts (what a scan of the tickets would cost), measured in the same run.
import type { Actor, Invocation, Origin } from '../src/core/invocation.ts';
import { type BenchDatabase, startBenchBot } from './benchBot.ts';
import { bySizeTable, medianMs } from './stats.ts';
import { rawCount, seedHistory } from './status.ts';

const SIZES = (process.env.BENCH_SERVICES_SIZES ?? '1000,50000').split(',').map(Number);
const OPEN = 100;
const RUNS = 10;
const DAY = 86_400_000;

type Timed = Record<string, number>;

export async function benchServices(db: BenchDatabase): Promise<string[]> {
  const results: Array<[number, Timed]> = [];
  for (const size of SIZES) results.push([size, await atSize(db, size)]);
  const lines = bySizeTable(results);
  lines.push(
    `  (4 services, one depending on another; ${OPEN} open tickets and 8 P1/P2 incidents this month at every size; closed history 100 a day going back from 62 days ago; ${RUNS} runs each)`,
  );
  return lines;
}

async function atSize(db: BenchDatabase, size: number): Promise<Timed> {
  const bot = await startBenchBot(db, `services${size}`, { SWITCHBOARD_ADMINS: 'console:bench-admin' });
  try {
    const actor: Actor = { id: 'console:bench-admin', platform: 'console', displayName: 'bench admin' };
    const origin: Origin = { platform: 'console', workspace: 'bench', channel: 'general' };
    const run = async (command: string, text: string) => {
      const r = await bot.core.handle({ actor, origin, command, text } satisfies Invocation);
      if (r.error) throw new Error(`/${command} ${text}: ${r.text}`);
      return r;
    };
    const first = await run('ticket', 'new "Seed shape" --service print');
    const tenant = first.card?.tenant as string;
    // The history ends before the month and the month before it: what /status services month reads is the same
    // at every size (the live work below), and only the history behind it grows.
    await seedHistory(bot.connection, tenant, size, Date.now() - 62 * DAY, true);
    await run('team', 'create ops');
    await run('service', 'add core-db --team ops --owner @bench-admin --targets "availability=99.9%"');
    await run('service', 'add print --team ops --owner @bench-admin --targets "availability=99.5%,P1=15m/4h"');
    await run('service', 'add mail --team ops --owner @bench-admin --targets "availability=99%" --depends-on core-db');
    await run('service', 'add wiki --team ops --owner @bench-admin');
    for (let i = 0; i < OPEN; i++) await run('ticket', `new "Open ${i}" --service ${i % 2 ? 'print' : 'mail'}`);
    for (let i = 0; i < 8; i++) {
      const service = ['core-db', 'print', 'mail', 'wiki'][i % 4];
      const r = await run(
        'ticket',
        `new "Down ${i}" --priority P${1 + (i % 2)} --service ${service} --affects dependants`,
      );
      await run('ticket', `resolve ${/INC-\d+/.exec(r.text)?.[0]} "fixed"`);
    }
    await bot.core.settled();
    const t: Timed = {};
    t['/service list (floor)'] = await medianMs(RUNS, () => run('service', 'list'));
    t['/status services month'] = await medianMs(RUNS, () => run('status', 'services month'));
    t['raw countDocuments({tenant, state})'] = await rawCount(bot.connection, tenant, size);
    return t;
  } finally {
    await bot.close();
  }
}
