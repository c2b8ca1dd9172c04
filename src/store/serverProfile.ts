// What the database server can do, asked once per connection: the one place the store decides how to lay work out.
import type { Connection, mongo } from 'mongoose';

export interface ServerProfile {
  /** The embedded FerretDB 1.x (SQLite): only `_id` equality reaches an index (with patches/ferretdb applied). */
  ferretdb: boolean;
  /** The server removes documents by a TTL index; without it the nightly maintenance sweeps them. */
  ttl: boolean;
  /** `_id: {$in}` and `_id` ranges are served by the index (MongoDB); on FerretDB they scan the collection. */
  idSetsIndexed: boolean;
  /** An update's filter and change are one atomic step (MongoDB); FerretDB 1.x reads, then writes. */
  atomicUpdates: boolean;
}

const profiles = new WeakMap<Connection, Promise<ServerProfile>>();

export function serverProfile(connection: Connection): Promise<ServerProfile> {
  let p = profiles.get(connection);
  if (!p) {
    p = (async () => {
      const info = await (connection.db as mongo.Db).admin().command({ buildInfo: 1 });
      const ferretdb = typeof info.ferretdbVersion === 'string';
      return { ferretdb, ttl: !ferretdb, idSetsIndexed: !ferretdb, atomicUpdates: !ferretdb };
    })();
    // A failed ask (the server away) is asked again next time.
    p.catch(() => profiles.delete(connection));
    profiles.set(connection, p);
  }
  return p;
}

/** Documents by `_id`: one `$in` read per 1,000 (served by the `_id` index on MongoDB and the patched FerretDB). */
export async function findByIds<T extends { _id: string }>(
  collection: mongo.Collection<T>,
  ids: readonly string[],
  projection?: mongo.Document,
): Promise<T[]> {
  if (ids.length === 0) return [];
  const out: T[] = [];
  // At most 1,000 a read: the patched FerretDB narrows an `$in` of up to 1,000 by the index (any server serves it:
  // MongoDB by the index, an unpatched FerretDB by one scan where single reads would scan once each).
  for (let i = 0; i < ids.length; i += 1000) {
    const found = await collection
      .find({ _id: { $in: ids.slice(i, i + 1000) } } as mongo.Filter<T>, projection ? { projection } : {})
      .toArray();
    out.push(...(found as T[]));
  }
  return out;
}

/**
 * Takes `profile` as this connection's instead of asking the server: a test runs MongoDB's read paths (`$in`,
 * `_id` ranges) on FerretDB, where they give the same answers, only slower.
 */
export function assumeServerProfile(connection: Connection, profile: ServerProfile): void {
  profiles.set(connection, Promise.resolve(profile));
}
