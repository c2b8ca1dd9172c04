// `npm run rollups:rebuild`: drops the daily rollups and counts every ticket's events again, from the tickets and the requesters' answers.
import { RollupService } from './services/rollups.ts';
import { configAndLog, databaseOf } from './startup.ts';
import { CsatRepository } from './store/csatStore.ts';
import { RollupRepository } from './store/rollupStore.ts';
import { TicketRepository } from './store/ticketStore.ts';

async function rebuild(): Promise<void> {
  const { config, log } = configAndLog('rollups:rebuild', 'switchboard-rollups');
  const db = await databaseOf('rollups:rebuild', config, log);
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
