// The error table (docs/errors.md) is the catalogue's: `npm run docs:errors` writes it, and this fails when they differ.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, ERROR_MESSAGES, messageOf } from '../../src/domain/errorCodes.ts';
import { UserError } from '../../src/domain/errors.ts';
import { ERROR_TABLE_BEGIN, ERROR_TABLE_END, errorTableMarkdown } from '../../src/present/errorCatalogue.ts';

describe('the error table', () => {
  it('in docs/errors.md is the one the catalogue gives (run npm run docs:errors)', () => {
    const readme = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    const begin = readme.indexOf(ERROR_TABLE_BEGIN);
    const end = readme.indexOf(ERROR_TABLE_END);
    expect(begin).toBeGreaterThan(-1);
    expect(readme.slice(begin + ERROR_TABLE_BEGIN.length, end).trim()).toBe(errorTableMarkdown());
  });

  it('gives a template only to a catalogued code, and fills its slots', () => {
    expect(Object.keys(ERROR_MESSAGES).filter((c) => !Object.hasOwn(ERROR_CODES, c))).toEqual([]);
    expect(messageOf('TICKET.NOT_FOUND', { id: 'INC-9' })).toBe('There is no ticket INC-9 here.');
    const e = UserError.of('TEAM.BUSY', { team: 'storage', done: 'saved' }, 'Try again.');
    expect([e.code, e.message, e.hint]).toEqual([
      'TEAM.BUSY',
      'storage was changed by someone else at the same moment; nothing was saved.',
      'Try again.',
    ]);
  });
});
