// Property: no line a person can type makes the tokenizer, the argument parser or command resolution throw.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allCommands } from '../../commands/index.ts';
import type { Invocation } from '../../src/core/invocation.ts';
import { parseArgs, tokenize } from '../../src/core/parser.ts';
import { CommandRegistry } from '../../src/core/registry.ts';
import { isUserError } from '../../src/domain/errors.ts';
import type { Platform } from '../../src/domain/platform.ts';

const registry = new CommandRegistry(allCommands);

// Pieces people (and pasted text) are made of: quotes of every kind, dashes, flags, mentions, ids.
const piece = fc.oneof(
  fc.constantFrom(
    ' ',
    '  ',
    '\t',
    '\n',
    '"',
    "'",
    '“',
    '”',
    '‘',
    '’',
    '`',
    '-',
    '--',
    '—',
    '=',
    '--=',
    '-1',
    '--internal',
    '--internal=',
    '--impact',
    '--impact=',
    '--priority',
    '--type',
    '--state',
    '--assignee',
    '--mine',
    '--all',
    '--description="',
    '--service="a b"',
    'me',
    '<@U123>',
    '<@!123456>',
    '<@U1|ada>',
    '<@',
    '@ada',
    'slack:U1',
    'INC-1',
    'req-2',
    'CHG-0',
    'INC-9999999999',
    'new',
    'show',
    'list',
    'assign',
    'grant',
    'agent',
    'P1',
    'high',
    '482913',
    '__proto__',
    'constructor',
    'toString',
    '\u0000',
    '\u200b',
    '🧯',
    'İ',
    'ß',
    '\ud800',
    '\udc00',
  ),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 8 }),
);
const line = fc.oneof(
  fc.array(piece, { maxLength: 25 }).map((parts) => parts.join('')),
  fc.array(piece, { maxLength: 12 }).map((parts) => parts.join(' ')),
  fc.string({ unit: 'binary', maxLength: 200 }),
);
const platform = fc.constantFrom<Platform>('slack', 'discord', 'console');
const familyName = fc.oneof(
  fc.constantFrom(...registry.familyNames(), 'TICKET', 'Help', ''),
  fc.string({ maxLength: 10 }),
);

const invocation = (command: string, p: Platform, extra: Partial<Invocation>): Invocation => ({
  actor: { id: `${p}:U1`, platform: p, displayName: 'Ada' },
  origin: { platform: p, workspace: 'W1' },
  command,
  ...extra,
});

function expectResolution(r: ReturnType<CommandRegistry['resolve']>): void {
  if ('reply' in r) {
    expect(typeof r.reply.text).toBe('string');
    expect(r.reply.visibility).toBe('ephemeral');
  } else {
    expect(allCommands).toContain(r.def);
    expect(typeof r.options).toBe('object');
  }
}

describe('parser never throws (property)', () => {
  it('tokenize takes any string', () => {
    fc.assert(
      fc.property(line, (text) => {
        for (const t of tokenize(text)) expect(typeof t.value).toBe('string');
      }),
      { numRuns: 2000 },
    );
  });

  it('parseArgs either returns options or a UserError, for every command definition', () => {
    fc.assert(
      fc.property(line, platform, (text, p) => {
        for (const def of allCommands) {
          try {
            parseArgs(def, text, p, `${p}:U1`);
          } catch (e) {
            if (!isUserError(e)) throw e;
            expect(e.code).toMatch(/^USAGE\./);
            expect(e.hint).toMatch(/^Usage: \//);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('resolve answers any text invocation with a command or a reply', () => {
    fc.assert(
      fc.property(familyName, line, platform, (command, text, p) => {
        expectResolution(registry.resolve(invocation(command, p, { text })));
      }),
      { numRuns: 2000 },
    );
  });

  it('resolve answers any typed invocation (buttons, forms, Discord) with a command or a reply', () => {
    const value = fc.oneof(line, fc.boolean(), fc.integer(), fc.double(), fc.constant(undefined));
    const optionName = fc.oneof(
      fc.constantFrom('id', 'title', 'impact', 'priority', 'assignee', 'internal', 'user', 'role', 'code', 'state'),
      fc.string({ maxLength: 8 }),
    );
    fc.assert(
      fc.property(
        familyName,
        fc.option(
          fc.oneof(fc.constantFrom('new', 'show', 'assign', 'comment', 'grant', ''), fc.string({ maxLength: 8 })),
        ),
        fc.option(fc.dictionary(optionName, value, { maxKeys: 5 })),
        platform,
        (command, subcommand, options, p) => {
          const extra: Partial<Invocation> = {};
          if (subcommand !== null) extra.subcommand = subcommand;
          if (options !== null) extra.options = options;
          expectResolution(registry.resolve(invocation(command, p, extra)));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
