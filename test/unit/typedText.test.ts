// One rule for what people type, on every platform: which characters are refused, and how typed text is shown back.
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { linesOf } from '../../adapters/console/index.ts';
import { allCommands } from '../../commands/index.ts';
import type { CommandDef } from '../../src/core/command.ts';
import type { Invocation } from '../../src/core/invocation.ts';
import { parseArgs, tokenize } from '../../src/core/parser.ts';
import { CommandRegistry } from '../../src/core/registry.ts';
import { isUserError, type UserError } from '../../src/domain/errors.ts';
import { firstRefused, plainProse, shown, shownThroughout } from '../../src/kit/typedText.ts';
import { rawControlIn } from '../support/rawText.ts';

const def = (command: string, name: string): CommandDef => {
  const d = allCommands.find((c) => c.command === command && c.name === name);
  if (!d) throw new Error(`no /${command} ${name}`);
  return d;
};
function refusal(d: CommandDef, text: string): UserError {
  try {
    parseArgs(d, text, 'console', 'console:ada');
  } catch (e) {
    if (isUserError(e)) return e;
    throw e;
  }
  throw new Error(`${JSON.stringify(text)} was accepted`);
}

const REFUSED: Array<[string, string]> = [
  ['\u0000', 'NUL'],
  ['\u0007', 'BEL'],
  ['\u000b', 'vertical tab'],
  ['\u000c', 'form feed'],
  ['\r', 'a lone carriage return'],
  ['\u001b', 'ESC'],
  ['\u007f', 'DEL'],
  ['\u0085', 'C1 next line'],
  ['\u009b', 'C1 CSI'],
  ['\u200b', 'zero-width space'],
  ['\u200e', 'left-to-right mark'],
  ['\u200f', 'right-to-left mark'],
  ['\u202a', 'LTR embedding'],
  ['\u202e', 'right-to-left override'],
  ['\u2060', 'word joiner'],
  ['\u2066', 'LTR isolate'],
  ['\u2069', 'pop directional isolate'],
  ['\ufeff', 'byte order mark'],
  ['\u2028', 'line separator'],
];

describe('the characters refused', () => {
  it.each(REFUSED)('refuses U+%s (%s) in a title, naming the field and the code point, never echoing it', (ch) => {
    const name = `U+${ch.codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0')}`;
    for (const line of [`"Pay ${ch}invoice"`, `Pay${ch}invoice`, `Pay invoice ${ch}`, `${ch} Pay`]) {
      const e = refusal(def('ticket', 'new'), line);
      expect(e.code, JSON.stringify(line)).toBe('USAGE.BAD_VALUE');
      expect(e.field).toBe('title');
      expect(e.message).toContain(`<title> contains ${name}`);
      expect(rawControlIn(`${e.message}\n${e.hint}`)).toBeNull();
    }
  });

  it('refuses them in every kind of value and in multi-line fields too', () => {
    expect(refusal(def('ticket', 'new'), 'x --description "a\nb\u202ec"').field).toBe('description');
    expect(refusal(def('ticket', 'new'), 'x --impact high\u200b').field).toBe('impact');
    expect(refusal(def('ticket', 'show'), 'INC-1\u0007').field).toBe('id');
    expect(refusal(def('ticket', 'assign'), 'INC-1 @bob\u202e').field).toBe('assignee');
  });

  it('takes tabs and line breaks, \\r\\n as one line end, emoji and the scripts that need joiners', () => {
    expect(firstRefused('a\tb\nc')).toBeNull();
    expect(firstRefused('👩‍💻 dev laptop 🏳️‍🌈')).toBeNull();
    expect(firstRefused('می‌خواهم')).toBeNull();
    expect(firstRefused('INC\u200d-1')?.name).toBe('U+200D');
    expect(firstRefused('\u200dstart')?.name).toBe('U+200D');
    expect(parseArgs(def('ticket', 'comment'), 'INC-1 "one\r\ntwo"', 'console', 'console:ada')).toEqual({
      id: 'INC-1',
      text: 'one\ntwo',
    });
    expect(parseArgs(def('ticket', 'new'), 'Printer 👩‍💻 jams', 'console', 'console:ada')).toEqual({
      title: 'Printer 👩‍💻 jams',
    });
  });

  it('does not take form feed, vertical tab, \\r or U+FEFF for spaces between words', () => {
    for (const sep of ['\u000c', '\u000b', '\r', '\ufeff']) {
      expect(tokenize(`a${sep}b`).map((t) => t.value)).toEqual([`a${sep}b`]);
    }
    expect(tokenize('a\u00a0b\u3000c\td').map((t) => t.value)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('refuses a control character between the command and its words, as in a subcommand', () => {
    const registry = new CommandRegistry(allCommands);
    const inv = (command: string, text: string): Invocation => ({
      actor: { id: 'console:ada', platform: 'console', displayName: 'ada' },
      origin: { platform: 'console', workspace: 'local' },
      command,
      text,
    });
    for (const [command, text] of [
      ['ticket', '\fnew X'],
      ['ticket', 'new\rX'],
      ['ticket\u001b', 'new X'],
    ] as const) {
      const r = registry.resolve(inv(command, text));
      expect('reply' in r && r.reply.error, JSON.stringify([command, text])).toMatch(/^USAGE\./);
      if ('reply' in r) expect(rawControlIn(r.reply.text)).toBeNull();
    }
  });
});

describe('typed text shown back', () => {
  it('writes every refused character as its code point, and cuts long text', () => {
    expect(shown('\u001b]0;pwned\u0007')).toBe('[U+001B]]0;pwned[U+0007]');
    expect(shown('evil\u202etxt.exe')).toBe('evil[U+202E]txt.exe');
    expect(shown('two\nlines', 40)).toBe('two[U+000A]lines');
    expect(shown('two\nlines')).toBe('two\nlines');
    expect(shown('x'.repeat(50), 40)).toBe(`${'x'.repeat(40)}…`);
    expect(shown('👩‍💻')).toBe('👩‍💻');
  });

  it('reaches every string of a reply', () => {
    const r = shownThroughout({ text: 'a\u001bb', fields: [{ label: 'T', value: '\u202ex' }], n: 3, ok: true });
    expect(r).toEqual({ text: 'a[U+001B]b', fields: [{ label: 'T', value: '[U+202E]x' }], n: 3, ok: true });
  });

  it('makes prose from elsewhere plain instead of refusing it', () => {
    expect(plainProse('bell\u0007 and\u200b hidden\u202e\r\nnext\ttab')).toBe('bell  and hidden\nnext\ttab');
  });
});

describe('terminal lines', () => {
  it('end only at \\n: \\r\\n is one line end, a lone \\r stays in its line', async () => {
    const lines: string[] = [];
    for await (const l of linesOf(Readable.from(['/a one\rtwo\n/b\r', '\n/c x', 'y\n', 'last']))) lines.push(l);
    expect(lines).toEqual(['/a one\rtwo', '/b', '/c xy', 'last']);
  });
});
