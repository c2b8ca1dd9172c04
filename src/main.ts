// The composition root: config -> database -> bot core -> adapters -> start; clean stop on signals.
import { join } from 'node:path';
import { createConsoleAdapter } from '../adapters/console/index.ts';
import { allCommands } from '../commands/index.ts';
import { settleAlertTenant } from './core/alertTenant.ts';
import type { ChatAdapter } from './core/bot.ts';
import { createBot } from './core/createBot.ts';
import { createMetrics } from './http/metrics.ts';
import { checkReadiness, databaseWithin, pingCheck } from './http/readiness.ts';
import { createHttpServer, type HttpServer, ListenError } from './http/server.ts';
import { createAlertWebhooks, WEBHOOK_PREFIX } from './http/webhooks.ts';
import { type CronTasks, startCronTasks } from './scheduler/cronTasks.ts';
import { type JobEngine, startJobEngine } from './scheduler/jobs.ts';
import { startMaintenance } from './scheduler/maintenance.ts';
import { startPageAuditor } from './scheduler/pageAuditor.ts';
import { buildServices } from './services/compose.ts';
import { configAndLog, databaseOf } from './startup.ts';

async function main(): Promise<void> {
  const { config, log } = configAndLog('switchboard', 'switchboard');
  const onConsole = !config.slack && !config.discord;
  const consoleIdentity = `console:${config.consoleUser}`;

  const db = await databaseOf('switchboard', config, log);
  log.info({ database: db.describe }, 'database ready');

  // Under a second: probes (Kubernetes, Docker) give up after one by default.
  const PROBE_TIMEOUT_MS = 800;
  const ping = pingCheck(db.connection);
  // The supervisor knows at once when the embedded server died; a ping tells the rest.
  const pingDatabase = async () => {
    const h = db.health();
    return h.up ? ping() : { up: false, reason: h.reason ?? 'down' };
  };
  const metrics = createMetrics({
    database: async () => ({
      up: (await databaseWithin(pingDatabase, PROBE_TIMEOUT_MS)).up,
      restarts: db.health().restarts,
    }),
    outbox: () => services.outbox.stats(),
  });

  const services = await buildServices(db.connection, {
    admins: config.admins,
    // The person at the terminal is the local admin.
    ...(onConsole ? { terminalUser: consoleIdentity } : {}),
    sla: config.sla,
    matrix: config.matrix,
    cabQuorum: config.cabQuorum,
    pirDays: config.pirDays,
    pageRepeatMs: config.pageRepeatMs,
    onOverdueSteps: (count) => metrics.overdueSteps(count),
    timezone: config.timezone,
    stale: config.stale,
    alerts: config.alerts,
    dataDir: config.dataDir,
    progress: (line) => log.info(line),
    outbox: { log, onDelivery: (platform, outcome) => metrics.deliveryFinished(platform, outcome) },
  });
  const bot = await createBot({
    services,
    definitions: allCommands,
    log,
    orgs: config.orgs,
    timezone: config.timezone,
    onCommand: (e) => metrics.commandFinished(e),
  });

  const maintenance = startMaintenance({
    pruneClaims: bot.pruneClaims,
    foldRollups: (now) => services.rollups.fold(now),
    sweepExpired: (now) => services.storage.sweepExpired(now),
    log,
    timezone: config.timezone,
  });
  const adapters: ChatAdapter[] = [];
  let jobs: JobEngine | undefined;
  let cron: CronTasks | undefined;
  const http: HttpServer | undefined = config.http
    ? createHttpServer({
        log,
        metrics,
        readiness: () =>
          checkReadiness({ database: pingDatabase, adapters: () => adapters, timeoutMs: PROBE_TIMEOUT_MS }),
      })
    : undefined;
  http?.mount(WEBHOOK_PREFIX, createAlertWebhooks({ token: config.alerts.token, alerts: services.alerts, log }));
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    maintenance.stop();
    await cron?.stop();
    // Jobs not run yet stay in the database: the next start (or another process) runs them.
    await jobs?.stop();
    // Messages still waiting stay in the outbox: the next start delivers them.
    await services.outbox.stop();
    await Promise.allSettled(adapters.map((a) => a.stop()));
    await http?.close();
    await db.close();
    process.exit(code);
  };

  if (config.slack) {
    const { createSlackAdapter } = await import('../adapters/slack/index.ts');
    adapters.push(createSlackAdapter({ core: bot, config: config.slack, log, ...(http ? { mount: http.mount } : {}) }));
  }
  if (config.discord) {
    const { createDiscordAdapter } = await import('../adapters/discord/index.ts');
    adapters.push(createDiscordAdapter({ core: bot, config: config.discord, log }));
  }
  if (onConsole) {
    adapters.push(
      createConsoleAdapter({
        core: bot,
        user: config.consoleUser,
        input: process.stdin,
        output: process.stdout,
        interactive: Boolean(process.stdin.isTTY),
        onEnd: () => void stop(0),
        fileDir: join(config.dataDir, 'charts'),
      }),
    );
  }

  // A promise rejected deep inside a platform SDK must not take every other conversation down with it.
  process.on('unhandledRejection', (reason) => log.error({ err: reason }, 'unhandled promise rejection'));
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  if (config.http && http) {
    // The terminal on its own listens on loopback only: a laptop's bot is no service for the network.
    const host = config.http.host ?? (onConsole ? '127.0.0.1' : undefined);
    try {
      const { port } = await http.listen(config.http.port, host);
      log.info({ port, host }, 'http server listening (/healthz, /readyz, /metrics)');
    } catch (e) {
      if (!(e instanceof ListenError)) throw e;
      if (!onConsole) {
        const slackHttp =
          config.slack && !config.slack.appToken ? ": Slack's HTTP mode receives its requests there" : '';
        process.stderr.write(`switchboard: could not start: ${e.message}${slackHttp}; free it or set PORT\n`);
        await stop(1);
        return;
      }
      process.stderr.write(
        `switchboard: warning: ${e.message}; running without /healthz, /readyz and /metrics (set PORT, or SWITCHBOARD_HTTP=off)\n`,
      );
    }
  }
  try {
    for (const a of adapters) await a.start();
    if (!config.alerts.tenant) {
      try {
        const tenant = await settleAlertTenant({ adapters, tenantOf: bot.tenantOf, alerts: services.alerts });
        log.info({ tenant }, 'alerts belong to the one workspace the bot is in');
      } catch (e) {
        // Only the alert webhooks need it: with them off, a bot in several workspaces starts as before.
        if (config.alerts.token) throw e;
      }
    }
    services.outbox.start();
    jobs = startJobEngine(services, { log, graceMs: config.catchupMs });
    cron = await startCronTasks(services, { log });
    const auditor = startPageAuditor(services.paging, { log });
    process.once('beforeExit', () => auditor.stop());
  } catch (e) {
    log.error({ err: e }, 'an adapter could not start');
    process.stderr.write(`switchboard: could not start: ${(e as Error).message}\n`);
    await stop(1);
  }
  if (!onConsole)
    log.warn({ adapters: adapters.map((a) => a.platform), database: db.describe }, 'switchboard is running');
}

main().catch((e) => {
  process.stderr.write(`switchboard: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
