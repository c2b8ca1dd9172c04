// Stale tickets: the sweep a stale review posts (the housekeeping runs on its own: src/services/housekeeping.ts).

import { formatDuration } from '../domain/duration.ts';
import type { Review } from '../domain/review.ts';
import { staleByAssignee } from '../domain/stale.ts';
import { OPEN_STATES } from '../domain/ticket.ts';
import type { Reply } from '../present/reply.ts';
import type { TicketRepository } from '../store/ticketStore.ts';

export const DEFAULT_STALE_DAYS = 3;
/** The hot set read at most (the same bound as the digest's counts). */
const HOT_LIMIT = 5000;

const days = (n: number) => `${n} day${n === 1 ? '' : 's'}`;

export class StaleService {
  constructor(
    private readonly repo: TicketRepository,
    /** A person's linked identities, so each assignee is mentioned on the platform the sweep posts to. */
    private readonly identitiesOf: (
      tenant: string,
      personId: string,
    ) => Promise<Array<{ identity: string }>> = async () => [],
  ) {}

  /** Lists the open tickets with no update for the review's days, by assignee (the housekeeping runs on its own). */
  async sweep(review: Review, now: Date): Promise<Reply> {
    const hot = await this.repo.list(review.tenant, { states: [...OPEN_STATES], limit: HOT_LIMIT });
    const n = review.days ?? DEFAULT_STALE_DAYS;
    const groups = staleByAssignee(hot, now, n);
    const count = groups.reduce((a, g) => a + g.tickets.length, 0);
    const header = `${review.name} · ${count ? `${count} stale ticket${count === 1 ? '' : 's'}` : 'nothing stale'}`;
    const list: string[] = [];
    const platform = review.channel.split(':')[0];
    const mentions: string[] = [];
    for (const g of groups) {
      if (g.assignee) {
        for (const { identity } of await this.identitiesOf(review.tenant, g.assignee.id)) {
          if (identity.startsWith(`${platform}:`)) mentions.push(identity);
        }
      }
      const who = g.assignee ? `@${g.assignee.name}` : 'Unassigned';
      list.push(`${who} · ${g.tickets.length} ticket${g.tickets.length === 1 ? '' : 's'}`);
      for (const t of g.tickets) {
        list.push(
          `  ${t.ticketId} · ${t.priority} · ${t.state} · ${t.title} · no update for ${formatDuration(now.getTime() - t.updatedAt.getTime())}`,
        );
      }
    }
    if (!count) list.push(`No open ticket has gone ${days(n)} without an update.`);
    return {
      text: [`${header} (no update for ${days(n)})`, ...list].join('\n'),
      visibility: 'channel',
      header,
      list,
      ...(mentions.length ? { mentions } : {}),
    };
  }
}
