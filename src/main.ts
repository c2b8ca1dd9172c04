// The program: config -> database -> the house (createSwitchboard) -> adapters -> start; clean stop on signals.
import { join } from 'node:path';
import { createConsoleAdapter } from '../adapters/console/index.ts';
import { consolePlatform } from '../adapters/console/platform.ts';
import { discordPlatform } from '../adapters/discord/platform.ts';
import { slackPlatform } from '../adapters/slack/platform.ts';
import { createSwitchboard } from './app.ts';
import { settleAlertTenant } from './core/alertTenant.ts';
import type { ChatAdapter } from './core/bot.ts';
import { registerPlatforms } from './domain/platform.ts';
import { createMetrics } from './http/metrics.ts';
import { checkReadiness, databaseWithin, pingCheck } from './http/readiness.ts';
import { createHttpServer, type HttpServer, ListenError } from './http/server.ts';
import { createAlertWebhooks, WEBHOOK_PREFIX } from './http/webhooks.ts';
import { configAndLog, databaseOf } from './startup.ts';

// The platforms the house speaks on, registered before the config is read (it checks identities and addresses
// against them). A new platform is its adapters/<platform>/platform.ts, and its spec in this list.
const PLATFORMS = registerPlatforms([slackPlatform, discordPlatform, consolePlatform]);

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

  const house = await createSwitchboard({
    config,
    connection: db.connection,
    log,
    // The running bot's one clock: the wall clock.
    now: () => new Date(),
    platforms: PLATFORMS,
    // The person at the terminal is the local admin.
    ...(onConsole ? { terminalUser: consoleIdentity } : {}),
    hooks: {
      pipeline: { finish: (e) => metrics.commandFinished(e) },
      onDelivery: (platform, outcome) => metrics.deliveryFinished(platform, outcome),
      onOverdueSteps: (count) => metrics.overdueSteps(count),
    },
  });
  const { core: bot, services } = house;

  const adapters: ChatAdapter[] = [];
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
    await house.stop();
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
    await house.start();
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
