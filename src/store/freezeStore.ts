// Freeze windows: a small `_id`-keyed collection (one document per freeze, removed when lifted or long over).

import type { Connection, mongo } from 'mongoose';
import type { Freeze } from '../domain/change.ts';
import { isDuplicateKey } from './insertOnce.ts';

interface FreezeDoc extends Freeze {
  /** `${tenant}/FRZ-n` */
  _id: string;
}

export class FreezeRepository {
  private readonly freezes: mongo.Collection<FreezeDoc>;
  /** `${tenant}/FRZ#n`, insert-only: a number once given is never given again, even after its freeze is removed. */
  private readonly numbers: mongo.Collection<{ _id: string }>;

  constructor(connection: Connection) {
    this.freezes = connection.collection('freezes');
    this.numbers = connection.collection('freeze_numbers');
  }

  /** Every freeze of the tenant (a scan, of a collection that holds only the freezes not yet pruned). */
  async list(tenant: string): Promise<Freeze[]> {
    const docs = await this.freezes.find({ tenant }).toArray();
    return docs.map(({ _id, ...f }) => f).sort((a, b) => a.from.getTime() - b.from.getTime());
  }

  /** Inserts a freeze under the next free number: the number is claimed first, by a unique insert. */
  async insert(f: Omit<Freeze, 'freezeId'>): Promise<Freeze> {
    const live = await this.list(f.tenant);
    let n = Math.max(0, ...live.map((x) => Number(x.freezeId.slice(4)))) + 1;
    for (; ; n++) {
      try {
        await this.numbers.insertOne({ _id: `${f.tenant}/FRZ#${n}` });
        break;
      } catch (e) {
        if (!isDuplicateKey(e)) throw e;
      }
    }
    const freeze: Freeze = { ...f, freezeId: `FRZ-${n}` };
    await this.freezes.insertOne({ _id: `${f.tenant}/${freeze.freezeId}`, ...freeze });
    return freeze;
  }

  async find(tenant: string, freezeId: string): Promise<Freeze | null> {
    const doc = await this.freezes.findOne({ _id: `${tenant}/${freezeId}` });
    if (!doc) return null;
    const { _id, ...f } = doc;
    return f;
  }

  async remove(tenant: string, freezeId: string): Promise<boolean> {
    const res = await this.freezes.deleteOne({ _id: `${tenant}/${freezeId}` });
    return res.deletedCount === 1;
  }

  /** Drops freezes that ended before `before`: they can no longer overlap a change anyone may still approve. */
  async prune(tenant: string, before: Date): Promise<void> {
    await this.freezes.deleteMany({ tenant, to: { $lt: before } });
  }
}
