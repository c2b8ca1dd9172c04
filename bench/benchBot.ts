// What the bench sections run on: one database server for the whole run, and the real bot core on a fresh database.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type mongoose from 'mongoose';
import pino from 'pino';
import { type Config, loadConfig } from '../config/index.ts';
import '../test/support/housePlatforms.ts';
import { createSwitchboard } from '../src/app.ts';
import type { Bot } from '../src/core/createBot.ts';
import type { Services } from '../src/services/compose.ts';
import { openDatabase } from '../src/store/connection.ts';
import { startEmbeddedServer } from '../src/store/embedded.ts';

const log = pino({ level: 'silent' });

export interface BenchDatabase {
  uri: string;
  /** what the figures were measured against, for a section's heading */
  backend: string;
  /** The embedded server's process (its CPU time is read from /proc); unset for MONGODB_URI. */
  serverPid?: () => number | undefined;
}

/** MONGODB_URI when it is set, else an embedded server (and its files) that lasts exactly as long as `run`. */
export async function withBenchDatabase<T>(run: (db: BenchDatabase) => Promise<T>): Promise<T> {
  const external = process.env.MONGODB_URI?.trim();
  if (external) return run({ uri: external, backend: 'MONGODB_URI' });
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-bench-db-'));
  try {
    const server = await startEmbeddedServer({ dataDir, log });
    try {
      return await run({ uri: server.uri, backend: `embedded ${server.kind}`, serverPid: () => server.serverPid() });
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export interface BenchBot {
  core: Bot;
  config: Config;
  /** the bot's own connection, for floors that go through the driver alone */
  connection: mongoose.Connection;
  /** the use cases the core was built on (the outbox bench drives the outbox directly) */
  services: Services;
  /** waits for the core's deliveries, then drops the database */
  close(): Promise<void>;
}

/** The real bot core, configured from `env`, on a database of its own (`bench_<section>_<random>`) on `db`. */
export async function startBenchBot(
  db: BenchDatabase,
  section: string,
  env: Record<string, string>,
  opts: { monitorCommands?: boolean } = {},
): Promise<BenchBot> {
  const config = loadConfig(env);
  const dbName = `bench_${section}_${randomBytes(6).toString('hex')}`;
  const { connection, close } = await openDatabase({
    uri: db.uri,
    dataDir: tmpdir(),
    dbName,
    timeoutMs: 10_000,
    log,
    ...opts,
  });
  try {
    // The house as the bot builds it, delivering; no background part runs (the job engine's walk and the timers'
    // rounds would land in the figures of the commands measured).
    const house = await createSwitchboard({
      config,
      connection,
      log,
      now: () => new Date(),
      progress: () => {},
      pollMs: 50,
      background: { jobEngine: false, reviewTasks: false, pageAuditor: false, maintenance: false },
    });
    await house.start();
    const { core, services } = house;
    return {
      core,
      config,
      connection,
      services,
      async close() {
        try {
          await house.stop({ settle: true });
          await connection.dropDatabase().catch(() => {});
        } finally {
          await close();
        }
      },
    };
  } catch (err) {
    await connection.dropDatabase().catch(() => {});
    await close();
    throw err;
  }
}
