// Reading tickets without changing them: autocomplete's suggestions, a digest's open counts, /ticket list.
import { hasRole } from '../domain/roles.ts';
import { OPEN_STATES } from '../domain/ticket.ts';
import type { TicketFilter, TicketSummary } from '../store/ticketStore.ts';
import type { Acting } from './acting.ts';
import type { TicketCore } from './ticketCore.ts';

export interface ListInput extends Omit<TicketFilter, 'limit'> {
  limit?: number;
}

export class TicketReads {
  constructor(private readonly c: TicketCore) {}

  /**
   * Ticket ids for autocomplete: open tickets whose id or title matches, only the asker's own unless they are
   * an agent (titles are not for everyone's eyes). One query either way (each is a scan on FerretDB): an id
   * prefix is matched among the newest open tickets, ahead of titles that contain it; other words search titles.
   */
  async suggestTickets(acting: Acting, query: string): Promise<Array<{ id: string; title: string }>> {
    const q = query.trim().slice(0, 100);
    const idLike = /^[a-z]{3}-?\d*$/i.test(q);
    const found = await this.c.repo.list(acting.tenant, {
      states: [...OPEN_STATES],
      ...(hasRole(acting.role, 'agent') ? {} : { requesterId: acting.person.id }),
      limit: idLike ? 100 : 25,
      ...(q && !idLike ? { text: q } : {}),
    });
    const needle = q.toLowerCase();
    const ranked = idLike
      ? [
          ...found.filter((t) => t.ticketId.toLowerCase().startsWith(needle)),
          ...found.filter(
            (t) => !t.ticketId.toLowerCase().startsWith(needle) && t.title.toLowerCase().includes(needle),
          ),
        ]
      : found;
    return ranked.slice(0, 25).map((t) => ({ id: t.ticketId, title: t.title }));
  }

  /** Open tickets by priority, for a digest: the hot set only (at most 5,000 read). */
  async openCounts(tenant: string): Promise<Record<string, number>> {
    const open = await this.c.repo.list(tenant, { states: [...OPEN_STATES], limit: 5000 });
    const counts: Record<string, number> = {};
    for (const t of open) counts[t.priority] = (counts[t.priority] ?? 0) + 1;
    return counts;
  }

  /** Newest first, without comments or history; only the hot set unless the states asked for include closed. */
  async listTickets(acting: Acting, input: ListInput): Promise<TicketSummary[]> {
    const filter: TicketFilter = {
      ...input,
      limit: Math.min(input.limit ?? 20, 101),
      skip: Math.max(0, Math.min(input.skip ?? 0, 10_000)),
    };
    if (!hasRole(acting.role, 'agent')) filter.requesterId = acting.person.id;
    return this.c.repo.list(acting.tenant, filter);
  }
}
