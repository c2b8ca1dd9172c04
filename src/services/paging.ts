// Paging: an incident's escalation, one durable job per step, fenced by a generation, stopped by one ack.
import type { Logger } from 'pino';
import { formatDuration } from '../domain/duration.ts';
import type { PersonRef, Ticket } from '../domain/entities.ts';
import { isUserError, UserError } from '../domain/errors.ts';
import {
  type EscalationPolicy,
  type EscalationTarget,
  nextStep,
  PAGE_HISTORY,
  type PlannedPolicy,
} from '../domain/escalation.ts';
import { pageExhaustedReply, pageExhaustedText, pageLateReply, pageReply } from '../present/pageNotice.ts';
import type { Job, JobRepository } from '../store/jobStore.ts';
import type { LiveEscalation, PageAck, PageRepository } from '../store/pageStore.ts';
import { type Acting, systemActing } from './acting.ts';
import type { AlertService } from './alerts.ts';
import type { ChangeFeed } from './changeFeed.ts';
import type { JobKinds, OwnsJobKinds } from './jobKinds.ts';
import type { Outbox } from './outbox.ts';
import type { PeopleService } from './people.ts';
import type { Team, TeamService } from './teams.ts';
import type { TicketService } from './tickets.ts';

export const PAGE_KIND = 'oncall.step';
/** A step more than this late is reported by the auditor. */
export const OVERDUE_MS = 120_000;

export interface PagingOptions {
  /** SWITCHBOARD_PAGE_REPEAT: how often an unanswered level is paged again. */
  repeatMs: number;
  timezone: string;
  log: Logger;
  /** Each overdue step the auditor finds (metrics). */
  onOverdue?: (count: number) => void;
}

interface StepPayload {
  tenant: string;
  ticketId: string;
  gen: number;
  index: number;
  /** Absent on steps planned before episodes existed: episode 0. */
  episode?: number;
}

/**
 * The step job of one generation of one episode: a restarted escalation's steps have other ids, and the old ones
 * find a new gen (or a new episode). Episode 0 keeps the form it had before episodes.
 */
export const pageJobId = (tenant: string, ticketId: string, gen: number, index: number, episode = 0) =>
  `page:${tenant}/${ticketId}${episode ? `~${episode}` : ''}@${gen}#${index}`;

const PAGED = new Set(['P1', 'P2']);
/** A page start that failed is tried again after each of these. */
export const START_RETRY_MS = [1_000, 5_000, 25_000];
const FINISHED = new Set(['resolved', 'closed']);

/** The change that closed the ticket took it from resolved. */
const closedFromResolved = (t: Ticket): boolean =>
  [...t.history].reverse().find((h) => h.action === 'state' && h.to === 'closed')?.from === 'resolved';

/** The timeline of one generation: the policy from the level it starts at, `after`s counted from that level. */
function planOf(e: LiveEscalation): PlannedPolicy {
  const levels = e.policy.levels.slice(e.fromLevel);
  const base = levels[0]?.after ?? 0;
  return { levels: levels.map((l) => ({ after: l.after - base })), repeat: e.policy.repeat };
}

const oneLevel = (target: EscalationTarget): EscalationPolicy => ({
  levels: [{ after: 0, targets: [target] }],
  repeat: 0,
});

export class PagingService implements OwnsJobKinds {
  /** The job kinds this service owns (the job engine runs them). */
  readonly jobKinds: JobKinds = { [PAGE_KIND]: (job, run) => this.runStep(job, run.now) };

  /** Step jobs this process has filed again (see `repair`). */
  private readonly refiled = new Set<string>();

  constructor(
    private readonly repo: PageRepository,
    private readonly jobs: JobRepository,
    private readonly tickets: TicketService,
    private readonly teams: TeamService,
    private readonly people: PeopleService,
    private readonly outbox: Outbox,
    private readonly o: PagingOptions,
  ) {}

  /**
   * Starts pages from ticket changes (a P1/P2 incident of a team's service) and alerts; listeners never throw.
   * A start that fails on our side (the database slow under a burst) is tried again in the background, a few
   * times over about half a minute: a page that never starts is one the auditor cannot see.
   */
  listen(feed: ChangeFeed, alerts: AlertService): void {
    feed.subscribe(async (ev) => {
      await this.retrying(() => this.onChange(ev.ticket), ev.ticket.ticketId);
    });
    alerts.onAlertIncident(async (ev) => {
      await this.retrying(async () => {
        const team = await this.teams.teamFor(ev.tenant, ev.ticket.service);
        if (team) await this.startFor(ev.ticket, team, null, null, ev.ticket.openedAt);
      }, ev.ticket.ticketId);
    });
    // Monitoring's acknowledge is the Acknowledge button's: the same ack, by the alerts' system person.
    alerts.onAlertAcknowledged(async (ev) => {
      await this.retrying(async () => {
        const acting: Acting = { ...this.system(ev.tenant, ev.at), person: ev.by };
        try {
          await this.ack(acting, ev.ticketId);
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
        this.o.log.error({ err, ticketId }, 'paging: could not start or stop a page');
        return;
      }
      this.o.log.warn({ err, ticketId, attempt: attempt + 1 }, 'paging: starting or stopping a page failed; retrying');
      setTimeout(() => void this.retrying(work, ticketId, attempt + 1), wait).unref();
    }
  }

  private async onChange(t: Ticket): Promise<void> {
    // Only incidents are paged (a change feed of every request and change stays off the page records).
    if (t.type !== 'incident') return;
    if (FINISHED.has(t.state)) {
      // Resolved: the episode is over (reopened and raised again, the incident pages again), and the live
      // record goes now; a step already planned would find the state itself.
      // Closed from resolved: the resolve ended all of it already (and a step left planned ends its live record
      // itself, finding the ticket finished). Closed is final, so no episode follows it to be ended either.
      if (t.state === 'closed' && closedFromResolved(t)) return;
      // Never paged (no first episode started: a later one starts only after it): no episode to end, and a live
      // record without its start (a starter that died, or one starting this moment) is ended by its own step,
      // which finds the ticket finished.
      if (!(await this.repo.startedAt(t.tenant, t.ticketId, 0))) return;
      if (t.state !== 'closed') {
        const episode = await this.repo.episode(t.tenant, t.ticketId);
        if (episode === 0 || (await this.repo.startedAt(t.tenant, t.ticketId, episode))) {
          await this.repo.closeEpisode(t.tenant, t.ticketId, episode, t.updatedAt);
        }
      }
      const live = await this.repo.find(t.tenant, t.ticketId);
      if (live) await this.repo.end(t.tenant, t.ticketId, live.startedAt);
      return;
    }
    if (!PAGED.has(t.priority)) return;
    const team = await this.teams.teamFor(t.tenant, t.service);
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
    const e: LiveEscalation = {
      tenant: ticket.tenant,
      ticketId: ticket.ticketId,
      team: team?.name ?? null,
      policy: policy ?? this.teams.policyOf(team as Team),
      startedAt: now,
      gen: 0,
      fromLevel: 0,
      genStartedAt: now,
      pending: { index: 0, dueAt: now },
      lastLevel: null,
      message,
      episode: await this.repo.episode(ticket.tenant, ticket.ticketId),
    };
    if (!(await this.repo.start(e))) return false;
    await this.planStep(e, 0, now, now);
    return true;
  }

  /** `/oncall page <team|@person> <message…>`: opens a P2 incident for it (so it has an id to ack), then pages. */
  async page(acting: Acting, target: string, message: string): Promise<{ ticket: Ticket; team: Team | null }> {
    const person = /^@/.test(target) ? null : undefined;
    const team = person === null ? null : await this.teams.get(acting.tenant, target);
    const identity = person === null ? target.replace(/^@/, '') : null;
    // A page to a name nobody has answered to would open a real incident and reach no one: refused first.
    if (identity && !(await this.people.seen(acting.tenant, identity))) {
      throw new UserError(
        'ONCALL.UNKNOWN_PERSON',
        `Switchboard has never seen ${identity} here, so nobody was paged and no incident was opened.`,
        'Page a team (/oncall page storage disk full), or someone who has used Switchboard (/oncall page @ada disk full).',
        'who',
      );
    }
    const ticket = await this.tickets.openTicket(acting, {
      title: message.slice(0, 200),
      description: `Paged by ${acting.person.name}: ${message}`,
      type: 'incident',
      priority: 'P2',
      ...(team ? { team: team.name } : {}),
      tags: ['page'],
    });
    const policy = identity ? oneLevel({ kind: 'person', id: identity }) : null;
    await this.startFor(ticket, team, policy, message, acting.now);
    return { ticket, team };
  }

  /** One ack stops the escalation: a second (from any platform, any process) is told who acknowledged first. */
  async ack(acting: Acting, id: string): Promise<{ ack: PageAck; first: boolean }> {
    const ticket = await this.tickets.getTicket(acting, id);
    const episode = await this.lastEpisode(acting.tenant, ticket.ticketId);
    const before = await this.repo.ackOf(acting.tenant, ticket.ticketId, episode);
    if (before) return { ack: before, first: false };
    const startedAt = await this.repo.startedAt(acting.tenant, ticket.ticketId, episode);
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
    if (!(await this.repo.ack(ack, episode))) {
      return { ack: (await this.repo.ackOf(acting.tenant, ticket.ticketId, episode)) as PageAck, first: false };
    }
    await this.repo.end(acting.tenant, ticket.ticketId, startedAt);
    const mtta = formatDuration(ack.mttaMs);
    // The comment redraws every card of the ticket, the page DMs among them: each copy then says who acknowledged.
    await this.historyLine(
      acting,
      ticket,
      { action: PAGE_HISTORY.acknowledged, note: `acknowledged by ${acting.person.name}, MTTA ${mtta}` },
      `Acknowledged the page (MTTA ${mtta}).`,
    );
    return { ack, first: true };
  }

  /** Escalate now: a new generation starting at the level after the one paged last, its first step due at once. */
  async escalate(acting: Acting, id: string): Promise<{ level: number; targets: string }> {
    const ticket = await this.tickets.getTicket(acting, id);
    const done = await this.repo.ackOf(
      acting.tenant,
      ticket.ticketId,
      await this.lastEpisode(acting.tenant, ticket.ticketId),
    );
    if (done) {
      throw UserError.of('ONCALL.ACKNOWLEDGED', { id: ticket.ticketId, by: done.by.name });
    }
    const e = await this.repo.find(acting.tenant, ticket.ticketId);
    if (!e) {
      throw new UserError('ONCALL.NOT_PAGED', `${ticket.ticketId} is not being paged: there is nothing to escalate.`);
    }
    const level = (e.lastLevel ?? e.fromLevel) + 1;
    const next = e.policy.levels[level];
    if (!next) {
      throw new UserError(
        'ONCALL.LAST_LEVEL',
        `${ticket.ticketId} is at the last level of its policy already; it keeps paging it every ${formatDuration(this.o.repeatMs)}.`,
      );
    }
    const moved: LiveEscalation = {
      ...e,
      gen: e.gen + 1,
      fromLevel: level,
      genStartedAt: acting.now,
      pending: { index: 0, dueAt: acting.now },
    };
    if (!(await this.repo.save(moved, e.gen))) {
      throw UserError.of('ONCALL.BUSY', { id: ticket.ticketId });
    }
    await this.planStep(moved, 0, acting.now, acting.now);
    const named = next.targets.map((t) =>
      t.kind === 'person' ? this.people.nameOf(acting.tenant, t.id) : describeTarget(t),
    );
    const targets = (await Promise.all(named)).join(', ');
    await this.historyLine(acting, ticket, {
      action: 'page_escalated',
      note: `${acting.person.name} escalated to level ${level + 1} (${targets})`,
    });
    return { level: level + 1, targets };
  }

  /** A step's job: fenced by the generation, stopped by an ack or a resolve; plans the next step before paging. */
  async runStep(job: Job, now: Date): Promise<string | undefined> {
    const p = job.payload as unknown as StepPayload;
    const e = await this.repo.find(p.tenant, p.ticketId);
    if (!e) return 'escalation over';
    const episode = e.episode ?? 0;
    if (episode !== (p.episode ?? 0)) return 'from an earlier episode of the incident';
    if (e.gen !== p.gen) return 'superseded by a newer run of the escalation';
    if (await this.repo.ackOf(p.tenant, p.ticketId, episode)) {
      await this.repo.end(p.tenant, p.ticketId, e.startedAt);
      return 'acknowledged';
    }
    const sys = this.system(p.tenant, now);
    let ticket: Ticket;
    try {
      ticket = await this.tickets.getTicket(sys, p.ticketId);
    } catch (err) {
      if (!isUserError(err)) throw err;
      await this.repo.end(p.tenant, p.ticketId, e.startedAt);
      return 'ticket gone';
    }
    if (FINISHED.has(ticket.state)) {
      await this.repo.end(p.tenant, p.ticketId, e.startedAt);
      return ticket.state;
    }
    const plan = planOf(e);
    const step = nextStep(plan, e.genStartedAt, p.index - 1, this.o.repeatMs);
    if (!step) return 'past the plan';
    const team = e.team ? await this.teams.get(p.tenant, e.team).catch(() => null) : null;
    if (step.kind === 'exhausted') {
      await this.nobodyAcknowledged(e, ticket, team, job, now);
      await this.repo.end(p.tenant, p.ticketId, e.startedAt);
      return 'nobody acknowledged';
    }
    // The next step is filed before this one pages: whatever happens below, the escalation goes on.
    const next = nextStep(plan, e.genStartedAt, step.index, this.o.repeatMs);
    const level = e.fromLevel + step.level;
    await this.repo.save(
      { ...e, lastLevel: level, pending: next ? { index: next.index, dueAt: next.at } : null },
      e.gen,
    );
    if (next) await this.planStep(e, next.index, next.at, now);
    const reached = await this.pageLevel(e, ticket, team, level, step.repeat, job._id, now);
    const again = step.repeat > 0 ? `, again (${step.repeat})` : '';
    // A step run again (its process died before recording the end) pages once, through the outbox's keys, and
    // writes its line once: the line's claim is an insert beside the job's own claims.
    if (await this.jobs.once(`${job._id}:history`, job.dueAt)) {
      await this.historyLine(sys, ticket, {
        action: PAGE_HISTORY.paged,
        note: `level ${level + 1}${again}: ${reached.length ? reached.join(', ') : 'nobody could be reached'}`,
      });
    }
    return reached.length ? undefined : 'nobody to page';
  }

  /**
   * Steps more than two minutes overdue, reported once each (log, metric, team channel). Reads only the live
   * escalations, which finished ones leave.
   */
  async audit(now: Date): Promise<Array<{ tenant: string; ticketId: string; lateMs: number }>> {
    const late = (await this.repo.allLive())
      .filter((e) => e.pending && now.getTime() - e.pending.dueAt.getTime() > OVERDUE_MS)
      .map((e) => ({ e, lateMs: now.getTime() - (e.pending as { dueAt: Date }).dueAt.getTime() }));
    this.o.onOverdue?.(late.length);
    for (const { e, lateMs } of late) {
      const { index } = e.pending as { index: number };
      this.o.log.warn(
        { tenant: e.tenant, ticketId: e.ticketId, step: index, lateMs },
        'paging: an escalation step is overdue',
      );
      await this.repair(e, now).catch((err) =>
        this.o.log.error({ err, ticketId: e.ticketId }, 'paging: an overdue step could not be planned again'),
      );
      const team = e.team ? await this.teams.get(e.tenant, e.team).catch(() => null) : null;
      if (team?.channel) {
        await this.outbox.toChannel(
          team.channel,
          pageLateReply({ ticketId: e.ticketId, lateMs }),
          { tenant: e.tenant, ticketId: e.ticketId },
          undefined,
          `page-overdue:${e.tenant}/${e.ticketId}@${e.gen}#${index}`,
        );
      }
    }
    return late.map(({ e, lateMs }) => ({ tenant: e.tenant, ticketId: e.ticketId, lateMs }));
  }

  /**
   * An overdue step is planned again, so a silent escalation heals itself: its job was never written (the
   * starter died between the live record and the job), or never filed under its minute, or it ended without
   * paging (failed, or found after the catch-up period). The step's own fencing keeps it from paging twice.
   */
  private async repair(e: LiveEscalation, now: Date): Promise<void> {
    const pending = e.pending as { index: number; dueAt: Date };
    const id = pageJobId(e.tenant, e.ticketId, e.gen, pending.index, e.episode ?? 0);
    await this.repo.restore(e);
    const job = await this.jobs.get({ _id: id, dueAt: pending.dueAt });
    if (!job) {
      await this.planStep(e, pending.index, pending.dueAt, now);
      return;
    }
    const end = await this.jobs.endOf(job);
    if (!end) {
      // Once per process: a job this process filed again is in the engine's hands (an engine that is merely
      // behind would otherwise get another slot for it every minute).
      if (!this.refiled.has(id)) {
        this.refiled.add(id);
        if (this.refiled.size > 10_000) this.refiled.delete(this.refiled.values().next().value as string);
        await this.jobs.refile(job, now);
      }
      return;
    }
    if (end.outcome === 'failed' || end.outcome === 'missed') {
      // A retry of its own (the ended job is never run again), due now, once per audit minute at most.
      await this.planStep(e, pending.index, now, now, `${id}~retry@${now.toISOString().slice(0, 16)}`);
    }
  }

  private async planStep(e: LiveEscalation, index: number, dueAt: Date, now: Date, id?: string): Promise<void> {
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

  /** Every target of a level: a DM to each person on each linked platform, a post in each channel. Keyed by step. */
  private async pageLevel(
    e: LiveEscalation,
    ticket: Ticket,
    team: Team | null,
    level: number,
    repeat: number,
    jobId: string,
    now: Date,
  ): Promise<string[]> {
    const targets = e.policy.levels[level]?.targets ?? [];
    const reply = pageReply({
      ticket,
      level,
      repeat,
      team: e.team,
      message: e.message,
      now,
      timezone: this.o.timezone,
    });
    const about = { ticketId: ticket.ticketId };
    const reached: string[] = [];
    for (const t of targets) {
      for (const person of await this.peopleOf(e.tenant, t, team, now)) {
        const ids = await this.outbox.toPerson(e.tenant, person.id, reply, about, `${jobId}:${person.id}`);
        reached.push(ids.length ? person.name : `${person.name} (no platform to DM)`);
      }
      const channel = t.kind === 'channel' ? t.address : t.kind === 'teamChannel' ? (team?.channel ?? null) : null;
      if (channel) {
        await this.outbox.toChannel(
          channel,
          reply,
          { tenant: e.tenant, ticketId: ticket.ticketId },
          undefined,
          `${jobId}:ch:${channel}`,
        );
        reached.push(channel);
      }
    }
    return reached;
  }

  private async peopleOf(tenant: string, t: EscalationTarget, team: Team | null, now: Date): Promise<PersonRef[]> {
    switch (t.kind) {
      case 'oncall': {
        const p = team ? this.teams.onCallIn(team, now).person : null;
        return p ? [p] : [];
      }
      case 'team':
        return team?.members ?? [];
      case 'person':
        return [await this.people.personFor(tenant, t.id, now)];
      default:
        return [];
    }
  }

  private async nobodyAcknowledged(e: LiveEscalation, ticket: Ticket, team: Team | null, job: Job, now: Date) {
    const notice = { ticket, team: e.team };
    if (team?.channel) {
      await this.outbox.toChannel(
        team.channel,
        pageExhaustedReply(notice),
        { tenant: e.tenant, ticketId: ticket.ticketId },
        undefined,
        `${job._id}:exhausted`,
      );
    }
    // A comment, so every card of the incident says so.
    await this.historyLine(
      this.system(e.tenant, now),
      ticket,
      { action: 'page_exhausted', note: 'nobody acknowledged' },
      pageExhaustedText(notice),
    );
  }

  /** The line on the ticket's history; the page stands even when the ticket cannot take it (closed, busy). */
  private async historyLine(acting: Acting, ticket: Ticket, entry: { action: string; note: string }, comment?: string) {
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
  private async lastEpisode(tenant: string, ticketId: string): Promise<number> {
    const current = await this.repo.episode(tenant, ticketId);
    if (current === 0 || (await this.repo.startedAt(tenant, ticketId, current))) return current;
    return current - 1;
  }

  /** Paging acts as the system: an admin, so only the ticket lifecycle rules apply. */
  private system(tenant: string, now: Date): Acting {
    return systemActing(
      tenant,
      { id: 'switchboard-oncall', identity: 'system:oncall', name: 'On-call' },
      now,
      this.o.timezone,
    );
  }
}

export function describeTarget(t: EscalationTarget): string {
  switch (t.kind) {
    case 'oncall':
      return 'the on-call person';
    case 'team':
      return 'every member';
    case 'teamChannel':
      return "the team's channel";
    case 'person':
      return t.id;
    case 'channel':
      return t.address;
  }
}
