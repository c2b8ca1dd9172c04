// `npm run docs:errors`: writes the README's error table from the catalogue (src/domain/errorCodes.ts).
import { readFileSync, writeFileSync } from 'node:fs';
import { ERROR_TABLE_BEGIN, ERROR_TABLE_END, errorTableMarkdown } from '../src/present/errorCatalogue.ts';

const README = new URL('../README.md', import.meta.url);
const text = readFileSync(README, 'utf8');
const begin = text.indexOf(ERROR_TABLE_BEGIN);
const end = text.indexOf(ERROR_TABLE_END);
if (begin < 0 || end < begin) {
  console.error(`README.md has no place for the error table: put ${ERROR_TABLE_BEGIN} and ${ERROR_TABLE_END} in it.`);
  process.exit(1);
}
const next = `${text.slice(0, begin + ERROR_TABLE_BEGIN.length)}\n${errorTableMarkdown()}\n${text.slice(end)}`;
if (next === text) console.log('README.md: the error table is up to date.');
else {
  writeFileSync(README, next);
  console.log('README.md: the error table is written.');
}
