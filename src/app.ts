// The one composition root: config, a database connection, one clock and one logger in; the whole bot out (services,
// the command core, the job engine, review tasks, the page auditor, nightly maintenance). main.ts, the test harness,
// the benches and rollups:rebuild build the house here and nowhere else.
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { allCommands } from '../commands/index.ts';
import type { Config } from '../config/index.ts';
import { type Bot, createBot } from './core/createBot.ts';
import type { PipelineObserver } from './core/observer.ts';
import { type PlatformSpec, registerPlatforms } from './domain/platform.ts';
import { type CronTasks, startCronTasks } from './scheduler/cronTasks.ts';
import type { JobEngine } from './scheduler/jobs.ts';
import { type Maintenance, startMaintenance } from './scheduler/maintenance.ts';
import { type PageAuditor, startPageAuditor } from './scheduler/pageAuditor.ts';
import { startJobEngine } from './scheduler/startJobs.ts';
import { buildServices, type ServiceOptions, type Services } from './services/compose.ts';

/** What runs in the background once started; each is on unless turned off. */
export interface BackgroundParts {
  /**
   * The job engine: due jobs (reminders, SLA thresholds, escalation steps, handoffs) run on the house's clock. Off
   * where the house is built to deliver and measure only what it is asked (the benches of chat commands and
   * alert intake, test/support/alertProcess.ts): the outbox still delivers.
   */
  jobEngine?: boolean;
  /** Reviews as node-cron tasks: they fire on the wall clock, not on an injected one. */
  reviewTasks?: boolean;
  /** Escalation steps more than two minutes overdue reported, each minute. */
  pageAuditor?: boolean;
  /** Nightly: old delivery claims forgotten, past days folded, expired documents swept. */
  maintenance?: boolean;
}

export interface SwitchboardOptions {
  config: Config;
  connection: Connection;
  /** The one log of the house. */
  log: Logger;
  /** The one clock of the house: the entry point chooses it (main.ts the wall clock, a test its own). */
  now: () => Date;
  /** The platforms the house speaks on (each adapter's spec, adapters/<platform>/platform.ts), registered here. */
  platforms?: readonly PlatformSpec[];
  /** The terminal's user (`console:<user>`), an admin too when Switchboard runs at the terminal alone. */
  terminalUser?: string;
  /** Metrics and other listeners. */
  hooks?: {
    /** The pipeline's listeners (metrics): run, denied, success, error, finish of every invocation. */
    pipeline?: PipelineObserver;
    onDelivery?: NonNullable<ServiceOptions['outbox']>['onDelivery'];
    onOverdueSteps?: (count: number) => void;
  };
  /** Start-up progress lines (the storage migration); default: the log. */
  progress?: (line: string) => void;
  /** Draws the /status chart (tests give one that fails). */
  renderChart?: ServiceOptions['renderChart'];
  /** How often the outbox and the job engine look for work (tests: 50 ms). */
  pollMs?: number;
  /**
   * Milliseconds on the clock that times what a process keeps of people (the epoch read at most once a second):
   * real elapsed time, `Date.now` by default; a test moves its own instead of waiting a second.
   */
  cacheClock?: () => number;
  background?: BackgroundParts;
}

export interface Switchboard {
  core: Bot;
  services: Services;
  /** The job engine, once started (unless `background.jobEngine` is off). */
  readonly jobs: JobEngine | undefined;
  /** Maintenance, once started: `runOnce()` is what the nightly schedule runs. */
  readonly maintenance: Maintenance | undefined;
  /** Starts delivering and running: the outbox, and the background parts not turned off. */
  start(): Promise<void>;
  /** Stops in the reverse order; with `settle`, waits for change notifications in flight first (tests). */
  stop(opts?: { settle?: boolean }): Promise<void>;
}

export async function createSwitchboard(o: SwitchboardOptions): Promise<Switchboard> {
  const { config, log, now } = o;
  registerPlatforms(o.platforms ?? []);
  const services = await buildServices(o.connection, {
    now,
    log,
    admins: config.admins,
    ...(o.terminalUser ? { terminalUser: o.terminalUser } : {}),
    ...(o.cacheClock ? { cacheClock: o.cacheClock } : {}),
    sla: config.sla,
    matrix: config.matrix,
    cabQuorum: config.cabQuorum,
    pirDays: config.pirDays,
    updateCadence: config.updateCadence,
    roomArchiveDays: config.roomArchiveDays,
    pageRepeatMs: config.pageRepeatMs,
    timezone: config.timezone,
    stale: config.stale,
    alerts: config.alerts,
    dataDir: config.dataDir,
    postmortemDir: config.postmortemDir,
    majorAuto: config.majorAuto,
    services: config.services,
    ...(o.hooks?.onOverdueSteps ? { onOverdueSteps: o.hooks.onOverdueSteps } : {}),
    ...(o.renderChart ? { renderChart: o.renderChart } : {}),
    progress: o.progress ?? ((line) => log.info(line)),
    outbox: {
      ...(o.pollMs ? { pollMs: o.pollMs, backoffMs: o.pollMs } : {}),
      ...(o.hooks?.onDelivery ? { onDelivery: o.hooks.onDelivery } : {}),
    },
  });
  const core = await createBot({
    services,
    definitions: allCommands,
    log,
    orgs: config.orgs,
    timezone: config.timezone,
    now,
    ...(o.hooks?.pipeline ? { observers: [o.hooks.pipeline] } : {}),
  });
  const parts = { jobEngine: true, reviewTasks: true, pageAuditor: true, maintenance: true, ...o.background };
  let jobs: JobEngine | undefined;
  let cron: CronTasks | undefined;
  let auditor: PageAuditor | undefined;
  let maintenance: Maintenance | undefined;
  let started = false;
  return {
    core,
    services,
    get jobs() {
      return jobs;
    },
    get maintenance() {
      return maintenance;
    },
    async start() {
      if (started) return;
      started = true;
      services.outbox.start();
      if (parts.jobEngine)
        jobs = startJobEngine(services, {
          now,
          log,
          graceMs: config.catchupMs,
          ...(o.pollMs ? { pollMs: o.pollMs } : {}),
        });
      if (parts.reviewTasks) cron = await startCronTasks(services, { log });
      if (parts.pageAuditor) auditor = startPageAuditor(services.paging, { log, now });
      if (parts.maintenance)
        maintenance = startMaintenance({
          pruneClaims: core.pruneClaims,
          foldRollups: (at) => services.rollups.fold(at),
          sweepExpired: (at) => services.storage.sweepExpired(at),
          log,
          timezone: config.timezone,
          now,
        });
    },
    async stop(opts = {}) {
      maintenance?.stop();
      auditor?.stop();
      await cron?.stop();
      // Jobs not run yet stay in the database: the next start (or another process) runs them.
      await jobs?.stop();
      if (opts.settle) await core.settled();
      // Messages still waiting stay in the outbox: the next start delivers them.
      await services.outbox.stop();
    },
  };
}
