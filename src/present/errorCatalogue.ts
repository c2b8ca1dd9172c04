// The catalogue of errors a person can cause, as /help errors shows it and as the table in docs/errors.md is written
// (`npm run docs:errors`; test/unit/errorTable.test.ts fails when that table is not this one).
import { ERROR_CODES, ERROR_MESSAGES, type ErrorCode } from '../domain/errorCodes.ts';

const templateOf = (code: ErrorCode): string | undefined =>
  (ERROR_MESSAGES as Partial<Record<ErrorCode, string>>)[code];

/** One line per code, for /help errors. */
export function errorCatalogueLines(): string[] {
  return (Object.keys(ERROR_CODES) as ErrorCode[]).map((code) => `${code}: ${ERROR_CODES[code]}`);
}

const cell = (text: string): string => text.replace(/\|/g, '\\|');

/** The table in docs/errors.md: every code, what it means, and its message where it has one fixed form. */
export function errorTableMarkdown(): string {
  const rows = (Object.keys(ERROR_CODES) as ErrorCode[]).map((code) => {
    const template = templateOf(code);
    return `| \`${code}\` | ${cell(ERROR_CODES[code])} | ${template ? cell(template) : '(says the case)'} |`;
  });
  return ['| Code | What it means | Message |', '|---|---|---|', ...rows].join('\n');
}

/** Where the table goes in docs/errors.md, between these two lines. */
export const ERROR_TABLE_BEGIN = '<!-- error table: written by `npm run docs:errors` from src/domain/errorCodes.ts -->';
export const ERROR_TABLE_END = '<!-- end of error table -->';
