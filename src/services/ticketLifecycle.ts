// A ticket's lifecycle: assign, start, pend, resolve, close and reopen, each one change over the change primitive
// (src/services/ticketCore.ts), the state machine's rules checked on the ticket as it is when written.
import { UserError } from '../domain/errors.ts';
import { hasRole } from '../domain/roles.ts';
import { pauseClock, recordResolution, reopenClock, resumeClock } from '../domain/sla.ts';
import { allowedText, checkTransition, type TicketState } from '../domain/ticket.ts';
import type { Ticket } from '../store/ticketStore.ts';
import type { Acting } from './acting.ts';
import type { Change, TicketCore } from './ticketCore.ts';

export class TicketLifecycle {
  constructor(private readonly c: TicketCore) {}

  /** Assigns to the person behind `identity` (a platform identity), who must be an agent unless it is the actor. */
  async assignTicket(acting: Acting, id: string, identity: string): Promise<Ticket> {
    const self = identity === acting.person.identity;
    const assignee = self ? acting.person : await this.c.people.personFor(acting.tenant, identity, acting.now);
    // Tickets are worked by agents: assigning one to a requester would leave it with nobody able to act.
    if (!self && !hasRole(await this.c.people.roleFor(acting.tenant, identity), 'agent')) {
      throw new UserError(
        'TICKET.ASSIGNEE_NOT_AGENT',
        `${assignee.name} is not an agent, so cannot work tickets. An admin can make them one: /role grant ${identity} agent`,
        '',
        'assignee',
      );
    }
    return this.c.change(acting, id, (t) => {
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
    return this.c.change(acting, id, (t) => {
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
    return this.c.change(acting, id, (t) => {
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

  resolveTicket(acting: Acting, id: string, resolution: string): Promise<Ticket> {
    return this.c.change(acting, id, (t) => {
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
    return this.c.change(acting, id, (t) => {
      checkTransition(t.ticketId, t.state, 'closed');
      return {
        set: { state: 'closed', closedAt: acting.now },
        history: [{ action: 'state', field: 'state', from: t.state, to: 'closed' }],
        summary: `${acting.person.name} closed ${t.ticketId}`,
      };
    });
  }

  reopenTicket(acting: Acting, id: string, reason?: string): Promise<Ticket> {
    return this.c.change(acting, id, (t) => {
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
}
