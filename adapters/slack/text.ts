// What people typed, from Slack's markup: entities decoded, links and channel references as the text shown.

/** Slack escapes these three in every text it sends; `&amp;` last, so `&amp;lt;` stays the `&lt;` that was typed. */
const decodeEntities = (s: string): string => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** `<@U1|ada>`, `<#C1|general>`, `<!here>`, `<https://x|label>`: sigil, target and optional label. */
const MARKUP = /<([@#!]?)([^>|]+)(?:\|([^>]*))?>/g;

function readable(text: string, keepPeople: boolean): string {
  const shown = text.replace(MARKUP, (whole, sigil: string, target: string, label: string | undefined) => {
    if (sigil === '@') return keepPeople ? whole : `@${label || target}`;
    if (sigil === '!') return label ? (label.startsWith('@') ? label : `@${label}`) : `@${target}`;
    if (sigil === '#') return `#${label || target}`;
    return label || target;
  });
  return decodeEntities(shown);
}

/**
 * Text for the core's command parser (slash commands, mentions): as typed, except that people stay Slack
 * mentions (`<@U1|ada>`), which the parser reads as a person (`/ticket assign INC-1 @ada`).
 */
export const commandText = (text: string): string => readable(text, true);

/** Free text (comments, quoted messages): mentions of people become `@name` (or `@U1`). */
export const plainSlackText = (text: string): string => readable(text, false);
