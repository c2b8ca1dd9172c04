// The CAB's view of change tickets: the agenda of changes awaiting approval, with their freezes and tallies.

import { changeRecordOf } from '../domain/change.ts';
import type { TicketSummary } from '../domain/entities.ts';
import { OPEN_STATES } from '../domain/ticket.ts';
import { cabAgendaReply } from '../present/cabAgenda.ts';
import type { Reply } from '../present/reply.ts';
import type { TicketRepository } from '../store/ticketStore.ts';
import type { CabRules } from './tickets.ts';

/** Open changes read per agenda, newest first: far more than a CAB gets through in one sitting. */
const READ_MAX = 200;

export class ChangeService {
  constructor(
    private readonly repo: TicketRepository,
    private readonly cab: CabRules,
  ) {}

  /** Open changes still awaiting approval (the hot set only), soonest window first, unplanned last. */
  async awaitingApproval(tenant: string): Promise<TicketSummary[]> {
    return this.awaitingAmong(
      await this.repo.list(tenant, { type: 'change', states: [...OPEN_STATES], limit: READ_MAX }),
    );
  }

  /**
   * The same, picked from open tickets read already, newest first (every open ticket of the tenant, or at least its
   * newest changes): what /status shows without reading them again.
   */
  awaitingAmong(openNewestFirst: readonly TicketSummary[]): TicketSummary[] {
    const open = openNewestFirst.filter((t) => t.type === 'change').slice(0, READ_MAX);
    const start = (t: TicketSummary) => t.change?.window?.from.getTime() ?? Number.POSITIVE_INFINITY;
    return open
      .filter((t) => changeRecordOf(t.change).approval === 'pending')
      .sort((a, b) => start(a) - start(b) || a.number - b.number);
  }

  /** What a change review posts: each change awaiting approval with its window, freeze flag, tally and buttons. */
  async cabAgenda(tenant: string, now: Date, timezone: string): Promise<Reply> {
    const [changes, freezes] = await Promise.all([
      this.awaitingApproval(tenant),
      this.cab.freezes.listFreezes(tenant, now),
    ]);
    return cabAgendaReply({ changes, freezes, quorum: this.cab.quorum, now, timezone });
  }
}
