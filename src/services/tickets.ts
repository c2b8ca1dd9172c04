// Ticket use cases: open, assign, start, pend, comment, resolve, close, reopen, reprioritise, and CAB decisions.
// This is their face; the commands' groups are beside it, over the one change primitive (ticketCore.ts): opening
// (ticketOpen.ts), reading (ticketReads.ts), the lifecycle (ticketLifecycle.ts), the fields and the CAB's decisions
// (ticketFields.ts), and comments and the history lines other services write (ticketNotes.ts).
import type { PriorityMatrix } from '../domain/priority.ts';
import type { SlaTargets } from '../domain/sla.ts';
import type { Priority } from '../domain/ticket.ts';
import type { Ticket, TicketRepository, TicketSummary } from '../store/ticketStore.ts';
import type { Acting } from './acting.ts';
import type { Notifier } from './notifier.ts';
import type { PeopleService } from './people.ts';
import { type CabRules, type Change, type ServiceTargetsPort, TicketCore } from './ticketCore.ts';
import { TicketFields } from './ticketFields.ts';
import { TicketLifecycle } from './ticketLifecycle.ts';
import { TicketNotes } from './ticketNotes.ts';
import { type OpenTicketInput, TicketOpening } from './ticketOpen.ts';
import { type ListInput, TicketReads } from './ticketReads.ts';

export type { CabRules, Change, ServiceTargetsPort } from './ticketCore.ts';
export type { OpenTicketInput } from './ticketOpen.ts';
export type { ListInput } from './ticketReads.ts';

export class TicketService {
  private readonly c: TicketCore;
  private readonly opening: TicketOpening;
  private readonly reads: TicketReads;
  private readonly lifecycle: TicketLifecycle;
  private readonly fields: TicketFields;
  private readonly notes: TicketNotes;

  constructor(
    repo: TicketRepository,
    notifier: Notifier,
    sla: SlaTargets,
    matrix: PriorityMatrix,
    people: PeopleService,
    readonly cab: CabRules,
  ) {
    this.c = new TicketCore(repo, notifier, sla, matrix, people, cab);
    this.opening = new TicketOpening(this.c);
    this.reads = new TicketReads(this.c);
    this.lifecycle = new TicketLifecycle(this.c);
    this.fields = new TicketFields(this.c);
    this.notes = new TicketNotes(this.c);
  }

  /** The service catalog, set by the composition: a ticket on a service runs on its targets. */
  get catalog(): ServiceTargetsPort | undefined {
    return this.c.catalog;
  }

  set catalog(port: ServiceTargetsPort | undefined) {
    this.c.catalog = port;
  }

  openTicket(acting: Acting, input: OpenTicketInput): Promise<Ticket> {
    return this.opening.openTicket(acting, input);
  }

  /** Finds a ticket the person may see: their own, or any when they are an agent. */
  getTicket(acting: Acting, id: string): Promise<Ticket> {
    return this.c.getTicket(acting, id);
  }

  /**
   * The ticket as this process last read or wrote it (no round trip), else read now: for a decision on what never
   * changes after the open (type, title, service), or that a change then checks again on what the database holds.
   */
  knownTicket(acting: Acting, id: string): Promise<Ticket> {
    const kept = this.c.rememberedTicket(acting, id);
    return kept ? Promise.resolve(kept) : this.c.getTicket(acting, id);
  }

  /** Ticket ids for autocomplete: open tickets whose id or title matches, only the asker's own unless an agent. */
  suggestTickets(acting: Acting, query: string): Promise<Array<{ id: string; title: string }>> {
    return this.reads.suggestTickets(acting, query);
  }

  /** Open tickets by priority, for a digest: the hot set only (at most 5,000 read). */
  openCounts(tenant: string): Promise<Record<string, number>> {
    return this.reads.openCounts(tenant);
  }

  /** Newest first, without comments or history; only the hot set unless the states asked for include closed. */
  listTickets(acting: Acting, input: ListInput): Promise<TicketSummary[]> {
    return this.reads.listTickets(acting, input);
  }

  /** Assigns to the person behind `identity` (a platform identity), who must be an agent unless it is the actor. */
  assignTicket(acting: Acting, id: string, identity: string): Promise<Ticket> {
    return this.lifecycle.assignTicket(acting, id, identity);
  }

  startTicket(acting: Acting, id: string): Promise<Ticket> {
    return this.lifecycle.startTicket(acting, id);
  }

  pendTicket(acting: Acting, id: string, reason?: string): Promise<Ticket> {
    return this.lifecycle.pendTicket(acting, id, reason);
  }

  commentTicket(acting: Acting, id: string, text: string, internal: boolean): Promise<Ticket> {
    return this.notes.commentTicket(acting, id, text, internal);
  }

  resolveTicket(acting: Acting, id: string, resolution: string): Promise<Ticket> {
    return this.lifecycle.resolveTicket(acting, id, resolution);
  }

  closeTicket(acting: Acting, id: string): Promise<Ticket> {
    return this.lifecycle.closeTicket(acting, id);
  }

  reopenTicket(acting: Acting, id: string, reason?: string): Promise<Ticket> {
    return this.lifecycle.reopenTicket(acting, id, reason);
  }

  setPriority(acting: Acting, id: string, priority: Priority): Promise<Ticket> {
    return this.fields.setPriority(acting, id, priority);
  }

  /** A change decided by another use case (src/services/problems.ts: links, known errors), written as any other. */
  applyDecided(acting: Acting, id: string, decide: (t: Ticket) => Change): Promise<Ticket> {
    return this.c.change(acting, id, decide);
  }

  /** The incident's post-incident review is written: its link goes on the history (src/services/pirs.ts). */
  notePirDone(acting: Acting, id: string, link: string): Promise<Ticket> {
    return this.notes.notePirDone(acting, id, link);
  }

  /** A follow-up action recorded against the ticket (src/services/actions.ts), quietly; refused once it is closed. */
  noteAction(acting: Acting, id: string, actionId: string, what: string): Promise<Ticket> {
    return this.notes.noteAction(acting, id, actionId, what);
  }

  /** "This is a major incident" on the history, written once when it is declared; quiet. */
  noteMajor(acting: Acting, id: string, severity: number): Promise<Ticket> {
    return this.notes.noteMajor(acting, id, severity);
  }

  /** The requester's satisfaction score on the history (src/services/csat.ts keeps the answer itself); quiet. */
  noteCsat(acting: Acting, id: string, score: number, comment: string | null): Promise<Ticket> {
    return this.notes.noteCsat(acting, id, score, comment);
  }

  /** A paging line on the history (src/services/paging.ts); quiet unless it carries a comment. */
  notePage(acting: Acting, id: string, entry: { action: string; note: string }, comment?: string): Promise<Ticket> {
    return this.notes.notePage(acting, id, entry, comment);
  }

  approveChange(acting: Acting, id: string, reason?: string): Promise<Ticket> {
    return this.fields.approveChange(acting, id, reason);
  }

  rejectChange(acting: Acting, id: string, reason?: string): Promise<Ticket> {
    return this.fields.rejectChange(acting, id, reason);
  }
}
