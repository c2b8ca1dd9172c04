// What no reply may carry raw, spelt out apart from the code under test: controls, bidi and zero-width characters.

const RANGES: ReadonlyArray<readonly [number, number]> = [
  [0x00, 0x08],
  [0x0b, 0x1f],
  [0x7f, 0x9f],
  [0x061c, 0x061c],
  [0x200b, 0x200b],
  [0x200e, 0x200f],
  [0x2028, 0x202e],
  [0x2060, 0x2064],
  [0x2066, 0x2069],
  [0xfeff, 0xfeff],
];

/** The first such character in `text` as `U+XXXX`, or null when there is none. */
export function rawControlIn(text: string): string | null {
  for (const ch of text) {
    const c = ch.codePointAt(0) ?? 0;
    if (RANGES.some(([lo, hi]) => c >= lo && c <= hi)) return `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return null;
}
