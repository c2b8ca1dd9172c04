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

/** Zones to offer when one typed is unknown. */
const ZONE_EXAMPLES = ['Europe/Berlin', 'America/New_York'];

/**
 * An IANA timezone name typed by a person, as this runtime spells it ("europe/berlin" -> "Europe/Berlin"),
 * or what is wrong with it. Only names: a bare offset ("+02:00") would be wrong across a DST change.
 */
export function readTimeZone(
  text: string,
): { ok: true; value: string } | { ok: false; error: string; examples: string[] } {
  const t = typeof text === 'string' ? text.trim() : '';
  const shown = `"${t.replace(/[\p{Cc}\p{Cf}]/gu, '').slice(0, 40)}"`;
  const fail = (error: string) => ({ ok: false as const, error, examples: ZONE_EXAMPLES });
  if (t === '') return fail('say which timezone, as Area/City');
  if (/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/.test(t) && isTimeZone(t)) {
    return { ok: true, value: new Intl.DateTimeFormat('en', { timeZone: t }).resolvedOptions().timeZone };
  }
  const guess = zoneNamed(t);
  return fail(`${shown} is not a timezone I know${guess ? ` (did you mean ${guess}?)` : ''}`);
}

/** The zone whose city is `city` ("berlin", "new york"), when exactly one is. */
function zoneNamed(city: string): string | null {
  const key = city.replace(/\s+/g, '_').toLowerCase();
  if (!/^[a-z_-]{3,40}$/.test(key)) return null;
  const hits = Intl.supportedValuesOf('timeZone').filter((z) => z.toLowerCase().split('/').pop() === key);
  return hits.length === 1 ? (hits[0] as string) : null;
}
