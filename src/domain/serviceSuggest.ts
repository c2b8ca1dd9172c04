// Which catalog services to offer for what someone has typed so far (Discord autocomplete, Slack's type-ahead select).

export interface SuggestableService {
  name: string;
  team: string;
  tier: number | null;
}

/** The most any platform shows (Discord's autocomplete takes 25 choices; Slack's select is easier read short). */
export const MAX_SUGGESTIONS = 25;

/**
 * Services matching `typed`, best first: names starting with it, then names containing it, then services of a
 * team whose name starts with it; each group by name. Nothing typed: the whole catalog by name. At most `limit`.
 */
export function suggestServices<S extends SuggestableService>(
  catalog: readonly S[],
  typed: string,
  limit = MAX_SUGGESTIONS,
): S[] {
  const q = typed.trim().toLowerCase();
  const byName = [...catalog].sort((a, b) => a.name.localeCompare(b.name));
  if (q === '') return byName.slice(0, limit);
  const rank = (s: S): number =>
    s.name.startsWith(q) ? 0 : s.name.includes(q) ? 1 : s.team.toLowerCase().startsWith(q) ? 2 : 3;
  return byName
    .map((s) => ({ s, r: rank(s) }))
    .filter((x) => x.r < 3)
    .sort((a, b) => a.r - b.r)
    .slice(0, Math.max(0, limit))
    .map((x) => x.s);
}

/** How a suggestion reads in a list: `vpn · network · tier 1`, cut to `max` characters. */
export function suggestionLabel(s: SuggestableService, max = 100): string {
  const label = [s.name, s.team, s.tier === null ? null : `tier ${s.tier}`].filter(Boolean).join(' · ');
  return label.length <= max ? label : `${label.slice(0, max - 1)}…`;
}
