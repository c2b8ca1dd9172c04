// Daily rollups: each ticket event inserted once as a fact, folded nightly into day documents; two fixed collections.
import { randomUUID } from 'node:crypto';
import type { Connection, mongo } from 'mongoose';
import { addDays, isoDate, type LocalDate, localParts } from '../domain/localTime.ts';
import { type RollupFact, utcDay } from '../domain/rollupFacts.ts';
import { expiresAfter, expiring } from './expiry.ts';
import { BatchedInserts, insertOnce, isDuplicateKey } from './insertOnce.ts';
import { isWindowId, RecentWindows, type StoredFact, type WindowDoc, windowStart } from './rollupWindow.ts';
import { serverProfile } from './serverProfile.ts';

/** A fact as it waits to be folded: `_id` is the fact's own id (so a replay is refused), with its tenant's UTC day. */
type FactDoc = Omit<RollupFact, 'id'> & { _id: string; day: string; expireAt: Date };
/** `<tenant>/<day>#<k>`: facts of one tenant's day, folded in once (k > 0: facts that came after the first fold). */
interface DayDoc {
  _id: string;
  facts: StoredFact[];
}
/** The fold marker: a new token at each fold. */
interface FoldsDoc {
  _id: string;
  token: string;
}

const FACTS = expiring('rollup_facts');
const DAYS = 'rollups';
/**
 * Facts are folded the night after their day and then deleted; this is only the safety net for a deployment that
 * was down for weeks (a fact waiting longer than this is lost from the figures).
 */
const FACT_RETENTION_MS = 35 * 86_400_000;
/** Facts of the last few days stay unfolded (a late event of yesterday still lands beside its day's others). */
const FOLD_AFTER_DAYS = 2;
/** Tenant-days kept in memory: a year for a few tenants. */
const DAYS_KEPT = 2000;
/**
 * The marker every fold and rebuild rewrites once it has written its day documents (`~` sorts after every
 * tenant's days, so no period's range reads it): day documents change only then, so while it stands the days a
 * process has read, empty ones too, are still what the database holds.
 */
const FOLDS_ID = '~folds';
/** Day documents read at once on FerretDB (each a read by `_id`). */
const READS_AT_ONCE = 16;

const dayId = (tenant: string, day: string, k: number): string => `${tenant}/${day}#${k}`;
/** A day document's `_id`: the tenant, the day, the part. */
const DAY_ID = /^(.*)\/(\d{4}-\d{2}-\d{2})#(\d+)$/;
/** The start-up step that gave every tenant with day documents its recent window (`migrations`). */
const WINDOWS_MIGRATION = 'rollups-recent-window';

/**
 * Laid out so /status costs the same whatever the history holds: a period's folded days are read by `_id` (one
 * range read on MongoDB; on FerretDB the tenant's recent window, one document, for a period of its last
 * `WINDOW_DAYS` days, else a read per day side by side), and the facts not folded yet are the few days' worth in
 * `rollup_facts` (indexed by tenant and instant on MongoDB, a scan of a small set on FerretDB).
 */
export class RollupRepository {
  private readonly facts: mongo.Collection<FactDoc>;
  /** Facts of changes made at once (a burst's openings) go in one insert, each still counted once by its `_id`. */
  private readonly factInserts: BatchedInserts<FactDoc>;
  private readonly days: mongo.Collection<DayDoc>;
  /** Days read since the fold marker last moved, per tenant and day (an empty day too). */
  private readonly known = new Map<string, DayDoc[]>();
  /** The fold marker's token those days were read under. */
  private knownToken: string | null = null;
  /** Each tenant's folded facts of its last `WINDOW_DAYS` days, in one document (src/store/rollupWindow.ts). */
  private readonly windows: RecentWindows;

  constructor(
    private readonly connection: Connection,
    private readonly clock: () => Date = () => new Date(),
  ) {
    this.facts = connection.collection<FactDoc>(FACTS);
    this.factInserts = new BatchedInserts(this.facts);
    this.days = connection.collection<DayDoc>(DAYS);
    this.windows = new RecentWindows(connection.collection<WindowDoc>(DAYS), (tenant, day) =>
      this.factsOfDay(tenant, day),
    );
  }

  /** True when this event was not counted yet: a replayed change, or another process, inserts the same `_id`. */
  async insert(fact: RollupFact): Promise<boolean> {
    const { id, ...rest } = fact;
    const now = this.clock();
    // Kept from when it is written, not from when it happened: a rebuild writes years-old facts, folded at once.
    const expireAt = expiresAfter(new Date(Math.max(now.getTime(), fact.at.getTime())), FACT_RETENTION_MS);
    return this.factInserts.insert({ _id: id, ...rest, day: utcDay(fact.at), expireAt });
  }

  /** The tenant's events in [from, to): the folded days of the period and the facts not folded yet. */
  async between(tenant: string, from: Date, to: Date): Promise<RollupFact[]> {
    const days: string[] = [];
    const last = localParts(new Date(to.getTime() - 1), 'UTC');
    for (let d: LocalDate = localParts(from, 'UTC'); isoDate(d) <= isoDate(last); d = addDays(d, 1)) {
      days.push(isoDate(d));
    }
    const [folded, loose] = await Promise.all([
      this.foldedDays(tenant, days),
      this.facts.find({ tenant, at: { $gte: from, $lt: to } }).toArray(),
    ]);
    const byId = new Map<string, RollupFact>();
    for (const f of folded) byId.set(f.id, f as RollupFact);
    for (const { _id, day: _d, expireAt: _e, ...f } of loose) byId.set(_id, { id: _id, ...f } as RollupFact);
    return [...byId.values()].filter((f) => f.at >= from && f.at < to);
  }

  private async foldedDays(tenant: string, days: readonly string[]): Promise<StoredFact[]> {
    if (days.length === 0) return [];
    if ((await serverProfile(this.connection)).idSetsIndexed) {
      const first = dayId(tenant, days[0] as string, 0);
      const after = `${tenant}/${days[days.length - 1]}$`;
      return (await this.days.find({ _id: { $gte: first, $lt: after } }).toArray()).flatMap((d) => d.facts);
    }
    // A recent period: the tenant's window, one read (none: nothing was ever folded for the tenant).
    if ((days[0] as string) >= windowStart(this.clock())) {
      const window = await this.windows.read(tenant);
      if (!window) return [];
      if ((days[0] as string) >= window.from) return window.factsOf(days);
    }
    return (await this.dayDocs(tenant, days)).flatMap((d) => d.facts);
  }

  /** A period's day documents, read by `_id` (kept in process while the fold marker stands). */
  private async dayDocs(tenant: string, days: readonly string[]): Promise<DayDoc[]> {
    // The marker first: a fold writes its days, then the marker, so days read after it are at least that new.
    const token = await this.marker();
    if (token !== this.knownToken) {
      this.known.clear();
      this.knownToken = token;
    }
    const found = new Map<string, DayDoc[]>();
    for (const day of days) {
      const hit = this.known.get(`${tenant}\u0000${day}`);
      if (hit) found.set(day, hit);
    }
    const unknown = days.filter((day) => !found.has(day));
    for (let i = 0; i < unknown.length; i += READS_AT_ONCE) {
      await Promise.all(
        unknown.slice(i, i + READS_AT_ONCE).map(async (day) => {
          const docs = await this.readDay(tenant, day);
          found.set(day, docs);
          // Kept only under the token it was read after (another call may have seen a newer one meanwhile).
          if (this.knownToken === token) this.keep(`${tenant}\u0000${day}`, docs);
        }),
      );
    }
    return days.flatMap((day) => found.get(day) ?? []);
  }

  private keep(key: string, docs: DayDoc[]): void {
    this.known.set(key, docs);
    if (this.known.size > DAYS_KEPT) this.known.delete(this.known.keys().next().value as string);
  }

  /** The fold marker's token now ('' before the first fold). */
  private async marker(): Promise<string> {
    return (await (this.days as unknown as mongo.Collection<FoldsDoc>).findOne({ _id: FOLDS_ID }))?.token ?? '';
  }

  private async factsOfDay(tenant: string, day: string): Promise<StoredFact[]> {
    return (await this.readDay(tenant, day)).flatMap((d) => d.facts);
  }

  private async readDay(tenant: string, day: string): Promise<DayDoc[]> {
    const out: DayDoc[] = [];
    for (let k = 0; ; k++) {
      const doc = await this.days.findOne({ _id: dayId(tenant, day, k) });
      if (!doc) return out;
      out.push(doc);
    }
  }

  /**
   * Folds the facts of days before `FOLD_AFTER_DAYS` ago (`now` null: of every day) into their day documents, then
   * deletes them (nightly; any process, any number of times: a fact already folded is not folded again). Resolves
   * with how many were folded.
   */
  async fold(now: Date | null): Promise<number> {
    const cut = now ? utcDay(new Date(now.getTime() - FOLD_AFTER_DAYS * 86_400_000)) : '9999-12-31';
    const waiting = await this.facts.find({ day: { $lt: cut } }).toArray();
    const groups = new Map<string, FactDoc[]>();
    for (const f of waiting) {
      const key = `${f.tenant}\u0000${f.day}`;
      groups.set(key, [...(groups.get(key) ?? []), f]);
    }
    let folded = 0;
    for (const group of groups.values()) {
      const { tenant, day } = group[0] as FactDoc;
      for (;;) {
        const existing = await this.readDay(tenant, day);
        const have = new Set(existing.flatMap((d) => d.facts.map((f) => f.id)));
        const fresh = group
          .filter((f) => !have.has(f._id))
          .map(({ _id, day: _d, expireAt: _e, ...f }) => ({ id: _id, ...f }));
        if (fresh.length === 0) break;
        try {
          await this.days.insertOne({ _id: dayId(tenant, day, existing.length), facts: fresh });
          folded += fresh.length;
          break;
        } catch (e) {
          // Another process folded this day at the same time: look again at what it wrote.
          if (!isDuplicateKey(e)) throw e;
        }
      }
    }
    // Each tenant's window gets what was folded for it (again after a fold cut short: by id, once).
    const byTenant = new Map<string, StoredFact[]>();
    for (const { _id, day: _d, expireAt: _e, ...f } of waiting) {
      byTenant.set(f.tenant, [...(byTenant.get(f.tenant) ?? []), { id: _id, ...f }]);
    }
    const marker = randomUUID();
    let windows = 0;
    for (const [tenant, facts] of byTenant) {
      if (await this.windows.merge(tenant, facts, now ?? this.clock(), marker)) windows++;
    }
    if (folded > 0 || windows > 0) await this.foldsMoved(marker);
    // All folded now (a fact of those days written since is a replay of one folded: the same id).
    if (waiting.length) await this.facts.deleteMany({ day: { $lt: cut } });
    return folded;
  }

  /**
   * Forgets every fact and every folded day (a rebuild starts from nothing). The windows are emptied, not deleted,
   * under new tokens: a process that kept one reads it again.
   */
  async clear(): Promise<void> {
    await this.facts.deleteMany({});
    const windows = (await this.dayIds()).filter(isWindowId);
    const marker = randomUUID();
    await this.windows.reset(windows, this.clock(), marker);
    await this.days.deleteMany({ _id: { $nin: windows } });
    await this.foldsMoved(marker);
  }

  /**
   * Gives each tenant with day documents and no window (data folded before windows were kept) its window, once
   * (recorded in `migrations`; two processes at once build the same windows, the first insert stands).
   */
  async ensureWindows(progress?: (line: string) => void): Promise<void> {
    const runs = (this.connection.db as mongo.Db).collection<{ _id: string; at: Date }>('migrations');
    if (await runs.findOne({ _id: WINDOWS_MIGRATION })) return;
    const tenants = new Set<string>();
    for (const id of await this.dayIds()) {
      const m = DAY_ID.exec(id);
      if (m) tenants.add(m[1] as string);
    }
    if (tenants.size) progress?.(`rollups: the recent window of ${tenants.size} tenants (once)`);
    const marker = randomUUID();
    let written = 0;
    for (const tenant of tenants) if (await this.windows.ensure(tenant, this.clock(), marker)) written++;
    if (written > 0) await this.foldsMoved(marker);
    await insertOnce(runs, { _id: WINDOWS_MIGRATION, at: this.clock() });
  }

  /** The tenant's window from its day documents, when it has none (day documents written other than by a fold). */
  async windowFromDays(tenant: string): Promise<void> {
    const marker = randomUUID();
    if (await this.windows.ensure(tenant, this.clock(), marker)) await this.foldsMoved(marker);
  }

  /** Every `_id` in `rollups` (a rebuild, the start-up step above: never on a command's path). */
  private async dayIds(): Promise<string[]> {
    return (await this.days.find({}, { projection: { _id: 1 } }).toArray()).map((d) => d._id);
  }

  /** Every process's days read before now are old: a new token on the fold marker (the last writer's stands). */
  private async foldsMoved(token: string): Promise<void> {
    this.known.clear();
    this.knownToken = null;
    const folds = this.days as unknown as mongo.Collection<FoldsDoc>;
    for (let attempt = 0; ; attempt++) {
      try {
        await folds.updateOne({ _id: FOLDS_ID }, { $set: { token } }, { upsert: true });
        return;
      } catch (e) {
        // Two first-ever upserts can race to insert; the loser updates the winner's document.
        if (!isDuplicateKey(e) || attempt > 2) throw e;
      }
    }
  }
}
