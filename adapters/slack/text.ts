// What people typed, from Slack's markup: entities decoded, links and channel references as the text shown,
// and for command lines, mentions in the core's neutral form (`@slack:U1`, `@here`, `@group:S1`) and channels as
// their ids (`#C1`).

/** Slack escapes these three in every text it sends; `&amp;` last, so `&amp;lt;` stays the `&lt;` that was typed. */
const decodeEntities = (s: string): string => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** `<@U1|ada>`, `<#C1|general>`, `<!here>`, `<https://x|label>`: sigil, target and optional label. */
const MARKUP = /<([@#!]?)([^>|]+)(?:\|([^>]*))?>/g;

function readable(text: string, neutral: boolean): string {
  const shown = text.replace(MARKUP, (_whole, sigil: string, target: string, label: string | undefined) => {
    if (sigil === '@') return neutral ? `@slack:${target}` : `@${label || target}`;
    // A user group is many people: the core must see it as a group, not as someone called its handle.
    if (sigil === '!' && neutral && target.startsWith('subteam^')) return `@group:${target.slice(8)}`;
    if (sigil === '!' && neutral && /^(here|channel|everyone)$/.test(target)) return `@${target}`;
    if (sigil === '!') return label ? (label.startsWith('@') ? label : `@${label}`) : `@${target}`;
    // In a command line a channel is an option's value (`--channel`, a policy's `#channel`): its id, which the
    // core can post to; in free text, the name people saw.
    if (sigil === '#') return neutral && /^[CG][A-Z0-9]{2,30}$/.test(target) ? `#${target}` : `#${label || target}`;
    return label || target;
  });
  return decodeEntities(shown);
}

/**
 * Text for the core's command parser (slash commands, mentions, DMs): as typed, with people as the neutral
 * `@slack:U1` the parser reads as a person (`/ticket assign INC-1 @ada` arrives as `<@U1|ada>`), and
 * `<!here>`, `<!channel>`, `<!everyone>`, `<!subteam^S1>` as the crowds they are.
 */
export const commandText = (text: string): string => readable(text, true);

/** The people mentioned in Slack markup (`<@U1|ada>`), each once, at most `max` of them. */
export function mentionedUsers(text: string, max = 5): string[] {
  const ids = new Set<string>();
  for (const m of text.matchAll(/<@([A-Z0-9]{2,30})(?:\|[^>]*)?>/g)) {
    if (ids.size >= max) break;
    ids.add(m[1] as string);
  }
  return [...ids];
}

/** Free text (comments, quoted messages): mentions of people become `@name` (or `@U1`). */
export const plainSlackText = (text: string): string => readable(text, false);
