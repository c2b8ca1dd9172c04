// What every ticket command shares: the one change primitive (load, decide, write on the version, retry, notify),
// reading a ticket the person may see, and the SLA targets a ticket runs on.
import { UserError } from '../domain/errors.ts';
import type { PriorityMatrix } from '../domain/priority.ts';
import { hasRole } from '../domain/roles.ts';
import { acknowledges, recordFirstResponse, type SlaTargets } from '../domain/sla.ts';
import { parseTicketId } from '../domain/ticket.ts';
import { KeyedQueue } from '../kit/keyedQueue.ts';
import {
  type AuditEntry,
  type Ticket,
  type TicketPatch,
  type TicketRepository,
  VersionConflict,
} from '../store/ticketStore.ts';
import type { Acting } from './acting.ts';
import type { FreezeService } from './freezes.ts';
import type { Notifier } from './notifier.ts';
import type { PeopleService } from './people.ts';

/** How the CAB decides: distinct approvers needed, and the freezes a planned window may fall in. */
export interface CabRules {
  quorum: number;
  freezes: FreezeService;
}

/** Where a ticket's SLA targets come from when it names a service (src/services/serviceCatalog.ts). */
export interface ServiceTargetsPort {
  ticketTargets(tenant: string, service: string, defaults: SlaTargets, anyService?: boolean): Promise<SlaTargets>;
}

/** One change of a ticket as a use case decides it on the ticket as read: what to set, what to tell. */
export interface Change {
  set: TicketPatch['set'];
  history: Array<Omit<AuditEntry, 'at' | 'actor' | 'platform'>>;
  comment?: { text: string; internal: boolean };
  summary: string;
}

/** Tries of one change against others writing the same ticket before TICKET.BUSY. */
const MAX_CHANGE_ATTEMPTS = 24;

export class TicketCore {
  /** One queue per ticket (and per tenant:type for numbers): this process's changes to it run one at a time. */
  readonly queue = new KeyedQueue();
  /** The service catalog, set by the composition (through the facade): a ticket on a service runs on its targets. */
  catalog: ServiceTargetsPort | undefined;

  constructor(
    readonly repo: TicketRepository,
    private readonly notifier: Notifier,
    readonly sla: SlaTargets,
    readonly matrix: PriorityMatrix,
    readonly people: PeopleService,
    readonly cab: CabRules,
  ) {}

  /** Finds a ticket the person may see: their own, or any when they are an agent. */
  async getTicket(acting: Acting, id: string): Promise<Ticket> {
    const ticketId = this.ticketIdOf(id);
    const t = await this.repo.find(acting.tenant, ticketId);
    if (!t) throw UserError.of('TICKET.NOT_FOUND', { id: ticketId }, undefined, 'id');
    return this.maySee(acting, t);
  }

  /** The ticket as this process last read or wrote it (no round trip), or null: a change's first guess. */
  rememberedTicket(acting: Acting, id: string): Ticket | null {
    const t = this.repo.remembered(acting.tenant, this.ticketIdOf(id));
    return t && this.maySee(acting, t);
  }

  private ticketIdOf(id: string): string {
    const parsed = parseTicketId(id);
    if (!parsed) {
      throw new UserError(
        'TICKET.BAD_ID',
        `"${id}" is not a ticket id.`,
        'Ticket ids look like INC-12, REQ-3, PRB-1 or CHG-7.',
      );
    }
    return parsed.id;
  }

  /** Their own ticket, or any when they are an agent (a requester never changes, so a remembered one answers too). */
  private maySee(acting: Acting, t: Ticket): Ticket {
    if (!hasRole(acting.role, 'agent') && t.requester.id !== acting.person.id) {
      throw new UserError(
        'PERMISSION.DENIED',
        `${t.ticketId} is not yours: seeing other people's tickets needs the agent role.`,
      );
    }
    return t;
  }

  /** The targets a ticket on `service` runs on: the catalog's for it, then the global defaults. */
  async targetsOf(tenant: string, service: string | null, anyService?: boolean): Promise<SlaTargets> {
    if (service === null || !this.catalog) return this.sla;
    return this.catalog.ticketTargets(tenant, service, this.sla, anyService);
  }

  /** Loads, decides, and writes one change; retried when the ticket moved underneath us. */
  async change(acting: Acting, id: string, decide: (t: Ticket) => Change, quiet = false): Promise<Ticket> {
    const result = await this.queue.run(`${acting.tenant}:${id.toUpperCase()}`, async () => {
      // The first try decides on the ticket as this process last knew it, when it does (no read): the write is
      // filtered on that version, so a ticket changed elsewhere meanwhile is refused, and every later try reads.
      let guess = true;
      for (let attempt = 0; ; attempt++) {
        const remembered = guess ? this.rememberedTicket(acting, id) : null;
        guess = false;
        const t = remembered ?? (await this.getTicket(acting, id));
        let c: Change;
        try {
          c = decide(t);
        } catch (e) {
          // Refused on what this process remembered: decided again on what the database holds.
          if (remembered) {
            attempt--;
            continue;
          }
          throw e;
        }
        const now = acting.now;
        const set: TicketPatch['set'] = { ...c.set, updatedAt: now };
        const byRequester = acting.person.id === t.requester.id;
        if (!t.sla.firstResponseAt && c.history.some((h) => acknowledges(h.action, byRequester))) {
          set.sla = recordFirstResponse((set.sla as Ticket['sla'] | undefined) ?? t.sla, t.openedAt, now);
        }
        const patch: TicketPatch = {
          set,
          history: c.history.map((h) => ({ ...h, at: now, actor: acting.person, platform: acting.source.platform })),
          ...(c.comment
            ? { comment: { ...c.comment, author: acting.person, at: now, platform: acting.source.platform } }
            : {}),
        };
        try {
          await this.repo.apply(t.tenant, t.ticketId, t.version, patch);
        } catch (e) {
          if (!(e instanceof VersionConflict)) throw e;
          // A remembered ticket changed elsewhere meanwhile: read it, without waiting or counting a try.
          if (remembered) {
            attempt--;
            continue;
          }
          // Enough to outlast another process's queue of changes to this ticket (it writes them back to back, so a
          // loser can lose to each in turn); still bounded, so a person is told rather than kept waiting.
          if (attempt >= MAX_CHANGE_ATTEMPTS) {
            throw UserError.of('TICKET.BUSY', { id: t.ticketId });
          }
          // Someone else (another process) is writing this ticket: let them finish, then decide again.
          await new Promise((r) => setTimeout(r, 5 + Math.random() * 10 * (attempt + 1)));
          continue;
        }
        const updated: Ticket = {
          ...t,
          ...(set as Partial<Ticket>),
          history: [...t.history, ...patch.history],
          comments: patch.comment ? [...t.comments, patch.comment] : t.comments,
          version: t.version + 1,
        };
        return { updated, summary: c.summary };
      }
    });
    if (!quiet) await this.notify(acting, result.updated, result.summary);
    return result.updated;
  }

  async notify(acting: Acting, ticket: Ticket, summary: string): Promise<void> {
    await this.notifier.ticketChanged({
      ticket,
      summary,
      actorIdentity: acting.person.identity,
      actorName: acting.person.name,
      platform: acting.source.platform,
      ...(acting.saidIn ? { origin: { platform: acting.source.platform, ...acting.saidIn } } : {}),
    });
  }
}
