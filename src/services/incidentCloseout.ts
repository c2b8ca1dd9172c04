// A major incident closed out: the summary its room gets once when it is resolved (a job, so it is sent once and
// survives a restart), the close-out counted in the rollups, the post-incident draft for the PIR and for
// `/incident postmortem`, and resolving the ticket resolving the incident.
import type { Ticket } from '../domain/entities.ts';
import { UserError } from '../domain/errors.ts';
import { isMajorIncidentTicket } from '../domain/incident.ts';
import { type CloseoutEntry, type CloseoutFigures, closeoutFigures, postmortemDraft } from '../domain/postmortem.ts';
import { majorFactOf, type RollupFact } from '../domain/rollupFacts.ts';
import { closeoutReply, postmortemFileReply } from '../present/incidentCloseout.ts';
import type { Reply } from '../present/reply.ts';
import { writePostmortemFile } from '../store/exportFiles.ts';
import type { Incident, IncidentRepository } from '../store/incidentStore.ts';
import type { Job, JobRepository } from '../store/jobStore.ts';
import { type Acting, systemActing } from './acting.ts';
import type { ChangeFeed } from './changeFeed.ts';
import type { IncidentService } from './incidents.ts';
import type { JobKinds, OwnsJobKinds } from './jobKinds.ts';
import type { Outbox } from './outbox.ts';
import { opensPir } from './pirs.ts';
import type { TicketService } from './tickets.ts';

export const INCIDENT_CLOSEOUT_KIND = 'incident.closeout';

interface CloseoutPayload {
  tenant: string;
  ticketId: string;
}

/** One close-out per incident: a resolved incident stays resolved, so planning it again plans nothing. */
const jobIdOf = (p: CloseoutPayload) => `incident-closeout:${p.tenant}/${p.ticketId}`;

export interface CloseoutOptions {
  /** The organisation's timezone: the PIR's draft is written in it. */
  timezone: string;
  /** Where `/incident postmortem` writes the draft at the terminal (SWITCHBOARD_POSTMORTEM_DIR). */
  postmortemDir: string;
  now: () => Date;
  /** The close-out counted in the rollups (once, by the fact's id). */
  recordMajor?: (fact: RollupFact) => Promise<boolean>;
  /** A ticket change this could not act on, or a ticket it could not mark (the change itself stands). */
  onError?: (err: unknown, ticketId: string) => void;
}

export interface Postmortem {
  incident: Incident;
  /** The file's name (uploaded) or the path it was written to (the terminal). */
  path: string;
  uploaded: boolean;
}

export class IncidentCloseout implements OwnsJobKinds {
  readonly jobKinds: JobKinds = { [INCIDENT_CLOSEOUT_KIND]: (job) => this.runJob(job) };

  constructor(
    private readonly repo: IncidentRepository,
    private readonly jobs: JobRepository,
    private readonly incidents: IncidentService,
    private readonly tickets: TicketService,
    private readonly outbox: Outbox,
    private readonly o: CloseoutOptions,
  ) {}

  /**
   * After each change of an incident (IncidentService's `onChanged`): a declaration marks its ticket, so a ticket
   * change heard later knows it is a major incident's without a read; a resolve plans the close-out.
   */
  async onChanged(i: Incident, how: { declared?: boolean } = { declared: i.seq === 1 }): Promise<void> {
    if (how.declared) {
      // The declaration stands without the mark (its ticket's resolve then leaves the incident to be resolved by hand).
      await this.tickets
        .noteMajor(systemActing(i.tenant, i.declaredBy, i.declaredAt, this.o.timezone), i.ticketId, i.severity)
        .catch((err: unknown) => this.o.onError?.(err, i.ticketId));
    }
    if (i.status !== 'resolved') return;
    const p: CloseoutPayload = { tenant: i.tenant, ticketId: i.ticketId };
    const now = this.o.now();
    await this.jobs.schedule({
      _id: jobIdOf(p),
      tenant: i.tenant,
      kind: INCIDENT_CLOSEOUT_KIND,
      dueAt: now,
      payload: { ...p } satisfies CloseoutPayload,
      createdAt: now,
      by: null,
      ticketId: i.ticketId,
    });
  }

  /**
   * Resolving a major incident's ticket resolves the incident. A P1/P2 incident's is done by the PIR's opening
   * (`draftForPir`), so its draft is written after; any other here. Only a ticket marked major reads anything.
   */
  listen(feed: ChangeFeed): void {
    feed.subscribe(async (ev) => {
      const t = ev.ticket;
      const resolvedNow = t.state === 'resolved' && t.resolvedAt?.getTime() === t.updatedAt.getTime();
      if (!resolvedNow || opensPir(t) || !isMajorIncidentTicket(t)) return;
      try {
        await this.resolveWithTicket(t);
      } catch (err) {
        this.o.onError?.(err, t.ticketId);
      }
    });
  }

  /** The PIR's draft, as it opens: null for an incident that was not major (read nothing then). */
  async draftForPir(t: Ticket): Promise<string | null> {
    if (!isMajorIncidentTicket(t)) return null;
    const i = await this.resolveWithTicket(t);
    if (!i) return null;
    return postmortemDraft(i, await this.entriesOf(i), t.resolvedAt ?? t.updatedAt, this.o.timezone);
  }

  /** The summary in the room, and the close-out in the rollups: each once, whichever process runs it, however often. */
  async runJob(job: Job): Promise<string | undefined> {
    const p = job.payload as unknown as CloseoutPayload;
    const i = await this.repo.find(p.tenant, p.ticketId);
    if (!i) return 'no such incident';
    if (i.status !== 'resolved') return 'not resolved';
    const figures = closeoutFigures(i, await this.entriesOf(i), job.dueAt);
    await this.incidents.toRoom(i, closeoutReply({ ticketId: i.ticketId, title: i.title, figures }), `job:${job._id}`);
    if (this.o.recordMajor) await this.o.recordMajor(await this.factOf(i, figures, job.dueAt));
    return undefined;
  }

  /**
   * `/incident postmortem`: the draft, in the asker's zone, as a file in the channel asked in (through the outbox),
   * or written to disk at the terminal.
   */
  async postmortem(
    acting: Acting,
    ref: string | undefined,
    to?: { address: string; thread?: string | undefined },
  ): Promise<Postmortem> {
    const incident = await this.majorIncident(acting, ref);
    const markdown = postmortemDraft(incident, await this.entriesOf(incident), acting.now, acting.timezone);
    if (!to) {
      const path = await writePostmortemFile(this.o.postmortemDir, acting.tenant, incident.ticketId, markdown);
      return { incident, path, uploaded: false };
    }
    const name = `postmortem-${incident.ticketId}.md`;
    const reply: Reply = postmortemFileReply({ ticketId: incident.ticketId, name, markdown });
    await this.outbox.toChannel(to.address, reply, { tenant: acting.tenant, ticketId: incident.ticketId }, to.thread);
    return { incident, path: name, uploaded: true };
  }

  /** The incident, or why not: an unknown ticket is told as such, a ticket that is not a major incident too. */
  private async majorIncident(acting: Acting, ref: string | undefined): Promise<Incident> {
    try {
      return await this.incidents.get(acting, ref);
    } catch (e) {
      if (!(e instanceof UserError) || e.code !== 'INCIDENT.NOT_FOUND' || !ref) throw e;
      // Throws TICKET.NOT_FOUND for a ticket there is not; one there is was never declared.
      const t = await this.tickets.getTicket(acting, ref);
      throw new UserError(
        'INCIDENT.NOT_FOUND',
        `${t.ticketId} is not a major incident, so it has no post-incident draft.`,
        `Declare it first if it is one: /incident declare ${t.ticketId}`,
        'incident',
      );
    }
  }

  /** The incident as the ticket's resolve leaves it: resolved too (the room is told), by whoever resolved it. */
  private async resolveWithTicket(t: Ticket): Promise<Incident | null> {
    const i = await this.repo.find(t.tenant, t.ticketId);
    if (!i || i.status === 'resolved') return i;
    const by = [...t.history].reverse().find((h) => h.action === 'state' && h.to === 'resolved')?.actor ?? t.requester;
    const acting = systemActing(t.tenant, by, t.resolvedAt ?? t.updatedAt, this.o.timezone, t.source);
    try {
      return await this.incidents.setStatus(acting, t.ticketId, 'resolved', `${t.ticketId} was resolved`);
    } catch (e) {
      // Resolved meanwhile (a command, another process): it stands as it is.
      if (e instanceof UserError && e.code === 'INCIDENT.INVALID_STATUS') return this.repo.find(t.tenant, t.ticketId);
      throw e;
    }
  }

  /** Every resolved major incident's close-out as a rollup fact, again (`rollups:rebuild`: a scan, as a rebuild is). */
  async *majorFacts(): AsyncIterable<RollupFact> {
    for await (const i of this.repo.every()) {
      if (i.status !== 'resolved') continue;
      const figures = closeoutFigures(i, await this.entriesOf(i), i.lastUpdateAt);
      if (figures.resolvedAt) yield this.factOf(i, figures, figures.resolvedAt);
    }
  }

  private async factOf(i: Incident, figures: CloseoutFigures, at: Date): Promise<RollupFact> {
    const t = await this.tickets.getTicket(this.house(i.tenant, at), i.ticketId);
    return majorFactOf({
      tenant: i.tenant,
      ticketId: i.ticketId,
      at: figures.resolvedAt ?? at,
      priority: t.priority,
      service: i.service ?? t.service,
      team: t.team,
      mitigateMs: figures.mitigateMs ?? figures.durationMs,
      updates: figures.updates,
    });
  }

  private async entriesOf(i: Incident): Promise<CloseoutEntry[]> {
    return this.repo.timelineOf(i);
  }

  private house(tenant: string, now: Date): Acting {
    return systemActing(tenant, HOUSE, now, this.o.timezone);
  }
}

const HOUSE = { id: 'switchboard', identity: 'system:switchboard', name: 'Switchboard' };
