// npm run bench: runs each benchmark section in turn on one database server and prints its lines; sections not
// written yet are skipped. `npm run bench -- outbox slack` runs only the sections named.
import { existsSync } from 'node:fs';
import { type BenchDatabase, withBenchDatabase } from './benchBot.ts';
import { benchCore } from './core.ts';

/** A section measures on a database of its own on `db`'s server and answers the lines to print. */
type Section = (db: BenchDatabase) => Promise<string[]>;

/** A section in a sibling file that may not exist yet: loaded only when it does. */
async function optional(file: string, exportName: string): Promise<Section | string> {
  const url = new URL(file, import.meta.url);
  if (!existsSync(url)) return `${file} not present, skipped`;
  const mod = (await import(url.href)) as Record<string, unknown>;
  const fn = mod[exportName];
  return typeof fn === 'function' ? (fn as Section) : `${file} has no ${exportName}(), skipped`;
}

async function main(): Promise<number> {
  const sections: Array<[string, Section | string]> = [
    ['core', benchCore],
    ['roundtrips', await optional('./roundTrips.ts', 'benchRoundTrips')],
    ['ids', await optional('./idIndex.ts', 'benchIdIndex')],
    ['slack', await optional('./slack.ts', 'benchSlack')],
    ['discord', await optional('./discord.ts', 'benchDiscord')],
    ['storage', await optional('./storage.ts', 'benchStorage')],
    ['outbox', await optional('./outbox.ts', 'benchOutbox')],
    ['scheduler', await optional('./scheduler.ts', 'benchScheduler')],
    ['reminders', await optional('./reminders.ts', 'benchReminders')],
    ['status', await optional('./status.ts', 'benchStatus')],
    ['resolved', await optional('./resolved.ts', 'benchResolved')],
    ['services', await optional('./services.ts', 'benchServices')],
    ['alerts', await optional('./alerts.ts', 'benchAlerts')],
    ['rooms', await optional('./incidentRooms.ts', 'benchIncidentRooms')],
  ];
  const only = process.argv.slice(2);
  const unknown = only.filter((name) => !sections.some(([s]) => s === name));
  if (unknown.length) {
    console.error(`no such bench section: ${unknown.join(', ')} (there are: ${sections.map(([s]) => s).join(', ')})`);
    return 2;
  }
  const chosen = only.length ? sections.filter(([name]) => only.includes(name)) : sections;
  const started = performance.now();
  console.log(`switchboard bench · node ${process.version} · ${new Date().toISOString()}`);
  const failures = await withBenchDatabase(async (db) => {
    console.log(`database: ${db.backend}, ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return runSections(chosen, db);
  });
  console.log(`\nbench done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return failures ? 1 : 0;
}

/** Runs the sections one after another; a failed section is printed and counted, and the next one still runs. */
async function runSections(sections: Array<[string, Section | string]>, db: BenchDatabase): Promise<number> {
  let failures = 0;
  for (const [name, section] of sections) {
    console.log('');
    if (typeof section === 'string') {
      console.log(`${name}: ${section}`);
      continue;
    }
    const t0 = performance.now();
    try {
      for (const line of await section(db)) console.log(line);
      console.log(`  (${name} took ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (err) {
      failures++;
      console.log(`${name}: failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  }
  return failures;
}

// Exit explicitly: a section's stray handle (a socket, a timer) must not keep the bench alive.
main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
