// The ticket aggregate in MongoDB: schema, indexes, and the repository the services use.
import { randomBytes } from 'node:crypto';
import { type Connection, type Model, type mongo, Schema } from 'mongoose';
import type { AuditEntry, PersonRef, Ticket, TicketComment, TicketSource } from '../domain/entities.ts';
import type { SlaClock } from '../domain/sla.ts';
import type { Priority, TicketState, TicketType } from '../domain/ticket.ts';
import { LEVELS, PRIORITIES, STATES, TICKET_TYPES } from '../domain/ticket.ts';
import { ServerClock } from './serverClock.ts';
import { validOrRefused } from './validation.ts';

// The entity types live in the domain; re-exported for the store's own callers.
export type { AuditEntry, PersonRef, Ticket, TicketComment, TicketSource } from '../domain/entities.ts';

const personRef = new Schema<PersonRef>(
  {
    id: { type: String, required: true },
    identity: { type: String, required: true },
    name: { type: String, required: true },
  },
  { _id: false },
);

/** A ticket as stored: keyed by `${tenant}/${ticketId}`. */
type TicketDoc = Ticket & { _id: string };

const ticketSchema = new Schema<TicketDoc>(
  {
    // `${tenant}/${ticketId}`: lookups by _id are the ones every backend (FerretDB 1.x too) serves from an index.
    _id: { type: String, required: true },
    tenant: { type: String, required: true },
    type: { type: String, enum: TICKET_TYPES, required: true },
    number: { type: Number, required: true, min: 1 },
    ticketId: { type: String, required: true },
    title: { type: String, required: true, trim: true, minlength: 1, maxlength: 200 },
    description: { type: String, default: '', maxlength: 8000 },
    impact: { type: String, enum: LEVELS, required: true },
    urgency: { type: String, enum: LEVELS, required: true },
    priority: { type: String, enum: PRIORITIES, required: true },
    state: { type: String, enum: STATES, required: true },
    service: { type: String, default: null, maxlength: 100 },
    team: { type: String, default: null, maxlength: 100 },
    requester: { type: personRef, required: true },
    assignee: { type: personRef, default: null },
    watchers: { type: [String], default: [] },
    source: {
      type: new Schema<TicketSource>(
        {
          platform: { type: String, required: true },
          workspace: { type: String, required: true },
          channel: String,
          messageLink: String,
        },
        { _id: false },
      ),
      required: true,
    },
    tags: { type: [String], default: [] },
    sla: {
      type: new Schema<SlaClock>(
        {
          responseDueAt: { type: Date, required: true },
          resolutionDueAt: { type: Date, required: true },
          pausedAt: { type: Date, default: null },
          pausedMs: { type: Number, default: 0 },
          firstResponseAt: { type: Date, default: null },
          ttaMs: { type: Number, default: null },
          ttrMs: { type: Number, default: null },
        },
        { _id: false },
      ),
      required: true,
    },
    openedAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    resolvedAt: { type: Date, default: null },
    closedAt: { type: Date, default: null },
    resolution: { type: String, default: null, maxlength: 4000 },
    comments: {
      type: [
        new Schema<TicketComment>(
          {
            author: { type: personRef, required: true },
            text: { type: String, required: true, maxlength: 4000 },
            internal: { type: Boolean, default: false },
            at: { type: Date, required: true },
            platform: { type: String, required: true },
          },
          { _id: false },
        ),
      ],
      default: [],
    },
    history: {
      type: [
        new Schema<AuditEntry>(
          {
            at: { type: Date, required: true },
            actor: { type: personRef, required: true },
            platform: { type: String, required: true },
            action: { type: String, required: true },
            field: String,
            from: { type: String, default: null },
            to: { type: String, default: null },
            note: String,
          },
          { _id: false },
        ),
      ],
      default: [],
    },
    version: { type: Number, default: 0 },
  },
  { collection: 'tickets', versionKey: false, minimize: false },
);

// The id guarantee: two tickets can never share a number, whatever the backend's update atomicity.
ticketSchema.index({ tenant: 1, type: 1, number: 1 }, { unique: true });
ticketSchema.index({ tenant: 1, ticketId: 1 }, { unique: true });
// list/filter and summaries
ticketSchema.index({ tenant: 1, state: 1, priority: 1 });
ticketSchema.index({ tenant: 1, 'assignee.id': 1, state: 1 });
ticketSchema.index({ tenant: 1, 'requester.id': 1, state: 1 });
ticketSchema.index({ tenant: 1, service: 1, state: 1 });
ticketSchema.index({ tenant: 1, openedAt: -1 });
ticketSchema.index({ tenant: 1, 'sla.resolutionDueAt': 1, state: 1 });

export interface TicketFilter {
  states?: TicketState[];
  priority?: Priority;
  type?: TicketType;
  service?: string;
  assigneeId?: string;
  requesterId?: string;
  text?: string;
  limit: number;
}

export interface TicketPatch {
  set: Partial<Omit<Ticket, 'comments' | 'history' | 'version'>> & Record<string, unknown>;
  history: AuditEntry[];
  comment?: TicketComment;
}

export class VersionConflict extends Error {
  override name = 'VersionConflict';
}

const ticketKey = (tenant: string, ticketId: string): string => `${tenant}/${ticketId}`;

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A claim left behind by a process that died between claiming a version and writing it is taken over after this. */
const STALE_CLAIM_MS = 10_000;

/** The right to write one version of one ticket, held by one writer. */
export interface VersionClaim {
  tenant: string;
  ticketId: string;
  /** the version the writer read; the write moves it to version + 1 */
  version: number;
  /** random, this writer's alone: only its holder frees the claim */
  owner: string;
  /** performance.now() just before the claim was made: the lease runs from here */
  claimedAt: number;
}

interface ClaimDoc {
  _id: string;
  owner: string;
  /** the database server's time when the claim was made */
  at: Date;
}

export interface TicketRepositoryOptions {
  /** how old (by the database server's clock) a claim must be before another writer may take it; default 10 s */
  staleClaimMs?: number;
}

export class TicketRepository {
  readonly model: Model<TicketDoc>;
  /** `${tenant}/${ticketId}#${version}`: who may write each version; an _id insert, atomic on every backend. */
  private readonly versions: mongo.Collection<ClaimDoc>;
  private readonly clock: ServerClock;
  private readonly staleClaimMs: number;

  constructor(connection: Connection, opts: TicketRepositoryOptions = {}) {
    this.model =
      (connection.models.Ticket as Model<TicketDoc> | undefined) ?? connection.model<TicketDoc>('Ticket', ticketSchema);
    this.versions = connection.collection('ticket_versions');
    this.staleClaimMs = opts.staleClaimMs ?? STALE_CLAIM_MS;
    this.clock = new ServerClock(() => connection.db as mongo.Db);
  }

  async init(): Promise<void> {
    await this.model.createIndexes();
  }

  /** Highest number used so far for this tenant and type (0 when none). */
  async maxNumber(tenant: string, type: TicketType): Promise<number> {
    const top = await this.model.find({ tenant, type }, { number: 1 }).sort({ number: -1 }).limit(1).lean();
    return top[0]?.number ?? 0;
  }

  /** Inserts a new ticket; rejects with a duplicate-key error when its number is taken. */
  async insert(ticket: Ticket): Promise<Ticket> {
    const doc = new this.model({ ...ticket, _id: ticketKey(ticket.tenant, ticket.ticketId) });
    await validOrRefused(doc.validate());
    const { _id, ...saved } = doc.toObject();
    await this.model.collection.insertOne({ _id, ...saved } as never);
    return saved as Ticket;
  }

  async find(tenant: string, ticketId: string): Promise<Ticket | null> {
    return this.model.findOne({ _id: ticketKey(tenant, ticketId) }, { _id: 0 }).lean<Ticket>();
  }

  async list(tenant: string, f: TicketFilter): Promise<Ticket[]> {
    const q: Record<string, unknown> = { tenant };
    if (f.states) q.state = { $in: f.states };
    if (f.priority) q.priority = f.priority;
    if (f.type) q.type = f.type;
    if (f.service) q.service = f.service;
    if (f.assigneeId) q['assignee.id'] = f.assigneeId;
    if (f.requesterId) q['requester.id'] = f.requesterId;
    if (f.text) q.title = { $regex: escapeRegex(f.text), $options: 'i' };
    return this.model
      .find(q, { _id: 0, comments: 0, history: 0 })
      .sort({ openedAt: -1 })
      .limit(f.limit)
      .lean<Ticket[]>();
  }

  /**
   * Applies a change if the ticket is still at `version`; the audit entries are appended, never rewritten.
   * Updates are not atomic on FerretDB 1.x: two writers that both send `{_id, version}` both "match" and the
   * last one wins, silently dropping the other's change. So the next version is first claimed by a unique
   * insert (one writer per version, across processes), and the write goes out only while that claim is safe.
   */
  async apply(tenant: string, ticketId: string, version: number, patch: TicketPatch): Promise<void> {
    await this.validate(patch);
    const claim = await this.claim(tenant, ticketId, version);
    await this.writeValid(claim, patch);
  }

  /** Takes the right to move the ticket from `version` to `version + 1`, or throws VersionConflict. */
  async claim(tenant: string, ticketId: string, version: number): Promise<VersionClaim> {
    const claim: VersionClaim = {
      tenant,
      ticketId,
      version,
      owner: randomBytes(8).toString('hex'),
      claimedAt: performance.now(),
    };
    if (!(await this.insertClaim(claimId(claim), claim.owner))) {
      throw new VersionConflict(`${ticketId} is being changed meanwhile`);
    }
    return claim;
  }

  /**
   * Writes a claimed version. The claim is a lease: no one may take it over before it is `staleClaimMs` old
   * by the server's clock, and its holder writes only within the first half of that, measured on its own
   * monotonic clock from before the claim was made. A writer stalled past that (a pause, a slow disk) gives
   * up instead of racing whoever took its claim over.
   */
  async write(claim: VersionClaim, patch: TicketPatch): Promise<void> {
    await this.validate(patch);
    await this.writeValid(claim, patch);
  }

  private async writeValid(claim: VersionClaim, patch: TicketPatch): Promise<void> {
    const id = claimId(claim);
    if (performance.now() - claim.claimedAt > this.staleClaimMs / 2) {
      await this.versions.deleteOne({ _id: id, owner: claim.owner }).catch(() => undefined);
      throw new VersionConflict(`${claim.ticketId}: the claim on version ${claim.version + 1} ran out; try again`);
    }
    const key = ticketKey(claim.tenant, claim.ticketId);
    const push = { history: { $each: patch.history }, ...(patch.comment ? { comments: patch.comment } : {}) };
    let matched = 0;
    try {
      const res = await this.model.collection.updateOne(
        { _id: key, version: claim.version } as never,
        {
          $set: patch.set,
          $push: push,
          $inc: { version: 1 },
        } as unknown as mongo.UpdateFilter<mongo.Document>,
      );
      matched = res.matchedCount;
    } finally {
      // Failed or not applied: free our claim at once so nobody waits for it (only ours: it may be someone's now).
      if (matched === 0) await this.versions.deleteOne({ _id: id, owner: claim.owner }).catch(() => undefined);
    }
    if (matched === 0) throw new VersionConflict(`${claim.ticketId} changed meanwhile`);
    // The claim before this one can no longer be used by anyone (the version filter refuses it).
    void this.versions.deleteOne({ _id: `${key}#${claim.version}` }).catch(() => undefined);
  }

  /** Validates only the changed paths, so nothing invalid is half-written. */
  private async validate(patch: TicketPatch): Promise<void> {
    await validOrRefused(new this.model({ ...patch.set }).validate(Object.keys(patch.set)));
  }

  private async insertClaim(id: string, owner: string, retakeStale = true): Promise<boolean> {
    const at = await this.clock.now();
    try {
      await this.versions.insertOne({ _id: id, owner, at });
      return true;
    } catch (e) {
      if ((e as { code?: number }).code !== 11000) throw e;
      if (!retakeStale) return false;
      // Age by the server's clock: a host whose own clock runs ahead sees the same age as everyone else.
      const staleBefore = new Date(at.getTime() - this.staleClaimMs);
      const stale = await this.versions.deleteOne({ _id: id, at: { $lt: staleBefore } });
      // Two writers may both delete it; the insert decides which of them holds it.
      return stale.deletedCount === 1 ? this.insertClaim(id, owner, false) : false;
    }
  }
}

const claimId = (c: VersionClaim): string => `${ticketKey(c.tenant, c.ticketId)}#${c.version + 1}`;
