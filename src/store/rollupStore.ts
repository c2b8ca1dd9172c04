// Daily rollups: one inserted document per ticket event, in one small collection per UTC day, never updated.
import type { Connection, mongo } from 'mongoose';
import { addDays, isoDate, type LocalDate, localParts, parseIsoDate } from '../domain/localTime.ts';
import { type RollupFact, utcDay } from '../domain/rollupFacts.ts';
import { insertOnce } from './insertOnce.ts';

type FactDoc = Omit<RollupFact, 'id'> & { _id: string };

const PREFIX = 'rollups_';
const NAME = /^rollups_(\d{4})(\d{2})(\d{2})$/;
/** Day collections read side by side: a month and the month before are 60 reads. */
const READS_AT_ONCE = 8;

/** `rollups_20260310`: FerretDB scans a collection on every read, so each day's events are a collection of their own. */
export const rollupCollectionOf = (day: string): string => `${PREFIX}${day.replaceAll('-', '')}`;

export class RollupRepository {
  constructor(private readonly connection: Connection) {}

  private day(day: string): mongo.Collection<FactDoc> {
    return this.connection.collection<FactDoc>(rollupCollectionOf(day));
  }

  /** True when this event was not counted yet: a replayed change, or another process, inserts the same `_id`. */
  insert(fact: RollupFact): Promise<boolean> {
    const { id, ...rest } = fact;
    return insertOnce(this.day(utcDay(fact.at)), { _id: id, ...rest });
  }

  /** The tenant's events in [from, to): only the collections of the UTC days those instants touch are read. */
  async between(tenant: string, from: Date, to: Date): Promise<RollupFact[]> {
    const days: string[] = [];
    const last = localParts(new Date(to.getTime() - 1), 'UTC');
    for (let d: LocalDate = localParts(from, 'UTC'); isoDate(d) <= isoDate(last); d = addDays(d, 1)) {
      days.push(isoDate(d));
    }
    const found: RollupFact[] = [];
    for (let i = 0; i < days.length; i += READS_AT_ONCE) {
      const reads = days.slice(i, i + READS_AT_ONCE).map((day) =>
        this.day(day)
          .find({ tenant, at: { $gte: from, $lt: to } })
          .toArray(),
      );
      for (const docs of await Promise.all(reads)) {
        for (const { _id, ...f } of docs) found.push({ id: _id, ...f } as RollupFact);
      }
    }
    return found;
  }

  /** Every day that has a collection, for a rebuild to drop. */
  async days(): Promise<string[]> {
    const all = await (this.connection.db as mongo.Db).listCollections({}, { nameOnly: true }).toArray();
    return all.flatMap((c) => {
      const m = NAME.exec(c.name);
      const day = m ? parseIsoDate(`${m[1]}-${m[2]}-${m[3]}`) : null;
      return day ? [isoDate(day)] : [];
    });
  }

  async dropDay(day: string): Promise<void> {
    await this.day(day)
      .drop()
      .catch(() => undefined);
  }
}
