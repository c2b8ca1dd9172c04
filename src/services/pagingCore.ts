// What every part of paging shares: its stores and services, the step job's filing, the line on the ticket's
// history, the episode a person's command is about, and the system person paging acts as.
import type { Logger } from 'pino';
import { formatDuration } from '../domain/duration.ts';
import type { Ticket, TicketSource } from '../domain/entities.ts';
import { PAGE_HISTORY } from '../domain/escalation.ts';
import type { RollupFact } from '../domain/rollupFacts.ts';
import type { Job, JobRepository } from '../store/jobStore.ts';
import type { LiveEscalation, PageAck, PageRepository } from '../store/pageStore.ts';
import { type Acting, systemActing } from './acting.ts';
import type { Outbox } from './outbox.ts';
import {
  type LinePayload,
  PAGE_KIND,
  PAGE_LINE_KIND,
  pageJobId,
  pageLineJobId,
  type StepPayload,
} from './pagingPlan.ts';
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
  /** Counts a rollup fact ahead of the change that makes it (an ack's first response), once by its `_id`. */
  recordFact?: (fact: RollupFact) => Promise<boolean>;
}

/** How long an alert's notes are held for its incident's first page at most (the step may run in another process). */
const FIRST_PAGE_WAIT_MS = 5000;
/**
 * How long a start job filed here is taken as still to run (when it ran elsewhere and found the incident resolved, a
 * reopen after this files it again).
 */
const START_PENDING_MS = 10_000;

export class PagingCore {
  /** Escalations started here whose first step has not paged yet, by `tenant/ticketId` (see `firstPage`). */
  private readonly firstPages = new Map<string, { paged: Promise<void>; done: () => void }>();
  /** Tickets whose escalation this process started lately (an alert's incident is started by its own change first). */
  private readonly started = new Set<string>();

  /** Start jobs filed here and not run here yet, by id, with when they were filed (`performance.now()`). */
  private readonly pendingStarts = new Map<string, number>();

  constructor(
    readonly repo: PageRepository,
    readonly jobs: JobRepository,
    readonly tickets: TicketService,
    readonly teams: TeamService,
    readonly people: PeopleService,
    readonly outbox: Outbox,
    readonly o: PagingOptions,
  ) {}

  /** Whether this process started the ticket's escalation lately (a start heard twice need not read to be refused). */
  startedLately(tenant: string, ticketId: string): boolean {
    return this.started.has(`${tenant}/${ticketId}`);
  }

  /** An escalation started here (its first level is paging now): `firstPage` waits for it until `paged` says so. */
  startedHere(tenant: string, ticketId: string): void {
    const key = `${tenant}/${ticketId}`;
    if (this.started.size >= 10_000) this.started.clear();
    this.started.add(key);
    // Waited for only where this process's job engine runs the step at once (else another process pages).
    if (this.firstPages.has(key) || !this.jobs.runsHere) return;
    let done = () => {};
    const paged = new Promise<void>((resolve) => {
      const timer = setTimeout(() => done(), FIRST_PAGE_WAIT_MS);
      timer.unref();
      done = () => {
        clearTimeout(timer);
        this.firstPages.delete(key);
        resolve();
      };
    });
    this.firstPages.set(key, { paged, done });
  }

  /** A start job filed here: a change heard before it runs need not file it again (`startPending`). */
  startFiled(id: string): void {
    if (this.pendingStarts.size >= 10_000) this.pendingStarts.clear();
    this.pendingStarts.set(id, performance.now());
  }

  /** Whether a start job was filed here a moment ago and has not run here since. */
  startPending(id: string): boolean {
    const at = this.pendingStarts.get(id);
    return at !== undefined && performance.now() - at < START_PENDING_MS;
  }

  /** A start job ran here (whatever it found): a later change decides afresh. */
  startRan(id: string): void {
    this.pendingStarts.delete(id);
  }

  /** The first step of an escalation paged (or gave up): what waited for it goes on. */
  paged(tenant: string, ticketId: string): void {
    this.firstPages.get(`${tenant}/${ticketId}`)?.done();
  }

  /** Resolves when every escalation of the tenant started here has paged its first step (at once when none waits). */
  async firstPagesOf(tenant: string): Promise<void> {
    const mine = [...this.firstPages].filter(([key]) => key.startsWith(`${tenant}/`)).map(([, w]) => w.paged);
    await Promise.all(mine);
  }

  /** Resolves when the first step of an escalation started here has paged (at once when none is waited for). */
  firstPage(tenant: string, ticketId: string): Promise<void> {
    return this.firstPages.get(`${tenant}/${ticketId}`)?.paged ?? Promise.resolve();
  }

  /**
   * Files a step's job. `recorded` false (an episode's first step, planned by the one start that won): a slot only,
   * no `jobs` record (one insert, not two); the auditor then asks its end by id instead of its record.
   */
  async planStep(
    e: LiveEscalation,
    index: number,
    dueAt: Date,
    now: Date,
    id?: string,
    recorded = true,
  ): Promise<void> {
    const episode = e.episode ?? 0;
    const job = {
      _id: id ?? pageJobId(e.tenant, e.ticketId, e.gen, index, episode),
      tenant: e.tenant,
      kind: PAGE_KIND,
      dueAt,
      payload: { tenant: e.tenant, ticketId: e.ticketId, gen: e.gen, index, episode } satisfies StepPayload,
      createdAt: now,
      by: null,
      ticketId: e.ticketId,
    };
    // Recorded: planned already (the step before ran twice: a process taken over), it is refused.
    await this.jobs.plan(job, recorded);
  }

  /**
   * Files an ack's line (its comment redraws every card; it is the incident's first response and moves the SLA on),
   * due at once after the reply. Filed again (by a step or a resumed start that found the ack while the live record
   * stood: the process that took it died before filing), it runs once: its claim decides (one id per episode, due at
   * the ack's time).
   */
  fileAckLine(ack: PageAck, episode: number, source?: TicketSource, timezone?: string): Promise<void> {
    const mtta = formatDuration(ack.mttaMs);
    return this.fileLine(pageLineJobId(ack.tenant, ack.ticketId, episode, '#ack'), {
      tenant: ack.tenant,
      ticketId: ack.ticketId,
      by: ack.by,
      at: ack.at.toISOString(),
      source: source ?? { platform: ack.platform, workspace: ack.tenant },
      timezone: timezone ?? this.o.timezone,
      action: PAGE_HISTORY.acknowledged,
      note: `acknowledged by ${ack.by.name}, MTTA ${mtta}`,
      comment: `Acknowledged the page (MTTA ${mtta}).`,
    });
  }

  /**
   * Files a line to be written right after the reply (a slot only: nothing reads it by id; its id is new, or a repair's
   * second filing of it, which still runs once). Filed in the same turn as other slots (escalate now's step), it goes in
   * their insert.
   */
  fileLine(id: string, p: LinePayload): Promise<void> {
    const at = new Date(p.at);
    const job = {
      _id: id,
      tenant: p.tenant,
      kind: PAGE_LINE_KIND,
      dueAt: at,
      payload: p as unknown as Record<string, unknown>,
      createdAt: at,
      by: null,
      ticketId: p.ticketId,
    };
    return this.jobs.plan(job, false);
  }

  /**
   * A line after the reply, by the person who gave the command, at its time. Written once: a run taken over after its
   * process died finds its claim taken (as a step's line).
   */
  async runLine(job: Job): Promise<string | undefined> {
    const p = job.payload as unknown as LinePayload;
    const at = new Date(p.at);
    if (!(await this.jobs.once(`${job._id}:history`, at))) return 'written already';
    const acting: Acting = {
      tenant: p.tenant,
      person: p.by,
      role: 'admin',
      source: p.source,
      now: at,
      timezone: p.timezone,
    };
    await this.historyLine(acting, p, { action: p.action, note: p.note }, p.comment);
    return undefined;
  }

  /** The line on the ticket's history; the page stands even when the ticket cannot take it (closed, busy). */
  async historyLine(
    acting: Acting,
    ticket: Pick<Ticket, 'ticketId'>,
    entry: { action: string; note: string },
    comment?: string,
  ) {
    try {
      await this.tickets.notePage({ ...acting, role: 'admin' }, ticket.ticketId, entry, comment);
    } catch (err) {
      this.o.log.warn(
        { err, ticketId: ticket.ticketId, action: entry.action },
        'paging: the history line was not written',
      );
    }
  }

  /**
   * The episode an ack or an escalate is about: the current one once it has paged, else the one before; and when it
   * started (null: never paged). The episodes and their starts: one read.
   */
  async lastEpisode(tenant: string, ticketId: string): Promise<{ episode: number; startedAt: Date | null }> {
    const { current, started, startedAt } = await this.repo.episodes(tenant, ticketId);
    const episode = current === 0 || started ? current : current - 1;
    return { episode, startedAt: startedAt.get(episode) ?? null };
  }

  /**
   * Files a paging retry as a job of its own (a slot only: its id is new with each try), due at `job.dueAt` on the
   * engine's clock, and says so loudly; when even that insert fails, says so and rethrows `err` (nobody else will).
   */
  async retryLater(
    job: Pick<Job, '_id' | 'kind' | 'tenant' | 'ticketId' | 'dueAt' | 'payload'>,
    now: Date,
    err: unknown,
    about: Record<string, unknown>,
    failed: string,
  ): Promise<void> {
    try {
      await this.jobs.fileWithoutRecord({ ...job, createdAt: now, by: null });
    } catch (filing) {
      this.o.log.error({ ...about, err, filing }, `paging: ${failed}; its next try could not be filed either`);
      throw err;
    }
    this.o.log.error({ ...about, err, retryAt: job.dueAt }, `paging: ${failed}; it is tried again`);
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
