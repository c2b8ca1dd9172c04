// Always-on ticket housekeeping as durable jobs: a quiet pending requester nudged, then the ticket resolved; resolved ones closed.
import type { Logger } from 'pino';
import { formatDuration } from '../domain/duration.ts';
import type { TicketSummary } from '../domain/entities.ts';
import { UserError } from '../domain/errors.ts';
import { housekeepingFor, pendingSince, type StaleRules } from '../domain/stale.ts';
import { nudgeReply } from '../present/ticketNotice.ts';
import type { Job, JobRepository } from '../store/jobStore.ts';
import type { NudgeRepository } from '../store/nudgeStore.ts';
import type { TicketRepository } from '../store/ticketStore.ts';
import { systemActing } from './acting.ts';
import type { ChangeFeed } from './changeFeed.ts';
import type { JobKinds, OwnsJobKinds } from './jobKinds.ts';
import type { Outbox } from './outbox.ts';
import type { TicketService } from './tickets.ts';

export const HOUSEKEEP_KIND = 'ticket.housekeep';

interface HousekeepPayload {
  tenant: string;
  ticketId: string;
}

/** Who the history shows acting when the housekeeping changes a ticket. */
const HOUSEKEEPING = { id: 'switchboard', identity: 'system:switchboard', name: 'Switchboard' };

/** The nudge's key: one per ticket and time it went pending (src/store/nudgeStore.ts). */
const spellOf = (tenant: string, t: TicketSummary): string =>
  `nudge:${tenant}/${t.ticketId}@${pendingSince(t).toISOString()}`;

/**
 * Runs whether or not anyone set up a stale review (that review only posts its sweep). Each ticket change plans
 * a job at the next instant something may be due for the ticket (its nudge, its resolve, its close); the job
 * reads the ticket again and does what is due then, if anything (an update since moved the wait on: a later job
 * was planned by that change). On the job engine: once, across processes and restarts.
 */
export class Housekeeping implements OwnsJobKinds {
  /** The job kinds this service owns (the job engine runs them). */
  readonly jobKinds: JobKinds = { [HOUSEKEEP_KIND]: (job, run) => this.runJob(job, run.now) };

  constructor(
    private readonly repo: TicketRepository,
    private readonly tickets: TicketService,
    private readonly jobs: JobRepository,
    private readonly outbox: Outbox,
    private readonly nudges: NudgeRepository,
    private readonly rules: StaleRules,
    private readonly timezone: string,
    private readonly log: Logger,
  ) {}

  /** Hears every ticket change (the feed wants listeners that never throw). */
  listen(feed: ChangeFeed): void {
    feed.subscribe(async (ev) => {
      try {
        await this.plan(ev.ticket, false);
      } catch (err) {
        this.log.error({ err, ticketId: ev.ticket.ticketId }, 'housekeeping: the next step could not be planned');
      }
    });
  }

  /**
   * Plans every pending and resolved ticket's next step (at start-up: tickets changed while no process ran, or
   * before housekeeping was always on). A step planned already is left as it is.
   */
  async planWaiting(): Promise<number> {
    let planned = 0;
    for (const t of await this.repo.awaitingHousekeeping()) if (await this.plan(t)) planned++;
    return planned;
  }

  /** The instant the ticket's next step may be due, or null when it waits on nothing. */
  private async nextAt(t: TicketSummary): Promise<Date | null> {
    if (t.state === 'resolved') return new Date((t.resolvedAt ?? t.updatedAt).getTime() + this.rules.autocloseMs);
    if (t.state !== 'pending') return null;
    const nudgedAt = await this.nudges.nudgedAt(spellOf(t.tenant, t));
    if (!nudgedAt) return new Date(t.updatedAt.getTime() + this.rules.nudgeMs);
    return new Date(Math.max(nudgedAt.getTime(), t.updatedAt.getTime()) + this.rules.resolveMs);
  }

  /**
   * Plans the ticket's next step. Heard from a change (`recorded` false), the job is only filed, without its `jobs`
   * record: a change is heard once, by the process that wrote it, and a step planned twice still runs once (its
   * claim decides) and finds the ticket as it is. Planned at start-up or after a nudge, it is recorded, so a restart
   * plans what is planned already once.
   */
  private async plan(t: TicketSummary, recorded = true): Promise<boolean> {
    const at = await this.nextAt(t);
    if (!at) return false;
    const job = {
      _id: `hk:${t.tenant}/${t.ticketId}@${at.toISOString()}`,
      tenant: t.tenant,
      kind: HOUSEKEEP_KIND,
      dueAt: at,
      payload: { tenant: t.tenant, ticketId: t.ticketId } satisfies HousekeepPayload,
      createdAt: t.updatedAt,
      by: null,
      ticketId: t.ticketId,
    };
    if (!recorded) {
      await this.jobs.fileWithoutRecord(job);
      return true;
    }
    return (await this.jobs.schedule(job)) === 'added';
  }

  /** The job: what is due for the ticket now, done once; a reason when nothing was. */
  async runJob(job: Job, now: Date): Promise<string | undefined> {
    const p = job.payload as unknown as HousekeepPayload;
    const t = await this.repo.find(p.tenant, p.ticketId);
    if (!t) return 'ticket gone';
    const spell = spellOf(p.tenant, t);
    const nudgedAt = t.state === 'pending' ? await this.nudges.nudgedAt(spell) : null;
    const step = housekeepingFor(t, now, this.rules, nudgedAt);
    const acting = systemActing(p.tenant, HOUSEKEEPING, now, this.timezone);
    try {
      if (step === 'nudge') {
        // The DM first, under the spell's key: a run cut short before the record nudges again, and sends once.
        await this.outbox.toPerson(
          p.tenant,
          t.requester.id,
          nudgeReply({ ticket: t, resolveMs: this.rules.resolveMs }),
          { ticketId: t.ticketId },
          spell,
        );
        await this.nudges.record(spell, now);
        // The resolve that follows if nobody answers: no ticket change plans it.
        await this.plan(t);
        return undefined;
      }
      if (step === 'resolve') {
        const quiet = formatDuration(this.rules.nudgeMs + this.rules.resolveMs);
        await this.tickets.resolveTicket(
          acting,
          t.ticketId,
          `Resolved automatically: no answer from the requester for ${quiet} while pending.`,
        );
        return undefined;
      }
      if (step === 'close') {
        await this.tickets.closeTicket(acting, t.ticketId);
        return undefined;
      }
    } catch (e) {
      // Someone moved it meanwhile (another process, a person): the lifecycle refused, and that is the answer.
      if (e instanceof UserError) return `not ${step}: ${e.message}`;
      throw e;
    }
    return 'nothing due: the ticket moved on';
  }
}
