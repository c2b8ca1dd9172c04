// Durations as people write them ("15m", "4h", "3d", "1w") to milliseconds and back.
const UNIT_MS: Readonly<Record<string, number>> = Object.freeze({
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
});

const DURATION_RE = /^(?:(\d{1,6})([smhdw]))+$/;
const PART_RE = /(\d{1,6})([smhdw])/g;

/** Milliseconds for "1h30m" style text; null when the text is not a duration. */
export function parseDuration(text: string): number | null {
  const t = text.trim().toLowerCase();
  if (!DURATION_RE.test(t)) return null;
  let ms = 0;
  for (const m of t.matchAll(PART_RE)) ms += Number(m[1]) * (UNIT_MS[m[2] as string] as number);
  return ms > 0 ? ms : null;
}

/** Short human form: 90 minutes -> "1h 30m". */
export function formatDuration(ms: number): string {
  // Below 59.5s: rounding to whole seconds would otherwise show "60s".
  if (ms < 59_500) return `${Math.max(0, Math.round(ms / 1000))}s`;
  const parts: string[] = [];
  let rest = Math.round(ms / 60_000);
  for (const [unit, size] of [
    ['d', 1440],
    ['h', 60],
    ['m', 1],
  ] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n}${unit}`);
    rest -= n * size;
  }
  return parts.slice(0, 2).join(' ');
}
