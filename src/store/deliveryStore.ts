// "Only once" claims: each key can be inserted once, on every backend, thanks to a unique index.
import { type Connection, type Model, Schema } from 'mongoose';

import { declareModelIndexes } from './indexes.ts';

interface Claim {
  key: string;
  at: Date;
}

const claimSchema = new Schema<Claim & { _id: string }>(
  { _id: { type: String, required: true }, key: { type: String, required: true }, at: { type: Date, required: true } },
  { collection: 'claims', versionKey: false },
);
claimSchema.index({ at: 1 });

export class ClaimRepository {
  readonly model: Model<Claim & { _id: string }>;
  constructor(connection: Connection) {
    this.model =
      (connection.models.Claim as Model<Claim & { _id: string }> | undefined) ??
      connection.model<Claim & { _id: string }>('Claim', claimSchema);
  }
  async init(): Promise<void> {
    await declareModelIndexes(this.model);
  }
  /** True for the first claim of `key`, false for every later one. */
  async claim(key: string, at: Date): Promise<boolean> {
    try {
      // The key is the _id: unique on every backend, and the cheapest index to check.
      await this.model.collection.insertOne({ _id: key, key, at } as never);
      return true;
    } catch (e) {
      if ((e as { code?: number }).code === 11000) return false;
      throw e;
    }
  }
  /** Gives a claim back, so the work it guarded can be tried again. */
  async release(key: string): Promise<void> {
    await this.model.collection.deleteOne({ _id: key } as never);
  }

  /** Forgets claims older than `before` (FerretDB has no TTL indexes). */
  async prune(before: Date): Promise<number> {
    const r = await this.model.deleteMany({ at: { $lt: before } });
    return r.deletedCount;
  }
}
