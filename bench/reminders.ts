// Reminders benchmark: one-shot reminders due in one minute, run by two bot processes (two connections, each with
// its services, job engine and outbox) on one database and delivered by DM: each exactly once, and how late.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { loadConfig } from '../config/index.ts';
import { createSwitchboard } from '../src/app.ts';
import type { PlatformSender } from '../src/present/sender.ts';
import { reminderJob } from '../src/services/reminders.ts';
import { openDatabase } from '../src/store/connection.ts';
import { type PendingReminder, ReminderRepository } from '../src/store/reminderStore.ts';
import type { BenchDatabase } from './benchBot.ts';
import { startRemoteFake } from './slack.ts';
import { cpuSeconds, percentile } from './stats.ts';

const log = pino({ level: process.env.BENCH_LOG ?? 'silent' });
/** The issue's figure; BENCH_REMINDERS lowers it. */
const COUNT = Number(process.env.BENCH_REMINDERS ?? 10_000);
/** People they are spread over (each a DM lane of the outbox). */
const PEOPLE = Number(process.env.BENCH_REMINDERS_PEOPLE ?? 50);
const BUDGET_MS = Number(process.env.BENCH_REMINDERS_BUDGET_MS ?? 900_000);
const DUE = new Date('2030-01-07T09:00:00Z');
/**
 * BENCH_REMINDERS_COMMANDS=1: prints the database commands the two processes sent once the engines started (the
 * burst's run, not its seeding), by collection, with the rows each wrote (inserted, updated or deleted) and their time.
 */
const COUNT_COMMANDS = process.env.BENCH_REMINDERS_COMMANDS === '1';
const commands = new Map<string, { n: number; rows: number; ms: number }>();
const names = new Map<number, string>();
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
/** BENCH_REMINDERS_FLOOR=0 leaves the floor out. */
const FLOOR = process.env.BENCH_REMINDERS_FLOOR !== '0';

/**
 * The floor, in the same run: the same number of DMs to the same number of people, straight from Web API clients in
 * two processes of their own (bench/remindersFloorProcess.ts) to the fake Slack in a third, all due at one instant.
 * A bot with no work of its own would deliver no faster: its lateness is the DMs' answer times after that instant.
 */
async function floor(): Promise<{ sorted: number[]; failed: number }> {
  const fake = await startRemoteFake();
  try {
    const children = [0, 1].map((p) => {
      const people = Array.from({ length: PEOPLE }, (_, i) => `UFLOOR${i}`).filter((_, i) => i % 2 === p);
      const count = Math.floor(COUNT / 2) + (p === 0 ? COUNT % 2 : 0);
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', fileURLToPath(new URL('./remindersFloorProcess.ts', import.meta.url))],
        {
          cwd: fileURLToPath(new URL('..', import.meta.url)),
          stdio: ['pipe', 'pipe', 'inherit'],
          env: { ...process.env, BENCH_FLOOR: JSON.stringify({ apiUrl: fake.apiUrl, people, count }) },
        },
      );
      const lines: string[] = [];
      const waiting: Array<() => void> = [];
      createInterface({ input: child.stdout }).on('line', (line) => {
        lines.push(line);
        for (const w of waiting.splice(0)) w();
      });
      const line = (n: number) =>
        new Promise<string>((resolve, reject) => {
          const look = () => (lines.length > n ? resolve(lines[n] as string) : waiting.push(look));
          child.once('close', (code) => reject(new Error(`the floor process exited (${code}) early`)));
          look();
        });
      return { child, line };
    });
    // Both loaded before the instant they start at: their start-up is not in the figures.
    await Promise.all(children.map((c) => c.line(0)));
    const startAt = Date.now() + 500;
    for (const c of children) c.child.stdin.write(`${startAt}\n`);
    const runs = children.map(async (c) => JSON.parse(await c.line(1)) as { answered: number[]; failed: number });
    const done = await Promise.all(runs);
    return {
      sorted: done.flatMap((d) => d.answered).sort((x, y) => x - y),
      failed: done.reduce((n, d) => n + d.failed, 0),
    };
  } finally {
    await fake.close();
  }
}

/** The reminder `/ticket remind` would have written (ReminderService.remind), due at DUE. */
function reminderOf(n: number, personId: string, identity: string): PendingReminder {
  const reminderId = `RM-${n.toString(36).toUpperCase().padStart(5, '0')}`;
  const tenant = 'console:local';
  return {
    tenant,
    reminderId,
    personId,
    personName: identity,
    by: identity,
    ticketId: `INC-${1 + (n % 500)}`,
    note: `n${n}`,
    timezone: 'UTC',
    dueAt: DUE,
    jobId: `remind:${tenant}/${reminderId}#0`,
    jobDueAt: DUE,
    held: false,
    moves: 0,
    createdAt: new Date(DUE.getTime() - 3_600_000),
  };
}

export async function benchReminders(db: BenchDatabase): Promise<string[]> {
  const dbName = `bench_reminders_${randomBytes(6).toString('hex')}`;
  // Real time shifted so the burst falls due 3 s after the engines start: lateness is real time.
  let shift = 0;
  const now = () => new Date(Date.now() + shift);
  const delivered = new Map<string, number>();
  const lateness: number[] = [];
  const sender: PlatformSender = {
    platform: 'console',
    post: async () => ({ messageId: 'm', channel: 'console' }),
    edit: async () => ({ messageId: 'm', channel: 'console' }),
    dm: async (user, reply) => {
      lateness.push(now().getTime() - DUE.getTime());
      delivered.set(reply.text, (delivered.get(reply.text) ?? 0) + 1);
      return { messageId: `dm-${delivered.size}`, channel: `DM-${user}` };
    },
  };
  const base = FLOOR ? await floor() : null;
  const config = loadConfig({});
  const processes = [];
  for (let p = 0; p < 2; p++) {
    const handle = await openDatabase({
      uri: db.uri,
      dbName,
      dataDir: tmpdir(),
      timeoutMs: 10_000,
      log,
      monitorCommands: COUNT_COMMANDS,
    });
    if (COUNT_COMMANDS) {
      handle.connection.getClient().on('commandSucceeded', (e) => {
        const k = names.get(e.requestId) ?? e.commandName;
        names.delete(e.requestId);
        const t = commands.get(k) ?? { n: 0, rows: 0, ms: 0 };
        t.n++;
        t.ms += e.duration;
        // What the server says it wrote: `n` for inserts and deletes, `nModified` for updates.
        if (/^(insert|update|delete) /.test(k)) {
          const reply = e.reply as { n?: number; nModified?: number };
          t.rows += Number(reply.nModified ?? reply.n ?? 0);
        }
        commands.set(k, t);
      });
      handle.connection.getClient().on('commandStarted', (e) => {
        const target = e.command[e.commandName];
        names.set(e.requestId, typeof target === 'string' ? `${e.commandName} ${target}` : e.commandName);
      });
    }
    // A bot process as main.ts builds it, on the shifted clock; started once the burst is filed. Its timers (review
    // tasks, page auditor, maintenance) stay off: they run on the wall clock and are not what is measured.
    const house = await createSwitchboard({
      config,
      connection: handle.connection,
      log,
      now,
      progress: () => {},
      background: { reviewTasks: false, pageAuditor: false, maintenance: false },
    });
    house.core.registerSender(sender);
    processes.push({ handle, house, services: house.services });
  }
  const [a] = processes;
  if (!a) return [];
  try {
    const people: string[] = [];
    for (let i = 0; i < PEOPLE; i++)
      people.push((await a.services.people.personFor('console:local', `console:p${i}`, new Date())).id);
    // Seeded as `/ticket remind` writes them (ReminderService.remind): the reminder `/ticket remind list` and cancel
    // read, and its job carrying the reminder's id, so each run reads and removes its reminder as in production.
    const pending = new ReminderRepository(a.handle.connection);
    const t0 = performance.now();
    for (let i = 0; i < COUNT; i += 100) {
      await Promise.all(
        Array.from({ length: Math.min(100, COUNT - i) }, (_, k) => {
          const n = i + k;
          const who = n % PEOPLE;
          return pending.add(reminderOf(n, people[who] as string, `console:p${who}`));
        }),
      );
    }
    for (let i = 0; i < COUNT; i++) {
      const r = reminderOf(i, people[i % PEOPLE] as string, `console:p${i % PEOPLE}`);
      await a.services.jobs.add(reminderJob(r, r.jobId, DUE, r.createdAt));
    }
    const addS = (performance.now() - t0) / 1000;
    shift = DUE.getTime() - 3000 - Date.now();
    commands.clear();
    const cpu0 = { bots: cpuSeconds(process.pid), db: cpuSeconds(db.serverPid?.()) };
    for (const p of processes) await p.house.start();
    const deadline = performance.now() + 3000 + BUDGET_MS;
    while (performance.now() < deadline && delivered.size < COUNT) await sleep(500);
    // Time for a second delivery of anything to show itself.
    await sleep(3000);
    const cpu = { bots: cpuSeconds(process.pid) - cpu0.bots, db: cpuSeconds(db.serverPid?.()) - cpu0.db };
    const twice = [...delivered.values()].filter((n) => n > 1).length;
    const sorted = [...lateness].sort((x, y) => x - y);
    const last = sorted.at(-1) ?? Number.NaN;
    const tally = [...commands].sort((x, y) => y[1].ms - x[1].ms).slice(0, 25);
    const all = [...commands.values()].reduce((sum, t) => ({ n: sum.n + t.n, rows: sum.rows + t.rows }), {
      n: 0,
      rows: 0,
    });
    return [
      ...tally.map(
        ([k, t]) =>
          `  command ${k}: ${t.n} (${(t.n / COUNT).toFixed(2)}/reminder), rows ${t.rows} ` +
          `(${(t.rows / COUNT).toFixed(2)}/reminder), ${(t.ms / 1000).toFixed(1)} s`,
      ),
      ...(COUNT_COMMANDS
        ? [
            `  all commands from the start: ${all.n} (${(all.n / COUNT).toFixed(2)}/reminder), rows written ${all.rows} ` +
              `(${(all.rows / COUNT).toFixed(2)}/reminder)`,
          ]
        : []),
      `  ${COUNT} one-shot reminders due at one instant, DMs to ${PEOPLE} people, two bot processes (job engine + outbox each)`,
      `  added in ${addS.toFixed(1)} s (${(COUNT / addS).toFixed(0)}/s)`,
      `  delivered ${delivered.size} of ${COUNT}, ${twice} more than once${delivered.size < COUNT ? ` — stopped after the ${s(BUDGET_MS)} budget` : ''}`,
      `  lateness, due → DM handed to the platform: first ${s(sorted[0] ?? Number.NaN)}, p50 ${s(percentile(sorted, 50))}, ` +
        `p99 ${s(percentile(sorted, 99))}, max ${s(last)} (${(delivered.size / (last / 1000)).toFixed(1)} DMs/s)`,
      `  CPU from the start to 3 s after the last DM: the bots' process ${cpu.bots.toFixed(1)} s ` +
        `(${((cpu.bots * 1000) / COUNT).toFixed(2)} ms a reminder), the database ${cpu.db.toFixed(1)} s ` +
        `(${((cpu.db * 1000) / COUNT).toFixed(2)} ms a reminder)`,
      ...(base
        ? [
            `  floor, the same DMs from Web API clients in two processes to the fake Slack (conversations.open + ` +
              `chat.postMessage, in order per person), all due at one instant: ${base.sorted.length} answered, ` +
              `${base.failed} failed; first ${s(base.sorted[0] ?? Number.NaN)}, p50 ${s(percentile(base.sorted, 50))}, ` +
              `p99 ${s(percentile(base.sorted, 99))}, max ${s(base.sorted.at(-1) ?? Number.NaN)} ` +
              `(${(base.sorted.length / ((base.sorted.at(-1) ?? Number.NaN) / 1000)).toFixed(1)} DMs/s)`,
          ]
        : []),
    ];
  } finally {
    for (const p of processes) await p.house.stop();
    await a.handle.connection.dropDatabase().catch(() => {});
    for (const p of processes) await p.handle.close();
  }
}
