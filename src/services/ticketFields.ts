// A ticket's fields beyond its state: the priority (its SLA targets recomputed) and a change's approval, decided
// by the CAB (typed or pressed on the agenda, the same rules either way).
import { approvalsOf, changeRecordOf, decideChange } from '../domain/change.ts';
import { UserError } from '../domain/errors.ts';
import { hasRole } from '../domain/roles.ts';
import { reprioritise, type SlaTargets } from '../domain/sla.ts';
import { OPEN_STATES, type Priority } from '../domain/ticket.ts';
import type { Ticket } from '../store/ticketStore.ts';
import type { Acting } from './acting.ts';
import type { TicketCore } from './ticketCore.ts';

export class TicketFields {
  constructor(private readonly c: TicketCore) {}

  async setPriority(acting: Acting, id: string, priority: Priority): Promise<Ticket> {
    // The catalog is in memory: its targets for every service are at hand when the decision is made.
    const targets = new Map<string, SlaTargets>();
    // The copy the change decides on: remembered, or read now (and so remembered: the change reads nothing more).
    const known = this.c.rememberedTicket(acting, id) ?? (await this.c.getTicket(acting, id).catch(() => null));
    if (known?.service) targets.set(known.service, await this.c.targetsOf(acting.tenant, known.service, true));
    return this.c.change(acting, id, (t) => {
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
          sla: reprioritise(t.sla, (t.service && targets.get(t.service)) || this.c.sla, priority, t.openedAt),
        },
        history: [{ action: 'priority', field: 'priority', from: t.priority, to: priority }],
        summary: `${acting.person.name} changed ${t.ticketId} priority ${t.priority} → ${priority}`,
      };
    });
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
    const freezes = decision === 'approve' ? await this.c.cab.freezes.listFreezes(acting.tenant, acting.now) : [];
    const note = reason?.trim() || null;
    return this.c.change(acting, id, (t) => {
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
        quorum: this.c.cab.quorum,
        mayApproveInFreeze: hasRole(acting.role, 'admin'),
        freezes,
      });
      const verb = decision === 'approve' ? 'approved' : 'rejected';
      const tally =
        after.approval === 'pending'
          ? ` (${approvalsOf(after)} of ${this.c.cab.quorum} approvals)`
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
}
