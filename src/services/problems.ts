// Problems: incidents linked to the problem behind them (both tickets carry the link), a problem opened from
// incidents, its known error told once in each new incident's thread on its service, and the PIR naming it.
import type { Ticket } from '../domain/entities.ts';
import { UserError } from '../domain/errors.ts';
import { idOfType, MAX_LINKED, parseIncidentList, problemRecordOf, problemServiceOf } from '../domain/problem.ts';
import { refusalFor } from '../domain/roles.ts';
import { OPEN_STATES } from '../domain/ticket.ts';
import type { OpenedFromNotice } from '../present/problemNotice.ts';
import type { TicketRepository } from '../store/ticketStore.ts';
import type { Acting } from './acting.ts';
import { isUnchanged, type KnownErrors, MANAGE_PROBLEMS, unchanged } from './knownErrors.ts';
import type { Change, OpenTicketInput, TicketService } from './tickets.ts';

export { MANAGE_PROBLEMS } from './knownErrors.ts';

const LINK_USAGE = 'Try: /ticket link INC-3 PRB-1';

export interface LinkOutcome {
  incidentId: string;
  problemId: string;
  already: boolean;
  incidentClosed: boolean;
}

export class ProblemService {
  constructor(
    private readonly tickets: TicketService,
    private readonly repo: TicketRepository,
    /** Known errors: marked on a problem, told to new incidents on its service. */
    readonly knownErrors: KnownErrors,
  ) {}

  /** `/ticket known-error <PRB-n> "<workaround>"` (src/services/knownErrors.ts). */
  markKnownError(acting: Acting, problemId: string, text: string) {
    return this.knownErrors.mark(acting, problemId, text);
  }

  /** `/ticket link <INC-n> <PRB-n>`: the incident names the problem, the problem lists the incident. */
  async link(acting: Acting, incidentId: string, problemId: string): Promise<LinkOutcome> {
    // Decided first on the two tickets as this process last knew them (no read); a refusal or an "already" is
    // decided again on what the database holds, as a ticket change is (src/services/tickets.ts).
    const known = this.rememberedPair(acting, incidentId, problemId);
    if (known) {
      try {
        const r = await this.linkOn(acting, known[0], known[1]);
        if (!r.already) return r;
      } catch (e) {
        if (!(e instanceof UserError)) throw e;
      }
    }
    const [incident, problem] = await this.pair(acting, incidentId, problemId);
    return this.linkOn(acting, incident, problem);
  }

  private async linkOn(acting: Acting, incident: Ticket, problem: Ticket): Promise<LinkOutcome> {
    if (problem.state === 'closed') {
      throw new UserError(
        'PROBLEM.CLOSED',
        `${problem.ticketId} is closed; closed is final, so it takes no more links.`,
      );
    }
    if (incident.problemId && incident.problemId !== problem.ticketId) {
      throw new UserError(
        'PROBLEM.LINKED_ELSEWHERE',
        `${incident.ticketId} is linked to ${incident.problemId} already; an incident has one problem.`,
        `Move it with /ticket unlink ${incident.ticketId} ${incident.problemId}, then /ticket link ${incident.ticketId} ${problem.ticketId}`,
      );
    }
    const incidentClosed = incident.state === 'closed';
    const listed = problemRecordOf(problem).incidents.includes(incident.ticketId);
    const named = incidentClosed || incident.problemId === problem.ticketId;
    const outcome = { incidentId: incident.ticketId, problemId: problem.ticketId, incidentClosed };
    // Linked on both sides (or half, by a link cut short: this finishes it).
    if (listed && named) return { ...outcome, already: true };
    if (!listed && problemRecordOf(problem).incidents.length >= MAX_LINKED) {
      throw new UserError('PROBLEM.TOO_MANY', `${problem.ticketId} links ${MAX_LINKED} incidents already.`);
    }
    // The incident first: its version check is what keeps it to one problem when two link it at once.
    if (!named) await this.nameProblem(acting, incident.ticketId, problem.ticketId);
    if (!listed) await this.listIncident(acting, problem.ticketId, incident.ticketId);
    return { ...outcome, already: false };
  }

  /** `/ticket unlink <INC-n> <PRB-n>`: both sides forget the link. */
  async unlink(acting: Acting, incidentId: string, problemId: string): Promise<LinkOutcome> {
    const [incident, problem] = await this.pair(acting, incidentId, problemId);
    const listed = problemRecordOf(problem).incidents.includes(incident.ticketId);
    const named = incident.problemId === problem.ticketId;
    if (!listed && !named) {
      throw new UserError(
        'PROBLEM.NOT_LINKED',
        `${incident.ticketId} is not linked to ${problem.ticketId}${incident.problemId ? ` (its problem is ${incident.problemId})` : ''}.`,
      );
    }
    if (problem.state === 'closed' && listed) {
      throw new UserError('PROBLEM.CLOSED', `${problem.ticketId} is closed; closed is final, its links stay.`);
    }
    if (named && incident.state !== 'closed') {
      await this.write(acting, incident.ticketId, (t) => {
        if (t.problemId !== problem.ticketId) throw unchanged(`${t.ticketId} is not linked to ${problem.ticketId}.`);
        return {
          set: { problemId: null },
          history: [{ action: 'problem_unlinked', field: 'problem', from: problem.ticketId, to: null }],
          summary: `${acting.person.name} unlinked ${t.ticketId} from problem ${problem.ticketId}`,
        };
      });
    }
    if (listed) {
      await this.write(acting, problem.ticketId, (t) => {
        const rec = problemRecordOf(t);
        if (!rec.incidents.includes(incident.ticketId)) throw unchanged(`${t.ticketId} does not list it.`);
        return {
          set: { problem: { ...rec, incidents: rec.incidents.filter((i) => i !== incident.ticketId) } },
          history: [{ action: 'incident_unlinked', field: 'incidents', from: incident.ticketId, to: null }],
          summary: `${acting.person.name} unlinked incident ${incident.ticketId} from ${t.ticketId}`,
        };
      });
    }
    return { incidentId: incident.ticketId, problemId: problem.ticketId, already: false, incidentClosed: false };
  }

  /**
   * `/ticket new --type problem --from INC-3,INC-7`: every incident is checked before anything is written (each
   * must exist and have no other problem), the problem opens listing them, then each names it.
   */
  async openFrom(
    acting: Acting,
    input: OpenTicketInput,
    from: string,
  ): Promise<{ problem: Ticket } & OpenedFromNotice> {
    const refused = refusalFor(acting.role, MANAGE_PROBLEMS);
    if (refused) throw refused;
    if (input.type !== undefined && input.type !== 'problem') {
      throw new UserError(
        'USAGE.BAD_OPTION',
        `--from opens a problem from incidents; this would be ${input.type === 'incident' ? 'an' : 'a'} ${input.type}.`,
        'Add --type problem, or drop --from.',
        'from',
      );
    }
    const ids = parseIncidentList(from);
    const incidents = await Promise.all(ids.map((id) => this.tickets.getTicket(acting, id)));
    for (const t of incidents) {
      if (t.problemId) {
        throw new UserError(
          'PROBLEM.LINKED_ELSEWHERE',
          `${t.ticketId} is linked to ${t.problemId} already; an incident has one problem. Nothing was opened.`,
          `Link the others to ${t.problemId} instead: /ticket link <INC-n> ${t.problemId}`,
          'from',
        );
      }
    }
    const service = problemServiceOf(input.service, incidents);
    const problem = await this.tickets.openTicket(acting, {
      ...input,
      type: 'problem',
      service,
      // A service the incidents carry is taken as they carry it (it may predate the catalog).
      anyService: input.service === undefined,
      incidents: ids,
    });
    const skipped: Array<{ incidentId: string; reason: string }> = [];
    for (const t of incidents) {
      if (t.state === 'closed') continue;
      try {
        await this.nameProblem(acting, t.ticketId, problem.ticketId);
      } catch (e) {
        if (!(e instanceof UserError)) throw e;
        skipped.push({ incidentId: t.ticketId, reason: e.message });
      }
    }
    let opened = problem;
    for (const s of skipped) {
      opened = await this.write(acting, problem.ticketId, (t) => {
        const rec = problemRecordOf(t);
        return {
          set: { problem: { ...rec, incidents: rec.incidents.filter((i) => i !== s.incidentId) } },
          history: [{ action: 'incident_unlinked', field: 'incidents', from: s.incidentId, to: null }],
          summary: `${s.incidentId} was linked elsewhere meanwhile; ${t.ticketId} no longer lists it`,
        };
      });
    }
    const linked = ids.filter((id) => !skipped.some((s) => s.incidentId === id));
    return { problem: opened, problemId: problem.ticketId, linked, skipped };
  }

  /** The problem a PIR names: the incident's own, else an open problem on its service (a repeated incident). */
  async problemForPir(
    t: Pick<Ticket, 'tenant' | 'type' | 'service' | 'problemId'>,
  ): Promise<{ ticketId: string; title: string; linked: boolean } | null> {
    if (t.type !== 'incident') return null;
    if (t.problemId) {
      const p = this.repo.remembered(t.tenant, t.problemId) ?? (await this.repo.find(t.tenant, t.problemId));
      return { ticketId: t.problemId, title: p?.title ?? '', linked: true };
    }
    if (!t.service) return null;
    const [open] = await this.repo.list(t.tenant, {
      states: [...OPEN_STATES],
      type: 'problem',
      service: t.service,
      limit: 1,
    });
    return open ? { ticketId: open.ticketId, title: open.title, linked: false } : null;
  }

  /** Both tickets of a link, read side by side once each id is the right type. */
  private async pair(acting: Acting, incidentId: string, problemId: string): Promise<[Ticket, Ticket]> {
    const [inc, prb] = this.idsOfPair(acting, incidentId, problemId);
    const [incident, problem] = await Promise.all([
      this.tickets.getTicket(acting, inc.id),
      this.tickets.getTicket(acting, prb.id),
    ]);
    return [incident, problem];
  }

  /** Both tickets as this process last read or wrote them (agents see every ticket), or null. */
  private rememberedPair(acting: Acting, incidentId: string, problemId: string): [Ticket, Ticket] | null {
    const [inc, prb] = this.idsOfPair(acting, incidentId, problemId);
    const incident = this.repo.remembered(acting.tenant, inc.id);
    const problem = this.repo.remembered(acting.tenant, prb.id);
    return incident && problem ? [incident, problem] : null;
  }

  /** The two ids of a link, each of its type, for an agent; refused before anything is read otherwise. */
  private idsOfPair(acting: Acting, incidentId: string, problemId: string): [{ id: string }, { id: string }] {
    const refused = refusalFor(acting.role, MANAGE_PROBLEMS);
    if (refused) throw refused;
    return [idOfType(incidentId, 'incident', LINK_USAGE), idOfType(problemId, 'problem', LINK_USAGE)];
  }

  private nameProblem(acting: Acting, incidentId: string, problemId: string): Promise<Ticket> {
    return this.write(acting, incidentId, (t) => {
      if (t.problemId === problemId) throw unchanged(`${t.ticketId} is linked to ${problemId} already.`);
      if (t.problemId) {
        throw new UserError('PROBLEM.LINKED_ELSEWHERE', `${t.ticketId} was linked to ${t.problemId} meanwhile.`);
      }
      return {
        set: { problemId },
        history: [{ action: 'problem_linked', field: 'problem', to: problemId }],
        summary: `${acting.person.name} linked ${t.ticketId} to problem ${problemId}`,
      };
    }).catch((e) => {
      if (isUnchanged(e)) return this.tickets.getTicket(acting, incidentId);
      throw e;
    });
  }

  private async listIncident(acting: Acting, problemId: string, incidentId: string): Promise<void> {
    await this.write(acting, problemId, (t) => {
      const rec = problemRecordOf(t);
      if (rec.incidents.includes(incidentId)) throw unchanged(`${t.ticketId} lists ${incidentId} already.`);
      return {
        set: { problem: { ...rec, incidents: [...rec.incidents, incidentId] } },
        history: [{ action: 'incident_linked', field: 'incidents', to: incidentId }],
        summary: `${acting.person.name} linked incident ${incidentId} to ${t.ticketId}`,
      };
    }).catch((e) => {
      if (!isUnchanged(e)) throw e;
    });
  }

  private write(acting: Acting, id: string, decide: (t: Ticket) => Change): Promise<Ticket> {
    return this.tickets.applyDecided(acting, id, decide);
  }
}
