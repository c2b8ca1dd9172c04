// Keeps the daily rollups as tickets change (the change feed), rebuilds them from the tickets, and reads a period's.
import type { Logger } from 'pino';
import type { CsatAnswer } from '../domain/csat.ts';
import type { Ticket } from '../domain/entities.ts';
import { csatFactOf, factsOf, type RollupFact } from '../domain/rollupFacts.ts';
import type { SlaTargets } from '../domain/sla.ts';
import type { RollupRepository } from '../store/rollupStore.ts';
import type { TicketRepository } from '../store/ticketStore.ts';
import type { ChangeFeed } from './changeFeed.ts';

export class RollupService {
  /**
   * The SLA targets of a ticket on a service (the catalog's, then the defaults), so a fact's `met` is measured as
   * the ticket's own clock runs; set by the composition root. Without it, the defaults.
   */
  serviceTargets?: (tenant: string, service: string) => Promise<SlaTargets>;

  constructor(
    private readonly repo: RollupRepository,
    private readonly tickets: TicketRepository,
    private readonly targets: SlaTargets,
    private readonly log?: Logger,
    /** The requesters' answers, read whole by a rebuild (they live apart from the tickets). */
    private readonly answers?: () => AsyncIterable<CsatAnswer>,
    /** Facts kept elsewhere than on the tickets (major incidents' close-outs), made again by a rebuild. */
    private readonly more?: () => AsyncIterable<RollupFact>,
  ) {}

  /** Counts a requester's answer; inserting it again (a retried answer, another process) is refused by its `_id`. */
  recordCsat(answer: CsatAnswer): Promise<boolean> {
    return this.repo.insert(csatFactOf(answer));
  }

  /** Counts a major incident's close-out (src/services/incidentCloseout.ts); once, by the fact's `_id`. */
  recordMajor(fact: RollupFact): Promise<boolean> {
    return this.repo.insert(fact);
  }

  /** Counts a fact made ahead of its change (an ack's first response: pagingCore.ts); once, by the fact's `_id`. */
  recordAhead(fact: RollupFact): Promise<boolean> {
    return this.repo.insert(fact);
  }

  /** Counts each change as it happens; a fact that could not be written is logged, and a rebuild restores it. */
  listen(feed: ChangeFeed): void {
    feed.subscribe(async (ev) => {
      try {
        await this.record(ev.ticket);
      } catch (err) {
        this.log?.error({ err, ticketId: ev.ticket.ticketId }, 'rollups: a ticket change was not counted');
      }
    });
  }

  /**
   * Inserts the facts this change made: those at the ticket's last update. Earlier ones were inserted by earlier
   * changes (and one inserted twice, by a replay or a second process, is refused by its `_id`).
   */
  async record(ticket: Ticket): Promise<number> {
    const at = ticket.updatedAt.getTime();
    let added = 0;
    for (const f of factsOf(ticket, await this.targetsOf(ticket))) {
      if (f.at.getTime() === at && (await this.repo.insert(f))) added++;
    }
    return added;
  }

  /** Drops every day's rollups and makes them again from every ticket there is (open and archived) and every answer. */
  async rebuild(progress?: (line: string) => void): Promise<{ tickets: number; facts: number }> {
    await this.repo.clear();
    let tickets = 0;
    let facts = 0;
    for await (const t of this.tickets.everyTicket()) {
      for (const f of factsOf(t, await this.targetsOf(t))) if (await this.repo.insert(f)) facts++;
      if (++tickets % 1000 === 0) progress?.(`rollups: ${tickets} tickets read, ${facts} events counted`);
    }
    if (this.answers) for await (const a of this.answers()) if (await this.recordCsat(a)) facts++;
    if (this.more) for await (const f of this.more()) if (await this.repo.insert(f)) facts++;
    // Folded now: the facts of past days read from their day documents from here on, as the nightly fold leaves them.
    await this.repo.fold(null);
    return { tickets, facts };
  }

  private targetsOf(t: Ticket): Promise<SlaTargets> | SlaTargets {
    return t.service && this.serviceTargets ? this.serviceTargets(t.tenant, t.service) : this.targets;
  }

  /** Folds the facts of past days into day documents (the nightly maintenance): resolves with how many. */
  fold(now: Date): Promise<number> {
    return this.repo.fold(now);
  }

  /** The tenant's events in [from, to). */
  between(tenant: string, from: Date, to: Date): Promise<RollupFact[]> {
    return this.repo.between(tenant, from, to);
  }
}
