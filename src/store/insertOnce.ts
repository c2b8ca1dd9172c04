// "Only once" on every backend: an insert into the `_id` index, refused for a key that is there already.
import type { mongo } from 'mongoose';

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
