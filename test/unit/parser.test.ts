// The text parser: words and quotes, flags in every spelling, mentions, the rest of the line, and its usage errors.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { allCommands } from '../../commands/index.ts';
import type { CommandDef } from '../../src/core/command.ts';
import { parseArgs, parseUserRef, tokenize } from '../../src/core/parser.ts';
import { isUserError, type UserError } from '../../src/domain/errors.ts';
import type { Platform } from '../../src/domain/platform.ts';

const def = (command: string, name: string): CommandDef => {
  const d = allCommands.find((c) => c.command === command && c.name === name);
  if (!d) throw new Error(`no /${command} ${name}`);
  return d;
};
const NEW = def('ticket', 'new');
const parse = (d: CommandDef, text: string, platform: Platform = 'console', actor = 'console:ada') =>
  parseArgs(d, text, platform, actor);

function usageError(d: CommandDef, text: string, platform: Platform = 'console'): UserError {
  try {
    parse(d, text, platform);
  } catch (e) {
    if (isUserError(e)) return e;
    throw e;
  }
  throw new Error(`"${text}" was accepted`);
}

describe('tokenize', () => {
  it('splits on any whitespace', () => {
    expect(tokenize('  a\tb \n c  ').map((t) => t.value)).toEqual(['a', 'b', 'c']);
    expect(tokenize('')).toEqual([]);
    expect(tokenize('   ')).toEqual([]);
  });

  it('keeps a quoted string as one word and says it was quoted', () => {
    expect(tokenize(`new "VPN drops every 5 minutes" 'single quoted' x`)).toEqual([
      { value: 'new', quoted: false },
      { value: 'VPN drops every 5 minutes', quoted: true },
      { value: 'single quoted', quoted: true },
      { value: 'x', quoted: false },
    ]);
  });

  it('takes smart quotes as people paste them', () => {
    expect(tokenize('“VPN is down” ‘it’s bad’')).toEqual([
      { value: 'VPN is down', quoted: true },
      { value: 'it', quoted: true },
      { value: 's', quoted: false },
      { value: 'bad’', quoted: false },
    ]);
    expect(tokenize('“left open')).toEqual([{ value: 'left open', quoted: true, unclosed: '“' }]);
  });

  it('runs an unclosed quote to the end of the line, and marks it unclosed', () => {
    expect(tokenize('a "b c  d')).toEqual([
      { value: 'a', quoted: false },
      { value: 'b c  d', quoted: true, unclosed: '"' },
    ]);
    expect(tokenize('"')).toEqual([{ value: '', quoted: true, unclosed: '"' }]);
  });

  it('keeps a quoted --flag="value" together as one flag word', () => {
    expect(tokenize('x --service="my vpn" --team=“Net ops” --note="open')).toEqual([
      { value: 'x', quoted: false },
      { value: '--service=my vpn', quoted: false },
      { value: '--team=Net ops', quoted: false },
      { value: '--note=open', quoted: false, unclosed: '"' },
    ]);
  });

  it('reads \\" inside a quoted value as a quote, in either spelling of a value', () => {
    expect(tokenize('"Quote \\"inside\\" test" --note="say \\"hi\\"" \'it\\\'s\'')).toEqual([
      { value: 'Quote "inside" test', quoted: true },
      { value: '--note=say "hi"', quoted: false },
      { value: "it's", quoted: true },
    ]);
    // A backslash before anything else is itself.
    expect(tokenize('"C:\\temp\\x" a\\"b')).toEqual([
      { value: 'C:\\temp\\x', quoted: true },
      { value: 'a\\"b', quoted: false },
    ]);
  });

  it('keeps an empty quoted string and quotes inside a word', () => {
    expect(tokenize('"" it"s')).toEqual([
      { value: '', quoted: true },
      { value: 'it"s', quoted: false },
    ]);
  });
});

describe('parseArgs', () => {
  it('reads positionals, --flag value and --flag=value', () => {
    expect(parse(NEW, '"VPN drops" --impact high --urgency=low --service vpn')).toEqual({
      title: 'VPN drops',
      impact: 'high',
      urgency: 'low',
      service: 'vpn',
    });
  });

  it('takes flags anywhere, the title from the words around them', () => {
    expect(parse(NEW, '--impact high VPN is down --service=vpn again')).toEqual({
      title: 'VPN is down again',
      impact: 'high',
      service: 'vpn',
    });
  });

  it("runs a text option's value to the next flag; a quoted value, a choice and --flag=value are one word", () => {
    const remind = def('ticket', 'remind');
    expect(parse(remind, 'INC-4 in 1 minute --note quiet test')).toEqual({
      id: 'INC-4',
      when: 'in 1 minute',
      note: 'quiet test',
    });
    expect(parse(remind, 'INC-4 tomorrow 9am --note call the "vendor" back')).toEqual({
      id: 'INC-4',
      when: 'tomorrow 9am',
      note: 'call the vendor back',
    });
    expect(parse(NEW, 'VPN --description since the 14:00 push --impact high --service corp vpn')).toEqual({
      title: 'VPN',
      description: 'since the 14:00 push',
      impact: 'high',
      service: 'corp vpn',
    });
    expect(parse(NEW, '--description "since 14:00" VPN is down --impact high again')).toEqual({
      description: 'since 14:00',
      title: 'VPN is down again',
      impact: 'high',
    });
    expect(parse(NEW, '--service=vpn VPN is down')).toEqual({ service: 'vpn', title: 'VPN is down' });
    expect(parse(def('ticket', 'list'), '--service corp vpn -2 --mine')).toEqual({
      service: 'corp vpn -2',
      mine: true,
    });
    expect(usageError(NEW, '--service vpn VPN is down').message).toBe(
      'Missing <title>. (--service took "vpn VPN is down": a value runs to the next --flag; quote it to end it sooner.)',
    );
  });

  it('reads --flag="quoted value" with its spaces', () => {
    expect(parse(NEW, 'VPN --service="corp vpn" --team="net ops" --impact=high')).toEqual({
      title: 'VPN',
      service: 'corp vpn',
      team: 'net ops',
      impact: 'high',
    });
  });

  it('takes quoted flag values and flag names in any case, choices canonical', () => {
    expect(parse(NEW, 'x --DESCRIPTION "since the 14:00 push" --Impact HIGH --priority p1')).toEqual({
      title: 'x',
      description: 'since the 14:00 push',
      impact: 'high',
      priority: 'P1',
    });
  });

  it('does not take a quoted word or a negative number for a flag', () => {
    expect(parse(NEW, '"--impact" printer on floor -2')).toEqual({ title: '--impact printer on floor -2' });
  });

  it('gives the rest of the line to the last positional', () => {
    expect(parse(def('ticket', 'comment'), 'inc-3 rolled back   the "14:00 push"')).toEqual({
      id: 'INC-3',
      text: 'rolled back the 14:00 push',
    });
    expect(parse(def('ticket', 'resolve'), 'INC-3 config rollback fixed it')).toEqual({
      id: 'INC-3',
      resolution: 'config rollback fixed it',
    });
  });

  it('reads switches alone or with a value', () => {
    const comment = def('ticket', 'comment');
    expect(parse(comment, 'INC-1 checking logs --internal')).toEqual({
      id: 'INC-1',
      text: 'checking logs',
      internal: true,
    });
    expect(parse(comment, 'INC-1 --internal=false checking')).toEqual({
      id: 'INC-1',
      text: 'checking',
      internal: false,
    });
    expect(usageError(comment, 'INC-1 x --internal=maybe').code).toBe('USAGE.BAD_VALUE');
  });

  // Adapters hand mentions over in the neutral form (test/unit/mentions.test.ts shows them doing it).
  it.each([
    ['slack', '@slack:U123ABC', 'slack:U123ABC'],
    ['slack', 'slack:U1', 'slack:U1'],
    ['discord', '@discord:123456789', 'discord:123456789'],
    ['discord', '@slack:U1', 'slack:U1'],
    ['console', '@bob', 'console:bob'],
    ['console', 'bob', 'console:bob'],
    ['console', 'slack:U9', 'slack:U9'],
    ['slack', 'me', 'slack:UME'],
    ['slack', 'ME', 'slack:UME'],
  ] as const)('on %s reads %j as %s', (platform, ref, identity) => {
    expect(parse(def('ticket', 'assign'), `INC-1 ${ref}`, platform, 'slack:UME')).toEqual({
      id: 'INC-1',
      assignee: identity,
    });
  });

  it('knows no platform syntax: raw Slack and Discord mentions and bare platform ids are not people', () => {
    for (const [raw, platform] of [
      ['<@U123ABC>', 'slack'],
      ['<@U1|ada>', 'slack'],
      ['U0123ABC', 'slack'],
      ['<@!123456789>', 'discord'],
      ['<@123456789>', 'discord'],
      ['123456789', 'discord'],
      ['@teams:x', 'slack'],
    ] as const) {
      expect(parseUserRef(raw, platform, `${platform}:ME`), raw).toBeNull();
    }
  });

  it('has no Slack or Discord syntax in its source', () => {
    const source = readFileSync(join(import.meta.dirname, '../../src/core/parser.ts'), 'utf8');
    expect(source).not.toMatch(/slack|discord|<@|<!|<#/i);
  });

  it.each(['slack', 'discord', 'console'] as const)('on %s never takes a crowd or a group for a person', (platform) => {
    for (const crowd of ['@everyone', '@here', '@channel', 'everyone', '@Everyone', '@group:S123', '@group:456']) {
      const e = usageError(def('role', 'grant'), `${crowd} admin`, platform);
      expect(e.code, crowd).toBe('USAGE.NOT_A_PERSON');
      expect(e.field).toBe('user');
      expect(e.message).toMatch(/^<user> must be one person; (@\w+|a group) is not a person/);
    }
  });

  it('refuses what is not a person', () => {
    expect(parseUserRef('<@>', 'slack', 'slack:U1')).toBeNull();
    expect(parseUserRef('bob smith', 'console', 'console:x')).toBeNull();
    expect(parseUserRef('ada', 'slack', 'slack:U1')).toBeNull();
    const e = usageError(def('ticket', 'assign'), 'INC-1 ada', 'slack');
    expect(e.code).toBe('USAGE.BAD_USER');
    expect(e.message).toContain('must be a mention or "me"');
  });

  describe('usage errors name the problem and show the right form', () => {
    it('unknown flag', () => {
      const e = usageError(NEW, 'VPN down --colour red');
      expect(e.code).toBe('USAGE.UNKNOWN_FLAG');
      expect(e.message).toContain('Unknown option --colour');
      expect(e.message).toContain('--impact');
      expect(e.hint).toMatch(/^Usage: \/ticket new <title…>/);
      expect(e.hint).toContain('Example: /ticket new');
    });

    it('missing value', () => {
      for (const text of ['VPN down --impact', 'VPN down --impact --urgency high', 'VPN --service']) {
        const e = usageError(NEW, text);
        expect(e.code).toBe('USAGE.MISSING');
        expect(e.message).toMatch(/--(impact|service) needs a value/);
        expect(e.hint).toContain('Usage:');
      }
      expect(usageError(NEW, 'x --impact=').message).toBe('--impact needs a value.');
    });

    it('missing required positional', () => {
      const e = usageError(NEW, '--impact high');
      expect(e.code).toBe('USAGE.MISSING');
      expect(e.message).toBe('Missing <title>.');
      expect(e.field).toBe('title');
      expect(usageError(def('ticket', 'comment'), 'INC-1').message).toBe('Missing <text>.');
      expect(usageError(def('ticket', 'show'), '').field).toBe('id');
    });

    it('bad choice', () => {
      const e = usageError(NEW, 'VPN --priority P9');
      expect(e.code).toBe('USAGE.BAD_CHOICE');
      expect(e.message).toBe('--priority must be one of P1, P2, P3, P4; got "P9".');
      expect(e.field).toBe('priority');
      expect(e.hint).toContain('[--priority P1|P2|P3|P4]');
    });

    it('repeated flag', () => {
      const e = usageError(NEW, 'VPN --impact high --impact=low');
      expect(e.code).toBe('USAGE.REPEATED');
      expect(e.message).toBe('--impact is given twice.');
    });

    it('malformed ticket id', () => {
      const e = usageError(def('ticket', 'show'), 'FOO-1');
      expect(e.code).toBe('USAGE.BAD_TICKET_ID');
      expect(e.message).toContain('"FOO-1" is not a ticket id');
      expect(e.hint).toContain('Usage: /ticket show <INC-1>');
    });

    it('an unclosed quote, which would swallow the options after it', () => {
      const e = usageError(NEW, '"Printer broken --impact high --urgency high');
      expect(e.code).toBe('USAGE.UNCLOSED_QUOTE');
      expect(e.message).toBe(
        'Unclosed quote: "Printer broken --impact high --urgency … has no closing ". Close the quote after the value; options go outside it.',
      );
      expect(e.hint).toMatch(/^Usage: \/ticket new/);
      expect(usageError(NEW, 'VPN --service="corp vpn').message).toMatch(
        /^Unclosed quote: --service="corp vpn has no closing "/,
      );
      expect(usageError(NEW, '“Printer broken').message).toMatch(/^Unclosed quote: “Printer broken has no closing ”/);
      expect(parse(NEW, '"Printer broken" --impact high')).toEqual({ title: 'Printer broken', impact: 'high' });
    });

    it('words left over', () => {
      const e = usageError(def('ticket', 'show'), 'INC-1 and more');
      expect(e.code).toBe('USAGE.UNEXPECTED');
      expect(e.message).toBe('Unexpected "and more".');
    });

    it('a line or a text too long', () => {
      expect(usageError(NEW, 'x'.repeat(8001)).code).toBe('USAGE.TOO_LONG');
      expect(usageError(NEW, `x --description ${'y'.repeat(4001)}`).field).toBe('description');
    });
  });
});
