// "Open ticket" on a message: the title and description a ticket gets from the message it quotes.
import { plainProse } from '../../src/kit/typedText.ts';

/** Title and description limits of `/ticket new`, as its definition gives them. */
export interface TicketTextLimits {
  title: number;
  description: number;
}

/** Shorter than the title limit: a first line is a summary, the rest is in the quote. */
const TITLE_FROM_LINE = 120;

const cut = (s: string, n: number): string => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);

/**
 * The first non-empty line is the title (or "Message from <author>" when there is no text); the
 * description quotes the message and ends with who wrote it and the link, cut to fit the limit
 * with the link kept whole.
 */
export function ticketFromMessage(
  m: { content: string; author: string; link: string },
  limits: TicketTextLimits,
): { title: string; description: string } {
  // A message Discord accepted must not be refused as a ticket because of something invisible pasted into it.
  const text = plainProse(m.content).trim();
  const firstLine =
    text
      .split('\n')
      .find((l) => l.trim())
      ?.trim()
      .replace(/\s+/g, ' ') ?? '';
  const title = firstLine ? cut(firstLine, Math.min(TITLE_FROM_LINE, limits.title)) : `Message from ${m.author}`;
  const signature = `\n— ${m.author}, ${m.link}`;
  const quote = text
    ? text
        .split('\n')
        .map((l) => `> ${l}`)
        .join('\n')
    : '> (no text)';
  return {
    title: cut(title, limits.title),
    description: `${cut(quote, limits.description - signature.length)}${signature}`,
  };
}
