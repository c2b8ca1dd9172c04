// One step of an escalation (a job of kind oncall.step): fenced by its generation and episode, stopped by an ack or
// a resolve, the next step filed before this one pages its level's people and channels.
import type { PersonRef, Ticket } from '../domain/entities.ts';
import { isUserError } from '../domain/errors.ts';
import { type EscalationTarget, nextStep, PAGE_HISTORY } from '../domain/escalation.ts';
import { pageExhaustedReply, pageExhaustedText, pageReply } from '../present/pageNotice.ts';
import type { Job, JobRef } from '../store/jobStore.ts';
import type { LiveEscalation } from '../store/pageStore.ts';
import type { Acting } from './acting.ts';
import type { PagingCore } from './pagingCore.ts';
import { FINISHED, planOf, type StepPayload } from './pagingPlan.ts';
import type { Team } from './teams.ts';

export class StepRunner {
  constructor(private readonly c: PagingCore) {}

  /** A step's job: fenced by the generation, stopped by an ack or a resolve; plans the next step before paging. */
  async runStep(job: Job, now: Date): Promise<string | undefined> {
    const p = job.payload as unknown as StepPayload;
    try {
      return await this.step(job, p, now);
    } finally {
      // The first step of an escalation, however it ended: notes held for it go on (PagingCore.firstPage).
      if (p.index === 0 && p.gen === 0) this.c.paged(p.tenant, p.ticketId);
    }
  }

  private async step(job: Job, p: StepPayload, now: Date): Promise<string | undefined> {
    const { repo, teams } = this.c;
    const e = await repo.find(p.tenant, p.ticketId);
    if (!e) return 'escalation over';
    const episode = e.episode ?? 0;
    if (episode !== (p.episode ?? 0)) return 'from an earlier episode of the incident';
    if (e.gen !== p.gen) return 'superseded by a newer run of the escalation';
    const acked = await repo.ackOf(p.tenant, p.ticketId, episode);
    if (acked) {
      // The live record stands only when the ack's process died before it went: its follow-up may not be filed.
      await this.c.fileAckLine(acked, episode);
      await repo.end(p.tenant, p.ticketId, e.startedAt);
      return 'acknowledged';
    }
    const sys = this.c.system(p.tenant, now);
    let ticket: Ticket;
    try {
      ticket = await this.c.tickets.getTicket(sys, p.ticketId);
    } catch (err) {
      if (!isUserError(err)) throw err;
      await repo.end(p.tenant, p.ticketId, e.startedAt);
      return 'ticket gone';
    }
    if (FINISHED.has(ticket.state)) {
      await repo.end(p.tenant, p.ticketId, e.startedAt);
      return ticket.state;
    }
    const plan = planOf(e);
    const step = nextStep(plan, e.genStartedAt, p.index - 1, this.c.o.repeatMs);
    if (!step) return 'past the plan';
    const team = e.team ? await teams.current(p.tenant, e.team).catch(() => null) : null;
    if (step.kind === 'exhausted') {
      await this.nobodyAcknowledged(e, ticket, team, job, now);
      await repo.end(p.tenant, p.ticketId, e.startedAt);
      return 'nobody acknowledged';
    }
    // The next step is filed before this one pages: whatever happens below, the escalation goes on.
    const next = nextStep(plan, e.genStartedAt, step.index, this.c.o.repeatMs);
    const level = e.fromLevel + step.level;
    await repo.save({ ...e, lastLevel: level, pending: next ? { index: next.index, dueAt: next.at } : null }, e.gen);
    if (next) await this.c.planStep(e, next.index, next.at, now);
    const reached = await this.pageLevel(e, ticket, team, level, step.repeat, job._id, now);
    // Written (and on its way from memory): what waited for the first page need not wait for its history line.
    if (p.index === 0 && p.gen === 0) this.c.paged(p.tenant, p.ticketId);
    await this.pagedLine(sys, ticket, job, level, step.repeat, reached);
    return reached.length ? undefined : 'nobody to page';
  }

  /**
   * The step's line on the ticket's history. A step run again (its process died before recording the end) pages
   * once, through the outbox's keys, and writes its line once: the line's claim is an insert beside the job's own
   * claims, keyed by the step's job id and due time.
   */
  async pagedLine(sys: Acting, ticket: Ticket, step: JobRef, level: number, repeat: number, reached: string[]) {
    const again = repeat > 0 ? `, again (${repeat})` : '';
    if (await this.c.jobs.once(`${step._id}:history`, step.dueAt)) {
      await this.c.historyLine(sys, ticket, {
        action: PAGE_HISTORY.paged,
        note: `level ${level + 1}${again}: ${reached.length ? reached.join(', ') : 'nobody could be reached'}`,
      });
    }
  }

  /** Every target of a level: a DM to each person on each linked platform, a post in each channel. Keyed by step. */
  async pageLevel(
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
      timezone: this.c.o.timezone,
    });
    const about = { ticketId: ticket.ticketId };
    const reached: string[] = [];
    for (const t of targets) {
      for (const person of await this.peopleOf(e.tenant, t, team, now)) {
        const ids = await this.c.outbox.toPerson(e.tenant, person.id, reply, about, `${jobId}:${person.id}`);
        reached.push(ids.length ? person.name : `${person.name} (no platform to DM)`);
      }
      const channel = t.kind === 'channel' ? t.address : t.kind === 'teamChannel' ? (team?.channel ?? null) : null;
      if (channel) {
        await this.c.outbox.toChannel(
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
        const p = team ? this.c.teams.onCallIn(team, now).person : null;
        return p ? [p] : [];
      }
      case 'team':
        return team?.members ?? [];
      case 'person':
        return [await this.c.people.personFor(tenant, t.id, now)];
      default:
        return [];
    }
  }

  private async nobodyAcknowledged(e: LiveEscalation, ticket: Ticket, team: Team | null, job: Job, now: Date) {
    const notice = { ticket, team: e.team };
    if (team?.channel) {
      await this.c.outbox.toChannel(
        team.channel,
        pageExhaustedReply(notice),
        { tenant: e.tenant, ticketId: ticket.ticketId },
        undefined,
        `${job._id}:exhausted`,
      );
    }
    // A comment, so every card of the incident says so.
    await this.c.historyLine(
      this.c.system(e.tenant, now),
      ticket,
      { action: 'page_exhausted', note: 'nobody acknowledged' },
      pageExhaustedText(notice),
    );
  }
}
