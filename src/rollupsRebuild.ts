// `npm run rollups:rebuild`: drops the daily rollups and counts every ticket's events again, from the tickets, the requesters' answers and the major incidents closed out.

import { createSwitchboard } from './app.ts';
import { configAndLog, databaseOf } from './startup.ts';

async function rebuild(): Promise<void> {
  const { config, log } = configAndLog('rollups:rebuild', 'switchboard-rollups');
  const db = await databaseOf('rollups:rebuild', config, log);
  // The house as the bot builds it (its layout settled, its indexes declared), not started: nothing is delivered.
  const house = await createSwitchboard({ config, connection: db.connection, log, now: () => new Date() });
  const done = await house.services.rollups.rebuild((line) => process.stderr.write(`${line}\n`));
  process.stdout.write(`rollups rebuilt: ${done.tickets} tickets, ${done.facts} events counted\n`);
  await db.close();
}

await rebuild();
