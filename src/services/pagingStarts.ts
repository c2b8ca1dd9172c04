// A page's start and stop from what happens elsewhere: ticket changes (a P1/P2 incident of a team's service starts
// one, a resolve ends its episode), alerts (an incident opened, monitoring's acknowledge), each tried again in the
// background when it fails on our side.
import type { Ticket } from '../domain/entities.ts';
import { isUserError } from '../domain/errors.ts';
import type { EscalationPolicy } from '../domain/escalation.ts';
import type { LiveEscalation } from '../store/pageStore.ts';
import type { Acting } from './acting.ts';
import type { AlertService } from './alerts.ts';
import type { ChangeFeed } from './changeFeed.ts';
import type { PagingCore } from './pagingCore.ts';
import { closedFromResolved, FINISHED, mayHaveBeenPaged, PAGED, START_RETRY_MS } from './pagingPlan.ts';
import type { Team } from './teams.ts';

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
    const repo = this.c.repo;
    // Only incidents are paged (a change feed of every request and change stays off the page records).
    if (t.type !== 'incident') return;
    if (FINISHED.has(t.state)) {
      // Resolved: the episode is over (reopened and raised again, the incident pages again), and the live
      // record goes now; a step already planned would find the state itself.
      // Closed from resolved: the resolve ended all of it already (and a step left planned ends its live record
      // itself, finding the ticket finished). Closed is final, so no episode follows it to be ended either.
      if (t.state === 'closed' && closedFromResolved(t)) return;
      // Never paged, as the ticket itself shows (never P1/P2, not an alert's): nothing to read or end.
      if (!mayHaveBeenPaged(t)) return;
      // Never paged (no first episode started: a later one starts only after it): no episode to end, and a live
      // record without its start (a starter that died, or one starting this moment) is ended by its own step,
      // which finds the ticket finished.
      // The first episode's start, the current episode and its start: one read.
      const episodes = await repo.episodes(t.tenant, t.ticketId);
      if (!episodes.everStarted) return;
      if (t.state !== 'closed' && (episodes.current === 0 || episodes.started)) {
        await repo.closeEpisode(t.tenant, t.ticketId, episodes.current, t.updatedAt);
      }
      // The live record of this episode (or one an earlier teardown cut short left), with no read first: one that
      // a later episode started since the read above stays.
      await repo.endUpTo(t.tenant, t.ticketId, episodes.current);
      return;
    }
    if (!PAGED.has(t.priority)) return;
    const team = await this.c.teams.teamFor(t.tenant, t.service);
    if (team) await this.startFor(t, team, null, null, t.updatedAt);
  }

  /**
   * The ticket's escalation, once per episode (until it is resolved): the start is a unique insert, so a change
   * heard twice, an alert and its incident's change, or two processes start one escalation. Its first step is
   * due at once.
   */
  async startFor(
    ticket: Ticket,
    team: Team | null,
    policy: EscalationPolicy | null,
    message: string | null,
    now: Date,
  ): Promise<boolean> {
    // A ticket at its first version was opened a moment ago, in this process: it has never been resolved, so its
    // first episode is the one, and nobody can have started it yet (the start's unique insert still decides).
    // Otherwise its current episode and whether that started: one read (a change of a paged P1 reads no more).
    const episodes = ticket.version === 0 ? null : await this.c.repo.episodes(ticket.tenant, ticket.ticketId);
    if (episodes?.started) return false;
    const e: LiveEscalation = {
      tenant: ticket.tenant,
      ticketId: ticket.ticketId,
      team: team?.name ?? null,
      policy: policy ?? this.c.teams.policyOf(team as Team),
      startedAt: now,
      gen: 0,
      fromLevel: 0,
      genStartedAt: now,
      pending: { index: 0, dueAt: now },
      lastLevel: null,
      message,
      episode: episodes?.current ?? 0,
    };
    if (!(await this.c.repo.start(e, { notStarted: true }))) return false;
    this.c.startedHere(e.tenant, e.ticketId);
    try {
      // The one start that won plans it (a start refused plans nothing): filed as a slot only.
      await this.c.planStep(e, 0, now, now, undefined, false);
    } catch (err) {
      this.c.paged(e.tenant, e.ticketId);
      throw err;
    }
    return true;
  }
}
