// Collections that hold one UTC day each (`<prefix>_<YYYYMMDD>`): old days go whole, so nothing scans or deletes by filter.
import type { Connection } from 'mongoose';
import { dayKey } from './jobStore.ts';

/** Drops the `<prefix>_<day>` collections of days before `before`: resolves with how many went. */
export async function dropDaysBefore(connection: Connection, prefix: string, before: Date): Promise<number> {
  const db = connection.db;
  if (!db) return 0;
  const cut = dayKey(before);
  const day = new RegExp(`^${prefix}_(\\d{8})$`);
  let dropped = 0;
  for (const { name } of await db.listCollections({}, { nameOnly: true }).toArray()) {
    const m = day.exec(name);
    if (!m || (m[1] as string) >= cut) continue;
    await db.dropCollection(name).catch(() => false);
    dropped++;
  }
  return dropped;
}
