// How a stale review's sweep is posted: the open tickets with no update for its days, by assignee, each assignee
// mentioned on the platform it posts to.
import { formatDuration } from '../domain/duration.ts';
import type { StaleGroup } from '../domain/stale.ts';
import { registerNotices } from './notices.ts';
import type { Reply } from './reply.ts';

const days = (n: number) => `${n} day${n === 1 ? '' : 's'}`;

export interface StaleSwept {
  review: { name: string };
  /** The review's days without an update. */
  days: number;
  groups: readonly StaleGroup[];
  /** The assignees' identities on the platform posted to. */
  mentions: readonly string[];
  now: Date;
}

export function staleReply(n: StaleSwept): Reply {
  const count = n.groups.reduce((a, g) => a + g.tickets.length, 0);
  const header = `${n.review.name} · ${count ? `${count} stale ticket${count === 1 ? '' : 's'}` : 'nothing stale'}`;
  const list: string[] = [];
  for (const g of n.groups) {
    const who = g.assignee ? `@${g.assignee.name}` : 'Unassigned';
    list.push(`${who} · ${g.tickets.length} ticket${g.tickets.length === 1 ? '' : 's'}`);
    for (const t of g.tickets) {
      list.push(
        `  ${t.ticketId} · ${t.priority} · ${t.state} · ${t.title} · no update for ${formatDuration(n.now.getTime() - t.updatedAt.getTime())}`,
      );
    }
  }
  if (!count) list.push(`No open ticket has gone ${days(n.days)} without an update.`);
  return {
    text: [`${header} (no update for ${days(n.days)})`, ...list].join('\n'),
    visibility: 'channel',
    header,
    list,
    ...(n.mentions.length ? { mentions: [...n.mentions] } : {}),
  };
}

/** This module's notice kinds, `stale.*` (src/present/notices.ts). */
export const STALE_NOTICES = registerNotices('stale', { swept: staleReply });
