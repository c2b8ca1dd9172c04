// A page's start and stop from what happens elsewhere: ticket changes (a P1/P2 incident of a team's service starts
// one, a resolve ends its episode), alerts (an incident opened, monitoring's acknowledge), each tried again as a job on
// the engine's clock when it fails on our side.
import type { PersonRef, Ticket } from '../domain/entities.ts';
import { isUserError } from '../domain/errors.ts';
import { type EscalationPolicy, PAGE_HISTORY } from '../domain/escalation.ts';
import type { Job } from '../store/jobStore.ts';
import type { Acting } from './acting.ts';
import type { AlertService } from './alerts.ts';
import type { ChangeFeed } from './changeFeed.ts';
import type { PagingCore } from './pagingCore.ts';
import {
  closedFromResolved,
  type EndPayload,
  FINISHED,
  mayHaveBeenPaged,
  PAGE_END_KIND,
  PAGE_RETRY_KIND,
  PAGE_START_KIND,
  PAGED,
  pageEndJobId,
  pageRetryJobId,
  pageStartJobId,
  QUICK_RETRIES,
  type RetryPayload,
  type StartPayload,
  startRetryWait,
  stillPaged,
} from './pagingPlan.ts';
import type { Team } from './teams.ts';

/** The history lines paging writes on a ticket (its own changes). */
const PAGING_LINES: ReadonlySet<string> = new Set([
  PAGE_HISTORY.paged,
  PAGE_HISTORY.acknowledged,
  'page_escalated',
  'page_exhausted',
]);

/** The acknowledge of a person's command (the facade's `ack`), which monitoring's acknowledge goes through. */
export type Ack = (acting: Acting, id: string) => Promise<unknown>;

export class PageStarts {
  constructor(
    private readonly c: PagingCore,
    /** The facade's ack, which monitoring's acknowledge goes through. */
    private readonly ack: Ack,
  ) {}

  /**
   * Starts pages from ticket changes (a P1/P2 incident of a team's service) and alerts; listeners never throw.
   * Work that fails on our side (the database slow under a burst) is heard again as a job due a moment later on the
   * job engine's clock (`runRetry`): a page that never starts is one the auditor cannot see.
   */
  listen(feed: ChangeFeed, alerts: AlertService): void {
    feed.subscribe(async (ev) => {
      const t = ev.ticket;
      await this.retrying(() => this.onChange(t), { what: 'change', key: String(t.version) }, t, t.updatedAt);
    });
    alerts.onAlertIncident(async (ev) => {
      // Started already by the incident's own change in this process (a P1/P2 of a team's service): no second try.
      if (!this.c.startedLately(ev.tenant, ev.ticket.ticketId)) {
        await this.retrying(
          () => this.alertStart(ev.ticket),
          { what: 'alert', key: 'opened' },
          ev.ticket,
          ev.ticket.openedAt,
        );
      }
      // Under a burst, the alerts' notes wait while this incident's first page is being sent (started here, by this
      // listener or by the incident's own change): a page is what the alert is for.
      alerts.goesFirst(this.c.firstPage(ev.tenant, ev.ticket.ticketId));
    });
    // Monitoring's acknowledge is the Acknowledge button's: the same ack, by the alerts' system person.
    alerts.onAlertAcknowledged(async (ev) => {
      const t = { tenant: ev.tenant, ticketId: ev.ticketId };
      await this.retrying(
        () => this.alertAck(ev.tenant, ev.ticketId, ev.by, ev.at),
        { what: 'ack', key: ev.at.toISOString(), by: ev.by },
        t,
        ev.at,
      );
    });
  }

  /** An alert's incident paged by its service's team (unless its own change started it). */
  private async alertStart(t: Ticket): Promise<void> {
    const team = await this.c.teams.teamFor(t.tenant, t.service);
    if (team) await this.startFor(t, team, null, null, t.openedAt);
  }

  /** Monitoring's acknowledge, as the alerts' system person's ack. */
  private async alertAck(tenant: string, ticketId: string, by: PersonRef, at: Date): Promise<void> {
    const acting: Acting = { ...this.c.system(tenant, at), person: by };
    try {
      await this.ack(acting, ticketId);
    } catch (err) {
      // An incident no team's policy paged: the note on it is the whole acknowledgement.
      if (!(isUserError(err) && err.code === 'ONCALL.NOT_PAGED')) throw err;
    }
  }

  /** Runs a listener's `work` now; on a failure that is not a person's error, files its first retry (`runRetry`). */
  private async retrying(
    work: () => Promise<unknown>,
    what: Pick<RetryPayload, 'what' | 'key' | 'by'>,
    t: Pick<Ticket, 'tenant' | 'ticketId'>,
    at: Date,
  ): Promise<void> {
    try {
      await work();
    } catch (err) {
      if (isUserError(err)) {
        this.c.o.log.error({ err, ticketId: t.ticketId }, 'paging: could not start or stop a page');
        return;
      }
      const p: RetryPayload = { tenant: t.tenant, ticketId: t.ticketId, ...what, attempt: 1, at: at.toISOString() };
      await this.fileRetry(p, at, err).catch(() => {});
    }
  }

  /**
   * A listener's work heard again, try `attempt`: read afresh (the ticket as it is now) and done again. Failing on our
   * side, it files its next try: a start's (a change's or an alert's) for as long as the incident is open and still
   * owed its page, an ack's `QUICK_RETRIES` times. Heard twice (a run taken over), it does the work once: a start is
   * filed under one job id per episode, an ack is a unique insert.
   */
  async runRetry(job: Job, now: Date): Promise<string | undefined> {
    const p = job.payload as unknown as RetryPayload;
    // The ticket as read by this try (none: an ack's, or the read failed).
    const read: { ticket?: Ticket } = {};
    try {
      if (p.what === 'ack') {
        await this.alertAck(p.tenant, p.ticketId, p.by as PersonRef, new Date(p.at));
        return undefined;
      }
      let ticket: Ticket;
      try {
        ticket = await this.c.tickets.getTicket(this.c.system(p.tenant, now), p.ticketId);
      } catch (err) {
        if (isUserError(err)) return 'ticket gone';
        throw err;
      }
      read.ticket = ticket;
      if (p.what === 'change') await this.onChange(ticket, false);
      else if (!FINISHED.has(ticket.state) && stillPaged(ticket)) await this.alertStart(ticket);
      return undefined;
    } catch (err) {
      if (isUserError(err)) throw err;
      // Past the quick tries only a page still owed is tried on (an open incident, still paged-priority).
      const { ticket } = read;
      const owed = ticket ? !FINISHED.has(ticket.state) && stillPaged(ticket) : p.what !== 'ack';
      if (p.attempt >= QUICK_RETRIES && !owed) throw err;
      const next = { ...p, attempt: p.attempt + 1 };
      return `failed (${(err as Error)?.message ?? String(err)}); tried again at ${(await this.fileRetry(next, now, err)).toISOString()}`;
    }
  }

  /** Files try `p.attempt` of a listener's work, due after its back-off on the engine's clock; logs the failure loudly. */
  private async fileRetry(p: RetryPayload, now: Date, err: unknown): Promise<Date> {
    const dueAt = new Date(now.getTime() + startRetryWait(p.attempt));
    await this.c.retryLater(
      {
        _id: pageRetryJobId(p),
        tenant: p.tenant,
        kind: PAGE_RETRY_KIND,
        dueAt,
        payload: { ...p },
        ticketId: p.ticketId,
      },
      now,
      err,
      { tenant: p.tenant, ticketId: p.ticketId, what: p.what, attempt: p.attempt },
      'could not start or stop a page',
    );
    return dueAt;
  }

  /** A ticket's change (`heard` false: a retry's, the ticket as read now, whatever line it ended on). */
  private async onChange(t: Ticket, heard = true): Promise<void> {
    // Only incidents are paged (a change feed of every request and change stays off the page records).
    if (t.type !== 'incident') return;
    if (FINISHED.has(t.state)) {
      // Resolved: the episode is over (reopened and raised again, the incident pages again), and the live
      // record goes; a step already planned would find the state itself.
      // Closed from resolved: the resolve ended all of it already (and a step left planned ends its live record
      // itself, finding the ticket finished). Closed is final, so no episode follows it to be ended either.
      if (t.state === 'closed' && closedFromResolved(t)) return;
      // Never paged, as the ticket itself shows (never P1/P2, not an alert's): nothing to read or end.
      if (!mayHaveBeenPaged(t)) return;
      // The teardown is the change's effect, run after the reply: a job filed as a slot only, in the insert the
      // change's other jobs make (its housekeeping step, a PIR's), by no read first.
      const payload: EndPayload = {
        tenant: t.tenant,
        ticketId: t.ticketId,
        at: t.updatedAt.toISOString(),
        closed: t.state === 'closed',
      };
      await this.c.jobs.fileWithoutRecord({
        _id: pageEndJobId(t.tenant, t.ticketId, t.version),
        tenant: t.tenant,
        kind: PAGE_END_KIND,
        dueAt: t.updatedAt,
        payload: { ...payload },
        createdAt: t.updatedAt,
        by: null,
        ticketId: t.ticketId,
      });
      return;
    }
    if (!PAGED.has(t.priority)) return;
    // A line paging wrote itself (an ack, a page, an escalation) changes neither priority nor state: nothing to start,
    // and no page check to read.
    const last = t.history.at(-1);
    if (heard && last && PAGING_LINES.has(last.action)) return;
    const team = await this.c.teams.teamFor(t.tenant, t.service);
    if (team) await this.startFor(t, team, null, null, t.updatedAt);
  }

  /**
   * A resolve's (or a close's) teardown, the job filed by its change: the episode's end and its live record's delete.
   * Run twice (a process taken over), it ends them once: the end is a unique insert, the delete finds nothing more.
   */
  async runEnd(job: Job): Promise<string | undefined> {
    const p = job.payload as unknown as EndPayload;
    const repo = this.c.repo;
    const at = new Date(p.at);
    // Never paged (no first episode started: a later one starts only after it): no episode to end, and a live
    // record without its start (a starter that died, or one starting this moment) is ended by its own step,
    // which finds the ticket finished.
    // The first episode's start, the current episode and its start: one read.
    const episodes = await repo.episodes(p.tenant, p.ticketId);
    if (!episodes.everStarted) return 'never paged';
    // The current episode started after this change (the teardown ran late: the ticket was reopened and paged again
    // since, its episode before ended by a later resolve): that page is not this change's to end.
    const later = (episodes.startedAt.get(episodes.current)?.getTime() ?? 0) > at.getTime();
    if (!p.closed && episodes.started && !later) {
      await repo.closeEpisode(p.tenant, p.ticketId, episodes.current, at);
    }
    // The live record of this episode (or one an earlier teardown cut short left), with no read first: one that a
    // later episode started since stays.
    await repo.endUpTo(p.tenant, p.ticketId, later ? episodes.current - 1 : episodes.current);
    return later ? 'a later episode pages' : undefined;
  }

  /**
   * The ticket's escalation, once per episode (until it is resolved), as the change's effect: its start job, filed as
   * a slot only (in the insert the change's other jobs make: the opening's first SLA threshold), which the job engine
   * runs right after the reply (pagingFirst.ts). A person's page (`/oncall page`) is filed so too, by its opening. A change heard twice, an alert and its incident's change, or two
   * processes file one job id, which runs once; the start in it is a unique insert besides.
   */
  async startFor(
    ticket: Ticket,
    team: Team | null,
    policy: EscalationPolicy | null,
    message: string | null,
    now: Date,
  ): Promise<boolean> {
    // A ticket at its first version was opened a moment ago, in this process: it has never been resolved, so its
    // first episode is the one, and nobody can have started it yet.
    // Otherwise its current episode and whether that started: one read (a change of a paged P1 reads no more).
    const episodes = ticket.version === 0 ? null : await this.c.repo.episodes(ticket.tenant, ticket.ticketId);
    if (episodes?.started) return false;
    const episode = episodes?.current ?? 0;
    const id = pageStartJobId(ticket.tenant, ticket.ticketId, episode);
    // Filed here a moment ago, and not run yet (the notes of an alert burst, each a change of its incident): once is
    // enough.
    if (this.c.startPending(id)) return true;
    const payload: StartPayload = {
      tenant: ticket.tenant,
      ticketId: ticket.ticketId,
      episode,
      team: team?.name ?? null,
      policy,
      message,
      startedAt: now.toISOString(),
    };
    // Before the filing: an alert heard meanwhile holds its notes for this page, and does not file it again.
    this.c.startedHere(ticket.tenant, ticket.ticketId);
    try {
      await this.c.jobs.fileWithoutRecord({
        _id: id,
        tenant: ticket.tenant,
        kind: PAGE_START_KIND,
        dueAt: now,
        payload: { ...payload },
        createdAt: now,
        by: null,
        ticketId: ticket.ticketId,
      });
    } catch (err) {
      this.c.paged(ticket.tenant, ticket.ticketId);
      throw err;
    }
    this.c.startFiled(id);
    return true;
  }
}
