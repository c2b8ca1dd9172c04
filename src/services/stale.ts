// Stale tickets: the sweep a stale review posts (the housekeeping runs on its own: src/services/housekeeping.ts).

import type { Review } from '../domain/review.ts';
import { staleByAssignee } from '../domain/stale.ts';
import { OPEN_STATES } from '../domain/ticket.ts';
import type { Reply } from '../present/reply.ts';
import { staleReply } from '../present/staleNotice.ts';
import type { TicketRepository } from '../store/ticketStore.ts';

export const DEFAULT_STALE_DAYS = 3;
/** The hot set read at most (the same bound as the digest's counts). */
const HOT_LIMIT = 5000;

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
    const platform = review.channel.split(':')[0];
    const mentions: string[] = [];
    for (const g of groups) {
      if (!g.assignee) continue;
      for (const { identity } of await this.identitiesOf(review.tenant, g.assignee.id)) {
        if (identity.startsWith(`${platform}:`)) mentions.push(identity);
      }
    }
    return staleReply({ review, days: n, groups, mentions, now });
  }
}
