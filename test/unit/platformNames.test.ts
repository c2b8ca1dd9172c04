// Platforms are data: outside adapters/ and the composition root, no code names Slack or Discord (their forms come
// from the registered PlatformSpecs, src/domain/platform.ts). Comments may; code may not.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** The house that must not know a platform: everything but adapters/ and src/main.ts. */
const WATCHED = ['src', 'commands', 'config'];
const COMPOSITION_ROOT = join('src', 'main.ts');
const NAMES = /\b(slack|discord)\b/g;

const filesUnder = (path: string): string[] =>
  statSync(path).isDirectory()
    ? readdirSync(path).flatMap((name) => filesUnder(join(path, name)))
    : path.endsWith('.ts')
      ? [path]
      : [];

/** The code of a file, comments blanked (line by line, so line numbers hold). */
function codeLines(text: string): string[] {
  const blanked = text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '));
  return blanked.split('\n').map((line) => line.replace(/(^|\s)\/\/.*$/, '$1'));
}

/**
 * A platform named in code: in a string, a template, a regular expression or an identity form (`slack:U1`). Left
 * alone: a property read (`config.slack`) and an object key at the start of a line (`slack: SlackConfig`), which are
 * the adapters' own settings that config/ still carries (SLACK_*, DISCORD_*).
 */
function namings(file: string): string[] {
  const found: string[] = [];
  codeLines(readFileSync(file, 'utf8')).forEach((line, i) => {
    for (const m of line.matchAll(NAMES)) {
      const at = m.index ?? 0;
      if (line[at - 1] === '.') continue;
      if (at === line.search(/\S/) && /^\s*(slack|discord)\??:(\s|$)/.test(line)) continue;
      found.push(`${file}:${i + 1}: ${line.trim()}`);
    }
  });
  return found;
}

describe('platform names', () => {
  it('appear in no code outside adapters/ and src/main.ts', () => {
    const files = WATCHED.flatMap(filesUnder).filter((f) => f !== COMPOSITION_ROOT);
    expect(files.length).toBeGreaterThan(100);
    expect(files.flatMap(namings)).toEqual([]);
  });

  it('are found where they are written, so the check above can fail', () => {
    const probe = (code: string) =>
      codeLines(code).some((line) => [...line.matchAll(NAMES)].some((m) => line[(m.index ?? 0) - 1] !== '.'));
    expect(probe("if (p === 'slack') return;")).toBe(true);
    expect(probe('const re = /^(slack|discord):/;')).toBe(true);
    expect(probe('// on slack: a comment')).toBe(false);
    expect(probe('/** discord: a doc comment */')).toBe(false);
    expect(probe('return config.slack;')).toBe(false);
  });
});
