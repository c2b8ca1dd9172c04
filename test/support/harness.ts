// The whole bot core on a private database of the real server: what integration and e2e tests drive.
import pino, { type Logger } from 'pino';
import { type Config, loadConfig } from '../../config/index.ts';
import { createSwitchboard } from '../../src/app.ts';
import type { BotCore } from '../../src/core/bot.ts';
import type { Bot } from '../../src/core/createBot.ts';
import type { Actor, Invocation, Origin } from '../../src/core/invocation.ts';
import type { PipelineObserver } from '../../src/core/observer.ts';
import type { Platform } from '../../src/domain/platform.ts';
import type { Reply } from '../../src/present/reply.ts';
import type { JobEngine } from '../../src/scheduler/jobs.ts';
import type { Acting } from '../../src/services/acting.ts';
import type { ServiceOptions, Services } from '../../src/services/compose.ts';
import { type DatabaseHandle, openDatabase } from '../../src/store/connection.ts';
import { type TestDatabase, testDatabase } from './db.ts';

export interface TestBot {
  /** The house's core; its `settled()` waits for the jobs a command left to run after its reply too (`settledHouse`). */
  core: Bot;
  config: Config;
  db: TestDatabase;
  /** The clock the bot runs on: what a second process on the same data shares. */
  now: () => Date;
  /** The job engine (reminders), on the same clock. */
  jobs: JobEngine;
  /** The repositories and services under the bot (tests read the job store through them). */
  services: Services;
  close(): Promise<void>;
}

/**
 * The clock a test bot runs on unless a test gives its own: noon UTC on a fixed weekday, moving on with real
 * elapsed time, so no test depends on the hour (or the day) the suite happens to run at.
 */
export function testClock(start = '2026-03-10T12:00:00Z'): () => Date {
  const origin = Date.parse(start);
  const began = performance.now();
  return () => new Date(origin + Math.round(performance.now() - began));
}

/**
 * The house as main.ts builds it (createSwitchboard), on the test's clock. Three background parts stay off: each
 * fires on the wall clock or a real-time interval, which a test's injected clock does not move, so a test could see
 * the hour it runs at, or a round land in the middle of what it checks. Reviews' node-cron tasks (the job engine runs
 * reviews on the injected clock, as it does after downtime; test/integration/cronTasks.test.ts runs the tasks), the
 * page auditor's minute (paging.test.ts calls `audit` at the instants it checks) and the nightly maintenance
 * (maintenance.test.ts runs its rounds).
 */
const TEST_BACKGROUND = { reviewTasks: false, pageAuditor: false, maintenance: false } as const;

export async function startTestBot(
  opts: {
    env?: Record<string, string>;
    now?: () => Date;
    /** Hears every invocation as it finishes (the pipeline's `finish`). */
    onCommand?: NonNullable<PipelineObserver['finish']>;
    /** Hears every event of the pipeline (run, denied, success, error, finish); with onCommand, this one hears finish. */
    observer?: PipelineObserver;
    /** The log the services write to (default: silent, or TEST_LOG_LEVEL). */
    log?: Logger;
    /** Service options a test varies (e.g. a chart renderer that fails). */
    services?: Pick<ServiceOptions, 'renderChart'>;
    /** A database the test seeded itself (and closes itself): the bot starts on what is there. */
    database?: TestDatabase;
    /** Start-up progress lines (the storage migration). */
    progress?: (line: string) => void;
    /** Times what the process keeps (people, teams): default real elapsed time; a test moves its own. */
    cacheClock?: () => number;
  } = {},
): Promise<TestBot> {
  const config = loadConfig({
    SWITCHBOARD_ADMINS: 'console:root,slack:UADMIN,discord:100000000000000001',
    ...opts.env,
  });
  const db = opts.database ?? (await testDatabase());
  const now = opts.now ?? testClock();
  const log = opts.log ?? pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const house = await createSwitchboard({
    config,
    connection: db.connection,
    log,
    now,
    ...(opts.services?.renderChart ? { renderChart: opts.services.renderChart } : {}),
    progress: opts.progress ?? (() => {}),
    ...(opts.observer || opts.onCommand
      ? { hooks: { pipeline: opts.observer ?? { finish: opts.onCommand as NonNullable<PipelineObserver['finish']> } } }
      : {}),
    pollMs: 50,
    background: TEST_BACKGROUND,
    ...(opts.cacheClock ? { cacheClock: opts.cacheClock } : {}),
  });
  await house.start();
  const { services } = house;
  const jobs = house.jobs as JobEngine;
  const core = settledHouse(house.core, jobs);
  return {
    core,
    config,
    db,
    now,
    jobs,
    services,
    async close() {
      await house.stop({ settle: true });
      if (!opts.database) await db.close();
    },
  };
}

/**
 * What "settled" means in a test: no ticket-change work pending, no job this process filed due already (the work a
 * command leaves to the job engine right after its reply: a page's start or teardown, a PIR's opening, a CSAT ask) and
 * no job due now waiting or running here, and the outbox drained. Repeated until a pass finds nothing new: a job may
 * post to the outbox or change a ticket (whose listeners may file another job). Production's `core.settled()` (the
 * outbox and change notifications: what shutdown waits for) is unchanged; the engine's part is `JobEngine.settled()`,
 * which costs nothing when the engine is quiet, returns at once when it is stopped (a test holding it), and never
 * waits on another process's jobs. Jobs that a moved clock made due are still `jobs.drained()`'s.
 */
export function settledHouse(core: Bot, jobs: JobEngine | undefined): Bot {
  const coreSettled = core.settled.bind(core);
  return {
    ...core,
    async settled() {
      for (let pass = 0; pass < 100; pass++) {
        await coreSettled();
        if (!(await jobs?.settled())) return;
      }
    },
  };
}

/** A second bot core on the same database over its own connection: another process, as far as the data knows. */
export async function anotherProcess(
  bot: TestBot,
  opts: { now?: () => Date; timeoutMs?: number; cacheClock?: () => number } = {},
): Promise<{ core: Bot; handle: DatabaseHandle; jobs: JobEngine; services: Services; close(): Promise<void> }> {
  const log = pino({ level: 'silent' });
  const handle = await openDatabase({
    uri: bot.db.uri,
    dbName: bot.db.dbName,
    dataDir: '.data',
    timeoutMs: opts.timeoutMs ?? 10_000,
    log,
  });
  const house = await createSwitchboard({
    config: bot.config,
    connection: handle.connection,
    log,
    now: opts.now ?? bot.now,
    pollMs: 50,
    background: TEST_BACKGROUND,
    ...(opts.cacheClock ? { cacheClock: opts.cacheClock } : {}),
  });
  await house.start();
  const { services } = house;
  const jobs = house.jobs as JobEngine;
  const core = settledHouse(house.core, jobs);
  return {
    core,
    handle,
    jobs,
    services,
    async close() {
      await house.stop({ settle: true });
      await handle.close();
    },
  };
}

/** A person at a terminal (or another platform) who types commands: `await as.root('/ticket new X')`. */
export function personAt(core: Bot, who: string, platform: Platform = 'console', workspace = 'local') {
  const actor: Actor = { id: `${platform}:${who}`, platform, displayName: who };
  const origin: Origin = { platform, workspace, channel: 'general' };
  return async (line: string): Promise<Reply> => {
    const m = /^\/?(\S+)\s*([\s\S]*)$/.exec(line.trim());
    const inv: Invocation = { actor, origin, command: m?.[1] ?? '', text: m?.[2] ?? '' };
    return core.handle(inv);
  };
}

/**
 * A core whose handle() waits at a gate (a slow database, as the adapter sees it) for the invocations
 * `holds` picks; `release()` opens the gate. The real core runs behind it.
 */
export function holdCore(holds: (inv: Invocation) => boolean = () => true): {
  wrap: (core: BotCore) => BotCore;
  release: () => void;
} {
  let release: () => void = () => {};
  const gate = new Promise<void>((r) => {
    release = r;
  });
  const wrap = (core: BotCore): BotCore =>
    Object.assign(Object.create(core) as BotCore, {
      handle: async (inv: Invocation) => {
        if (holds(inv)) await gate;
        return core.handle(inv);
      },
    });
  return { wrap, release: () => release() };
}

/** The console admin as the services take one: for reading a ticket straight from them, as a test checks it. */
export const adminActing = (tenant = 'console:local', now = new Date('2026-03-10T12:00:00Z')): Acting => ({
  tenant,
  person: { id: 'root', identity: 'console:root', name: 'root' },
  role: 'admin',
  source: { platform: 'console', workspace: 'local' },
  now,
  timezone: 'UTC',
});
