// The secondary indexes of the collections the store reaches through the driver (mongoose schemas declare their own).
import type { Connection, Model, mongo } from 'mongoose';
import { serverProfile } from './serverProfile.ts';

/**
 * One line each: the collection, the index, and the query it serves on MongoDB (docs/storage.md has the whole
 * table). The embedded FerretDB (patched) uses an index only for `_id` and for a string equality on a field with an
 * index of its own (patch 0004): the others it would only keep up to date on every write, so it is not given them.
 */
type Declared = readonly [collection: string, key: mongo.IndexSpecification, serves: string, usedByFerretdb?: 'used'];
const INDEXES: ReadonlyArray<Declared> = [
  ['outbox', { writer: 1 }, 'what other processes wrote, to take over (`writer: {$ne}`: two ranges of this index)'],
  ['outbox_claims', { at: 1 }, 'the nightly prune of old delivery claims'],
  ['rollup_facts', { tenant: 1, at: 1 }, "a period's facts not folded yet (/status)"],
  ['rollup_facts', { day: 1 }, 'the nightly fold of past days'],
  ['teams', { tenant: 1 }, "a tenant's teams", 'used'],
  ['services', { tenant: 1 }, "a tenant's service catalog", 'used'],
  ['known_errors', { tenant: 1 }, "a tenant's standing known errors", 'used'],
  ['reviews', { tenant: 1, removed: 1 }, '/review list'],
  ['reviews', { removed: 1, paused: 1 }, 'the schedules the cron tasks keep'],
  ['pirs', { tenant: 1, done: 1 }, 'the open post-incident reviews'],
  ['freezes', { tenant: 1, to: 1 }, "a tenant's change freezes, and the old ones dropped"],
  ['process_heartbeats', { at: 1 }, 'old heartbeats dropped'],
  ['reminders', { tenant: 1, personId: 1 }, '/ticket remind list'],
  ['reminders', { tenant: 1, ticketId: 1 }, "a ticket's waiting reminders (--deliveries)"],
  ['actions', { tenant: 1, state: 1 }, "/ticket action list (all, --overdue, --service), a PIR's open actions"],
  ['actions', { tenant: 1, 'owner.id': 1, state: 1 }, '/ticket action list --mine'],
];

/**
 * The single-field indexes a mongoose schema declares that the embedded FerretDB uses (patch 0004: a string equality
 * or `$in` on a field with an index of its own). With the unique ones, the only schema indexes it is given.
 */
const SCHEMA_USED_BY_FERRETDB: ReadonlyArray<readonly [collection: string, field: string]> = [
  ['tickets_open', 'state'],
  ['identities', 'identity'],
];

/** An index's default name, as the driver gives it (`tenant_1_state_1`). */
const nameOf = (key: mongo.IndexSpecification): string =>
  Object.entries(key as Record<string, unknown>)
    .map(([f, v]) => `${f}_${v}`)
    .join('_');

/**
 * The one decision of which indexes a server is given: on MongoDB every declared one; on the embedded FerretDB
 * (patched) only those it uses to answer a read (`used`) and the unique ones (they enforce that a key is there once).
 * Any other costs every write there (FerretDB keeps each up to date) and serves no read.
 */
export const keptOn = (ferretdb: boolean, index: { unique?: boolean; used?: boolean }): boolean =>
  !ferretdb || index.unique === true || index.used === true;

/**
 * Creates the declared indexes `collection` is to have on this server, one at a time (FerretDB 1.24 drops the
 * connection on a multi-index createIndexes it finds done); on FerretDB also drops those declared but not kept
 * there that an earlier start left (a data directory from before this rule), so no write keeps paying for them.
 */
async function applyIndexes(
  connection: Connection,
  collection: mongo.Collection,
  indexes: ReadonlyArray<{ key: mongo.IndexSpecification; options: mongo.CreateIndexesOptions; used?: boolean }>,
): Promise<void> {
  const { ferretdb } = await serverProfile(connection);
  const dropped: string[] = [];
  for (const { key, options, used } of indexes) {
    if (keptOn(ferretdb, { unique: options.unique, used })) await collection.createIndex(key, options);
    else dropped.push(options.name ?? nameOf(key));
  }
  if (!ferretdb || dropped.length === 0) return;
  const existing = await collection.indexes().catch(() => []);
  for (const { name } of existing) {
    if (!name || !dropped.includes(name)) continue;
    // Another process starting at once may have dropped it first.
    await collection.dropIndex(name).catch((e: { codeName?: string }) => {
      if (e.codeName !== 'IndexNotFound') throw e;
    });
  }
}

/** The driver-reached collections' indexes (INDEXES above), as this server is to have them. */
export async function declareIndexes(connection: Connection): Promise<void> {
  const byCollection = new Map<
    string,
    Array<{ key: mongo.IndexSpecification; options: mongo.CreateIndexesOptions; used?: boolean }>
  >();
  for (const [collection, key, , used] of INDEXES)
    byCollection.set(collection, [...(byCollection.get(collection) ?? []), { key, options: {}, used: !!used }]);
  const db = connection.db as mongo.Db;
  for (const [collection, indexes] of byCollection) await applyIndexes(connection, db.collection(collection), indexes);
}

/**
 * A mongoose model's schema indexes, as this server is to have them (mongoose's own autoIndex is off: it would
 * create every one everywhere).
 */
// biome-ignore lint/suspicious/noExplicitAny: any model's schema
export async function declareModelIndexes(model: Model<any>): Promise<void> {
  const collection = model.collection.collectionName;
  const indexes = model.schema.indexes().map(([key, options]) => {
    const fields = Object.keys(key);
    const used = fields.length === 1 && SCHEMA_USED_BY_FERRETDB.some(([c, f]) => c === collection && f === fields[0]);
    return { key: key as mongo.IndexSpecification, options: options as mongo.CreateIndexesOptions, used };
  });
  await applyIndexes(model.db, (model.db.db as mongo.Db).collection(collection), indexes);
}

/** Indexes of a collection that is not a model's (the ticket archive's), as this server is to have them. */
export async function declareCollectionIndexes<T extends mongo.Document>(
  connection: Connection,
  collection: mongo.Collection<T>,
  indexes: ReadonlyArray<mongo.IndexDescription>,
): Promise<void> {
  await applyIndexes(
    connection,
    collection as unknown as mongo.Collection,
    indexes.map(({ key, ...options }) => ({ key, options })),
  );
}
