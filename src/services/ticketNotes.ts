// What is written on a ticket without moving it: comments and work notes, and the lines other services put on its
// history (a PIR, a follow-up action, a major incident, a satisfaction score, a page), most of them quietly.
import { UserError } from '../domain/errors.ts';
import { MAJOR_INCIDENT_HISTORY } from '../domain/incident.ts';
import { hasRole } from '../domain/roles.ts';
import type { Ticket } from '../store/ticketStore.ts';
import type { Acting } from './acting.ts';
import type { TicketCore } from './ticketCore.ts';

export class TicketNotes {
  constructor(private readonly c: TicketCore) {}

  commentTicket(acting: Acting, id: string, text: string, internal: boolean): Promise<Ticket> {
    if (internal && !hasRole(acting.role, 'agent')) {
      return Promise.reject(new UserError('PERMISSION.DENIED', 'Internal work notes need the agent role.'));
    }
    return this.c.change(acting, id, (t) => {
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

  /** The incident's post-incident review is written: its link goes on the history (src/services/pirs.ts). */
  notePirDone(acting: Acting, id: string, link: string): Promise<Ticket> {
    return this.c.change(acting, id, (t) => ({
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
    return this.c.change(
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
    return this.c.change(
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
    return this.c.change(
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
    return this.c.change(
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
}
