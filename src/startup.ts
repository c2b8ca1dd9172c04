// What every entry point (the bot, rollups:rebuild) does first: .env, config, log, database, each refusal one line on stderr.
import { existsSync } from 'node:fs';
import pino, { type Logger } from 'pino';
import { type Config, ConfigError, loadConfig } from '../config/index.ts';
import { type DatabaseHandle, DatabaseUnavailableError, openDatabase } from './store/connection.ts';

/** `<program>: <message>` on stderr, exit 1. */
export function fail(program: string, message: string): never {
  process.stderr.write(`${program}: ${message}\n`);
  process.exit(1);
}

/** The config (a .env file, when present, fills what the environment leaves unset) and a log to stderr. */
export function configAndLog(program: string, app: string): { config: Config; log: Logger } {
  if (existsSync('.env')) process.loadEnvFile('.env');
  let config: Config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) fail(program, e.message);
    throw e;
  }
  return { config, log: pino({ level: config.logLevel, base: { app } }, pino.destination(2)) };
}

/** The configured database (MONGODB_URI, else the embedded one), its start-up progress on stderr. */
export async function databaseOf(program: string, config: Config, log: Logger): Promise<DatabaseHandle> {
  try {
    return await openDatabase({
      ...(config.mongodbUri ? { uri: config.mongodbUri } : {}),
      dataDir: config.dataDir,
      timeoutMs: config.dbTimeoutMs,
      log,
      onProgress: (line) => process.stderr.write(`${line}\n`),
    });
  } catch (e) {
    if (e instanceof DatabaseUnavailableError) fail(program, e.message);
    throw e;
  }
}
