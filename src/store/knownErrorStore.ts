// Known errors: one small document per problem whose cause is known, `<tenant>/<PRB-n>`, read whole per tenant.
import type { Connection, mongo } from 'mongoose';
import type { PersonRef } from '../domain/entities.ts';

export interface KnownErrorEntry {
  tenant: string;
  /** The problem, `PRB-n`. */
  problemId: string;
  /** The problem's title, as the post to a new incident names it. */
  title: string;
  /** The service whose new incidents are told (lower case, as tickets carry it). */
  service: string;
  workaround: string;
  by: PersonRef;
  /** When it was marked: incidents opened since are "new". */
  at: Date;
}

type KnownErrorDoc = KnownErrorEntry & { _id: string };
const keyOf = (tenant: string, problemId: string) => `${tenant}/${problemId}`;

/**
 * One document per standing known error: a problem resolved or closed takes its own away. A tenant's are few (a
 * known error is a problem being worked), so they are read whole, `{tenant}` (indexed on MongoDB, a scan of a small
 * collection on FerretDB), and kept in process by the problem service.
 */
export class KnownErrorRepository {
  private readonly errors: mongo.Collection<KnownErrorDoc>;

  constructor(connection: Connection) {
    this.errors = connection.collection<KnownErrorDoc>('known_errors');
  }

  /** Marks or re-marks (a new workaround replaces the old). */
  async put(entry: KnownErrorEntry): Promise<void> {
    const _id = keyOf(entry.tenant, entry.problemId);
    await this.errors.replaceOne({ _id }, entry, { upsert: true });
  }

  /** True when there was one to take away. */
  async remove(tenant: string, problemId: string): Promise<boolean> {
    return (await this.errors.deleteOne({ _id: keyOf(tenant, problemId) })).deletedCount === 1;
  }

  async list(tenant: string, limit: number): Promise<KnownErrorEntry[]> {
    const docs = await this.errors.find({ tenant }).limit(limit).toArray();
    return docs.map(({ _id, ...e }) => e);
  }
}
