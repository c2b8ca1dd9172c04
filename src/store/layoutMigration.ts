// Moves a database in the layout of dated and numbered collections into the fixed set, once, at start-up.
import type { Connection, mongo } from 'mongoose';
import { EXPIRES, JOB_RETENTION_MS, SHORT_RETENTION_MS } from './expiry.ts';
import { isDuplicateKey } from './insertOnce.ts';

const DAY = 86_400_000;

/** The start of a `YYYYMMDD` (and `HH`) name part, in UTC. */
const dayStart = (d: string, hour?: string): Date =>
  new Date(`${d.slice(0, 4)}-${d.slice(4, 6)}-${d.slice(6, 8)}T${hour ?? '00'}:00:00Z`);

interface Move {
  /** The old collections' names. */
  pattern: RegExp;
  /** The fixed collection they are merged into. */
  target: string;
  /** What a document becomes there (its `_id` kept), from the old name's match. */
  reshape(doc: mongo.Document, m: RegExpExecArray): mongo.Document;
  /** Documents the new layout adds once per old collection (the job slots' hour marker). */
  extra?(m: RegExpExecArray): mongo.Document[];
}

const withExpiry = (doc: mongo.Document, at: Date): mongo.Document => ({ ...doc, [EXPIRES]: at });

const MOVES: readonly Move[] = [
  {
    pattern: /^jobs_(\d{8})$/,
    target: 'jobs',
    reshape: (d) => withExpiry(d, new Date((d.dueAt as Date).getTime() + JOB_RETENTION_MS)),
  },
  {
    pattern: /^(job_claims|job_ends)_(\d{8})$/,
    target: '',
    reshape: (d, m) => withExpiry(d, new Date(dayStart(m[2] as string).getTime() + DAY + JOB_RETENTION_MS)),
  },
  {
    pattern: /^job_slots_(\d{8})(\d{2})$/,
    target: 'job_slots',
    reshape: (d, m) => withExpiry(d, new Date(dayStart(m[1] as string).getTime() + DAY + JOB_RETENTION_MS)),
    extra: (m) => {
      const at = dayStart(m[1] as string, m[2]);
      return [{ _id: `hour:${at.toISOString().slice(0, 13)}`, [EXPIRES]: new Date(at.getTime() + JOB_RETENTION_MS) }];
    },
  },
  {
    pattern: /^(alert_seen|files|outbox_keys)_(\d{8})$/,
    target: '',
    reshape: (d, m) => withExpiry(d, new Date(dayStart(m[2] as string).getTime() + DAY + SHORT_RETENTION_MS)),
  },
  {
    pattern: /^rollups_(\d{8})$/,
    target: 'rollup_facts',
    // Facts wait to be folded into their day documents (the next fold does it); kept from now, like a rebuild's.
    reshape: (d, m) => {
      const day = dayStart(m[1] as string)
        .toISOString()
        .slice(0, 10);
      return withExpiry({ ...d, day }, new Date(Date.now() + 35 * DAY));
    },
  },
  { pattern: /^(tickets_closed|ticket_pages)_(\d+)$/, target: '', reshape: (d) => d },
];

/** Documents copied per insert. */
const BATCH = 500;

/**
 * Copies every old collection's documents into its fixed one (an `_id` there already is skipped, so a second run
 * or a second process copies nothing twice), then drops it. Dropped only once copied whole: a crash leaves it to
 * be copied again at the next start. Resolves with how many old collections were moved.
 */
export async function migrateLayout(connection: Connection, progress: (line: string) => void): Promise<number> {
  const db = connection.db as mongo.Db;
  const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name).sort();
  const todo = names.flatMap((name) => {
    for (const move of MOVES) {
      const m = move.pattern.exec(name);
      if (m) return [{ name, move, m, target: move.target || (m[1] as string) }];
    }
    return [];
  });
  if (todo.length === 0) return 0;
  progress(`storage: moving ${todo.length} dated or numbered collections into the fixed set (once; safe to interrupt)`);
  let moved = 0;
  for (const { name, move, m, target } of todo) {
    const source = db.collection(name);
    const into = db.collection(target);
    let copied = 0;
    try {
      let batch: mongo.Document[] = move.extra?.(m) ?? [];
      for await (const doc of source.find({})) {
        batch.push(move.reshape(doc, m));
        if (batch.length >= BATCH) {
          copied += await insertNew(into, batch);
          batch = [];
        }
      }
      copied += await insertNew(into, batch);
      await source.drop().catch(() => false);
    } catch (err) {
      // Another process dropped it under our read, having copied it whole: nothing is left to do here.
      if (!(await db.listCollections({ name }, { nameOnly: true }).toArray()).length) continue;
      throw err;
    }
    moved++;
    progress(`storage: ${name} → ${target} (${copied} documents) [${moved}/${todo.length}]`);
  }
  progress('storage: the fixed set of collections is in place');
  return moved;
}

/** Inserts the documents not there already: resolves with how many went in. */
async function insertNew(into: mongo.Collection, docs: mongo.Document[]): Promise<number> {
  if (docs.length === 0) return 0;
  try {
    return (await into.insertMany(docs, { ordered: false })).insertedCount;
  } catch (e) {
    const errors = (e as { writeErrors?: unknown[] | unknown }).writeErrors;
    const list = Array.isArray(errors) ? errors : errors ? [errors] : [];
    if (
      list.length === 0 ||
      !list.every(
        (w) => isDuplicateKey(w) || ((w as { err?: unknown }).err && isDuplicateKey((w as { err: unknown }).err)),
      )
    )
      throw e;
    return docs.length - list.length;
  }
}
