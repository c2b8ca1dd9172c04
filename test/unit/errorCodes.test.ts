// The catalogue of person-caused errors: every code has a meaning, follows the dotted form, and is used somewhere.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, isErrorCode } from '../../src/domain/errorCodes.ts';

const ROOTS = ['src', 'commands', 'adapters', 'config'];

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') && !path.endsWith('errorCodes.ts') ? [path] : [];
  });
}

describe('the error catalogue', () => {
  const code = ROOTS.flatMap(sources)
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');

  it('gives every code a meaning, in the dotted FAMILY.NAME form', () => {
    for (const [name, meaning] of Object.entries(ERROR_CODES)) {
      expect({ name, form: /^[A-Z]+(\.[A-Z_]+)?$/.test(name), meaning: meaning.length > 5 }).toEqual({
        name,
        form: true,
        meaning: true,
      });
    }
  });

  it('holds no code the house never uses', () => {
    const unused = Object.keys(ERROR_CODES).filter((name) => !code.includes(`'${name}'`));
    expect(unused).toEqual([]);
  });

  it('knows a code from a string that is not one', () => {
    expect(isErrorCode('TICKET.NOT_FOUND')).toBe(true);
    expect(isErrorCode('TICKET.NOPE')).toBe(false);
    expect(isErrorCode('toString')).toBe(false);
  });
});
