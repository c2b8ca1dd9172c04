// Requester satisfaction: the requester is asked once when a ticket is resolved, and answers once, 1-5 with a comment.
import type { Logger } from 'pino';
import { CSAT_COMMENT_MAX, type CsatAnswer, type CsatScore } from '../domain/csat.ts';
import type { Ticket } from '../domain/entities.ts';
import { UserError } from '../domain/errors.ts';
import { csatAskReply } from '../present/ticketNotice.ts';
import type { CsatRepository } from '../store/csatStore.ts';
import type { Job, JobRepository } from '../store/jobStore.ts';
import type { Acting } from './acting.ts';
import type { ChangeFeed } from './changeFeed.ts';
import type { JobKinds, OwnsJobKinds } from './jobKinds.ts';
import type { TicketChanged } from './notifier.ts';
import type { Outbox } from './outbox.ts';
import type { RollupService } from './rollups.ts';
import type { TicketService } from './tickets.ts';

const wasResolved = (t: Ticket): boolean => t.history.some((h) => h.action === 'state' && h.to === 'resolved');
/** Comments go on the history as typed, less control characters (newlines stay). */
const cleanComment = (text: string | undefined): string | null =>
  text
    ?.replace(/[^\P{Cc}\n]/gu, '')
    .trim()
    .slice(0, CSAT_COMMENT_MAX) || null;

/** The ask's DM, sent right after the resolve's reply by the job engine. */
export const CSAT_ASK_KIND = 'csat.ask';
interface AskPayload {
  requesterId: string;
  ticketId: string;
  title: string;
}

export class CsatService implements OwnsJobKinds {
  /** The job kinds this service owns (the job engine runs them). */
  readonly jobKinds: JobKinds = { [CSAT_ASK_KIND]: { run: (job) => this.ask(job), late: 'run' } };

  constructor(
    private readonly repo: CsatRepository,
    private readonly outbox: Outbox,
    private readonly tickets: TicketService,
    private readonly rollups: RollupService,
    private readonly jobs: JobRepository,
    private readonly log?: Logger,
  ) {}

  /** Asks on resolves; a listener never throws (the resolve is written already). */
  listen(feed: ChangeFeed): void {
    feed.subscribe(async (ev) => {
      try {
        await this.onChange(ev);
      } catch (err) {
        this.log?.error({ err, ticketId: ev.ticket.ticketId }, 'csat: the requester could not be asked');
      }
    });
  }

  /**
   * Asks the requester of a resolved ticket, once for good. The ask is a job filed as a slot only, in the insert the
   * resolve's other jobs make (its autoclose step): the job engine sends the DM right after the reply, so the resolve
   * reads nobody's identities (the requester's, when this process has not seen them lately). The outbox key makes two
   * processes hearing the same resolve (or a job run twice) send one DM; the ticket's own history makes a reopen and
   * a second resolve ask nobody again, however long after: a resolve by a person before this one was asked about.
   */
  async onChange(ev: TicketChanged): Promise<void> {
    const t = ev.ticket;
    // Resolved by the bot itself (stale housekeeping, an alert that cleared): nobody's work to rate. Not
    // claimed either, so a person resolving it after a reopen still asks.
    if (t.state !== 'resolved' || ev.actorIdentity.startsWith('system:')) return;
    // Asked on the first resolve by a person only: the history shows whether there was one before this.
    if (resolvesByPeople(t) > 1) return;
    await this.jobs.fileWithoutRecord({
      _id: `csat:${t.tenant}/${t.ticketId}`,
      tenant: t.tenant,
      kind: CSAT_ASK_KIND,
      dueAt: t.updatedAt,
      payload: { requesterId: t.requester.id, ticketId: t.ticketId, title: t.title } satisfies AskPayload,
      createdAt: t.updatedAt,
      by: null,
      ticketId: t.ticketId,
    });
  }

  /** The ask's job: the DM to the requester, on every platform they have linked, sent once however often it runs. */
  private async ask(job: Job): Promise<void> {
    const p = job.payload as unknown as AskPayload;
    await this.outbox.toPerson(
      job.tenant,
      p.requesterId,
      csatAskReply(p),
      { ticketId: p.ticketId },
      `csat:${job.tenant}/${p.ticketId}`,
    );
  }

  /** The requester's answer: once per ticket, whoever clicks or types it and however often. */
  async answer(acting: Acting, id: string, score: CsatScore, commentText?: string): Promise<CsatAnswer> {
    const t = await this.tickets.getTicket(acting, id);
    if (t.requester.id !== acting.person.id) {
      throw new UserError(
        'PERMISSION.DENIED',
        `Only ${t.ticketId}'s requester, ${t.requester.name}, rates how it went.`,
        undefined,
        'id',
      );
    }
    if (!wasResolved(t)) {
      throw UserError.of('CSAT.NOT_RESOLVED', { id: t.ticketId }, undefined, 'id');
    }
    const answer: CsatAnswer = {
      tenant: t.tenant,
      ticketId: t.ticketId,
      score,
      comment: cleanComment(commentText),
      at: acting.now,
      by: acting.person,
      type: t.type,
      priority: t.priority,
      service: t.service,
      team: t.team,
    };
    if (!(await this.repo.insert(answer))) {
      const first = await this.repo.find(t.tenant, t.ticketId);
      // The first answer's count may have been cut short (a crash between the two inserts): this heals it.
      if (first) await this.rollups.recordCsat(first);
      throw new UserError(
        'CSAT.ANSWERED',
        first
          ? `You rated ${t.ticketId} ${first.score}/5 already; a ticket takes one answer.`
          : `${t.ticketId} is rated already; a ticket takes one answer.`,
        undefined,
        'score',
      );
    }
    await this.rollups.recordCsat(answer);
    // A closed ticket is final (archived, never written again): its answer stands in `csat` alone.
    if (t.state !== 'closed') {
      try {
        await this.tickets.noteCsat(acting, t.ticketId, score, answer.comment);
      } catch (err) {
        this.log?.warn({ err, ticketId: t.ticketId }, 'csat: the answer was kept, the history line was not written');
      }
    }
    return answer;
  }

  find(tenant: string, ticketId: string): Promise<CsatAnswer | null> {
    return this.repo.find(tenant, ticketId);
  }

  /** The answers of these tickets (the export's column). */
  findMany(tenant: string, ticketIds: readonly string[]): Promise<Map<string, CsatAnswer>> {
    return this.repo.findMany(tenant, ticketIds);
  }
}

/** How often people (not the bot itself) resolved the ticket, this resolve included. */
const resolvesByPeople = (t: Ticket): number =>
  t.history.filter(
    // History written by older versions may name its actor without an identity: counted as a person's (read then).
    (h) => h.action === 'state' && h.to === 'resolved' && !(h.actor?.identity ?? '').startsWith('system:'),
  ).length;
