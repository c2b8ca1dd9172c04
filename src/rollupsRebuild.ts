// `npm run rollups:rebuild`: drops the daily rollups and counts every ticket's events again, from the tickets and the requesters' answers.
import { existsSync } from 'node:fs';
import pino from 'pino';
import { ConfigError, loadConfig } from '../config/index.ts';
import { RollupService } from './services/rollups.ts';
import { DatabaseUnavailableError, openDatabase } from './store/connection.ts';
import { CsatRepository } from './store/csatStore.ts';
import { RollupRepository } from './store/rollupStore.ts';
import { TicketRepository } from './store/ticketStore.ts';

function fail(message: string): never {
  process.stderr.write(`rollups:rebuild: ${message}\n`);
  process.exit(1);
}

async function rebuild(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) fail(e.message);
    throw e;
  }
  const log = pino({ level: config.logLevel, base: { app: 'switchboard-rollups' } }, pino.destination(2));
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
  const csat = new CsatRepository(db.connection);
  const rollups = new RollupService(
    new RollupRepository(db.connection),
    new TicketRepository(db.connection),
    config.sla,
    log,
    () => csat.every(),
  );
  const done = await rollups.rebuild((line) => process.stderr.write(`${line}\n`));
  process.stdout.write(`rollups rebuilt: ${done.tickets} tickets, ${done.facts} events counted\n`);
  await db.close();
}

await rebuild();
