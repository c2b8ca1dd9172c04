// Open work beside resolved tickets (issue 15, housekeeping): /ticket list, show, resolve and /status week with 50
// open tickets and 200 / 1,000 resolved ones waiting to be closed in the hot set, beside a raw read of the hot set.
import type mongoose from 'mongoose';
import type { Actor, Invocation, Origin } from '../src/core/invocation.ts';
import { TicketNumbers } from '../src/store/ticketNumbers.ts';
import { HOT } from '../src/store/ticketSchema.ts';
import { type BenchDatabase, startBenchBot } from './benchBot.ts';
import { bySizeTable, medianMs } from './stats.ts';

const SIZES = (process.env.BENCH_RESOLVED_SIZES ?? '200,1000').split(',').map(Number);
const OPEN = 50;
const RUNS = Number(process.env.BENCH_RESOLVED_RUNS ?? 15);
/** `BENCH_RESOLVED_COMMANDS=1`: prints the database commands of one list, resolve and /status week at each size, timed. */
const TRACE = process.env.BENCH_RESOLVED_COMMANDS === '1';

export async function benchResolved(db: BenchDatabase): Promise<string[]> {
  const results: Array<[number, Record<string, number>]> = [];
  for (const size of SIZES) results.push([size, await atSize(db, size)]);
  return [
    ...bySizeTable(results, 'resolved'),
    `  (${OPEN} open tickets at every size; ${RUNS} runs each; the raw find reads the whole hot set, as a scan does)`,
  ];
}

async function atSize(db: BenchDatabase, size: number): Promise<Record<string, number>> {
  const bot = await startBenchBot(
    db,
    `resolved${size}`,
    { SWITCHBOARD_ADMINS: 'console:bench-admin' },
    { monitorCommands: TRACE },
  );
  try {
    const actor: Actor = { id: 'console:bench-admin', platform: 'console', displayName: 'bench admin' };
    const origin: Origin = { platform: 'console', workspace: 'bench', channel: 'general' };
    const ask = async (command: string, text: string) => {
      const r = await bot.core.handle({ actor, origin, command, text } as Invocation);
      if (r.error) throw new Error(`/${command} ${text}: ${r.text}`);
      return r;
    };
    const first = await ask('ticket', 'new "Seed shape" --service print');
    const tenant = first.card?.tenant as string;
    await seedResolved(bot.connection, tenant, size);
    const open: string[] = [];
    for (let i = 0; i < OPEN; i++)
      open.push((await ask('ticket', `new "Open ${i}" --service print`)).card?.ticketId as string);
    await bot.core.settled();
    if (TRACE) {
      await traced(bot.connection, `list at ${size}`, () => ask('ticket', 'list'));
      const one = (await ask('ticket', 'new "Traced" --service print')).card?.ticketId as string;
      await bot.core.settled();
      await traced(bot.connection, `resolve at ${size}`, () => ask('ticket', `resolve ${one} fixed`));
      await traced(bot.connection, `/status week at ${size}`, () => ask('status', 'week'));
    }
    const t: Record<string, number> = {};
    t['/ticket list'] = await medianMs(RUNS, () => ask('ticket', 'list'));
    t['/ticket show (open)'] = await medianMs(RUNS, () => ask('ticket', `show ${open[OPEN - 1]}`));
    let r = 0;
    t['/ticket resolve'] = await medianMs(RUNS, () => ask('ticket', `resolve ${open[r++]} fixed`));
    t['/status week'] = await medianMs(RUNS, () => ask('status', 'week'));
    t['raw find() of the hot set (floor)'] = await medianMs(RUNS, () =>
      bot.connection.collection(HOT).find({}).toArray(),
    );
    return t;
  } finally {
    await bot.close();
  }
}

/** Resolved tickets numbered after the first, shaped like it, inserted with insertMany as a migration would. */
async function seedResolved(connection: mongoose.Connection, tenant: string, size: number): Promise<void> {
  const sample = await connection.collection(HOT).findOne({});
  if (!sample) throw new Error('the first /ticket new stored nothing');
  const { _id, ...shape } = sample;
  const docs = [];
  for (let n = 2; n <= size + 1; n++) {
    const at = new Date(shape.openedAt.getTime() - (size - n) * 60_000);
    docs.push({
      ...shape,
      _id: `${tenant}/INC-${n}`,
      number: n,
      ticketId: `INC-${n}`,
      title: `Resolved ${n}`,
      state: 'resolved',
      openedAt: at,
      resolvedAt: at,
    });
  }
  for (let i = 0; i < docs.length; i += 500)
    await connection.collection(HOT).insertMany(docs.slice(i, i + 500) as never[]);
  await new TicketNumbers(connection).raise(tenant, 'incident', size + 1);
}

/** Runs `work`, then prints each database command it sent (and what it set off until settled) with its time. */
async function traced(connection: mongoose.Connection, what: string, work: () => Promise<unknown>): Promise<void> {
  const client = connection.getClient();
  const started = new Map<number, string>();
  const lines: string[] = [];
  const onStart = (e: { requestId: number; commandName: string; command: Record<string, unknown> }) => {
    const target = e.command[e.commandName];
    started.set(e.requestId, typeof target === 'string' ? `${e.commandName} ${target}` : e.commandName);
  };
  const onEnd = (e: { requestId: number; duration: number }) => {
    const name = started.get(e.requestId);
    if (name) lines.push(`    ${e.duration.toFixed(1).padStart(8)} ms  ${name}`);
  };
  client.on('commandStarted', onStart);
  client.on('commandSucceeded', onEnd);
  client.on('commandFailed', onEnd);
  try {
    await work();
  } finally {
    client.off('commandStarted', onStart);
    client.off('commandSucceeded', onEnd);
    client.off('commandFailed', onEnd);
  }
  console.log(`  ${what}:\n${lines.join('\n')}`);
}
