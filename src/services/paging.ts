// Paging: an incident's escalation, one durable job per step, fenced by a generation, stopped by one ack.
// This is its face, with the commands a person gives (page, ack, escalate); the parts are beside it: the starts
// and stops from changes and alerts, filed as jobs (pagingStarts.ts), an episode's start job and its first page
// (pagingFirst.ts), the step runner (pagingSteps.ts), the auditor and its repairs (pagingAudit.ts), what they share
// (pagingCore.ts) and the pure helpers (pagingPlan.ts).
import { formatDuration } from '../domain/duration.ts';
import type { PersonRef, Ticket } from '../domain/entities.ts';
import { UserError } from '../domain/errors.ts';
import type { EscalationPolicy } from '../domain/escalation.ts';
import { respondedFactOf } from '../domain/rollupFacts.ts';
import type { Job, JobRepository } from '../store/jobStore.ts';
import type { LiveEscalation, PageAck, PageRepository } from '../store/pageStore.ts';
import type { Acting } from './acting.ts';
import type { AlertService } from './alerts.ts';
import type { ChangeFeed } from './changeFeed.ts';
import type { JobKinds, OwnsJobKinds } from './jobKinds.ts';
import type { Outbox } from './outbox.ts';
import { PageAuditor } from './pagingAudit.ts';
import { PagingCore, type PagingOptions } from './pagingCore.ts';
import { FirstPage } from './pagingFirst.ts';
import {
  describeTarget,
  oneLevel,
  PAGE_END_KIND,
  PAGE_KIND,
  PAGE_LINE_KIND,
  PAGE_RETRY_KIND,
  PAGE_START_KIND,
  pageLineJobId,
} from './pagingPlan.ts';
import { PageStarts } from './pagingStarts.ts';
import { StepRunner } from './pagingSteps.ts';
import type { PeopleService } from './people.ts';
import type { Team, TeamService } from './teams.ts';
import type { TicketService } from './tickets.ts';

export type { PagingOptions } from './pagingCore.ts';
export {
  describeTarget,
  OVERDUE_MS,
  PAGE_END_KIND,
  PAGE_KIND,
  PAGE_LINE_KIND,
  PAGE_RETRY_KIND,
  PAGE_START_KIND,
  pageEndJobId,
  pageJobId,
  pageLineJobId,
  pageRetryJobId,
  pageStartJobId,
  pageStartRetryId,
  START_RETRY_MS,
} from './pagingPlan.ts';

export class PagingService implements OwnsJobKinds {
  /** The job kinds this service owns (the job engine runs them). */
  readonly jobKinds: JobKinds = {
    [PAGE_KIND]: (job, run) => this.runStep(job, run.now),
    // However late they are found (every process down past the catch-up): an incident still open is paged, a resolved
    // one's page ended. Nothing else would: the auditor sees only pages that started.
    [PAGE_START_KIND]: { run: (job, run) => this.runStart(job, run.now), late: 'run' },
    [PAGE_END_KIND]: { run: (job) => this.runEnd(job), late: 'run' },
    // A listener's work that failed on our side (a start, a teardown, monitoring's ack), heard again: owed however late.
    [PAGE_RETRY_KIND]: { run: (job, run) => this.starts.runRetry(job, run.now), late: 'run' },
    // A line after the reply is owed however late: an acknowledged page must say so on every card.
    [PAGE_LINE_KIND]: { run: (job) => this.c.runLine(job), late: 'run' },
  };

  private readonly c: PagingCore;
  private readonly starts: PageStarts;
  private readonly steps: StepRunner;
  private readonly auditor: PageAuditor;
  private readonly first: FirstPage;

  constructor(
    repo: PageRepository,
    jobs: JobRepository,
    tickets: TicketService,
    teams: TeamService,
    people: PeopleService,
    outbox: Outbox,
    o: PagingOptions,
  ) {
    this.c = new PagingCore(repo, jobs, tickets, teams, people, outbox, o);
    this.starts = new PageStarts(this.c, (acting, id) => this.ack(acting, id));
    this.steps = new StepRunner(this.c);
    this.auditor = new PageAuditor(this.c);
    this.first = new FirstPage(this.c, this.steps);
  }

  /** Resolves once the first pages of the tenant's escalations started here have gone (a team change waits for them). */
  firstPagesOf(tenant: string): Promise<void> {
    return this.c.firstPagesOf(tenant);
  }

  /**
   * Starts pages from ticket changes (a P1/P2 incident of a team's service) and alerts; listeners never throw.
   * A failed start is tried again as a job on the engine's clock while a page is owed (pagingStarts.ts).
   */
  listen(feed: ChangeFeed, alerts: AlertService): void {
    this.starts.listen(feed, alerts);
  }

  /**
   * The ticket's escalation, once per episode (until it is resolved): its start job is filed, due at once; the job
   * engine runs it right after the reply, and it pages the first level.
   */
  startFor(
    ticket: Ticket,
    team: Team | null,
    policy: EscalationPolicy | null,
    message: string | null,
    now: Date,
  ): Promise<boolean> {
    return this.starts.startFor(ticket, team, policy, message, now);
  }

  /**
   * `/oncall page <team|@person> <message…>`: opens a P2 incident for it (so it has an id to ack), then pages: its
   * start job is filed as a slot only, in the insert the opening's own jobs make, and the job engine runs it right
   * after the reply (as a P1's). What is typed next waits for that first page here (`ack`, `escalate`, a team change:
   * `firstPagesOf`). The team as kept in process (behind the people epoch); the person paged, as seen, for the reply.
   */
  async page(
    acting: Acting,
    target: string,
    message: string,
  ): Promise<{ ticket: Ticket; team: Team | null; person: PersonRef | null }> {
    const byName = !/^@/.test(target);
    const team = byName
      ? ((await this.c.teams.current(acting.tenant, target)) ?? (await this.c.teams.get(acting.tenant, target)))
      : null;
    const identity = byName ? null : target.replace(/^@/, '');
    const person = identity ? await this.c.people.seen(acting.tenant, identity) : null;
    // A page to a name nobody has answered to would open a real incident and reach no one: refused first.
    if (identity && !person) {
      throw new UserError(
        'ONCALL.UNKNOWN_PERSON',
        `Switchboard has never seen ${identity} here, so nobody was paged and no incident was opened.`,
        'Page a team (/oncall page storage disk full), or someone who has used Switchboard (/oncall page @ada disk full).',
        'who',
      );
    }
    const policy = identity ? oneLevel({ kind: 'person', id: identity }) : null;
    const ticket = await this.c.tickets.openTicket(acting, {
      title: message.slice(0, 200),
      description: `Paged by ${acting.person.name}: ${message}`,
      type: 'incident',
      priority: 'P2',
      ...(team ? { team: team.name } : {}),
      tags: ['page'],
      opened: (opened) => this.starts.startFor(opened, team, policy, message, acting.now),
    });
    return { ticket, team, person };
  }

  /** One ack stops the escalation: a second (from any platform, any process) is told who acknowledged first. */
  async ack(acting: Acting, id: string): Promise<{ ack: PageAck; first: boolean }> {
    const ticket = await this.c.tickets.getTicket(acting, id);
    // A page whose start job this process filed a moment ago and has not run yet (`/oncall page`, a P1's opening): its
    // first page is waited for (the engine runs it right after the reply); none pending here, no wait.
    await this.c.firstPage(acting.tenant, ticket.ticketId);
    // The episode and its start, from one read (its start is not asked again).
    const { episode, startedAt } = await this.c.lastEpisode(acting.tenant, ticket.ticketId);
    if (!startedAt) {
      throw new UserError(
        'ONCALL.NOT_PAGED',
        `${ticket.ticketId} has not been paged: there is nothing to acknowledge.`,
        `Page someone about it with /oncall page <team|@person> <message…>.`,
        'id',
      );
    }
    const ack: PageAck = {
      tenant: acting.tenant,
      ticketId: ticket.ticketId,
      by: acting.person,
      at: acting.now,
      platform: acting.source.platform,
      // The ticket's time to acknowledge, as /status counts it: this ack is its first response unless one came before.
      mttaMs: ticket.sla.firstResponseAt
        ? (ticket.sla.ttaMs ?? 0)
        : Math.max(0, acting.now.getTime() - ticket.openedAt.getTime()),
    };
    // The ack is a unique insert, tried first: refused, the episode was acknowledged already, and by whom is read.
    if (!(await this.c.repo.ack(ack, episode))) {
      return { ack: (await this.c.repo.ackOf(acting.tenant, ticket.ticketId, episode)) as PageAck, first: false };
    }
    // What must be in the reply is done here: the ack recorded (every step reads it before it pages: the page stops at
    // once), the live record gone, and the first response counted (the MTTA /status shows from the moment it is told).
    // The comment that redraws every card, the ack's history line and the SLA's next threshold follow right after the
    // reply, as a job filed before the live record goes: a process that dies between the ack and the filing leaves
    // the live record, whose next step finds the ack and files it. The fact is the one that line makes (refused then).
    const responded = respondedFactOf(ticket, acting.now);
    if (responded && this.c.o.recordFact) await this.c.o.recordFact(responded);
    await this.c.fileAckLine(ack, episode, acting.source, acting.timezone);
    await this.c.repo.end(acting.tenant, ticket.ticketId, startedAt);
    return { ack, first: true };
  }

  /** Escalate now: a new generation starting at the level after the one paged last, its first step due at once. */
  async escalate(acting: Acting, id: string): Promise<{ level: number; targets: string }> {
    const ticket = await this.c.tickets.getTicket(acting, id);
    // As an ack: a start job filed here and not run yet is waited for (it pages the first level; this, the next).
    await this.c.firstPage(acting.tenant, ticket.ticketId);
    const done = await this.c.repo.ackOf(
      acting.tenant,
      ticket.ticketId,
      (await this.c.lastEpisode(acting.tenant, ticket.ticketId)).episode,
    );
    if (done) {
      throw UserError.of('ONCALL.ACKNOWLEDGED', { id: ticket.ticketId, by: done.by.name });
    }
    const e = await this.c.repo.find(acting.tenant, ticket.ticketId);
    if (!e) {
      throw new UserError('ONCALL.NOT_PAGED', `${ticket.ticketId} is not being paged: there is nothing to escalate.`);
    }
    const level = (e.lastLevel ?? e.fromLevel) + 1;
    const next = e.policy.levels[level];
    if (!next) {
      throw new UserError(
        'ONCALL.LAST_LEVEL',
        `${ticket.ticketId} is at the last level of its policy already; it keeps paging it every ${formatDuration(this.c.o.repeatMs)}.`,
      );
    }
    const moved: LiveEscalation = {
      ...e,
      gen: e.gen + 1,
      fromLevel: level,
      genStartedAt: acting.now,
      pending: { index: 0, dueAt: acting.now },
    };
    if (!(await this.c.repo.save(moved, e.gen))) {
      throw UserError.of('ONCALL.BUSY', { id: ticket.ticketId });
    }
    const named = next.targets.map((t) =>
      t.kind === 'person' ? this.c.people.nameOf(acting.tenant, t.id) : describeTarget(t),
    );
    const targets = (await Promise.all(named)).join(', ');
    // The new generation's first step (a slot only: its id is new, and the auditor asks a slot-only step's end by id)
    // and the line that says who escalated, written right after the reply: one insert, filed in one turn.
    await Promise.all([
      this.c.planStep(moved, 0, acting.now, acting.now, undefined, false),
      this.c.fileLine(pageLineJobId(acting.tenant, ticket.ticketId, e.episode ?? 0, `@${moved.gen}`), {
        tenant: acting.tenant,
        ticketId: ticket.ticketId,
        by: acting.person,
        at: acting.now.toISOString(),
        source: acting.source,
        timezone: acting.timezone,
        action: 'page_escalated',
        note: `${acting.person.name} escalated to level ${level + 1} (${targets})`,
      }),
    ]);
    return { level: level + 1, targets };
  }

  /** A step's job: fenced by the generation, stopped by an ack or a resolve; plans the next step before paging. */
  runStep(job: Job, now: Date): Promise<string | undefined> {
    return this.steps.runStep(job, now);
  }

  /** An episode's start job: the start, the live record, the first level paged (pagingFirst.ts). */
  runStart(job: Job, now: Date): Promise<string | undefined> {
    return this.first.run(job, now);
  }

  /** A resolve's or a close's teardown job: the episode's end, the live record's delete (pagingStarts.ts). */
  runEnd(job: Job): Promise<string | undefined> {
    return this.starts.runEnd(job);
  }

  /** Steps more than two minutes overdue, reported once each and planned again (pagingAudit.ts). */
  audit(now: Date): Promise<Array<{ tenant: string; ticketId: string; lateMs: number }>> {
    return this.auditor.audit(now);
  }
}
