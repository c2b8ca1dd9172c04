// "Only once" on every backend: an insert into the `_id` index, refused for a key that is there already.
import type { mongo } from 'mongoose';
import { GroupCommit } from './groupCommit.ts';

export const isDuplicateKey = (e: unknown): boolean => (e as { code?: number }).code === 11000;

/** True for the one caller whose insert took the `_id`; false for every later one. */
export async function insertOnce<T extends { _id: string }>(collection: mongo.Collection<T>, doc: T): Promise<boolean> {
  try {
    await collection.insertOne(doc as mongo.OptionalUnlessRequiredId<T>);
    return true;
  } catch (e) {
    if (isDuplicateKey(e)) return false;
    throw e;
  }
}

/**
 * Many inserts in one round trip, each "only once": true for each document this caller's insert took, false for
 * one whose `_id` was there already. Any other refusal is thrown.
 */
export async function insertEach<T extends { _id: string }>(
  collection: mongo.Collection<T>,
  docs: readonly T[],
): Promise<boolean[]> {
  const out = docs.length === 1 ? [await insertOnce(collection, docs[0] as T)] : await insertMany(collection, docs);
  const refused = out.find((r) => r instanceof Error);
  if (refused) throw refused;
  return out as boolean[];
}

/**
 * Many inserts in one round trip, each answered on its own: true for a document this insert took, false for one
 * whose `_id` was there already, the server's error for one it refused otherwise (the others are unaffected: the
 * insert is unordered). A failure of the whole command (the server away) is thrown. One document is one
 * `insertOne`, so a lone caller sees exactly the error it always did.
 */
export async function insertSettled<T extends { _id: string }>(
  collection: mongo.Collection<T>,
  docs: readonly T[],
): Promise<Array<boolean | Error>> {
  if (docs.length === 1) return [await insertOnce(collection, docs[0] as T)];
  return insertMany(collection, docs);
}

/** One unordered `insertMany`, each document's outcome on its own (see `insertSettled`). */
async function insertMany<T extends { _id: string }>(
  collection: mongo.Collection<T>,
  docs: readonly T[],
): Promise<Array<boolean | Error>> {
  const out: Array<boolean | Error> = docs.map(() => true);
  if (docs.length === 0) return out;
  try {
    await collection.insertMany(docs as mongo.OptionalUnlessRequiredId<T>[], { ordered: false });
  } catch (e) {
    const errors = (e as { writeErrors?: unknown }).writeErrors;
    const list = (Array.isArray(errors) ? errors : errors ? [errors] : []) as Array<{
      code?: number;
      index: number;
      errmsg?: string;
    }>;
    if (list.length === 0) throw e;
    for (const w of list) {
      out[w.index] = isDuplicateKey(w)
        ? false
        : Object.assign(new Error(w.errmsg ?? `insert refused (code ${w.code})`), {
            name: 'MongoServerError',
            code: w.code,
          });
    }
  }
  return out;
}

/**
 * `insertOnce` for callers at once: inserts asked for while one is on its way go together in the next, one round
 * trip for many (a burst's fifty openings each writing one document here). Each is still taken or refused on its
 * own (`insertSettled`); a lone insert is one `insertOne`, as it always was.
 */
export class BatchedInserts<T extends { _id: string }> {
  private readonly commit: GroupCommit<T, boolean | Error>;

  constructor(collection: mongo.Collection<T>) {
    this.commit = new GroupCommit((docs) => insertSettled(collection, docs));
  }

  /** True when this insert took the `_id`, false when it was there already; any other refusal is thrown. */
  async insert(doc: T): Promise<boolean> {
    const taken = await this.commit.push(doc);
    if (taken instanceof Error) throw taken;
    return taken;
  }
}
