// The one rule for a ticket opened from a chat message: its title and description, from the message's words.
import { plainProse } from '../kit/typedText.ts';

/** A message as the adapter read it: its words as plain text, who wrote it, and where it can be found again. */
export interface QuotedMessage {
  text: string;
  /** The author's display name, when a person wrote it. */
  author?: string | undefined;
  /** A link to the message. */
  link?: string | undefined;
}

/** Title and description limits of `/ticket new`, as its definition gives them. */
export interface TicketTextLimits {
  title: number;
  description: number;
}

/** Shorter than the title limit: a first line is a summary, the rest is in the quote. */
const TITLE_FROM_LINE = 80;

const cut = (s: string, n: number): string => (s.length <= n ? s : `${s.slice(0, Math.max(0, n - 1))}…`);

/**
 * The first non-empty line is the title (or "Message from <author>" when there is no text); the description quotes
 * the message and ends with who wrote it and the link, the quote cut so that the whole fits the description's limit
 * with the attribution and the link kept whole.
 */
export function ticketTextOf(m: QuotedMessage, limits: TicketTextLimits): { title: string; description: string } {
  // A message the platform accepted must not be refused as a ticket because of something invisible pasted into it.
  const text = plainProse(m.text).trim();
  const firstLine =
    text
      .split('\n')
      .find((l) => l.trim())
      ?.trim()
      .replace(/\s+/g, ' ') ?? '';
  const title = firstLine
    ? cut(firstLine, Math.min(TITLE_FROM_LINE, limits.title))
    : m.author
      ? `Message from ${m.author}`
      : 'Ticket from a message';
  const attribution = `\n\n— message${m.author ? ` by ${m.author}` : ''}${m.link ? ` ${m.link}` : ''}`;
  const quote = (text || '(no text)')
    .split('\n')
    .map((l) => `> ${l}`)
    .join('\n');
  return {
    title: cut(title, limits.title),
    description: `${cut(quote, limits.description - attribution.length)}${attribution}`,
  };
}
