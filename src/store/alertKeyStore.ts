// Which incident an alert key (a groupKey, a dedup_key) is, generation by generation, and which notifications were told: insert-only, read by `_id`.
import type { Connection, mongo } from 'mongoose';
import { dropDaysBefore } from './dayCollections.ts';
import { insertOnce } from './insertOnce.ts';
import { dayKey } from './jobStore.ts';

/**
 * Two kinds of document share `alert_keys`, both inserted once and never updated (FerretDB scans the whole
 * collection on every update, and has no transactions); it grows with incidents, not notifications:
 * - `<key>#<g>`: generation g of the key is claimed (the claimer opens its incident);
 * - `<key>#<g>=`: generation g is incident `ticketId` (written by the claimer once it is open);
 * - `<key>#<g>!`: the claimer of generation g failed to open its incident and gave the generation up.
 * Which notifications were told (an alert's status at its start/end, an event) is a mark `<hash>` in the day's
 * `alert_seen_<YYYYMMDD>`, so the check costs what a day of alerts costs; old days are dropped whole.
 */
interface AlertKeyDoc {
  _id: string;
  at: Date;
  ticketId?: string;
  /** The claimer's process token (its heartbeat says whether it is alive). */
  owner?: string;
}

export class AlertKeyRepository {
  private readonly keys: mongo.Collection<AlertKeyDoc>;

  constructor(private readonly connection: Connection) {
    this.keys = connection.collection('alert_keys');
  }

  private seenOn(at: Date): mongo.Collection<{ _id: string; at: Date }> {
    return this.connection.collection(`alert_seen_${dayKey(at)}`);
  }

  /** True for the one caller that takes generation `gen` of `key`. */
  claim(key: string, gen: number, at: Date, owner?: string): Promise<boolean> {
    return insertOnce(this.keys, { _id: `${key}#${gen}`, at, ...(owner ? { owner } : {}) });
  }

  async claimOf(key: string, gen: number): Promise<{ at: Date; owner: string | null } | null> {
    const doc = await this.keys.findOne({ _id: `${key}#${gen}` });
    return doc ? { at: doc.at, owner: doc.owner ?? null } : null;
  }

  /** Records which incident generation `gen` opened; false when it was recorded already. */
  bind(key: string, gen: number, ticketId: string, at: Date): Promise<boolean> {
    return insertOnce(this.keys, { _id: `${key}#${gen}=`, at, ticketId });
  }

  /** The claimer could not open the incident: the generation is over, and the next sender claims the one after. */
  async abandon(key: string, gen: number, at: Date): Promise<void> {
    await insertOnce(this.keys, { _id: `${key}#${gen}!`, at });
  }

  async abandoned(key: string, gen: number): Promise<boolean> {
    return (await this.keys.findOne({ _id: `${key}#${gen}!` }, { projection: { _id: 1 } })) !== null;
  }

  async boundTo(key: string, gen: number): Promise<string | null> {
    return (await this.keys.findOne({ _id: `${key}#${gen}=` }))?.ticketId ?? null;
  }

  /**
   * The newest claimed generation, or null when the key was never seen: generations are claimed in order,
   * so doubling then halving finds it in O(log n) reads by `_id`, however often an alert has flapped.
   */
  async latestGeneration(key: string): Promise<number | null> {
    const has = async (g: number) =>
      (await this.keys.findOne({ _id: `${key}#${g}` }, { projection: { _id: 1 } })) !== null;
    if (!(await has(0))) return null;
    let lo = 0;
    let hi = 1;
    while (await has(hi)) {
      lo = hi;
      hi *= 2;
    }
    // lo is claimed, hi is not.
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (await has(mid)) lo = mid;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Marks each notification told; true for those this caller is the first to tell. A mark found in the day
   * before is carried into today (an alert still firing is re-sent every few hours, for days): a repeat
   * is a repeat however long it fires, as long as it comes at least once a day.
   */
  async firstSeen(hashes: readonly string[], at: Date): Promise<boolean[]> {
    const yesterday = new Date(at.getTime() - 86_400_000);
    return Promise.all(
      hashes.map(async (h) => {
        if (!(await insertOnce(this.seenOn(at), { _id: h, at }))) return false;
        return (await this.seenOn(yesterday).findOne({ _id: h }, { projection: { _id: 1 } })) === null;
      }),
    );
  }

  /** Gives marks back when telling failed on our side, so the sender's retry is told. */
  async unsee(hashes: readonly string[], at: Date): Promise<void> {
    if (hashes.length) await this.seenOn(at).deleteMany({ _id: { $in: [...hashes] } });
  }

  /** Drops whole days of marks before `before`: resolves with how many went. */
  dropSeenBefore(before: Date): Promise<number> {
    return dropDaysBefore(this.connection, 'alert_seen', before);
  }
}
