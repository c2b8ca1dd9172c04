// `npm run docs:errors`: writes the error table in docs/errors.md from the catalogue (src/domain/errorCodes.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { ERROR_TABLE_BEGIN, ERROR_TABLE_END, errorTableMarkdown } from '../src/present/errorCatalogue.ts';

const TABLE = new URL('../docs/errors.md', import.meta.url);
const text = readFileSync(TABLE, 'utf8');
const begin = text.indexOf(ERROR_TABLE_BEGIN);
const end = text.indexOf(ERROR_TABLE_END);
if (begin < 0 || end < begin) {
  console.error(
    `docs/errors.md has no place for the error table: put ${ERROR_TABLE_BEGIN} and ${ERROR_TABLE_END} in it.`,
  );
  process.exit(1);
}
const next = `${text.slice(0, begin + ERROR_TABLE_BEGIN.length)}\n${errorTableMarkdown()}\n${text.slice(end)}`;
if (next === text) console.log('docs/errors.md: the error table is up to date.');
else {
  writeFileSync(TABLE, next);
  console.log('docs/errors.md: the error table is written.');
}
