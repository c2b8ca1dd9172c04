// Known errors: a problem's workaround, kept per service in process behind the people epoch, told once in the
// thread of each new incident on that service, taken away when the problem is fixed and brought back on a reopen.
import type { Ticket } from '../domain/entities.ts';
import { UserError } from '../domain/errors.ts';
import { isOnePlace } from '../domain/platform.ts';
import { idOfType, mustBe, problemRecordOf, problemStands, workaroundOf } from '../domain/problem.ts';
import { type RoleNeed, refusalFor } from '../domain/roles.ts';
import { OPEN_STATES, parseTicketId } from '../domain/ticket.ts';
import { workaroundReply } from '../present/problemNotice.ts';
import type { CardRecord } from '../store/cardStore.ts';
import type { KnownErrorEntry, KnownErrorRepository } from '../store/knownErrorStore.ts';
import type { TicketRepository } from '../store/ticketStore.ts';
import type { Acting } from './acting.ts';
import type { CardService } from './cards.ts';
import type { ChangeFeed } from './changeFeed.ts';
import { cardThreadOf } from './messaging.ts';
import type { Outbox } from './outbox.ts';
import type { PeopleService } from './people.ts';
import type { Change, TicketService } from './tickets.ts';

/** Linking, unlinking, opening from incidents and marking known errors: problem management is agents' work. */
export const MANAGE_PROBLEMS: RoleNeed = {
  role: 'agent',
  denied: 'Linking incidents to problems and marking known errors needs the agent role.',
};

/** Known errors a tenant keeps at most (read whole and kept in process). */
const MAX_KNOWN_ERRORS = 1000;
/** How long this process trusts the known errors it read while the tenant's people epoch stands. */
const KNOWN_TTL_MS = 30_000;

export interface ProblemOptions {
  /** The known error could not be told in a new incident's thread (logged; the card stands). */
  onError?: (err: unknown, ticketId: string) => void;
}

/** A change that would change nothing: the side is as asked already (another process got there first). */
export const unchanged = (what: string) => new UserError('TICKET.UNCHANGED', what);
export const isUnchanged = (e: unknown) => e instanceof UserError && e.code === 'TICKET.UNCHANGED';

export class KnownErrors {
  private readonly known = new Map<
    string,
    { byService: Map<string, KnownErrorEntry[]>; epoch: string; until: number }
  >();

  constructor(
    private readonly tickets: TicketService,
    private readonly repo: TicketRepository,
    private readonly store: KnownErrorRepository,
    private readonly people: PeopleService,
    private readonly outbox: Outbox,
    private readonly o: ProblemOptions = {},
  ) {}

  /** Hears problems resolved or reopened (their known error goes or comes back) and cards recorded (a new thread). */
  listen(feed: ChangeFeed, cards: CardService): void {
    feed.subscribe(async (ev) => {
      try {
        // Opened where there are no threads (the terminal): the workaround is said right there.
        if (ev.ticket.version === 0 && isOnePlace(ev.platform)) await this.tellAt(ev.platform, ev.ticket);
        await this.onProblemChanged(ev.ticket);
      } catch (err) {
        this.o.onError?.(err, ev.ticket.ticketId);
      }
    });
    cards.onRecorded(async (card) => {
      try {
        await this.tell(card);
      } catch (err) {
        this.o.onError?.(err, card.ticketId);
      }
    });
  }

  /** `/ticket known-error <PRB-n> "<workaround>"`: on the problem, and among its service's known errors. */
  async mark(
    acting: Acting,
    problemId: string,
    text: string,
  ): Promise<{ problem: Ticket; service: string; already: boolean }> {
    const refused = refusalFor(acting.role, MANAGE_PROBLEMS);
    if (refused) throw refused;
    const usage = `Try: /ticket known-error PRB-1 "Restart the VPN client, then sign in again"`;
    const parsed = idOfType(problemId, 'problem', usage);
    const workaround = workaroundOf(text, parsed.id);
    // As this process last knew it (no read) when that passes; a refusal is decided again on a fresh read.
    const kept = this.repo.remembered(acting.tenant, parsed.id);
    const found = kept && this.standing(kept) ? kept : await this.tickets.getTicket(acting, parsed.id);
    mustBe(found, 'problem', usage);
    if (!problemStands(found)) {
      throw new UserError(
        'PROBLEM.CLOSED',
        `${found.ticketId} is ${found.state}: a fixed problem has no known error to tell.${found.state === 'resolved' ? ` Reopen it first: /ticket reopen ${found.ticketId}` : ''}`,
      );
    }
    const service = found.service;
    if (!service) {
      throw new UserError(
        'PROBLEM.NO_SERVICE',
        `${found.ticketId} names no service, so no new incident could be told its workaround.`,
        'Open the problem with --service (or --from incidents that name one), then mark it.',
      );
    }
    let already = false;
    let problem = found;
    try {
      problem = await this.write(acting, found.ticketId, (t) => {
        if (problemRecordOf(t).knownError?.workaround === workaround) throw unchanged('the same workaround');
        return {
          set: { problem: { ...problemRecordOf(t), knownError: { workaround, by: acting.person, at: acting.now } } },
          history: [{ action: 'known_error', field: 'known_error', to: workaround }],
          summary: `${acting.person.name} marked ${t.ticketId} a known error. Workaround: ${workaround}`,
        };
      });
    } catch (e) {
      if (!isUnchanged(e)) throw e;
      already = true;
    }
    // Written after the ticket (and again on a repeat), so a mark cut short between the two is finished by a retry.
    const known = problemRecordOf(problem).knownError;
    await this.keepKnownError(problem, known?.at ?? acting.now, known?.workaround ?? workaround);
    return { problem, service, already };
  }

  private standing(t: Ticket): boolean {
    return t.type === 'problem' && problemStands(t) && t.service !== null;
  }

  /** The tenant's standing known errors by service: read once, kept while the tenant's people epoch stands. */
  async of(tenant: string): Promise<Map<string, KnownErrorEntry[]>> {
    const epoch = await this.people.epochOf(tenant);
    const hit = this.known.get(tenant);
    if (hit && hit.epoch === epoch && hit.until > Date.now()) return hit.byService;
    const byService = new Map<string, KnownErrorEntry[]>();
    for (const e of await this.store.list(tenant, MAX_KNOWN_ERRORS)) {
      byService.set(e.service, [...(byService.get(e.service) ?? []), e]);
    }
    if (this.known.size > 10_000) this.known.clear();
    this.known.set(tenant, { byService, epoch, until: Date.now() + KNOWN_TTL_MS });
    return byService;
  }

  /**
   * A card recorded in a thread: an incident opened on a service with a known error hears the workaround there,
   * once (the outbox keys the message by incident, whichever process records which of its cards, however often).
   */
  private async tell(card: CardRecord): Promise<void> {
    const where = cardThreadOf(card);
    if (!where || parseTicketId(card.ticketId)?.type !== 'incident') return;
    const errors = await this.of(card.tenant);
    if (errors.size === 0) return;
    const t = this.repo.remembered(card.tenant, card.ticketId) ?? (await this.repo.find(card.tenant, card.ticketId));
    if (t) await this.tellAt(`${card.platform}:${where.channel}`, t, where.thread ?? undefined);
  }

  /** The workaround of each known error on the incident's service marked before it opened, in one message, once. */
  private async tellAt(address: string, t: Ticket, thread?: string): Promise<void> {
    if (t.type !== 'incident' || !t.service || !OPEN_STATES.includes(t.state)) return;
    const errors = await this.of(t.tenant);
    const told = (errors.get(t.service) ?? []).filter((e) => e.at.getTime() <= t.openedAt.getTime());
    if (told.length === 0) return;
    const reply = workaroundReply({
      incidentId: t.ticketId,
      problems: told.map((e) => ({ problemId: e.problemId, title: e.title, workaround: e.workaround })),
    });
    await this.outbox.toChannel(
      address,
      reply,
      { tenant: t.tenant, ticketId: t.ticketId },
      thread,
      `known-error:${t.tenant}/${t.ticketId}`,
    );
  }

  /** A problem with a known error resolved or closed takes it away; reopened, brings it back. */
  private async onProblemChanged(t: Ticket): Promise<void> {
    const known = t.type === 'problem' ? problemRecordOf(t).knownError : null;
    if (!known) return;
    // The state lines this change wrote (they carry its time).
    const moves = t.history.filter((h) => h.action === 'state' && h.at.getTime() === t.updatedAt.getTime());
    if (!problemStands(t) && moves.length) {
      if (await this.store.remove(t.tenant, t.ticketId)) await this.changed(t.tenant);
    } else if (moves.some((h) => h.from === 'resolved')) {
      await this.keepKnownError(t, known.at, known.workaround);
    }
  }

  private async keepKnownError(problem: Ticket, at: Date, workaround: string): Promise<void> {
    await this.store.put({
      tenant: problem.tenant,
      problemId: problem.ticketId,
      title: problem.title,
      service: problem.service as string,
      workaround,
      by: problemRecordOf(problem).knownError?.by ?? problem.requester,
      at,
    });
    await this.changed(problem.tenant);
  }

  /** Known errors changed: this process forgets them now, the others within a second (the people epoch moves). */
  private async changed(tenant: string): Promise<void> {
    this.known.delete(tenant);
    await this.people.changed(tenant);
  }

  private write(acting: Acting, id: string, decide: (t: Ticket) => Change): Promise<Ticket> {
    return this.tickets.applyDecided(acting, id, decide);
  }
}
