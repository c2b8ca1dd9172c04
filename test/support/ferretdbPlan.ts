// What the embedded FerretDB does with a query: whether the server is FerretDB, and SQLite's plan behind a find.
import type { Connection } from 'mongoose';

/** Whether the test server is FerretDB (its buildInfo names its version); the plan checks apply only there. */
export async function isFerretdb(connection: Connection): Promise<boolean> {
  const info = await connection.db?.admin().command({ buildInfo: 1 });
  return typeof info?.ferretdbVersion === 'string';
}

/** SQLite's plan for a find, as FerretDB's explain gives it (`SEARCH … USING INDEX …` or `SCAN …`). */
export async function planOf(
  connection: Connection,
  collection: string,
  filter: Record<string, unknown>,
): Promise<string> {
  const r = await connection.db?.command({ explain: { find: collection, filter } });
  return (r?.queryPlanner?.Plan as string[] | undefined)?.join('\n') ?? JSON.stringify(r);
}
