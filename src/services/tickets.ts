// Ticket use cases: open, assign, start, pend, comment, resolve, close, reopen, reprioritise, and CAB decisions.
import { approvalsOf, changeRecordOf, decideChange, type Window } from '../domain/change.ts';
import { UserError } from '../domain/errors.ts';
import { MAJOR_INCIDENT_HISTORY } from '../domain/incident.ts';
import { type PriorityMatrix, priorityFor } from '../domain/priority.ts';
import { hasRole } from '../domain/roles.ts';
import {
  acknowledges,
  pauseClock,
  recordFirstResponse,
  recordResolution,
  reopenClock,
  reprioritise,
  resumeClock,
  type SlaTargets,
  startClock,
} from '../domain/sla.ts';
import {
  allowedText,
  checkTransition,
  formatTicketId,
  type Level,
  OPEN_STATES,
  type Priority,
  parseTicketId,
  type TicketState,
  type TicketType,
} from '../domain/ticket.ts';
import { KeyedQueue } from '../kit/keyedQueue.ts';
import {
  type AuditEntry,
  type Ticket,
  type TicketFilter,
  type TicketPatch,
  type TicketRepository,
  type TicketSummary,
  VersionConflict,
} from '../store/ticketStore.ts';
import type { Acting } from './acting.ts';
import type { FreezeService } from './freezes.ts';
import type { Notifier } from './notifier.ts';
import type { PeopleService } from './people.ts';

export interface OpenTicketInput {
  title: string;
  description?: string | undefined;
  type?: TicketType | undefined;
  impact?: Level | undefined;
  urgency?: Level | undefined;
  priority?: Priority | undefined;
  service?: string | undefined;
  /** Monitoring names services the catalog may not know: an alert's ticket is never refused for its service. */
  anyService?: boolean | undefined;
  team?: string | undefined;
  tags?: string[] | undefined;
  /** Changes only: when the change is planned to happen. */
  window?: Window | undefined;
  /** Problems only: the incidents it is opened from (src/services/problems.ts checks them first). */
  incidents?: string[] | undefined;
}

/** How the CAB decides: distinct approvers needed, and the freezes a planned window may fall in. */
export interface CabRules {
  quorum: number;
  freezes: FreezeService;
}

export interface ListInput extends Omit<TicketFilter, 'limit'> {
  limit?: number;
}

/** One change of a ticket as a use case decides it on the ticket as read: what to set, what to tell. */
export interface Change {
  set: TicketPatch['set'];
  history: Array<Omit<AuditEntry, 'at' | 'actor' | 'platform'>>;
  comment?: { text: string; internal: boolean };
  summary: string;
}

/** Where a ticket's SLA targets come from when it names a service (src/services/serviceCatalog.ts). */
export interface ServiceTargetsPort {
  ticketTargets(tenant: string, service: string, defaults: SlaTargets, anyService?: boolean): Promise<SlaTargets>;
}

/** Tries of one change against others writing the same ticket before TICKET.BUSY. */
const MAX_CHANGE_ATTEMPTS = 24;

export class TicketService {
  private readonly queue = new KeyedQueue();
  /** Next number per tenant:type, learnt from the database and kept while this process owns it. */
  private readonly nextNumber = new Map<string, number>();
  /** The service catalog, set by the composition: a ticket on a service runs on its targets. */
  catalog: ServiceTargetsPort | undefined;

  constructor(
    private readonly repo: TicketRepository,
    private readonly notifier: Notifier,
    private readonly sla: SlaTargets,
    private readonly matrix: PriorityMatrix,
    private readonly people: PeopleService,
    readonly cab: CabRules,
  ) {}

  async openTicket(acting: Acting, input: OpenTicketInput): Promise<Ticket> {
    // Requesters describe impact and urgency; choosing the priority outright is triage, an agent's call.
    if (input.priority !== undefined && !hasRole(acting.role, 'agent')) {
      throw new UserError(
        'PERMISSION.DENIED',
        'Setting --priority directly needs the agent role. Say how bad it is with --impact and --urgency instead (high, medium, low).',
        '',
        'priority',
      );
    }
    const type = input.type ?? 'incident';
    if (input.window && type !== 'change') {
      throw new UserError(
        'TICKET.WINDOW_NOT_CHANGE',
        `Only a change has a planned window; this would be ${type === 'incident' ? 'an' : 'a'} ${type}. Add --type change, or drop --window.`,
        '',
        'window',
      );
    }
    const impact = input.impact ?? 'medium';
    const urgency = input.urgency ?? 'medium';
    const priority = input.priority ?? priorityFor(this.matrix, impact, urgency);
    const now = acting.now;
    const sla = await this.targetsOf(acting.tenant, input.service ?? null, input.anyService);
    const key = `${acting.tenant}:${type}`;
    const ticket = await this.queue.run(key, async () => {
      // The number claim (a unique insert) is the guarantee; the cache only saves reading the counter.
      for (let attempt = 0; attempt < 50; attempt++) {
        const from = this.nextNumber.get(key) ?? (await this.repo.maxNumber(acting.tenant, type)) + 1;
        const number = await this.repo.claimNumber(acting.tenant, type, from);
        const t: Ticket = {
          tenant: acting.tenant,
          type,
          number,
          ticketId: formatTicketId(type, number),
          title: input.title,
          description: input.description ?? '',
          impact,
          urgency,
          priority,
          state: 'new',
          service: input.service ?? null,
          team: input.team ?? null,
          requester: acting.person,
          assignee: null,
          watchers: [acting.person.id],
          source: acting.source,
          tags: input.tags ?? [],
          sla: startClock(sla, priority, now),
          openedAt: now,
          updatedAt: now,
          resolvedAt: null,
          closedAt: null,
          resolution: null,
          comments: [],
          history: [{ at: now, actor: acting.person, platform: acting.source.platform, action: 'opened', to: 'new' }],
          version: 0,
          ...(type === 'change'
            ? { change: { window: input.window ?? null, approval: 'pending' as const, decisions: [] } }
            : {}),
          ...(type === 'problem' ? { problem: { incidents: input.incidents ?? [], knownError: null } } : {}),
        };
        const saved = await this.repo.insertNew(t);
        if (saved !== 'taken') {
          this.nextNumber.set(key, number + 1);
          return saved;
        }
        // Another process took this number: learn the real maximum and try again.
        this.nextNumber.delete(key);
        await new Promise((r) => setTimeout(r, Math.random() * 5 * (attempt + 1)));
      }
      throw new Error(`could not allocate a ${type} number for ${acting.tenant} after 50 attempts`);
    });
    await this.notify(acting, ticket, `${acting.person.name} opened ${ticket.ticketId}: ${ticket.title}`);
    return ticket;
  }

  /** Finds a ticket the person may see: their own, or any when they are an agent. */
  async getTicket(acting: Acting, id: string): Promise<Ticket> {
    const ticketId = this.ticketIdOf(id);
    const t = await this.repo.find(acting.tenant, ticketId);
    if (!t) throw UserError.of('TICKET.NOT_FOUND', { id: ticketId }, undefined, 'id');
    return this.maySee(acting, t);
  }

  /** The ticket as this process last read or wrote it (no round trip), or null: a change's first guess. */
  private rememberedTicket(acting: Acting, id: string): Ticket | null {
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

  /**
   * Ticket ids for autocomplete: open tickets whose id or title matches, only the asker's own unless they are
   * an agent (titles are not for everyone's eyes). One query either way (each is a scan on FerretDB): an id
   * prefix is matched among the newest open tickets, ahead of titles that contain it; other words search titles.
   */
  async suggestTickets(acting: Acting, query: string): Promise<Array<{ id: string; title: string }>> {
    const q = query.trim().slice(0, 100);
    const idLike = /^[a-z]{3}-?\d*$/i.test(q);
    const found = await this.repo.list(acting.tenant, {
      states: [...OPEN_STATES],
      ...(hasRole(acting.role, 'agent') ? {} : { requesterId: acting.person.id }),
      limit: idLike ? 100 : 25,
      ...(q && !idLike ? { text: q } : {}),
    });
    const needle = q.toLowerCase();
    const ranked = idLike
      ? [
          ...found.filter((t) => t.ticketId.toLowerCase().startsWith(needle)),
          ...found.filter(
            (t) => !t.ticketId.toLowerCase().startsWith(needle) && t.title.toLowerCase().includes(needle),
          ),
        ]
      : found;
    return ranked.slice(0, 25).map((t) => ({ id: t.ticketId, title: t.title }));
  }

  /** Open tickets by priority, for a digest: the hot set only (at most 5,000 read). */
  async openCounts(tenant: string): Promise<Record<string, number>> {
    const open = await this.repo.list(tenant, { states: [...OPEN_STATES], limit: 5000 });
    const counts: Record<string, number> = {};
    for (const t of open) counts[t.priority] = (counts[t.priority] ?? 0) + 1;
    return counts;
  }

  /** Newest first, without comments or history; only the hot set unless the states asked for include closed. */
  async listTickets(acting: Acting, input: ListInput): Promise<TicketSummary[]> {
    const filter: TicketFilter = {
      ...input,
      limit: Math.min(input.limit ?? 20, 101),
      skip: Math.max(0, Math.min(input.skip ?? 0, 10_000)),
    };
    if (!hasRole(acting.role, 'agent')) filter.requesterId = acting.person.id;
    return this.repo.list(acting.tenant, filter);
  }

  /** Assigns to the person behind `identity` (a platform identity), who must be an agent unless it is the actor. */
  async assignTicket(acting: Acting, id: string, identity: string): Promise<Ticket> {
    const self = identity === acting.person.identity;
    const assignee = self ? acting.person : await this.people.personFor(acting.tenant, identity, acting.now);
    // Tickets are worked by agents: assigning one to a requester would leave it with nobody able to act.
    if (!self && !hasRole(await this.people.roleFor(acting.tenant, identity), 'agent')) {
      throw new UserError(
        'TICKET.ASSIGNEE_NOT_AGENT',
        `${assignee.name} is not an agent, so cannot work tickets. An admin can make them one: /role grant ${identity} agent`,
        '',
        'assignee',
      );
    }
    return this.change(acting, id, (t) => {
      if (t.state === 'resolved') {
        throw new UserError('TICKET.INVALID_TRANSITION', `${t.ticketId} is resolved; reopen it before assigning.`);
      }
      if (t.state === 'closed') {
        throw new UserError(
          'TICKET.INVALID_TRANSITION',
          `${t.ticketId} is closed and cannot be assigned; closed is final.`,
        );
      }
      if (t.assignee?.id === assignee.id) {
        throw new UserError('TICKET.UNCHANGED', `${t.ticketId} is already assigned to ${assignee.name}.`);
      }
      const set: Change['set'] = { assignee };
      const history: Change['history'] = [
        { action: 'assigned', field: 'assignee', from: t.assignee?.name ?? null, to: assignee.name },
      ];
      if (t.state === 'new') {
        set.state = 'assigned';
        history.push({ action: 'state', field: 'state', from: 'new', to: 'assigned' });
      }
      if (!t.watchers.includes(assignee.id)) set.watchers = [...t.watchers, assignee.id];
      return { set, history, summary: `${acting.person.name} assigned ${t.ticketId} to ${assignee.name}` };
    });
  }

  startTicket(acting: Acting, id: string): Promise<Ticket> {
    return this.change(acting, id, (t) => {
      const set: Change['set'] = {};
      const history: Change['history'] = [];
      let from: TicketState = t.state;
      if (t.state === 'new') {
        // Starting an unassigned ticket takes it.
        set.assignee = acting.person;
        history.push({ action: 'assigned', field: 'assignee', from: null, to: acting.person.name });
        history.push({ action: 'state', field: 'state', from: 'new', to: 'assigned' });
        from = 'assigned';
      }
      if (from === 'resolved') {
        // resolved -> in_progress is a reopen: it clears the resolution, which only /ticket reopen does.
        throw new UserError(
          'TICKET.INVALID_TRANSITION',
          `${t.ticketId} is resolved; reopen it with /ticket reopen ${t.ticketId} (${allowedText('resolved')}).`,
        );
      }
      checkTransition(t.ticketId, from, 'in_progress');
      set.state = 'in_progress';
      if (from === 'pending') set.sla = resumeClock(t.sla, acting.now);
      history.push({ action: 'state', field: 'state', from, to: 'in_progress' });
      return { set, history, summary: `${acting.person.name} started work on ${t.ticketId}` };
    });
  }

  pendTicket(acting: Acting, id: string, reason?: string): Promise<Ticket> {
    return this.change(acting, id, (t) => {
      checkTransition(t.ticketId, t.state, 'pending');
      return {
        set: { state: 'pending', sla: pauseClock(t.sla, acting.now) },
        history: [
          { action: 'state', field: 'state', from: t.state, to: 'pending', ...(reason ? { note: reason } : {}) },
        ],
        ...(reason ? { comment: { text: `Pending: ${reason}`, internal: false } } : {}),
        summary: `${acting.person.name} set ${t.ticketId} to pending${reason ? `: ${reason}` : ''} (SLA clock paused)`,
      };
    });
  }

  commentTicket(acting: Acting, id: string, text: string, internal: boolean): Promise<Ticket> {
    if (internal && !hasRole(acting.role, 'agent')) {
      return Promise.reject(new UserError('PERMISSION.DENIED', 'Internal work notes need the agent role.'));
    }
    return this.change(acting, id, (t) => {
      if (t.state === 'closed') {
        throw new UserError('TICKET.INVALID_TRANSITION', `${t.ticketId} is closed; comments are no longer taken.`);
      }
      return {
        set: {},
        history: [{ action: internal ? 'work_note' : 'comment' }],
        comment: { text, internal },
        // A work note's text stays with agents: the summary goes to public threads.
        summary: internal
          ? `${acting.person.name} added a work note to ${t.ticketId}`
          : `${acting.person.name} commented on ${t.ticketId}: ${text}`,
      };
    });
  }

  resolveTicket(acting: Acting, id: string, resolution: string): Promise<Ticket> {
    return this.change(acting, id, (t) => {
      checkTransition(t.ticketId, t.state, 'resolved');
      return {
        set: {
          state: 'resolved',
          resolution,
          resolvedAt: acting.now,
          sla: recordResolution(t.sla, t.openedAt, acting.now),
        },
        history: [
          { action: 'state', field: 'state', from: t.state, to: 'resolved' },
          { action: 'resolution', field: 'resolution', from: t.resolution, to: resolution },
        ],
        summary: `${acting.person.name} resolved ${t.ticketId}: ${resolution}`,
      };
    });
  }

  closeTicket(acting: Acting, id: string): Promise<Ticket> {
    return this.change(acting, id, (t) => {
      checkTransition(t.ticketId, t.state, 'closed');
      return {
        set: { state: 'closed', closedAt: acting.now },
        history: [{ action: 'state', field: 'state', from: t.state, to: 'closed' }],
        summary: `${acting.person.name} closed ${t.ticketId}`,
      };
    });
  }

  reopenTicket(acting: Acting, id: string, reason?: string): Promise<Ticket> {
    return this.change(acting, id, (t) => {
      if (t.state !== 'resolved') {
        throw new UserError(
          'TICKET.INVALID_TRANSITION',
          `${t.ticketId} is ${t.state}; only a resolved ticket can be reopened (${allowedText(t.state)}).`,
        );
      }
      return {
        set: { state: 'in_progress', resolvedAt: null, resolution: null, sla: reopenClock(t.sla, acting.now) },
        history: [
          { action: 'state', field: 'state', from: 'resolved', to: 'in_progress', ...(reason ? { note: reason } : {}) },
          { action: 'resolution', field: 'resolution', from: t.resolution, to: null },
        ],
        ...(reason ? { comment: { text: `Reopened: ${reason}`, internal: false } } : {}),
        summary: `${acting.person.name} reopened ${t.ticketId}${reason ? `: ${reason}` : ''}`,
      };
    });
  }

  /** The targets a ticket on `service` runs on: the catalog's for it, then the global defaults. */
  private async targetsOf(tenant: string, service: string | null, anyService?: boolean): Promise<SlaTargets> {
    if (service === null || !this.catalog) return this.sla;
    return this.catalog.ticketTargets(tenant, service, this.sla, anyService);
  }

  async setPriority(acting: Acting, id: string, priority: Priority): Promise<Ticket> {
    // The catalog is in memory: its targets for every service are at hand when the decision is made.
    const targets = new Map<string, SlaTargets>();
    // The copy the change decides on: remembered, or read now (and so remembered: the change reads nothing more).
    const known = this.rememberedTicket(acting, id) ?? (await this.getTicket(acting, id).catch(() => null));
    if (known?.service) targets.set(known.service, await this.targetsOf(acting.tenant, known.service, true));
    return this.change(acting, id, (t) => {
      if (t.priority === priority) throw new UserError('TICKET.UNCHANGED', `${t.ticketId} is already ${priority}.`);
      if (!OPEN_STATES.includes(t.state)) {
        throw new UserError(
          'TICKET.INVALID_TRANSITION',
          `${t.ticketId} is ${t.state}; its priority can no longer change.`,
        );
      }
      return {
        set: {
          priority,
          sla: reprioritise(t.sla, (t.service && targets.get(t.service)) || this.sla, priority, t.openedAt),
        },
        history: [{ action: 'priority', field: 'priority', from: t.priority, to: priority }],
        summary: `${acting.person.name} changed ${t.ticketId} priority ${t.priority} → ${priority}`,
      };
    });
  }

  /** A change decided by another use case (src/services/problems.ts: links, known errors), written as any other. */
  applyDecided(acting: Acting, id: string, decide: (t: Ticket) => Change): Promise<Ticket> {
    return this.change(acting, id, decide);
  }

  /** The incident's post-incident review is written: its link goes on the history (src/services/pirs.ts). */
  notePirDone(acting: Acting, id: string, link: string): Promise<Ticket> {
    return this.change(acting, id, (t) => ({
      set: {},
      history: [{ action: 'pir_done', field: 'pir', to: link }],
      summary: `${acting.person.name} recorded the PIR for ${t.ticketId}: ${link}`,
    }));
  }

  /**
   * A follow-up action recorded against the ticket (src/services/actions.ts), on its history: /ticket show finds its
   * actions by these ids. Quiet: nothing is redrawn. Refused once the ticket is closed (its history is final).
   */
  noteAction(acting: Acting, id: string, actionId: string, what: string): Promise<Ticket> {
    return this.change(
      acting,
      id,
      (t) => {
        if (t.state === 'closed') throw UserError.of('ACTION.CLOSED_TICKET', { id: t.ticketId });
        return {
          set: {},
          history: [{ action: 'action_recorded', field: 'action', to: actionId, note: what }],
          summary: `${acting.person.name} recorded ${actionId} on ${t.ticketId}`,
        };
      },
      true,
    );
  }

  /**
   * "This is a major incident" on the history, written once when it is declared (src/services/incidentCloseout.ts):
   * whoever hears the ticket change later knows it without reading the incident. Quiet: nothing is redrawn.
   */
  noteMajor(acting: Acting, id: string, severity: number): Promise<Ticket> {
    return this.change(
      acting,
      id,
      (t) => ({
        set: {},
        history: [{ action: MAJOR_INCIDENT_HISTORY, field: 'major', to: `SEV${severity}` }],
        summary: `${t.ticketId} was declared a SEV${severity} major incident`,
      }),
      true,
    );
  }

  /**
   * The requester's satisfaction score on the history (src/services/csat.ts keeps the answer itself). Quiet: a
   * rating is not a change anyone else must be told of, and it must not redraw the ticket's cards.
   */
  noteCsat(acting: Acting, id: string, score: number, comment: string | null): Promise<Ticket> {
    return this.change(
      acting,
      id,
      (t) => ({
        set: {},
        history: [{ action: 'csat', field: 'csat', to: String(score), ...(comment ? { note: comment } : {}) }],
        summary: `${acting.person.name} rated ${t.ticketId} ${score}/5`,
      }),
      true,
    );
  }

  /**
   * A paging line on the history (src/services/paging.ts): paged, acknowledged, escalated, nobody acknowledged.
   * With a comment it is a change like any other (every card, the page DMs too, is shown anew with it); without,
   * it is written quietly, so a page going out does not redraw the page cards and their buttons.
   */
  notePage(acting: Acting, id: string, entry: { action: string; note: string }, comment?: string): Promise<Ticket> {
    return this.change(
      acting,
      id,
      (t) => ({
        set: {},
        history: [{ action: entry.action, note: entry.note }],
        ...(comment ? { comment: { text: comment, internal: false } } : {}),
        summary: `${t.ticketId}: ${comment ?? entry.note}`,
      }),
      !comment,
    );
  }

  approveChange(acting: Acting, id: string, reason?: string): Promise<Ticket> {
    return this.decideOnChange(acting, id, 'approve', reason);
  }

  rejectChange(acting: Acting, id: string, reason?: string): Promise<Ticket> {
    return this.decideOnChange(acting, id, 'reject', reason);
  }

  /** One CAB decision, whether typed or pressed on the agenda: the same rules either way. */
  private async decideOnChange(
    acting: Acting,
    id: string,
    decision: 'approve' | 'reject',
    reason: string | undefined,
  ): Promise<Ticket> {
    if (!hasRole(acting.role, 'manager')) {
      throw new UserError('PERMISSION.DENIED', `Deciding on a change needs the manager role.`);
    }
    const freezes = decision === 'approve' ? await this.cab.freezes.listFreezes(acting.tenant, acting.now) : [];
    const note = reason?.trim() || null;
    return this.change(acting, id, (t) => {
      if (t.type !== 'change') {
        throw new UserError(
          'CHANGE.NOT_A_CHANGE',
          `${t.ticketId} is ${t.type === 'incident' ? 'an' : 'a'} ${t.type}; only changes are approved or rejected.`,
        );
      }
      if (t.state === 'resolved' || t.state === 'closed') {
        throw new UserError(
          'TICKET.INVALID_TRANSITION',
          `${t.ticketId} is ${t.state}; there is nothing left to decide.`,
        );
      }
      const before = changeRecordOf(t.change);
      const after = decideChange(before, {
        ticketId: t.ticketId,
        by: acting.person,
        decision,
        reason: note,
        at: acting.now,
        quorum: this.cab.quorum,
        mayApproveInFreeze: hasRole(acting.role, 'admin'),
        freezes,
      });
      const verb = decision === 'approve' ? 'approved' : 'rejected';
      const tally =
        after.approval === 'pending'
          ? ` (${approvalsOf(after)} of ${this.cab.quorum} approvals)`
          : `: it is ${after.approval}`;
      return {
        set: { change: after },
        history: [
          { action: verb, field: 'approval', from: before.approval, to: after.approval, ...(note ? { note } : {}) },
        ],
        summary: `${acting.person.name} ${verb} ${t.ticketId}${tally}${note ? ` (${note})` : ''}`,
      };
    });
  }

  /** Loads, decides, and writes one change; retried when the ticket moved underneath us. */
  private async change(acting: Acting, id: string, decide: (t: Ticket) => Change, quiet = false): Promise<Ticket> {
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

  private async notify(acting: Acting, ticket: Ticket, summary: string): Promise<void> {
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
