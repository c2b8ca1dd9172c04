// The ticket repository: open tickets in a small hot collection, closed ones archived, history in insert-only pages.

import { randomBytes } from 'node:crypto';
import type { Connection, Model, mongo } from 'mongoose';
import type { AuditEntry, Ticket, TicketComment, TicketSummary } from '../domain/entities.ts';
import type { Priority, TicketState, TicketType } from '../domain/ticket.ts';
import { parseTicketId } from '../domain/ticket.ts';
import { declareCollectionIndexes, declareModelIndexes } from './indexes.ts';
import { BatchedInserts, isDuplicateKey } from './insertOnce.ts';
import { type ClaimDoc, Claims } from './lease.ts';
import { ServerClock } from './serverClock.ts';
import { findByIds, serverProfile } from './serverProfile.ts';
import { TicketNumbers } from './ticketNumbers.ts';
import {
  ARCHIVE,
  ARCHIVE_INDEXES,
  archiveName,
  type PageDoc,
  pageId,
  pagesName,
  type TicketDoc,
  ticketKey,
  ticketSchema,
} from './ticketSchema.ts';
import { validOrRefused } from './validation.ts';

// The entity types live in the domain; re-exported for the store's own callers.
export type { AuditEntry, PersonRef, Ticket, TicketComment, TicketSource, TicketSummary } from '../domain/entities.ts';

export interface TicketFilter {
  states?: TicketState[];
  priority?: Priority;
  type?: TicketType;
  service?: string;
  assigneeId?: string;
  requesterId?: string;
  text?: string;
  /** how many of the newest matches to pass over (paging) */
  skip?: number;
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

const escapeRegex = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const numberOf = (ticketId: string): number => parseTicketId(ticketId)?.number ?? 0;

/** A claim left behind by a process that died between claiming a version and writing it is taken over after this. */
const STALE_CLAIM_MS = 10_000;

/**
 * The right to write one version of one ticket, held by one writer: the change's own page, inserted under the
 * version's name (`h<version + 1>`, or `h<version + 1>~<n>` for the n-th writer to take an abandoned one over).
 */
export interface VersionClaim {
  tenant: string;
  ticketId: string;
  /** the version the writer read; the write moves it to version + 1 */
  version: number;
  /** random, this writer's alone: only its holder removes its page (one never listed) */
  owner: string;
  /** performance.now() just before the claim was made: the lease runs from here */
  claimedAt: number;
  /** the page's name among the ticket's pages */
  suffix: string;
  page: PageDoc;
  patch: TicketPatch;
  /** a claim writes once */
  used: boolean;
}

/** Writers that may take an abandoned version over, one after another, before a change gives up. */
const MAX_TAKEOVERS = 16;

export interface TicketRepositoryOptions {
  /** how old (by the database server's clock) a claim must be before another writer may take it; default 10 s */
  staleClaimMs?: number;
}

/** Pages kept in memory: a ticket's worth is a few, so this covers the tickets anyone is working on. */
const PAGES_KEPT = 20_000;
/** Open tickets remembered as this process last read or wrote them: a first guess for the next change. */
const TICKETS_KEPT = 5_000;

export class TicketRepository {
  /** The hot set: open and resolved tickets, the only ticket documents ever updated. */
  readonly model: Model<TicketDoc>;
  readonly numbers: TicketNumbers;
  private readonly clock: ServerClock;
  /**
   * Ticket versions held through the one Lease module's claims: a change's page, inserted under the version's
   * name, is the claim (one insert takes the version and writes its history); a claim is taken over by age, by the
   * server's clock, since a change is written within half its life or given up (no heartbeat to wait on).
   */
  private readonly versionClaims: Claims;
  private readonly staleClaimMs: number;
  private readonly indexedArchives = new Set<string>();
  /** Opening pages and new tickets written at once (a burst's openings): one insert each for many. */
  private readonly pageInserts: BatchedInserts<PageDoc>;
  private readonly hotInserts: BatchedInserts<TicketDoc>;
  /** Pages read or written by this process, most recently used last (pages are insert-only). */
  private readonly pageCache = new Map<string, PageDoc>();
  /**
   * Open tickets as this process last read or wrote them. Only a change uses them, as a guess: its write is
   * filtered on the version it read, so a ticket another process changed meanwhile is refused and read afresh.
   */
  private readonly ticketCache = new Map<string, TicketDoc>();

  constructor(
    private readonly connection: Connection,
    opts: TicketRepositoryOptions = {},
  ) {
    this.model =
      (connection.models.OpenTicket as Model<TicketDoc> | undefined) ??
      connection.model<TicketDoc>('OpenTicket', ticketSchema);
    this.numbers = new TicketNumbers(connection);
    this.staleClaimMs = opts.staleClaimMs ?? STALE_CLAIM_MS;
    this.clock = new ServerClock(() => connection.db as mongo.Db);
    this.versionClaims = new Claims(connection.collection<ClaimDoc>(pagesName(0)));
    this.pageInserts = new BatchedInserts(this.pages(0));
    this.hotInserts = new BatchedInserts(this.hot);
  }

  async init(): Promise<void> {
    await declareModelIndexes(this.model);
    await this.ensureArchiveIndexes(this.archive(0));
  }

  private get hot(): mongo.Collection<TicketDoc> {
    return this.model.collection as unknown as mongo.Collection<TicketDoc>;
  }

  private archive(number: number): mongo.Collection<TicketDoc> {
    return this.connection.collection<TicketDoc>(archiveName(number));
  }

  private pages(number: number): mongo.Collection<PageDoc> {
    return this.connection.collection<PageDoc>(pagesName(number));
  }

  /** Claims a ticket number: `from`, or the first free one above it. */
  claimNumber(tenant: string, type: TicketType, from: number): Promise<number> {
    return this.numbers.claimFrom(tenant, type, from);
  }

  /** Highest number taken so far for this tenant and type, as the counter knows it (0 when none). */
  maxNumber(tenant: string, type: TicketType): Promise<number> {
    return this.numbers.top(tenant, type);
  }

  /**
   * A new ticket under its number (claimed first), or `taken` when another process holds that number already; its
   * opening history becomes its first page. Tickets opened at once share their inserts (pages, then tickets).
   */
  async insertNew(ticket: Ticket): Promise<Ticket | 'taken'> {
    const key = ticketKey(ticket.tenant, ticket.ticketId);
    const { comments, history, ...rest } = ticket;
    const suffix = `${ticket.version}.${randomBytes(8).toString('hex')}`;
    const doc = new this.model({ ...rest, _id: key, pages: [suffix] });
    await validOrRefused(doc.validate());
    const { _id, ...saved } = doc.toObject();
    const first = { _id: pageId(key, suffix), history, comments };
    // Pages before tickets: a ticket that is there always finds its history. A page's `_id` is new (its suffix is
    // random): only the ticket's insert can be refused (its `_id` or its number taken).
    if (!(await this.pageInserts.insert(first))) throw new Error(`ticket page ${first._id} was there already`);
    this.remember(first);
    if (!(await this.hotInserts.insert({ _id, ...saved } as TicketDoc))) return 'taken';
    this.keep({ _id, ...saved } as TicketDoc);
    const { pages: _pages, ...entity } = saved;
    return { ...entity, comments, history } as Ticket;
  }

  /**
   * The ticket with its comments and history, wherever it lives. A closed ticket still in the hot set is one
   * whose move was cut short: closed is final, so it is the same ticket as its archived copy, and the move is
   * finished here by whoever reads it first.
   */
  async find(tenant: string, ticketId: string): Promise<Ticket | null> {
    const doc = await this.findDoc(tenant, ticketId);
    return doc ? this.assemble(doc) : null;
  }

  private async findDoc(tenant: string, ticketId: string): Promise<TicketDoc | null> {
    const key = ticketKey(tenant, ticketId);
    const hot = await this.hot.findOne({ _id: key });
    if (hot && hot.state !== 'closed') {
      this.keep(hot);
      return hot;
    }
    this.ticketCache.delete(key);
    const archived = await this.archive(numberOf(ticketId)).findOne({ _id: key });
    if (hot) await this.moveToArchive(hot, archived !== null);
    return archived ?? hot;
  }

  /**
   * The ticket as this process last read or wrote it, without a round trip; null when it is not in memory whole
   * (its document and every page). It may be behind another process's change: only a change uses it, as a guess
   * its version filter checks.
   */
  remembered(tenant: string, ticketId: string): Ticket | null {
    const doc = this.ticketCache.get(ticketKey(tenant, ticketId));
    if (!doc || doc.state === 'closed') return null;
    const { _id: key, pages, ...rest } = doc;
    const ordered: PageDoc[] = [];
    for (const s of pages) {
      const p = this.pageCache.get(pageId(key, s));
      if (!p) return null;
      ordered.push(p);
    }
    return {
      ...rest,
      history: ordered.flatMap((p) => p.history),
      comments: ordered.flatMap((p) => p.comments),
    } as Ticket;
  }

  private keep(doc: TicketDoc): void {
    this.ticketCache.delete(doc._id);
    this.ticketCache.set(doc._id, doc);
    if (this.ticketCache.size > TICKETS_KEPT) this.ticketCache.delete(this.ticketCache.keys().next().value as string);
  }

  /**
   * What a write of `patch` made of the remembered ticket at `version` (null when it is not remembered at that
   * version, or the change names a nested path this cannot apply).
   */
  private written(key: string, version: number, patch: TicketPatch, suffix: string): TicketDoc | null {
    const before = this.ticketCache.get(key);
    if (!before || before.version !== version || Object.keys(patch.set).some((k) => k.includes('.'))) {
      this.ticketCache.delete(key);
      return null;
    }
    const after = { ...before, ...patch.set, pages: [...before.pages, suffix], version: version + 1 } as TicketDoc;
    this.keep(after);
    return after;
  }

  /** Keeps a page (insert-only, so it stays true) among the most recently used. */
  private remember(page: PageDoc): void {
    this.pageCache.delete(page._id);
    this.pageCache.set(page._id, page);
    if (this.pageCache.size > PAGES_KEPT) this.pageCache.delete(this.pageCache.keys().next().value as string);
  }

  private async assemble(doc: TicketDoc): Promise<Ticket> {
    const { _id: key, pages, ...rest } = doc;
    const ids = pages.map((s) => pageId(key, s));
    // A page never changes once written, so pages read (or written) before come from this process's memory; the
    // rest in one read where the server indexes `$in` (MongoDB), side by side by `_id` where it does not (FerretDB).
    const missing = ids.filter((id) => !this.pageCache.has(id));
    for (const p of await findByIds(this.pages(doc.number), missing)) this.remember(p);
    const ordered = ids.flatMap((id) => {
      const p = this.pageCache.get(id);
      return p ? [p] : [];
    });
    return {
      ...rest,
      history: ordered.flatMap((p) => p.history),
      comments: ordered.flatMap((p) => p.comments),
    };
  }

  /**
   * Newest first, without comments or history. Open states read only the hot set; `closed` (or no state
   * filter) also reads every archive collection: the one query here that grows with history.
   */
  async list(tenant: string, f: TicketFilter): Promise<TicketSummary[]> {
    const q: Record<string, unknown> = { tenant };
    if (f.priority) q.priority = f.priority;
    if (f.type) q.type = f.type;
    if (f.service) q.service = f.service;
    if (f.assigneeId) q['assignee.id'] = f.assigneeId;
    if (f.requesterId) q['requester.id'] = f.requesterId;
    if (f.text) q.title = { $regex: escapeRegex(f.text), $options: 'i' };
    const want = (f.skip ?? 0) + f.limit;
    const newest = (c: mongo.Collection<TicketDoc>, filter: Record<string, unknown>) =>
      c
        .find(filter, { projection: { pages: 0 } })
        .sort({ openedAt: -1 })
        .limit(want)
        .toArray();
    const reads = [newest(this.hot, f.states ? { ...q, state: { $in: f.states } } : q)];
    if (!f.states || f.states.includes('closed')) {
      for (const name of await this.archiveNames()) reads.push(newest(this.connection.collection(name), q));
    }
    // A ticket caught between its close and its move shows once (the copies are the same: closed is final).
    const seen = new Set<string>();
    const merged = (await Promise.all(reads))
      .flat()
      .sort((a, b) => b.openedAt.getTime() - a.openedAt.getTime() || b.number - a.number)
      .filter((d) => !seen.has(d._id) && seen.add(d._id) !== undefined);
    return merged.slice(f.skip ?? 0, want).map(({ _id, ...t }) => t as TicketSummary);
  }

  /**
   * The tenant's tickets opened in [from, to), oldest first, open or archived: an export. Each collection is read
   * with a plain range filter on `{tenant, openedAt}`, which the hot set and every archive are indexed by.
   */
  async openedBetween(tenant: string, from: Date, to: Date, limit: number): Promise<TicketSummary[]> {
    const q = { tenant, openedAt: { $gte: from, $lt: to } };
    const names = [this.hot.collectionName, ...(await this.archiveNames())];
    const reads = names.map((n) =>
      this.connection
        .collection<TicketDoc>(n)
        .find(q, { projection: { pages: 0 } })
        .sort({ openedAt: 1 })
        .limit(limit)
        .toArray(),
    );
    const seen = new Set<string>();
    return (await Promise.all(reads))
      .flat()
      .sort((a, b) => a.openedAt.getTime() - b.openedAt.getTime() || a.ticketId.localeCompare(b.ticketId))
      .filter((d) => !seen.has(d._id) && seen.add(d._id) !== undefined)
      .slice(0, limit)
      .map(({ _id, ...t }) => t as TicketSummary);
  }

  /**
   * Every ticket there is, open or archived, one at a time: for rebuilding what is derived from tickets (the
   * rollups). It reads all history, so it is for maintenance only, never for a command.
   */
  async *everyTicket(): AsyncGenerator<Ticket> {
    for (const name of [this.hot.collectionName, ...(await this.archiveNames())]) {
      const keys = this.connection.collection<TicketDoc>(name).find({}, { projection: { tenant: 1, ticketId: 1 } });
      for await (const k of keys) {
        const t = await this.find(k.tenant, k.ticketId);
        // A ticket moving to the archive is met twice; only its archived copy is given.
        if (t && !(name === this.hot.collectionName && t.state === 'closed')) yield t;
      }
    }
  }

  /** Every pending or resolved ticket, of every tenant (the hot set only): what the housekeeping waits on. */
  async awaitingHousekeeping(limit = 10_000): Promise<TicketSummary[]> {
    const docs = await this.hot
      .find({ state: { $in: ['pending', 'resolved'] } }, { projection: { pages: 0 } })
      .limit(limit)
      .toArray();
    return docs.map(({ _id, ...t }) => t as TicketSummary);
  }

  /** The archive, once it exists (a new database has none to read). */
  private async archiveNames(): Promise<string[]> {
    const found = await (this.connection.db as mongo.Db)
      .listCollections({ name: ARCHIVE }, { nameOnly: true })
      .toArray();
    return found.map((c) => c.name);
  }

  /**
   * Applies a change if the ticket is still at `version`; its audit entries and comment go in a new page.
   * Updates are not atomic on FerretDB 1.x: two writers that both send `{_id, version}` both "match" and the
   * last one wins, silently dropping the other's change. So the next version is first claimed by a unique
   * insert (one writer per version, across processes): the change's page itself, named by the version, and the
   * write goes out only while that claim is safe.
   */
  async apply(tenant: string, ticketId: string, version: number, patch: TicketPatch): Promise<void> {
    await this.validate(patch);
    if ((await serverProfile(this.connection)).atomicUpdates)
      return this.applyAtomically(tenant, ticketId, version, patch);
    await this.writeValid(await this.claim(tenant, ticketId, version, patch));
  }

  /**
   * Where an update's filter and change are one step (MongoDB), the `{_id, version}` filter alone lets exactly one
   * writer of a version through: no claim is written or freed (two round trips fewer a change). The page goes
   * first, named by a fresh token; a writer the filter refuses leaves a page no ticket lists, never read.
   */
  private async applyAtomically(tenant: string, ticketId: string, version: number, patch: TicketPatch): Promise<void> {
    const key = ticketKey(tenant, ticketId);
    const suffix = `${version + 1}.${randomBytes(8).toString('hex')}`;
    const page = {
      _id: pageId(key, suffix),
      history: patch.history,
      comments: patch.comment ? [patch.comment] : [],
    };
    await this.pages(numberOf(ticketId)).insertOne(page);
    const res = await this.hot.updateOne({ _id: key, version }, {
      $set: patch.set,
      $push: { pages: suffix },
      $inc: { version: 1 },
    } as mongo.UpdateFilter<TicketDoc>);
    if (res.matchedCount === 0) {
      this.ticketCache.delete(key);
      throw new VersionConflict(`${ticketId} changed meanwhile`);
    }
    this.remember(page);
    const after = this.written(key, version, patch, suffix);
    if (patch.set.state === 'closed') await this.archiveClosed(key, after);
  }

  /** A ticket just written closed leaves the hot set: as this process wrote it, or as read when not remembered. */
  private async archiveClosed(key: string, written: TicketDoc | null): Promise<void> {
    this.ticketCache.delete(key);
    const closed = written ?? (await this.hot.findOne({ _id: key }));
    if (closed) await this.moveToArchive(closed, false);
  }

  /**
   * Takes the right to move the ticket from `version` to `version + 1` by inserting the change's page under that
   * version's name, or throws VersionConflict. A name taken by a page younger than `staleClaimMs` (by the
   * server's clock) is held; an older one is a change whose writer died or lost before listing it (or one listed,
   * when `version` is behind: the write is refused then), and the next writer takes the version over under the
   * next name. No page is ever replaced, so a listed page never changes.
   */
  async claim(tenant: string, ticketId: string, version: number, patch: TicketPatch): Promise<VersionClaim> {
    const key = ticketKey(tenant, ticketId);
    const owner = randomBytes(8).toString('hex');
    const claimedAt = performance.now();
    const at = await this.clock.now();
    const body = { history: patch.history, comments: patch.comment ? [patch.comment] : [] };
    for (let n = 0; n < MAX_TAKEOVERS; n++) {
      const suffix = n === 0 ? `${version + 1}` : `${version + 1}~${n}`;
      const page: PageDoc = { _id: pageId(key, suffix), ...body, owner, at };
      if (await this.versionClaims.claimCarrying(page._id, body, at, owner))
        return { tenant, ticketId, version, owner, claimedAt, suffix, page, patch, used: false };
      // Age by the server's clock: a host whose own clock runs ahead sees the same age as everyone else.
      const held = await this.versionClaims.holder(page._id);
      if (!held?.at || held.at.getTime() > at.getTime() - this.staleClaimMs) break;
    }
    throw new VersionConflict(`${ticketId} is being changed meanwhile`);
  }

  /**
   * Writes a claimed version. The claim is a lease: no one may take it over before it is `staleClaimMs` old
   * by the server's clock, and its holder writes only within the first half of that, measured on its own
   * monotonic clock from before the claim was made. A writer stalled past that (a pause, a slow disk) gives
   * up instead of racing whoever took its claim over.
   */
  async write(claim: VersionClaim): Promise<void> {
    await this.validate(claim.patch);
    await this.writeValid(claim);
  }

  private async writeValid(claim: VersionClaim): Promise<void> {
    const key = ticketKey(claim.tenant, claim.ticketId);
    // Only a page no ticket lists goes: one whose update was never sent, or refused.
    const free = () => this.versionClaims.release(claim.page._id, claim.owner).catch(() => undefined);
    if (claim.used) throw new VersionConflict(`${claim.ticketId}: version ${claim.version + 1} is written`);
    claim.used = true;
    if (performance.now() - claim.claimedAt > this.staleClaimMs / 2) {
      await free();
      throw new VersionConflict(`${claim.ticketId}: the claim on version ${claim.version + 1} ran out; try again`);
    }
    const { patch, suffix } = claim;
    let matched: number;
    try {
      const res = await this.hot.updateOne({ _id: key, version: claim.version }, {
        $set: patch.set,
        $push: { pages: suffix },
        $inc: { version: 1 },
      } as mongo.UpdateFilter<TicketDoc>);
      matched = res.matchedCount;
    } catch (e) {
      // Not known whether it landed: the page stays (listed, it is the change's history; not, it is never read).
      this.ticketCache.delete(key);
      throw e;
    }
    if (matched === 0) {
      this.ticketCache.delete(key);
      await free();
      throw new VersionConflict(`${claim.ticketId} changed meanwhile`);
    }
    // Kept once listed: a page is read only through its ticket's list, and a listed one never changes.
    this.remember(claim.page);
    const after = this.written(key, claim.version, patch, suffix);
    if (patch.set.state === 'closed') await this.archiveClosed(key, after);
  }

  /**
   * Moves a closed ticket out of the hot set: the archive insert first (by unique _id, so two movers insert one
   * copy), then the hot delete. Between the two a reader sees the same closed ticket in either place.
   */
  private async moveToArchive(doc: TicketDoc, archived: boolean): Promise<void> {
    if (!archived) {
      const archive = this.archive(doc.number);
      await this.ensureArchiveIndexes(archive);
      try {
        await archive.insertOne(doc);
      } catch (e) {
        if (!isDuplicateKey(e)) throw e;
      }
    }
    await this.hot.deleteOne({ _id: doc._id, state: 'closed' });
    // Its version claims are its pages: nothing to free. A writer that raced the close is refused either way (its
    // claim by the close's page, or its `{_id, version}` update by the move).
  }

  private async ensureArchiveIndexes(archive: mongo.Collection<TicketDoc>): Promise<void> {
    if (this.indexedArchives.has(archive.collectionName)) return;
    await declareCollectionIndexes(this.connection, archive, ARCHIVE_INDEXES);
    this.indexedArchives.add(archive.collectionName);
  }

  /** Validates only the changed paths, so nothing invalid is half-written. */
  private async validate(patch: TicketPatch): Promise<void> {
    await validOrRefused(new this.model({ ...patch.set }).validate(Object.keys(patch.set)));
  }
}
