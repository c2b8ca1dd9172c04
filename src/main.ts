// The composition root: config -> database -> bot core -> adapters -> start; clean stop on signals.
import { existsSync } from 'node:fs';
import pino from 'pino';
import { createConsoleAdapter } from '../adapters/console/index.ts';
import { allCommands } from '../commands/index.ts';
import { ConfigError, loadConfig } from '../config/index.ts';
import type { ChatAdapter } from './core/bot.ts';
import { createBot } from './core/createBot.ts';
import { startMaintenance } from './scheduler/maintenance.ts';
import { buildServices } from './services/compose.ts';
import { DatabaseUnavailableError, openDatabase } from './store/connection.ts';

function fail(message: string): never {
  process.stderr.write(`switchboard: ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  // A .env file, when present, fills what the environment leaves unset.
  if (existsSync('.env')) process.loadEnvFile('.env');
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) fail(e.message);
    throw e;
  }
  const log = pino({ level: config.logLevel, base: { app: 'switchboard' } }, pino.destination(2));
  const onConsole = !config.slack && !config.discord;
  const consoleIdentity = `console:${config.consoleUser}`;

  let db: Awaited<ReturnType<typeof openDatabase>>;
  try {
    db = await openDatabase({
      ...(config.mongodbUri ? { uri: config.mongodbUri } : {}),
      dataDir: config.dataDir,
      timeoutMs: config.dbTimeoutMs,
      log,
      onProgress: (line) => process.stderr.write(`${line}\n`),
    });
  } catch (e) {
    if (e instanceof DatabaseUnavailableError) fail(e.message);
    throw e;
  }
  log.info({ database: db.describe }, 'database ready');

  const services = await buildServices(db.connection, {
    // The person at the terminal is the local admin.
    admins: onConsole ? [...config.admins, consoleIdentity] : config.admins,
    sla: config.sla,
    matrix: config.matrix,
    outbox: { log },
  });
  const bot = await createBot({
    services,
    definitions: allCommands,
    log,
    orgs: config.orgs,
    timezone: config.timezone,
  });

  const maintenance = startMaintenance({ pruneClaims: bot.pruneClaims, log, timezone: config.timezone });
  const adapters: ChatAdapter[] = [];
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    maintenance.stop();
    // Messages still waiting stay in the outbox: the next start delivers them.
    await services.outbox.stop();
    await Promise.allSettled(adapters.map((a) => a.stop()));
    await db.close();
    process.exit(code);
  };

  if (config.slack) {
    const { createSlackAdapter } = await import('../adapters/slack/index.ts');
    adapters.push(createSlackAdapter({ core: bot, config: config.slack, log }));
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
      }),
    );
  }

  // A promise rejected deep inside a platform SDK must not take every other conversation down with it.
  process.on('unhandledRejection', (reason) => log.error({ err: reason }, 'unhandled promise rejection'));
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));
  try {
    for (const a of adapters) await a.start();
    services.outbox.start();
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
