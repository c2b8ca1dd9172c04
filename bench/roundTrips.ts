// Round trips per chat command, counted on the wire (driver command events less the background loops), with the
// time each command takes beside the floor of one `_id` read in the same run.
import type { Actor, Origin } from '../src/core/invocation.ts';
import { countRoundTrips } from '../src/store/roundTrips.ts';
import { type BenchDatabase, startBenchBot } from './benchBot.ts';

/** A command that sets the next ones up: run, not printed. */
const SETUP = '(setup)';

const COMMANDS = [
  ['/ticket new', '/ticket new "VPN drops" --impact high --urgency high'],
  ['/ticket show', '/ticket show INC-2'],
  ['/ticket list', '/ticket list'],
  ['/ticket assign', '/ticket assign INC-2 me'],
  ['/ticket comment', '/ticket comment INC-2 "rolled back"'],
  ['/ticket new (a P3)', '/ticket new "Printer jam" --impact medium --urgency medium'],
  ['/ticket resolve', '/ticket resolve INC-3 "paper cleared"'],
  // The PIR's opening is a job the resolve files: no job engine runs here, so its 3 round trips are not counted.
  ['/ticket resolve (P1, PIR)', '/ticket resolve INC-2 "config fixed"'],
  ['/ticket close', '/ticket close INC-2'],
  ['/status week', '/status week'],
  ['/status week again', '/status week'],
  ['/oncall', '/oncall'],
  // A team with someone on call, and a service of it: a P1 of that service pages (its start is a job after the reply,
  // which no engine runs here: the command's own round trips are what is counted).
  [SETUP, '/team create network'],
  [SETUP, '/oncall rotation network @root --every 1w'],
  [SETUP, '/service add vpn --team network --owner @root --targets "P1=10m/2h"'],
  // The service's change moved the people epoch: the person, the catalog and the team are read again once (a P1 of
  // the service that pages), not counted.
  [SETUP, '/ticket new "warm up" --service vpn --impact high --urgency high'],
  ['/ticket new (P1, pages)', '/ticket new "VPN down" --service vpn --impact high --urgency high'],
  ['/ticket assign (paged)', '/ticket assign INC-5 me'],
  ['/ticket resolve (paged)', '/ticket resolve INC-5 "gateway restarted"'],
  ['/status today', '/status today'],
  ['/status vpn', '/status vpn'],
  ['/status services', '/status services'],
  ['/oncall network', '/oncall network'],
  ['/oncall take', '/oncall take network until "2030-03-20 18:00"'],
  // The take moved the epoch, as above.
  [SETUP, '/oncall'],
  ['/oncall page network', '/oncall page network "disk full"'],
  // Follow-up actions, each form (the first in the process reads the numbering hint).
  ['/ticket action', '/ticket action INC-5 "Alert on VPN errors" --owner @root --due "in 3 days"'],
  ['/ticket action (again)', '/ticket action INC-5 "Rotate the VPN keys" --owner @root --due "in 3 days"'],
  ['/ticket show (actions)', '/ticket show INC-5'],
  ['/ticket action list', '/ticket action list'],
  ['/ticket action list --mine', '/ticket action list --mine'],
  ['/ticket action done', '/ticket action done ACT-1'],
  ['/ticket action defer', '/ticket action defer ACT-2 "waits for the new gateway"'],
] as const;

export async function benchRoundTrips(db: BenchDatabase): Promise<string[]> {
  const bot = await startBenchBot(db, 'roundtrips', { SWITCHBOARD_ADMINS: 'console:root' }, { monitorCommands: true });
  const wire = countRoundTrips(bot.connection);
  try {
    const actor: Actor = { id: 'console:root', platform: 'console', displayName: 'root' };
    const origin: Origin = { platform: 'console', workspace: 'local', channel: 'general' };
    const type = async (line: string) => {
      await bot.core.settled();
      wire.reset();
      const t = performance.now();
      const m = /^\/(\S+)\s*([\s\S]*)$/.exec(line) as RegExpExecArray;
      const r = await bot.core.handle({ actor, origin, command: m[1] as string, text: m[2] as string });
      await bot.core.settled();
      // BENCH_TRIPS_SHOW=1: what each command sent.
      if (process.env.BENCH_TRIPS_SHOW) console.log(`  ${line}: ${wire.seen().join(', ')}`);
      return { r, ms: performance.now() - t, trips: wire.seen().length };
    };
    await type('/ticket new "warm up"');
    // The floor: one read by `_id` on the same server, the cheapest round trip there is.
    const floors: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      await bot.connection.collection('tickets_open').findOne({ _id: 'console:local/INC-1' } as never);
      floors.push(performance.now() - t);
    }
    floors.sort((a, b) => a - b);
    const floor = floors[10] as number;
    const lines = [
      `roundtrips · per chat command, counted on the wire (${db.backend}); floor: one _id read ${floor.toFixed(2)} ms`,
    ];
    for (const [name, line] of COMMANDS) {
      const { r, trips, ms } = await type(line);
      if (r.error) lines.push(`  ${name}: refused (${r.text.split('\n')[0]})`);
      if (name === SETUP) continue;
      lines.push(
        `  ${name.padEnd(26)} ${String(trips).padStart(3)} round trips  ${ms.toFixed(1).padStart(7)} ms  ×${(ms / floor).toFixed(0)} floor`,
      );
    }
    return lines;
  } finally {
    wire.stop();
    await bot.close();
  }
}
