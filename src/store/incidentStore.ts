// Major incidents: one document per incident (`incidents`, `<tenant>/<INC-n>`), its timeline as insert-only entries
// (`incident_timeline`, `<tenant>/<INC-n>/t<seq>`), and which incident a room is (`incident_rooms`, `<tenant>/<address>`).
import type { Connection, mongo } from 'mongoose';
import type { PersonRef } from '../domain/entities.ts';
import type { IncidentRole, IncidentStatus, Severity } from '../domain/incident.ts';
import { insertOnce, isDuplicateKey } from './insertOnce.ts';
import { findByIds } from './serverProfile.ts';

export interface IncidentRoom {
  /** `inc-<n>-<slug>`. */
  name: string;
  /** Where the room's messages go (`slack:C0…`); null where the platform opened none (the terminal): printed as such. */
  address: string | null;
}

export interface Incident {
  tenant: string;
  ticketId: string;
  title: string;
  severity: Severity;
  service: string | null;
  status: IncidentStatus;
  roles: Record<IncidentRole, PersonRef | null>;
  declaredBy: PersonRef;
  declaredAt: Date;
  room: IncidentRoom;
  /** The channel it was declared from (`console`, `slack:C0…`), told where the room is. */
  origin: string | null;
  stakeholders: string | null;
  subscribers: PersonRef[];
  /** The last stakeholder update (the declaration before the first): the next one is due a cadence after it. */
  lastUpdateAt: Date;
  updates: number;
  /** Timeline entries written: the next change claims entry `seq + 1`. */
  seq: number;
}

export type TimelineKind =
  | 'declared'
  | 'status'
  | 'role'
  | 'update'
  | 'note'
  | 'subscribed'
  | 'unsubscribed'
  | 'page'
  | 'ack'
  | 'escalation'
  | 'room'
  | 'pinned';

export interface TimelineEntry {
  tenant: string;
  ticketId: string;
  seq: number;
  at: Date;
  by: PersonRef;
  kind: TimelineKind;
  text: string;
  /** The status this change moved the incident to (entries written before it was kept have none). */
  status?: IncidentStatus | undefined;
}

/** What a change sets on the incident; kept on its entry, so whoever finds the entry can finish the change. */
export type IncidentPatch = Partial<Omit<Incident, 'tenant' | 'ticketId' | 'seq' | 'declaredAt' | 'declaredBy'>>;

interface IncidentDoc extends Incident {
  _id: string;
}
interface EntryDoc extends TimelineEntry {
  _id: string;
  patch: IncidentPatch;
}

const keyOf = (tenant: string, ticketId: string) => `${tenant}/${ticketId}`;
const entryKey = (tenant: string, ticketId: string, seq: number) => `${keyOf(tenant, ticketId)}/t${seq}`;
const strip = <T extends { _id: string }>({ _id, ...rest }: T): Omit<T, '_id'> => rest;

/**
 * Every change is first the unique insert of its timeline entry (the claim on the incident's next `seq`, as a ticket's
 * version claim is), then `updateOne({_id, seq})`. The entry carries the change, so an entry whose writer died before
 * the update is applied by the next writer that finds it: a change is never half-written, nor written twice.
 */
export class IncidentRepository {
  private readonly incidents: mongo.Collection<IncidentDoc>;
  private readonly timeline: mongo.Collection<EntryDoc>;
  private readonly rooms: mongo.Collection<{ _id: string; ticketId: string }>;

  constructor(connection: Connection) {
    this.incidents = connection.collection('incidents');
    this.timeline = connection.collection('incident_timeline');
    this.rooms = connection.collection('incident_rooms');
  }

  /** The declaration and its first entry; false when the incident was declared already. */
  async declare(incident: Incident, first: Omit<TimelineEntry, 'seq'>): Promise<boolean> {
    const doc: IncidentDoc = { _id: keyOf(incident.tenant, incident.ticketId), ...incident, seq: 1 };
    if (!(await insertOnce(this.incidents, doc))) return false;
    await insertOnce(this.timeline, {
      _id: entryKey(incident.tenant, incident.ticketId, 1),
      ...first,
      seq: 1,
      patch: {},
    });
    return true;
  }

  async find(tenant: string, ticketId: string): Promise<Incident | null> {
    const doc = await this.incidents.findOne({ _id: keyOf(tenant, ticketId) });
    return doc ? strip(doc) : null;
  }

  /**
   * Writes `entry` as the change after `base` and applies `patch`: the incident as written, or 'conflict' when another
   * change came first (the caller reads it again and decides again).
   */
  async apply(
    base: Incident,
    entry: Omit<TimelineEntry, 'seq' | 'tenant' | 'ticketId'>,
    patch: IncidentPatch,
  ): Promise<Incident | 'conflict'> {
    const seq = base.seq + 1;
    const _id = keyOf(base.tenant, base.ticketId);
    const doc: EntryDoc = {
      _id: entryKey(base.tenant, base.ticketId, seq),
      tenant: base.tenant,
      ticketId: base.ticketId,
      ...entry,
      ...(patch.status ? { status: patch.status } : {}),
      seq,
      patch,
    };
    try {
      await this.timeline.insertOne(doc);
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
      await this.finish(base);
      return 'conflict';
    }
    await this.incidents.updateOne({ _id, seq: base.seq }, { $set: { ...patch, seq } });
    return { ...base, ...patch, seq };
  }

  /** An entry written whose change was not applied (its writer died, or is about to): applied now, once. */
  private async finish(base: Incident): Promise<void> {
    const seq = base.seq + 1;
    const entry = await this.timeline.findOne({ _id: entryKey(base.tenant, base.ticketId, seq) });
    if (!entry) return;
    await this.incidents.updateOne(
      { _id: keyOf(base.tenant, base.ticketId), seq: base.seq },
      { $set: { ...entry.patch, seq } },
    );
  }

  /** The timeline, oldest first: the last `limit` entries, each by `_id`. */
  async timelineOf(incident: Incident, limit = 200): Promise<TimelineEntry[]> {
    const from = Math.max(1, incident.seq - limit + 1);
    const ids = Array.from({ length: incident.seq - from + 1 }, (_, i) =>
      entryKey(incident.tenant, incident.ticketId, from + i),
    );
    const docs = await findByIds(this.timeline, ids, { patch: 0 });
    return docs.map((d) => strip(d) as TimelineEntry).sort((a, b) => a.seq - b.seq);
  }

  /** Every incident there is, of every tenant: a scan, for `rollups:rebuild` only. */
  async *every(): AsyncIterable<Incident> {
    for await (const doc of this.incidents.find({})) yield strip(doc);
  }

  /** A room is this incident's for good: false when the address was taken (by another incident). */
  async claimRoom(tenant: string, address: string, ticketId: string): Promise<boolean> {
    return insertOnce(this.rooms, { _id: keyOf(tenant, address), ticketId });
  }

  /** A room's message on the timeline once, however often it is pinned: false when it was already. */
  async claimPin(tenant: string, address: string, messageId: string, ticketId: string): Promise<boolean> {
    return insertOnce(this.rooms, { _id: `${keyOf(tenant, address)}#pin:${messageId}`, ticketId });
  }

  async incidentInRoom(tenant: string, address: string): Promise<string | null> {
    return (await this.rooms.findOne({ _id: keyOf(tenant, address) }))?.ticketId ?? null;
  }
}
