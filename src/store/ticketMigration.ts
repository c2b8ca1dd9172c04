// Start-up migration from the one `tickets` collection (history inline) to the hot set, archive and pages; run once.

import { randomBytes } from 'node:crypto';
import type { Connection, mongo } from 'mongoose';
import type { AuditEntry, Ticket, TicketComment } from '../domain/entities.ts';
import type { TicketType } from '../domain/ticket.ts';
import { declareCollectionIndexes } from './indexes.ts';
import { isDuplicateKey } from './insertOnce.ts';
import { ServerClock } from './serverClock.ts';
import { TicketNumbers } from './ticketNumbers.ts';
import {
  ARCHIVE_INDEXES,
  archiveName,
  HOT,
  LEGACY,
  type PageDoc,
  pageId,
  pagesName,
  type TicketDoc,
} from './ticketSchema.ts';

const MIGRATION = 'tickets-v2';
const BATCH = 500;

interface MigrationDoc {
  _id: string;
  owner: string;
  /** the server's time of the migrator's last sign of life */
  at: Date;
  done: boolean;
}

type LegacyDoc = Omit<TicketDoc, 'pages'> & { comments?: TicketComment[]; history?: AuditEntry[] };

export interface MigrationOptions {
  /** one progress line at a time */
  log: (line: string) => void;
  /** how long a migrator may go silent before another process takes over its work; default 60 s */
  staleMs?: number;
  pollMs?: number;
}

/** Inserts what is not there yet: a re-run after a crash skips what the first run moved. */
async function insertNew<T extends mongo.Document>(c: mongo.Collection<T>, docs: T[]): Promise<void> {
  if (!docs.length) return;
  try {
    await c.insertMany(docs as mongo.OptionalUnlessRequiredId<T>[], { ordered: false });
  } catch (e) {
    const errors = (e as { writeErrors?: unknown[] | unknown }).writeErrors;
    const list = Array.isArray(errors) ? errors : errors ? [errors] : [e];
    if (!list.every((w) => isDuplicateKey(w) || isDuplicateKey((w as { err?: unknown }).err))) throw e;
  }
}

/**
 * Moves every ticket of the old layout, once across processes: the first to insert the migration's `_id`
 * does it while the others wait; a migrator that stops signalling is taken over, and the work is idempotent.
 */
export async function migrateTickets(connection: Connection, o: MigrationOptions): Promise<void> {
  const db = connection.db as mongo.Db;
  const runs = db.collection<MigrationDoc>('migrations');
  const clock = new ServerClock(() => db, 5_000);
  const staleMs = o.staleMs ?? 60_000;
  for (;;) {
    const seen = await runs.findOne({ _id: MIGRATION });
    if (seen?.done) return;
    if (!(await db.listCollections({ name: LEGACY }, { nameOnly: true }).toArray()).length) return;
    const owner = randomBytes(8).toString('hex');
    const now = await clock.now();
    if (seen && now.getTime() - seen.at.getTime() > staleMs) {
      await runs.deleteOne({ _id: MIGRATION, owner: seen.owner, at: seen.at });
    }
    try {
      await runs.insertOne({ _id: MIGRATION, owner, at: now, done: false });
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
      if (!seen) o.log('tickets: another process is migrating to the new storage layout; waiting');
      await new Promise((r) => setTimeout(r, o.pollMs ?? 250));
      continue;
    }
    const beat = async () => runs.updateOne({ _id: MIGRATION, owner }, { $set: { at: await clock.now() } });
    await moveAll(connection, db, o.log, beat);
    await db.dropCollection(LEGACY).catch(() => undefined);
    await runs.updateOne({ _id: MIGRATION, owner }, { $set: { done: true } });
    return;
  }
}

async function moveAll(
  connection: Connection,
  db: mongo.Db,
  log: (line: string) => void,
  beat: () => Promise<unknown>,
) {
  const legacy = db.collection<LegacyDoc>(LEGACY);
  const total = await legacy.countDocuments({});
  log(`tickets: migrating ${total} tickets to the new storage layout (open ones, archive, history pages)`);
  const versions = db.collection<{ _id: string }>('ticket_versions');
  const tops = new Map<string, { tenant: string; type: TicketType; top: number }>();
  const indexed = new Set<string>();
  let moved = 0;
  let batch: LegacyDoc[] = [];
  const flush = async () => {
    const targets = new Map<string, TicketDoc[]>();
    const pages = new Map<string, PageDoc[]>();
    const finished: string[] = [];
    for (const d of batch) {
      const { comments = [], history = [], ...rest } = d;
      const suffix = `${d.version}.migrated`;
      const target = d.state === 'closed' ? archiveName(d.number) : HOT;
      targets.set(target, [
        ...(targets.get(target) ?? []),
        { ...(rest as Omit<Ticket, 'comments' | 'history'>), _id: d._id, pages: [suffix] },
      ]);
      const p = pagesName(d.number);
      pages.set(p, [...(pages.get(p) ?? []), { _id: pageId(d._id, suffix), history, comments }]);
      if (d.state === 'closed') finished.push(`${d._id}#${d.version}`);
      const k = `${d.tenant}/${d.type}`;
      tops.set(k, { tenant: d.tenant, type: d.type, top: Math.max(tops.get(k)?.top ?? 0, d.number) });
    }
    // Pages before tickets: a ticket that is there always finds its history.
    for (const [name, docs] of pages) await insertNew(db.collection<PageDoc>(name), docs);
    for (const [name, docs] of targets) {
      if (name !== HOT && !indexed.has(name)) {
        await declareCollectionIndexes(connection, db.collection(name), ARCHIVE_INDEXES);
        indexed.add(name);
      }
      await insertNew(db.collection<TicketDoc>(name), docs);
    }
    // A closed ticket's last claim guards nothing: left there, claims would grow with history.
    if (finished.length) await versions.deleteMany({ _id: { $in: finished } });
    moved += batch.length;
    batch = [];
    await beat();
    log(`tickets: migrated ${moved}/${total}`);
  };
  for await (const d of legacy.find({}).batchSize(BATCH)) {
    batch.push(d);
    if (batch.length >= BATCH) await flush();
  }
  if (batch.length) await flush();
  const numbers = new TicketNumbers(connection);
  for (const t of tops.values()) await numbers.raise(t.tenant, t.type, t.top);
}
