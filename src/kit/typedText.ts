// What people type, on every platform: the characters refused, words split, and typed text made safe to show back.

/**
 * Joiners are part of emoji sequences (👩‍💻) and of scripts that need them (Persian, Indic); between two
 * ASCII characters (or at an edge) they only hide something, as in `INC\u200D-1`.
 */
const JOINERS = new Set([0x200c, 0x200d]);

type Refused = 'control' | 'direction' | 'invisible' | 'separator';

/** How each kind of refused character is described to the person who typed it. */
const DESCRIBED: Readonly<Record<Refused, string>> = Object.freeze({
  control: 'a control character',
  direction: 'a text-direction control',
  invisible: 'an invisible character',
  separator: 'a Unicode line separator',
});

/** Why a character is refused, by code point; null when it may be typed. */
function refusalOf(c: number): Refused | null {
  if ((c < 0x20 && c !== 0x09 && c !== 0x0a) || (c >= 0x7f && c <= 0x9f)) return 'control';
  if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c === 0x200e || c === 0x200f || c === 0x061c)
    return 'direction';
  if (c === 0x200b || (c >= 0x2060 && c <= 0x2064) || c === 0xfeff || c === 0x180e) return 'invisible';
  if (c === 0x2028 || c === 0x2029) return 'separator';
  return null;
}

const isAscii = (ch: string | undefined): boolean => ch === undefined || (ch.codePointAt(0) ?? 0) < 0x80;

/** The characters of `text`, split by code point so an emoji's two halves stay one. */
const charsOf = (text: string): string[] => Array.from(text);

function reasonAt(chars: readonly string[], i: number): Refused | null {
  const c = chars[i]?.codePointAt(0) ?? 0;
  if (JOINERS.has(c)) return isAscii(chars[i - 1]) || isAscii(chars[i + 1]) ? 'invisible' : null;
  return refusalOf(c);
}

/** `U+202E`: how a refused character is named to a person, never the character itself. */
export const codePointName = (ch: string): string =>
  `U+${(ch.codePointAt(0) ?? 0).toString(16).toUpperCase().padStart(4, '0')}`;

/** `\r\n` is one line end, as a terminal or a form sends it; a `\r` on its own stays and is refused. */
export const joinLineEnds = (text: string): string => text.replace(/\r\n/g, '\n');

/**
 * The first character this text may not hold: C0 and C1 controls other than tab and newline (a lone
 * `\r` included), DEL, text-direction controls, zero-width and other invisible characters, Unicode line
 * separators. Null when the text is fine.
 */
export function firstRefused(text: string): { char: string; name: string; what: string } | null {
  const chars = charsOf(text);
  for (let i = 0; i < chars.length; i++) {
    const why = reasonAt(chars, i);
    const char = chars[i] as string;
    if (why) return { char, name: codePointName(char), what: DESCRIBED[why] };
  }
  return null;
}

function neutralise(text: string, breaks: boolean): string {
  const chars = charsOf(text);
  let out = '';
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    out += reasonAt(chars, i) || (breaks && ch === '\n') ? `[${codePointName(ch)}]` : ch;
  }
  return out;
}

/**
 * Typed text as it may be shown back in a reply, on any platform: every refused character (and, with
 * `max`, a line break) written as `[U+001B]` so it is seen and not obeyed; with `max`, cut to that many
 * characters. The one way a reply quotes what a person typed.
 */
export function shown(text: string, max?: number): string {
  if (max === undefined) return neutralise(text, false);
  const chars = charsOf(text);
  const cut = chars.length > max ? `${chars.slice(0, max).join('')}…` : text;
  return neutralise(cut, true);
}

/**
 * Prose a person wrote somewhere else (a message quoted into a ticket, a thread reply taken as a
 * comment): controls become spaces and invisible characters go, so something pasted unseen does not
 * get the message refused. Tabs and line breaks stay.
 */
export function plainProse(text: string): string {
  const chars = charsOf(joinLineEnds(text));
  let out = '';
  for (let i = 0; i < chars.length; i++) {
    const why = reasonAt(chars, i);
    out += why === null ? chars[i] : why === 'control' || why === 'separator' ? ' ' : '';
  }
  return out;
}

/** What separates words on a command line: spaces (any Unicode space), tabs and newlines, nothing else. */
export const SEPARATOR = /[\t\n\p{Zs}]/u;
const EDGES = /^[\t\n\p{Zs}]+|[\t\n\p{Zs}]+$/gu;

/** Trims separators only: a control character at either end stays, to be refused rather than dropped. */
export const trimSpace = (text: string): string => text.replace(EDGES, '');

/** `ticket new X` -> [`ticket`, `new X`]; the first word as typed, the rest untouched but trimmed. */
export function splitFirstWord(text: string): [string, string] {
  const t = trimSpace(text);
  const m = /^([^\t\n\p{Zs}]*)[\t\n\p{Zs}]*([\s\S]*)$/u.exec(t);
  return m ? [m[1] as string, m[2] as string] : ['', ''];
}

/**
 * A reply (or any plain value) with `shown` applied to every string in it: what the core hands to an
 * adapter never carries a raw control, whatever got into a title, a display name or the database before.
 */
export function shownThroughout<T>(value: T): T {
  if (typeof value === 'string') return shown(value) as T;
  if (Array.isArray(value)) return value.map((v) => shownThroughout(v)) as T;
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shownThroughout(v)])) as T;
  }
  return value;
}
