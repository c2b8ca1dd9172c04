// What every part of paging shares: its stores and services, the step job's filing, the line on the ticket's
// history, the episode a person's command is about, and the system person paging acts as.
import type { Logger } from 'pino';
import type { Ticket } from '../domain/entities.ts';
import type { JobRepository } from '../store/jobStore.ts';
import type { LiveEscalation, PageRepository } from '../store/pageStore.ts';
import { type Acting, systemActing } from './acting.ts';
import type { Outbox } from './outbox.ts';
import { PAGE_KIND, pageJobId, type StepPayload } from './pagingPlan.ts';
import type { PeopleService } from './people.ts';
import type { TeamService } from './teams.ts';
import type { TicketService } from './tickets.ts';

export interface PagingOptions {
  /** SWITCHBOARD_PAGE_REPEAT: how often an unanswered level is paged again. */
  repeatMs: number;
  timezone: string;
  log: Logger;
  /** Each overdue step the auditor finds (metrics). */
  onOverdue?: (count: number) => void;
}

export class PagingCore {
  constructor(
    readonly repo: PageRepository,
    readonly jobs: JobRepository,
    readonly tickets: TicketService,
    readonly teams: TeamService,
    readonly people: PeopleService,
    readonly outbox: Outbox,
    readonly o: PagingOptions,
  ) {}

  async planStep(e: LiveEscalation, index: number, dueAt: Date, now: Date, id?: string): Promise<void> {
    const episode = e.episode ?? 0;
    // Planned already (the step before ran twice: a process taken over).
    await this.jobs.schedule({
      _id: id ?? pageJobId(e.tenant, e.ticketId, e.gen, index, episode),
      tenant: e.tenant,
      kind: PAGE_KIND,
      dueAt,
      payload: { tenant: e.tenant, ticketId: e.ticketId, gen: e.gen, index, episode } satisfies StepPayload,
      createdAt: now,
      by: null,
      ticketId: e.ticketId,
    });
  }

  /** The line on the ticket's history; the page stands even when the ticket cannot take it (closed, busy). */
  async historyLine(acting: Acting, ticket: Ticket, entry: { action: string; note: string }, comment?: string) {
    try {
      await this.tickets.notePage({ ...acting, role: 'admin' }, ticket.ticketId, entry, comment);
    } catch (err) {
      this.o.log.warn(
        { err, ticketId: ticket.ticketId, action: entry.action },
        'paging: the history line was not written',
      );
    }
  }

  /** The episode an ack or an escalate is about: the current one once it has paged, else the one before. */
  async lastEpisode(tenant: string, ticketId: string): Promise<number> {
    const current = await this.repo.episode(tenant, ticketId);
    if (current === 0 || (await this.repo.startedAt(tenant, ticketId, current))) return current;
    return current - 1;
  }

  /** Paging acts as the system: an admin, so only the ticket lifecycle rules apply. */
  system(tenant: string, now: Date): Acting {
    return systemActing(
      tenant,
      { id: 'switchboard-oncall', identity: 'system:oncall', name: 'On-call' },
      now,
      this.o.timezone,
    );
  }
}
