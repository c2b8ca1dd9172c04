// Round trips per chat command, counted on the wire (the driver's own command events), on the real database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRoundTrips, type RoundTrips } from '../../src/store/roundTrips.ts';
import { type TestDatabase, testDatabase } from '../support/db.ts';
import { personAt, startTestBot, type TestBot } from '../support/harness.ts';

/**
 * What each command may cost today on the embedded database (measured; `npm run bench -- roundtrips` prints the
 * same). Lowering a figure is progress: lower the budget with it. The aim is 6 for every one of them.
 */
const BUDGET: Record<string, number> = {
  '/ticket new': 8,
  '/ticket show': 2,
  '/ticket list': 2,
  '/ticket assign': 7,
  '/ticket comment': 8,
  '/ticket resolve': 23,
  '/ticket close': 15,
  '/status week': 21,
  '/oncall': 2,
};

let db: TestDatabase;
let bot: TestBot;
let wire: RoundTrips;
beforeAll(async () => {
  db = await testDatabase(undefined, { monitorCommands: true });
  bot = await startTestBot({ database: db });
  wire = countRoundTrips(db.connection);
});
afterAll(async () => {
  wire?.stop();
  await bot?.close();
  await db?.close();
});

describe('round trips per chat command', () => {
  it('stay within each command’s budget, once the people and the ticket are known to the process', async () => {
    const root = personAt(bot.core, 'root');
    const cost = async (line: string): Promise<number> => {
      await bot.core.settled();
      wire.reset();
      const r = await root(line);
      await bot.core.settled();
      expect(r.error, r.text).toBeUndefined();
      return wire.seen().length;
    };
    // The first command of a person makes them known (their identity, settings): not what a command costs after.
    await cost('/ticket new "warm up"');
    const counted: Record<string, number> = {
      '/ticket new': await cost('/ticket new "VPN drops" --impact high --urgency high'),
      '/ticket show': await cost('/ticket show INC-2'),
      '/ticket list': await cost('/ticket list'),
      '/ticket assign': await cost('/ticket assign INC-2 me'),
      '/ticket comment': await cost('/ticket comment INC-2 "rolled back"'),
      '/ticket resolve': await cost('/ticket resolve INC-2 "config fixed"'),
      '/ticket close': await cost('/ticket close INC-2'),
      '/status week': await cost('/status week'),
      '/oncall': await cost('/oncall'),
    };
    for (const [command, n] of Object.entries(counted)) {
      expect({ command, withinBudget: n <= (BUDGET[command] as number), n }).toMatchObject({
        command,
        withinBudget: true,
      });
    }
  });
});
