// Major incidents over a ticket: declared once, roles, statuses, stakeholder updates, subscribers and a timeline
// that writes itself; the update-due reminder is a job (incidentReminders.ts). Told through the outbox, in the room.
import type { PersonRef } from '../domain/entities.ts';
import { UserError } from '../domain/errors.ts';
import {
  type IncidentRole,
  type IncidentStatus,
  nextUpdateDue,
  roomNameOf,
  type Severity,
  type UpdateCadence,
} from '../domain/incident.ts';
import { platformNamed } from '../domain/platform.ts';
import { parseTicketId } from '../domain/ticket.ts';
import {
  forRoom,
  incidentCardReply,
  roleChangedReply,
  statusChangedReply,
  updateReply,
} from '../present/incidentNotice.ts';
import type { Reply } from '../present/reply.ts';
import type {
  Incident,
  IncidentPatch,
  IncidentRepository,
  TimelineEntry,
  TimelineKind,
} from '../store/incidentStore.ts';
import type { Acting } from './acting.ts';
import type { ChangeFeed } from './changeFeed.ts';
import { listenForPages } from './incidentPages.ts';
import { declaredAlready, needAgent, refuseResolved, refuseStatus, subscription } from './incidentRefusals.ts';
import { sourceAddress } from './messaging.ts';
import type { Outbox } from './outbox.ts';
import type { PeopleService } from './people.ts';
import { channelAddressOf } from './teams.ts';
import type { TicketService } from './tickets.ts';

export interface DeclareInput {
  /** A new incident's title, or an existing incident's id (`INC-4`). */
  what: string;
  severity?: Severity | undefined;
  service?: string | undefined;
  /** Identity (`slack:U1`) of the commander; the declarer by default. */
  commander?: string | undefined;
  /** Where stakeholder updates go too (`#C0123` or an address); default: the service's team channel. */
  stakeholders?: string | undefined;
}

export interface IncidentOptions {
  cadence: UpdateCadence;
  /**
   * After each change is written: the update-due reminder planned anew, the room kept, the close-out planned.
   * `declared` is set once, for the declaration (whose incident may already carry its room's entry).
   */
  onChanged?: (incident: Incident, how?: { declared?: boolean }) => Promise<void>;
  /** A page line that could not be put on the timeline (the page itself stands). */
  onError?: (err: unknown, ticketId: string) => void;
  /** The channel of the team that owns a service (its stakeholders by default). */
  teamChannelOf?: (tenant: string, service: string) => Promise<string | null>;
  /** Before the declaration's insert: the job that opens its room should the declaring process die first. */
  planRoom?: (acting: Acting, ticketId: string) => Promise<void>;
  /** Opens the incident's room on its platform once it is declared (incidentRooms.ts): null where none opens. */
  openRoom?: (acting: Acting, incident: Incident) => Promise<{ incident: Incident; note: string } | null>;
}

const MAX_SUBSCRIBERS = 500;
const RETRIES = 8;

/** The address of the thread a command came from, where the platform's threads are channels of their own. */
const threadRoomOf = (acting: Acting): string | null =>
  acting.thread && platformNamed(acting.source.platform)?.channels?.threadIsChannel
    ? `${acting.source.platform}:${acting.thread}`
    : null;

export class IncidentService {
  constructor(
    private readonly repo: IncidentRepository,
    private readonly tickets: TicketService,
    private readonly people: PeopleService,
    private readonly outbox: Outbox,
    readonly o: IncidentOptions,
  ) {}

  /** Paging's lines on a major incident's ticket, on its timeline too (incidentPages.ts). */
  listen(feed: ChangeFeed): void {
    listenForPages(
      feed,
      this.repo,
      (acting, ticketId, kind, text) => this.change(acting, ticketId, () => ({ kind, text, patch: {} })),
      this.o.onError,
    );
  }

  async declare(acting: Acting, input: DeclareInput): Promise<{ incident: Incident; roomNote: string | null }> {
    needAgent(acting, 'declare a major incident');
    // Everything a person can get wrong is checked before anything is written.
    const commander = input.commander ? await this.seen(acting, input.commander) : acting.person;
    const given = input.stakeholders ? channelAddressOf(input.stakeholders, acting.source.platform) : null;
    const existing = parseTicketId(input.what);
    let ticket: Awaited<ReturnType<TicketService['getTicket']>>;
    if (existing) {
      if (existing.type !== 'incident') {
        throw new UserError(
          'TICKET.BAD_ID',
          `${existing.id} is not an incident; only incidents can be major.`,
          'Declare one by title: /incident declare "VPN down" --sev 1',
          'what',
        );
      }
      const had = await this.repo.find(acting.tenant, existing.id);
      if (had) throw declaredAlready(had);
      ticket = await this.tickets.getTicket(acting, existing.id);
      if (ticket.state === 'resolved' || ticket.state === 'closed') {
        throw new UserError(
          'INCIDENT.RESOLVED',
          `${ticket.ticketId} is ${ticket.state}; a major incident is declared while it is happening.`,
          'Reopen it first: /ticket reopen ' + ticket.ticketId,
          'what',
        );
      }
    } else {
      const title = input.what.trim();
      if (!title)
        throw new UserError(
          'USAGE.MISSING',
          'Give the incident a title.',
          'Try: /incident declare "VPN down" --sev 1',
          'what',
        );
      ticket = await this.tickets.openTicket(acting, {
        title,
        type: 'incident',
        priority: input.severity === 2 ? 'P2' : 'P1',
        service: input.service,
      });
    }
    const severity: Severity = input.severity ?? (ticket.priority === 'P1' ? 1 : 2);
    const service = input.service ?? ticket.service;
    let incident: Incident = {
      tenant: acting.tenant,
      ticketId: ticket.ticketId,
      title: ticket.title,
      severity,
      service,
      status: 'investigating',
      roles: { commander, comms: null, scribe: null },
      declaredBy: acting.person,
      declaredAt: acting.now,
      room: { name: roomNameOf(ticket.number, ticket.title), address: null },
      origin: sourceAddress(acting.source),
      stakeholders: given ?? (service ? ((await this.o.teamChannelOf?.(acting.tenant, service)) ?? null) : null),
      subscribers: [acting.person],
      lastUpdateAt: acting.now,
      updates: 0,
      seq: 1,
    };
    const text = `declared SEV${severity} major incident, commander ${commander.name}`;
    await this.o.planRoom?.(acting, ticket.ticketId);
    if (!(await this.repo.declare(incident, this.entry(acting, incident, 'declared', text)))) {
      const had = await this.repo.find(acting.tenant, ticket.ticketId);
      throw declaredAlready(had ?? incident);
    }
    // The room is opened by the declaration's winner only; an opened room shows the card itself (pinned there).
    const room = await this.o.openRoom?.(acting, incident);
    if (room) incident = room.incident;
    if (!incident.room.address) {
      await this.toRoom(incident, incidentCardReply(incident), `incident:${incident.tenant}/${incident.ticketId}#card`);
    }
    await this.o.onChanged?.(incident, { declared: true });
    const roomNote =
      room?.note ??
      (incident.origin === 'console'
        ? null
        : `No room was opened on ${acting.source.platform} yet: the incident's lines go to the channel it was declared in.`);
    return { incident, roomNote };
  }

  async setRole(acting: Acting, ref: string | undefined, role: IncidentRole, identity: string): Promise<Incident> {
    needAgent(acting, 'change an incident role');
    const who = await this.seen(acting, identity);
    let was: PersonRef | null = null;
    const i = await this.change(acting, ref, (cur) => {
      refuseResolved(cur, `change roles`);
      was = cur.roles[role];
      if (was?.id === who.id)
        throw new UserError('INCIDENT.ROLE_HELD', `${who.name} is ${role} of ${cur.ticketId} already.`);
      return {
        kind: 'role',
        text: `${who.name} is ${role}${was ? ` (was ${was.name})` : ''}`,
        patch: { roles: { ...cur.roles, [role]: who } },
      };
    });
    await this.toRoom(i, roleChangedReply(i, role, who, was, acting.person));
    // The room's topic names the commander (the reminders' plan is unchanged: it follows updates only).
    await this.o.onChanged?.(i);
    return i;
  }

  async setStatus(acting: Acting, ref: string | undefined, status: IncidentStatus, what: string): Promise<Incident> {
    needAgent(acting, 'change an incident status');
    let from: IncidentStatus = 'investigating';
    const i = await this.change(acting, ref, (cur) => {
      from = cur.status;
      refuseStatus(cur, status);
      return { kind: 'status', text: `${from} → ${status}${what ? `: ${what}` : ''}`, patch: { status } };
    });
    await this.toRoom(i, statusChangedReply(i, from, what, acting.person));
    await this.o.onChanged?.(i);
    return i;
  }

  /** A stakeholder update, with a status change when given: to the room, and (by DM) to each subscriber but its writer. */
  async postUpdate(
    acting: Acting,
    ref: string | undefined,
    text: string,
    status?: IncidentStatus,
  ): Promise<{ incident: Incident; nextDue: Date | null; reply: Reply }> {
    needAgent(acting, 'post an incident update');
    const i = await this.change(acting, ref, (cur) => {
      if (cur.status === 'resolved')
        throw new UserError(
          'INCIDENT.RESOLVED',
          `${cur.ticketId} is resolved: there is nothing more to update stakeholders on.`,
          `See what happened: /incident timeline ${cur.ticketId}`,
        );
      if (status) refuseStatus(cur, status);
      const moved = status ? ` (${cur.status} → ${status})` : '';
      return {
        kind: 'update',
        text: `${text}${moved}`,
        patch: { lastUpdateAt: acting.now, updates: cur.updates + 1, ...(status ? { status } : {}) },
      };
    });
    const nextDue = i.status === 'resolved' ? null : nextUpdateDue(i.lastUpdateAt, i.severity, this.o.cadence);
    const reply = updateReply(i, text, acting.person, acting.now, nextDue, acting.timezone);
    const key = `incident:${i.tenant}/${i.ticketId}#u${i.updates}`;
    await this.toRoom(i, reply, key);
    // The stakeholder channel, unless it is where the room's lines go already (the terminal shows both).
    const room = i.room.address ?? i.origin;
    if (i.stakeholders && (i.stakeholders !== room || room === 'console')) {
      await this.outbox.toChannel(
        i.stakeholders,
        reply,
        { tenant: i.tenant, ticketId: i.ticketId },
        undefined,
        `${key}:s`,
      );
    }
    for (const s of i.subscribers) {
      if (s.id === acting.person.id) continue;
      await this.outbox.toPerson(i.tenant, s.id, reply, { ticketId: i.ticketId }, `${key}:dm`);
    }
    await this.o.onChanged?.(i);
    return { incident: i, nextDue, reply };
  }

  async note(acting: Acting, ref: string | undefined, text: string): Promise<Incident> {
    return this.change(acting, ref, () => ({ kind: 'note', text, patch: {} }));
  }

  async subscribe(acting: Acting, ref: string | undefined, on: boolean): Promise<Incident> {
    return this.change(acting, ref, (cur) => subscription(cur, acting.person, on, MAX_SUBSCRIBERS));
  }

  async get(acting: Acting, ref: string | undefined): Promise<Incident> {
    const ticketId = await this.which(acting, ref);
    const i = await this.repo.find(acting.tenant, ticketId);
    if (!i)
      throw new UserError(
        'INCIDENT.NOT_FOUND',
        `${ticketId} is not a major incident.`,
        `Declare it: /incident declare ${ticketId}`,
        'incident',
      );
    return i;
  }

  async timeline(acting: Acting, ref: string | undefined): Promise<{ incident: Incident; entries: TimelineEntry[] }> {
    const incident = await this.get(acting, ref);
    // Who follows it is kept (the subscribers' history) but is not what happened to the service.
    const entries = (await this.repo.timelineOf(incident)).filter(
      (e) => e.kind !== 'subscribed' && e.kind !== 'unsubscribed',
    );
    return { incident, entries };
  }

  /** Reads, decides and writes; a change another process made first is read and decided again. */
  async change(
    acting: Acting,
    ref: string | undefined,
    decide: (cur: Incident) => { kind: TimelineKind; text: string; patch: IncidentPatch },
  ): Promise<Incident> {
    let cur = await this.get(acting, ref);
    for (let attempt = 0; attempt < RETRIES; attempt++) {
      const d = decide(cur);
      const written = await this.repo.apply(
        cur,
        { at: acting.now, by: acting.person, kind: d.kind, text: d.text },
        d.patch,
      );
      if (written !== 'conflict') return written;
      cur = (await this.repo.find(cur.tenant, cur.ticketId)) ?? cur;
    }
    throw new UserError(
      'INCIDENT.BUSY',
      `${cur.ticketId} kept changing under this command; nothing was written. Try again.`,
    );
  }

  /** The incident named, or the one whose room this is. */
  private async which(acting: Acting, ref: string | undefined): Promise<string> {
    if (ref) {
      const id = parseTicketId(ref);
      if (id?.type !== 'incident' || !id)
        throw new UserError(
          'USAGE.BAD_TICKET_ID',
          `"${ref.slice(0, 20)}" is not an incident id.`,
          'Name one like INC-12.',
          'incident',
        );
      return id.id;
    }
    const address = sourceAddress(acting.source);
    // Where a thread is a channel of its own (a room that is a thread), the thread is the room.
    const thread = threadRoomOf(acting);
    const inRoom =
      (thread ? await this.repo.incidentInRoom(acting.tenant, thread) : null) ??
      (address && address !== 'console' ? await this.repo.incidentInRoom(acting.tenant, address) : null);
    if (inRoom) return inRoom;
    throw new UserError(
      'INCIDENT.WHICH',
      'Say which incident: this is not an incident room.',
      "Add its id, e.g. --incident INC-12 (in the incident's room it is implied).",
      'incident',
    );
  }

  private async seen(acting: Acting, identity: string): Promise<PersonRef> {
    const p = await this.people.seen(acting.tenant, identity);
    if (p) return p;
    throw new UserError(
      'PERSON.UNKNOWN',
      `Switchboard has never seen ${identity.slice(identity.indexOf(':') + 1)} here, so nothing was changed.`,
      'They need to use Switchboard once (any command, e.g. /help) before they can hold an incident role.',
    );
  }

  private entry(acting: Acting, i: Incident, kind: TimelineKind, text: string): Omit<TimelineEntry, 'seq'> {
    return { tenant: i.tenant, ticketId: i.ticketId, at: acting.now, by: acting.person, kind, text };
  }

  /** The room's line: the room's channel, else the channel it was declared from. */
  async toRoom(i: Incident, reply: Reply, key?: string): Promise<void> {
    const address = i.room.address ?? i.origin;
    if (!address) return;
    await this.outbox.toChannel(address, forRoom(i, reply), { tenant: i.tenant, ticketId: i.ticketId }, undefined, key);
  }
}
