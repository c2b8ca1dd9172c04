// A major incident's room on its platform: opened once at the declaration (a channel, a thread) with its responders
// and its card, its topic kept, a 📌 on one of its messages put on the timeline once, and archived when it is over
// (a thread when the incident resolves; a channel, by a job, days after the ticket closes).

import type { Logger } from 'pino';
import type { PersonRef } from '../domain/entities.ts';
import { isMajorIncidentTicket } from '../domain/incident.ts';
import { isOnePlace, platformNamed } from '../domain/platform.ts';
import { incidentCardReply } from '../present/incidentNotice.ts';
import {
  pinnedText,
  roomLinkReply,
  roomOpenedNote,
  roomRefusedNote,
  roomTopic,
} from '../present/incidentRoomNotice.ts';
import type { RoomSender } from '../present/rooms.ts';
import type { Incident, IncidentPatch, IncidentRepository, TimelineKind } from '../store/incidentStore.ts';
import type { Job, JobRepository } from '../store/jobStore.ts';
import { type Acting, systemActing } from './acting.ts';
import type { ChangeFeed } from './changeFeed.ts';
import { needAgent } from './incidentRefusals.ts';
import type { JobKinds, OwnsJobKinds } from './jobKinds.ts';
import { parseChannelAddress } from './messaging.ts';
import type { Outbox } from './outbox.ts';
import type { PeopleService } from './people.ts';

export const INCIDENT_ROOM_ARCHIVE_KIND = 'incident.room_archive';
export const INCIDENT_ROOM_OPEN_KIND = 'incident.room_open';
/**
 * The declaring process opens the room at once; the job that opens it where that process died first is due this
 * long after (another process takes a claim over only once its holder stopped beating, a lease later).
 */
const OPEN_GRACE_MS = 60_000;

/** A change to the incident, written as IncidentService writes every change (its timeline entry first). */
export type IncidentWriter = (
  acting: Acting,
  ticketId: string,
  decide: (cur: Incident) => { kind: TimelineKind; text: string; patch: IncidentPatch },
) => Promise<Incident>;

export interface IncidentRoomsOptions {
  /** SWITCHBOARD_ROOM_ARCHIVE_DAYS: a channel room is archived this long after its ticket closes. */
  archiveDays: number;
  /** The organisation's zone: a room opened by the job acts in it. */
  timezone: string;
  log: Logger;
  /** The team owning a service: its channel and who is on call now (brought into the room). */
  teamOf?: (
    tenant: string,
    service: string,
    at: Date,
  ) => Promise<{ channel: string | null; onCall: PersonRef | null } | null>;
}

interface ArchivePayload {
  tenant: string;
  ticketId: string;
  address: string;
}

interface OpenPayload {
  tenant: string;
  ticketId: string;
  platform: string;
  workspace: string;
}

/** The job that opens a declared incident's room: one id for every process declaring it. */
const openJobId = (tenant: string, ticketId: string): string => `incident-room-open:${tenant}/${ticketId}`;

export class IncidentRooms implements OwnsJobKinds {
  // Each runs only where its platform is connected: elsewhere the engine leaves it for a process where it is.
  readonly jobKinds: JobKinds = {
    [INCIDENT_ROOM_ARCHIVE_KIND]: {
      run: (job) => this.runArchive(job),
      runsHere: (job) => this.connected(parseChannelAddress(String(job.payload.address))?.platform),
    },
    [INCIDENT_ROOM_OPEN_KIND]: {
      run: (job, run) => this.runOpen(job, run.now),
      runsHere: (job) => this.connected(String(job.payload.platform)),
    },
  };

  constructor(
    private readonly repo: IncidentRepository,
    private readonly outbox: Outbox,
    private readonly people: PeopleService,
    private readonly jobs: JobRepository,
    private readonly write: IncidentWriter,
    /** The incident whose room the request came from (IncidentService.get). */
    private readonly incidents: { get(acting: Acting, ref: string | undefined): Promise<Incident> },
    private readonly o: IncidentRoomsOptions,
  ) {}

  /**
   * Opens the room of an incident just declared. Only the winner of the declaration's unique insert gets here, so
   * two processes declaring at once open one room. Null where the platform opens none (the terminal, or a platform
   * whose sender offers no rooms); a refusal (a missing permission) is a note, never a failed declaration.
   */
  async open(acting: Acting, incident: Incident): Promise<{ incident: Incident; note: string } | null> {
    const platform = acting.source.platform;
    if (!this.opensRooms(platform)) return null;
    const rooms = this.outbox.roomsOn(platform);
    // Not connected here: the opening job is left to a process that is.
    if (!rooms) return null;
    // The same claim the job engine makes: whoever holds it opens the room, and a holder that dies is taken over.
    const job = { _id: openJobId(acting.tenant, incident.ticketId), dueAt: this.openDue(acting.now) };
    if (!(await this.jobs.claim(job, 0, acting.now, this.outbox.owner))) {
      return { incident, note: 'Its room is being opened by another process.' };
    }
    const opened = await this.openNow(acting, incident, rooms);
    await this.jobs.end(job, { outcome: 'done', at: acting.now, reason: opened.refused ?? null, lateMs: null });
    return opened;
  }

  /**
   * Before the declaration's insert: the job that opens its room if the declaring process does not get there (it
   * died between the declaration and the room). Planned by every process declaring it; the same id plans it once.
   */
  async planOpening(acting: Acting, ticketId: string): Promise<void> {
    const { platform, workspace } = acting.source;
    if (!this.opensRooms(platform)) return;
    await this.jobs.schedule({
      _id: openJobId(acting.tenant, ticketId),
      tenant: acting.tenant,
      kind: INCIDENT_ROOM_OPEN_KIND,
      dueAt: this.openDue(acting.now),
      payload: { tenant: acting.tenant, ticketId, platform, workspace } satisfies OpenPayload,
      createdAt: acting.now,
      by: null,
      ticketId,
    });
  }

  /** The job: the room of an incident whose declaring process did not open it, opened now, as its declarer. */
  async runOpen(job: Job, now: Date): Promise<string | undefined> {
    const p = job.payload as unknown as OpenPayload;
    const incident = await this.repo.find(p.tenant, p.ticketId);
    if (!incident) return 'no incident was declared';
    if (incident.room.address) return 'its room was open already';
    if (incident.status === 'resolved') return 'it was resolved before its room opened';
    const rooms = this.outbox.roomsOn(p.platform);
    if (!rooms) throw new Error(`${p.platform} is not connected in this process`);
    const source = { platform: p.platform, workspace: p.workspace };
    const acting = systemActing(p.tenant, incident.declaredBy, now, this.o.timezone, source);
    const opened = await this.openNow(acting, incident, rooms);
    return opened.refused ?? undefined;
  }

  private connected(platform: string | undefined): boolean {
    return Boolean(platform && this.outbox.roomsOn(platform));
  }

  private openDue(now: Date): Date {
    return new Date(now.getTime() + OPEN_GRACE_MS);
  }

  /** A platform of channels, registered here: where rooms open (not the terminal, not the house's own source). */
  private opensRooms(platform: string): boolean {
    return !isOnePlace(platform) && Boolean(platformNamed(platform)?.channels);
  }

  private async openNow(
    acting: Acting,
    incident: Incident,
    rooms: RoomSender,
  ): Promise<{ incident: Incident; note: string; refused?: string }> {
    const platform = acting.source.platform;
    const title = platformNamed(platform)?.title ?? platform;
    const team = incident.service ? await this.o.teamOf?.(acting.tenant, incident.service, acting.now) : null;
    const channelOn = (address: string | null | undefined) => {
      const where = address ? parseChannelAddress(address) : null;
      return where?.platform === platform ? where.channel : undefined;
    };
    const members = await this.membersOn(platform, acting.tenant, [
      acting.person,
      incident.roles.commander,
      team?.onCall ?? null,
    ]);
    let opening: Awaited<ReturnType<RoomSender['open']>>;
    try {
      opening = await rooms.open({
        name: incident.room.name,
        from: channelOn(incident.origin) ?? channelOn(team?.channel),
        members,
        card: incidentCardReply(incident),
        topic: roomTopic(incident),
      });
    } catch (err) {
      this.o.log.error({ err, ticketId: incident.ticketId }, 'incidents: the room could not be opened');
      opening = { opened: false, reason: `${title} did not answer (${(err as Error)?.message ?? String(err)})` };
    }
    if (!opening.opened) return { incident, note: roomRefusedNote(title, opening.reason), refused: opening.reason };
    const { name, link, notes } = opening;
    const address = `${platform}:${opening.channel}`;
    // In the room the incident is implied: the address is the incident's for good.
    await this.repo.claimRoom(acting.tenant, address, incident.ticketId);
    const opened = await this.write(acting, incident.ticketId, () => ({
      kind: 'room',
      text: `room #${name} opened on ${title}`,
      patch: { room: { name, address } },
    }));
    if (incident.origin && incident.origin !== address) {
      await this.outbox.toChannel(
        incident.origin,
        roomLinkReply(opened, name, link),
        { tenant: opened.tenant, ticketId: opened.ticketId },
        undefined,
        `incident:${opened.tenant}/${opened.ticketId}#room`,
      );
    }
    return { incident: opened, note: roomOpenedNote(name, link, notes) };
  }

  /**
   * A message of the room pinned (📌): its words on the timeline, once per message however often it is pinned or the
   * event is delivered. False when it was there already.
   */
  async pin(
    acting: Acting,
    messageId: string,
    text: string,
    author?: string,
  ): Promise<{ incident: Incident; first: boolean }> {
    // Outside a room this is INCIDENT.WHICH (the adapters say nothing then); in one, the timeline is the agents'.
    const incident = await this.incidents.get(acting, undefined);
    needAgent(acting, "put a message on an incident's timeline");
    const address = incident.room.address ?? incident.origin ?? 'none';
    if (!(await this.repo.claimPin(incident.tenant, address, messageId, incident.ticketId))) {
      return { incident, first: false };
    }
    const written = await this.write(acting, incident.ticketId, () => ({
      kind: 'pinned',
      text: pinnedText(text, author),
      patch: {},
    }));
    return { incident: written, first: true };
  }

  /** After a status, role or update: the topic shows it; a room that lives until the incident resolves is archived then. */
  async changed(incident: Incident): Promise<void> {
    const at = this.roomOf(incident);
    if (!at) return;
    try {
      await at.rooms.setTopic(at.channel, roomTopic(incident));
      if (incident.status === 'resolved' && at.rooms.archiveWhen === 'resolved') await at.rooms.archive(at.channel);
    } catch (err) {
      this.o.log.warn({ err, ticketId: incident.ticketId }, 'incidents: the room could not be updated');
    }
  }

  /**
   * A major incident's ticket resolved (its thread room is archived) or closed (its channel room is archived by a job,
   * `archiveDays` later). Only those two changes of incident tickets read anything here.
   */
  listen(feed: ChangeFeed): void {
    feed.subscribe(async (ev) => {
      const t = ev.ticket;
      if (t.type !== 'incident' || (t.state !== 'resolved' && t.state !== 'closed')) return;
      const moved = t.history.slice(-2).some((h) => h.action === 'state' && h.to === t.state);
      // Only a major incident's ticket (its declaration left a quiet line on it) has a room: no read for the others.
      if (!moved || !isMajorIncidentTicket(t)) return;
      try {
        const incident = await this.repo.find(t.tenant, t.ticketId);
        const at = incident ? this.roomOf(incident) : null;
        if (!incident || !at) return;
        if (t.state === 'resolved' && at.rooms.archiveWhen === 'resolved') await at.rooms.archive(at.channel);
        if (t.state === 'closed' && at.rooms.archiveWhen === 'closed') {
          const closedAt = t.history.at(-1)?.at;
          if (!closedAt) return;
          await this.jobs.schedule({
            _id: `incident-room-archive:${t.tenant}/${t.ticketId}`,
            tenant: t.tenant,
            kind: INCIDENT_ROOM_ARCHIVE_KIND,
            dueAt: new Date(new Date(closedAt).getTime() + this.o.archiveDays * 86_400_000),
            payload: {
              tenant: t.tenant,
              ticketId: t.ticketId,
              address: incident.room.address as string,
            } satisfies ArchivePayload,
            createdAt: new Date(closedAt),
            by: null,
            ticketId: t.ticketId,
          });
        }
      } catch (err) {
        this.o.log.error({ err, ticketId: t.ticketId }, 'incidents: the room could not be archived or planned');
      }
    });
  }

  async runArchive(job: Job): Promise<string | undefined> {
    const p = job.payload as unknown as ArchivePayload;
    const where = parseChannelAddress(p.address);
    if (!where) return 'not a room address';
    const rooms = this.outbox.roomsOn(where.platform);
    // Not reached while the engine asks runsHere first; thrown, the job is recorded as failed with the reason.
    if (!rooms) throw new Error(`${where.platform} is not connected in this process`);
    await rooms.archive(where.channel);
    return undefined;
  }

  private roomOf(i: Incident): { rooms: RoomSender; channel: string } | null {
    const where = i.room.address ? parseChannelAddress(i.room.address) : null;
    const rooms = where ? this.outbox.roomsOn(where.platform) : undefined;
    return where && rooms ? { rooms, channel: where.channel } : null;
  }

  /** Each person's id on the platform (the identity they act with there, else one they linked), once each. */
  private async membersOn(platform: string, tenant: string, people: Array<PersonRef | null>): Promise<string[]> {
    const out = new Set<string>();
    const prefix = `${platform}:`;
    for (const p of people) {
      if (!p) continue;
      if (p.identity.startsWith(prefix)) {
        out.add(p.identity.slice(prefix.length));
        continue;
      }
      const linked = (await this.people.identitiesOf(tenant, p.id)).find((i) => i.identity.startsWith(prefix));
      if (linked) out.add(linked.identity.slice(prefix.length));
    }
    return [...out];
  }
}
