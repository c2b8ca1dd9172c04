// A page's start and stop from what happens elsewhere: ticket changes (a P1/P2 incident of a team's service starts
// one, a resolve ends its episode), alerts (an incident opened, monitoring's acknowledge), each tried again in the
// background when it fails on our side.
import type { Ticket } from '../domain/entities.ts';
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
  PAGE_START_KIND,
  PAGED,
  pageEndJobId,
  pageStartJobId,
  START_RETRY_MS,
  type StartPayload,
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
  constructor(private readonly c: PagingCore) {}

  /**
   * Starts pages from ticket changes (a P1/P2 incident of a team's service) and alerts; listeners never throw.
   * A start that fails on our side (the database slow under a burst) is tried again in the background, a few
   * times over about half a minute: a page that never starts is one the auditor cannot see.
   */
  listen(feed: ChangeFeed, alerts: AlertService, ack: Ack): void {
    feed.subscribe(async (ev) => {
      await this.retrying(() => this.onChange(ev.ticket), ev.ticket.ticketId);
    });
    alerts.onAlertIncident(async (ev) => {
      // Started already by the incident's own change in this process (a P1/P2 of a team's service): no second try.
      if (!this.c.startedLately(ev.tenant, ev.ticket.ticketId)) {
        await this.retrying(async () => {
          const team = await this.c.teams.teamFor(ev.tenant, ev.ticket.service);
          if (team) await this.startFor(ev.ticket, team, null, null, ev.ticket.openedAt);
        }, ev.ticket.ticketId);
      }
      // Under a burst, the alerts' notes wait while this incident's first page is being sent (started here, by this
      // listener or by the incident's own change): a page is what the alert is for.
      alerts.goesFirst(this.c.firstPage(ev.tenant, ev.ticket.ticketId));
    });
    // Monitoring's acknowledge is the Acknowledge button's: the same ack, by the alerts' system person.
    alerts.onAlertAcknowledged(async (ev) => {
      await this.retrying(async () => {
        const acting: Acting = { ...this.c.system(ev.tenant, ev.at), person: ev.by };
        try {
          await ack(acting, ev.ticketId);
        } catch (err) {
          // An incident no team's policy paged: the note on it is the whole acknowledgement.
          if (!(isUserError(err) && err.code === 'ONCALL.NOT_PAGED')) throw err;
        }
      }, ev.ticketId);
    });
  }

  /** Runs `work` now; on a failure that is not a person's error, again after each of `RETRY_MS`, not waited for. */
  private async retrying(work: () => Promise<unknown>, ticketId: string, attempt = 0): Promise<void> {
    try {
      await work();
    } catch (err) {
      const wait = isUserError(err) ? undefined : START_RETRY_MS[attempt];
      if (wait === undefined) {
        this.c.o.log.error({ err, ticketId }, 'paging: could not start or stop a page');
        return;
      }
      this.c.o.log.warn(
        { err, ticketId, attempt: attempt + 1 },
        'paging: starting or stopping a page failed; retrying',
      );
      setTimeout(() => void this.retrying(work, ticketId, attempt + 1), wait).unref();
    }
  }

  private async onChange(t: Ticket): Promise<void> {
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
    if (last && PAGING_LINES.has(last.action)) return;
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
