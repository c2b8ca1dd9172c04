// npm run bench: runs each benchmark section in turn and prints its lines; sections not written yet are skipped.
import { existsSync } from 'node:fs';
import { benchCore } from './core.ts';

type Section = () => Promise<string[]>;

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
    ['slack', await optional('./slack.ts', 'benchSlack')],
    ['discord', await optional('./discord.ts', 'benchDiscord')],
  ];
  let failures = 0;
  const started = performance.now();
  console.log(`switchboard bench · node ${process.version} · ${new Date().toISOString()}`);
  for (const [name, section] of sections) {
    console.log('');
    if (typeof section === 'string') {
      console.log(`${name}: ${section}`);
      continue;
    }
    const t0 = performance.now();
    try {
      for (const line of await section()) console.log(line);
      console.log(`  (${name} took ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
    } catch (err) {
      failures++;
      console.log(`${name}: failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  }
  console.log(`\nbench done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return failures ? 1 : 0;
}

// Exit explicitly: a section's stray handle (a socket, a timer) must not keep the bench alive.
main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
