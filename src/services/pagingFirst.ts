// An episode's start as a job (kind oncall.start): filed as a slot with the change that opened or raised the incident,
// run by the job engine right after the reply; it starts the episode (the "only once"), writes the live record, and
// pages the first level itself, with no step job between the opening and the first page DM.
import type { Ticket } from '../domain/entities.ts';
import { isUserError } from '../domain/errors.ts';
import { nextStep } from '../domain/escalation.ts';
import { pageRetryingReply } from '../present/pageNotice.ts';
import type { Job } from '../store/jobStore.ts';
import type { LiveEscalation } from '../store/pageStore.ts';
import type { PagingCore } from './pagingCore.ts';
import {
  FINISHED,
  PAGE_START_KIND,
  pageJobId,
  pageStartJobId,
  pageStartRetryId,
  planOf,
  QUICK_RETRIES,
  type StartPayload,
  startRetryWait,
  stillPaged,
} from './pagingPlan.ts';
import type { StepRunner } from './pagingSteps.ts';

export class FirstPage {
  constructor(
    private readonly c: PagingCore,
    private readonly steps: StepRunner,
  ) {}

  /**
   * The start job. A failure on our side (the database slow under a burst) files the next try as a job of its own,
   * due a moment later on the job engine's clock (1 s, 5 s, 25 s, then every minute: `START_RETRY_MS`), for as long
   * as the incident is open and still owed its page (`stillPaged`): a page that never starts is one the auditor cannot
   * see. Every try, and a run taken over after its process died, does the work once: the start is a unique insert, an
   * earlier run's live record is resumed, the DMs are keyed by the first step's job id, its history line claimed once;
   * each try's id is its own (filed twice, it runs once).
   */
  async run(job: Job, now: Date): Promise<string | undefined> {
    const p = job.payload as unknown as StartPayload;
    try {
      return await this.start(p, now);
    } catch (err) {
      if (isUserError(err)) throw err;
      return await this.tryAgain(p, err, now);
    } finally {
      // However it ended: notes held for its first page go on (PagingCore.firstPage), and a change heard next decides
      // afresh whether to file it.
      this.c.paged(p.tenant, p.ticketId);
      this.c.startRan(job._id);
    }
  }

  /** Files the start's next try, says so loudly (the log; the team's channel once the quick tries are used). */
  private async tryAgain(p: StartPayload, err: unknown, now: Date): Promise<string> {
    const attempt = (p.attempt ?? 0) + 1;
    const dueAt = new Date(now.getTime() + startRetryWait(attempt));
    const log = this.c.o.log;
    await this.c.retryLater(
      {
        _id: pageStartRetryId(p.tenant, p.ticketId, p.episode, attempt),
        tenant: p.tenant,
        kind: PAGE_START_KIND,
        dueAt,
        payload: { ...p, attempt },
        ticketId: p.ticketId,
      },
      now,
      err,
      { tenant: p.tenant, ticketId: p.ticketId, episode: p.episode, attempt },
      'a page could not start (nobody is paged yet)',
    );
    // The quick retries used (the next try is the first at the back-off's cap): said once, loudly.
    if (attempt === QUICK_RETRIES + 1)
      await this.tellRetrying(p).catch((e) => log.warn({ err: e }, 'paging: could not say so'));
    return `failed (${(err as Error)?.message ?? String(err)}); tried again at ${dueAt.toISOString()}`;
  }

  /** Once the quick tries are used: the team's channel is told nobody is paged yet (once per episode: its key). */
  private async tellRetrying(p: StartPayload): Promise<void> {
    const team = p.team ? await this.c.teams.current(p.tenant, p.team) : null;
    if (!team?.channel) return;
    await this.c.outbox.toChannel(
      team.channel,
      pageRetryingReply({ ticketId: p.ticketId, everyMs: startRetryWait(Number.POSITIVE_INFINITY) }),
      { tenant: p.tenant, ticketId: p.ticketId },
      undefined,
      `page-retrying:${pageStartJobId(p.tenant, p.ticketId, p.episode)}`,
    );
  }

  private async start(p: StartPayload, now: Date): Promise<string | undefined> {
    const { repo, teams } = this.c;
    const startedAt = new Date(p.startedAt);
    const sys = this.c.system(p.tenant, now);
    // Read before anything is written: an incident resolved before its page started is not started (its episode stays
    // open to a later start, which a resolve's teardown that found nothing started would otherwise leave stuck). Read
    // first: a try of a start that keeps failing (below) stops here once the incident is resolved or downgraded.
    let ticket: Ticket;
    try {
      ticket = await this.c.tickets.getTicket(sys, p.ticketId);
    } catch (err) {
      if (isUserError(err)) return 'ticket gone';
      throw err;
    }
    if (FINISHED.has(ticket.state)) return ticket.state;
    // Downgraded since (a person made it a P3): no page is owed.
    if (!stillPaged(ticket)) return 'no longer paged';
    const team = p.team ? await teams.current(p.tenant, p.team) : null;
    const policy = p.policy ?? (team ? teams.policyOf(team) : null);
    if (!policy) return 'no team to page';
    const e: LiveEscalation = {
      tenant: p.tenant,
      ticketId: p.ticketId,
      team: p.team,
      policy,
      startedAt,
      gen: 0,
      fromLevel: 0,
      genStartedAt: startedAt,
      pending: { index: 0, dueAt: startedAt },
      lastLevel: null,
      message: p.message,
      episode: p.episode,
    };
    const plan = planOf(e);
    const step = nextStep(plan, startedAt, -1, this.c.o.repeatMs);
    if (!step || step.kind === 'exhausted') return 'nothing to page';
    const next = nextStep(plan, startedAt, step.index, this.c.o.repeatMs);
    // The live record as it stands once the first level is paged (this run pages it): no second write for it. A run
    // that dies before paging is taken over by another process's engine, which resumes this record and pages; one that
    // fails is tried again (`tryAgain`), which resumes it; the auditor plans the next step again if it is ever overdue.
    const live: LiveEscalation = {
      ...e,
      lastLevel: step.level,
      pending: next ? { index: next.index, dueAt: next.at } : null,
    };
    // The episode's start is the "only once": the ticket just opened, so nobody can have started it but this job.
    const started = await repo.startOrResume(live, { notStarted: true });
    if (started === 'refused') return 'started already';
    // Resumed (an earlier run wrote the record): acknowledged since, it pages no more.
    const acked = started === 'resumed' ? await repo.ackOf(p.tenant, p.ticketId, p.episode) : null;
    if (acked) {
      // Its follow-up filed again (runs once), in case the ack's process died before filing it.
      await this.c.fileAckLine(acked, p.episode);
      await repo.end(p.tenant, p.ticketId, startedAt);
      return 'acknowledged';
    }
    // The first step is this job's; the next one is asked for before it pages (a slot only: a run taken over files it
    // again, and it still runs once), and the job waits for both: a failure of either is this job's, tried again
    // (resumed). The page does not wait behind the filing, which waits for the job records being written (a burst).
    const filing = next ? this.c.planStep(e, next.index, next.at, now, undefined, false) : Promise.resolve();
    // The first step's own id keys its DMs and its history line, as if its job had run.
    const first = { _id: pageJobId(p.tenant, p.ticketId, 0, step.index, p.episode), dueAt: startedAt };
    const paging = this.steps.pageLevel(live, ticket, team, step.level, step.repeat, first._id, now);
    const [filed, paged] = await Promise.allSettled([filing, paging]);
    if (filed.status === 'rejected') throw filed.reason;
    if (paged.status === 'rejected') throw paged.reason;
    const reached = paged.value;
    // Written (and on its way from memory): what waited for the first page need not wait for its history line.
    this.c.paged(p.tenant, p.ticketId);
    await this.steps.pagedLine(sys, ticket, first, step.level, step.repeat, reached);
    return reached.length ? undefined : 'nobody to page';
  }
}
