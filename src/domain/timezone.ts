// IANA timezone names: which ones this runtime knows, so a bad one never reaches date formatting.
const known = new Map<string, boolean>();

/** True for a timezone name date formatting accepts (`Europe/Paris`, `UTC`). */
export function isTimeZone(name: string): boolean {
  const hit = known.get(name);
  if (hit !== undefined) return hit;
  let ok: boolean;
  try {
    new Intl.DateTimeFormat('en', { timeZone: name });
    ok = name.trim() !== '';
  } catch {
    ok = false;
  }
  if (known.size < 1000) known.set(name, ok);
  return ok;
}

/** The first of `candidates` that is a known timezone; `fallback` otherwise. */
export function firstTimeZone(candidates: ReadonlyArray<string | null | undefined>, fallback: string): string {
  return candidates.find((c): c is string => typeof c === 'string' && isTimeZone(c)) ?? fallback;
}
