// The text parser: quotes, --flag value, --flag=value, mentions, the rest of the line. Never throws.
import { parseDuration } from '../domain/duration.ts';
import { type ErrorCode, UserError } from '../domain/errors.ts';
import { isPlatformName, type Platform, platformNamed } from '../domain/platform.ts';
import { parseTicketId } from '../domain/ticket.ts';
import { firstRefused, joinLineEnds, SEPARATOR, shown, trimSpace } from '../kit/typedText.ts';
import { type CommandDef, type OptionDef, type OptionValues, usageOf } from './command.ts';

export interface Token {
  value: string;
  quoted: boolean;
  /** The quote that opened this word and was never closed (the word runs to the end of the line). */
  unclosed?: string;
}

const QUOTES: Readonly<Record<string, string>> = Object.freeze({ '"': '"', "'": "'", '“': '”', '‘': '’' });

/** Where the quote opened before `from` closes: the first `close` not written `\` + close; -1 if none. */
function closingAt(text: string, from: number, close: string): number {
  for (let k = from; k < text.length; k++) {
    if (text[k] === '\\' && text[k + 1] === close) k++;
    else if (text[k] === close) return k;
  }
  return -1;
}

/** A quoted value as meant: `\"` inside `"…"` is a `"` (and so for each kind of quote). */
const unescaped = (value: string, close: string): string => value.split(`\\${close}`).join(close);

/** Splits a line into words; quoted strings are one word; an unclosed quote runs to the end, marked `unclosed`. */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (SEPARATOR.test(ch)) {
      i++;
      continue;
    }
    const close = QUOTES[ch];
    if (close) {
      const end = closingAt(text, i + 1, close);
      const stop = end === -1 ? text.length : end;
      tokens.push({
        value: unescaped(text.slice(i + 1, stop), close),
        quoted: true,
        ...(end === -1 ? { unclosed: ch } : {}),
      });
      i = stop + 1;
      continue;
    }
    let j = i;
    let value: string | null = null;
    let unclosed: string | undefined;
    while (j < text.length && !SEPARATOR.test(text[j] as string)) {
      const q = QUOTES[text[j] as string];
      // `--service="my vpn"`: the quoted part is the flag's value, spaces and all.
      if (q && /^--?[A-Za-z][^=]*=$/.test(text.slice(i, j))) {
        const end = closingAt(text, j + 1, q);
        const stop = end === -1 ? text.length : end;
        value = text.slice(i, j) + unescaped(text.slice(j + 1, stop), q);
        if (end === -1) unclosed = text[j];
        j = stop + 1;
        break;
      }
      j++;
    }
    tokens.push({ value: value ?? text.slice(i, j), quoted: false, ...(unclosed ? { unclosed } : {}) });
    i = j;
  }
  return tokens;
}

export const MAX_TEXT = 4000;
/** The longest line read, flags and all (help says so). */
export const MAX_LINE = 8000;

function usageError(def: CommandDef, code: ErrorCode, message: string, field?: string): UserError {
  const example = def.examples[0] ? `\nExample: ${def.examples[0]}` : '';
  return new UserError(code, message, `Usage: ${usageOf(def)}${example}`, field);
}

/**
 * Words that reach many people at once (`@everyone`, `@here`, `@channel`) and groups (`@group:ops`, what
 * adapters make of user-group and role mentions): never one person, whichever platform they came from.
 */
export function broadcastOf(raw: string): string | null {
  const v = raw.trim().toLowerCase();
  if (/^@?(everyone|here|channel)$/.test(v)) return `@${v.replace(/^@/, '')}`;
  if (/^@group:/.test(v)) return 'a group';
  return null;
}

/**
 * Turns a person reference into a platform identity. Adapters hand over mentions in the neutral form
 * `@<platform>:<id>` (or `<platform>:<id>`); `me` is the asker; at the terminal a bare `@alice` is a local user.
 */
export function parseUserRef(raw: string, platform: Platform, actorId: string): string | null {
  const v = raw.trim();
  if (v.toLowerCase() === 'me') return actorId;
  if (broadcastOf(v)) return null;
  const neutral = /^@?([a-z]+):([A-Za-z0-9._-]{1,64})$/.exec(v);
  if (neutral) return isPlatformName(neutral[1] as string) ? v.replace(/^@/, '') : null;
  if (platformNamed(platform)?.barePeople && /^@?[A-Za-z0-9._-]{1,64}$/.test(v))
    return `${platform}:${v.replace(/^@/, '')}`;
  return null;
}

/** Checks and converts one option value; throws a usage error naming the option. */
export function checkValue(
  def: CommandDef,
  opt: OptionDef,
  raw: string | number | boolean,
  platform: Platform,
  actorId: string,
): string | boolean {
  const name = opt.positional ? `<${opt.name}>` : `--${opt.name}`;
  if (typeof raw === 'string') {
    raw = joinLineEnds(raw);
    const bad = firstRefused(raw);
    if (bad) {
      throw usageError(def, 'USAGE.BAD_VALUE', `${name} contains ${bad.name}, ${bad.what}; type plain text.`, opt.name);
    }
  }
  if (opt.kind === 'flag') {
    if (typeof raw === 'boolean') return raw;
    const v = String(raw).toLowerCase();
    if (['true', 'yes', '1', ''].includes(v)) return true;
    if (['false', 'no', '0'].includes(v)) return false;
    throw usageError(def, 'USAGE.BAD_VALUE', `${name} is a switch: give it alone or as ${name}=false.`, opt.name);
  }
  const text = trimSpace(String(raw));
  if (text === '') {
    throw usageError(def, 'USAGE.MISSING', `${name} needs a value.`, opt.name);
  }
  switch (opt.kind) {
    case 'choice': {
      const v = text.toLowerCase();
      const hit = [...(opt.choices ?? []), ...(opt.unlisted ?? [])].find((c) => c.toLowerCase() === v);
      if (!hit) {
        throw usageError(
          def,
          'USAGE.BAD_CHOICE',
          `${name} must be one of ${opt.choices?.join(', ')}; got "${shown(text, 40)}".`,
          opt.name,
        );
      }
      return hit;
    }
    case 'ticket': {
      const id = parseTicketId(text);
      if (!id) {
        throw usageError(
          def,
          'USAGE.BAD_TICKET_ID',
          `"${shown(text, 40)}" is not a ticket id (like INC-12, REQ-3, PRB-1, CHG-7).`,
          opt.name,
        );
      }
      return id.id;
    }
    case 'user': {
      const crowd = broadcastOf(text);
      if (crowd) {
        throw usageError(
          def,
          'USAGE.NOT_A_PERSON',
          `${name} must be one person; ${crowd} is not a person: mention someone, or say "me".`,
          opt.name,
        );
      }
      const who = parseUserRef(text, platform, actorId);
      if (!who)
        throw usageError(
          def,
          'USAGE.BAD_USER',
          `${name} must be a mention or "me"; got "${shown(text, 40)}".`,
          opt.name,
        );
      return who;
    }
    case 'duration': {
      if (parseDuration(text) === null) {
        throw usageError(
          def,
          'USAGE.BAD_DURATION',
          `${name} must be a duration like 30m, 4h or 2d; got "${shown(text, 40)}".`,
          opt.name,
        );
      }
      return text.toLowerCase();
    }
    default:
      return checkText(def, opt, text);
  }
}

function checkText(def: CommandDef, opt: OptionDef, raw: string): string {
  // Refused characters are gone by now (checkValue); in a one-line field a line break is a space.
  const text = opt.multiline ? raw : raw.replace(/\s+/g, ' ');
  const max = Math.min(opt.maxLength ?? MAX_TEXT, MAX_TEXT);
  if (text.length > max) {
    throw usageError(
      def,
      'USAGE.TOO_LONG',
      `The ${opt.name} is too long (${text.length} characters; at most ${max}).`,
      opt.name,
    );
  }
  return text;
}

/** A value as it is typed back in a command this parser reads: quoted (`\"` inside) unless it is one plain word. */
export function typedValue(value: string): string {
  const plain = value !== '' && !/^-/.test(value) && ![...value].some((ch) => SEPARATOR.test(ch) || ch in QUOTES);
  return plain ? value : `"${value.replace(/"/g, '\\"')}"`;
}

/** `--impact`, `-x`, `--note=…`: a word that names an option (a quoted word or a negative number never does). */
const isFlag = (t: Token): boolean => !t.quoted && /^--?[A-Za-z]/.test(t.value) && !/^-\d/.test(t.value);

/** Free text given as `--name value` runs to the next flag; every other kind of value is one word. */
export const runsToNextFlag = (opt: OptionDef): boolean => opt.kind === 'text' && !opt.positional;

/** Parses the words after the subcommand against a definition. */
export function parseArgs(def: CommandDef, text: string, platform: Platform, actorId: string): OptionValues {
  if (text.length > MAX_LINE)
    throw usageError(
      def,
      'USAGE.TOO_LONG',
      `That line is too long (at most ${MAX_LINE.toLocaleString('en')} characters).`,
    );
  const tokens = tokenize(text);
  const open = tokens.find((t) => t.unclosed);
  if (open?.unclosed) {
    // A quote left open would swallow the options after it (`"Printer broken --impact high`): say so instead.
    const from = open.quoted ? `${open.unclosed}${open.value}` : open.value.replace('=', `=${open.unclosed}`);
    throw usageError(
      def,
      'USAGE.UNCLOSED_QUOTE',
      `Unclosed quote: ${shown(from, 40)} has no closing ${QUOTES[open.unclosed]}. Close the quote after the value; options go outside it.`,
    );
  }
  const given = new Map<string, string | boolean>();
  const ranOn: string[] = [];
  const loose: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i] as Token;
    const flag = isFlag(tok) ? tok.value : null;
    if (!flag) {
      loose.push(tok);
      continue;
    }
    const body = flag.replace(/^--?/, '');
    const eq = body.indexOf('=');
    const name = (eq === -1 ? body : body.slice(0, eq)).toLowerCase();
    const opt = def.options.find((o) => o.name === name);
    if (!opt) {
      const known = def.options.filter((o) => !o.positional).map((o) => `--${o.name}`);
      throw usageError(
        def,
        'USAGE.UNKNOWN_FLAG',
        `Unknown option --${shown(name, 40)}.${known.length ? ` Known options: ${known.join(', ')}.` : ''}`,
      );
    }
    if (given.has(opt.name)) throw usageError(def, 'USAGE.REPEATED', `--${opt.name} is given twice.`, opt.name);
    let value: string | boolean;
    if (eq !== -1) {
      value = body.slice(eq + 1);
      // Blank values are skipped later (empty form fields); a typed `--impact=` is a mistake to name.
      if (opt.kind !== 'flag' && trimSpace(value) === '') {
        throw usageError(def, 'USAGE.MISSING', `--${opt.name} needs a value.`, opt.name);
      }
    } else if (opt.kind === 'flag') value = true;
    else {
      const next = tokens[i + 1];
      if (!next || (!next.quoted && /^--[A-Za-z]/.test(next.value))) {
        throw usageError(def, 'USAGE.MISSING', `--${opt.name} needs a value.`, opt.name);
      }
      const words = [next.value];
      i++;
      // A text value runs to the next flag (`--note call the vendor --impact high`); a quoted one is what is quoted.
      if (runsToNextFlag(opt) && !next.quoted) {
        for (let after = tokens[i + 1]; after && !isFlag(after); after = tokens[i + 1]) {
          words.push(after.value);
          i++;
        }
      }
      value = words.join(' ');
      if (words.length > 1) ranOn.push(`--${opt.name} took "${shown(value, 40)}"`);
    }
    given.set(opt.name, value);
  }

  const positionals = def.options.filter((o) => o.positional && !given.has(o.name));
  for (const opt of positionals) {
    if (loose.length === 0) break;
    if (opt.rest) {
      given.set(opt.name, loose.map((t) => t.value).join(' '));
      loose.length = 0;
    } else {
      given.set(opt.name, (loose.shift() as Token).value);
    }
  }
  const missing = def.options.find((o) => o.positional && o.required && !given.has(o.name));
  if (missing && ranOn.length) {
    // The words meant for it went to a flag before them: say where they went.
    throw usageError(
      def,
      'USAGE.MISSING',
      `Missing <${missing.name}>. (${ranOn.join(', ')}: a value runs to the next --flag; quote it to end it sooner.)`,
      missing.name,
    );
  }
  if (loose.length > 0) {
    throw usageError(def, 'USAGE.UNEXPECTED', `Unexpected "${shown(loose.map((t) => t.value).join(' '), 60)}".`);
  }
  return checkOptions(def, Object.fromEntries(given), platform, actorId);
}

/** Checks typed options (from platform option schemas, buttons, forms, or the text parser). */
export function checkOptions(
  def: CommandDef,
  raw: Record<string, string | number | boolean | undefined>,
  platform: Platform,
  actorId: string,
): OptionValues {
  const out: OptionValues = {};
  for (const [name, value] of Object.entries(raw)) {
    if (value === undefined) continue;
    const opt = def.options.find((o) => o.name === name);
    if (!opt) throw usageError(def, 'USAGE.UNKNOWN_FLAG', `Unknown option ${shown(name, 40)}.`);
    if (typeof value === 'string' && trimSpace(value) === '' && !opt.required) continue;
    out[name] = checkValue(def, opt, value, platform, actorId);
  }
  for (const opt of def.options) {
    if (opt.required && out[opt.name] === undefined) {
      throw usageError(
        def,
        'USAGE.MISSING',
        `Missing ${opt.positional ? `<${opt.name}>` : `--${opt.name}`}.`,
        opt.name,
      );
    }
  }
  return out;
}
