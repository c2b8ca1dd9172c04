// The rollups' recent window: one document per tenant (`<tenant>/~recent` in `rollups`) holding its folded facts of
// the last WINDOW_DAYS days, so a /status of a recent period reads one `_id` instead of a day document per day.
import { randomUUID } from 'node:crypto';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { mongo } from 'mongoose';
import { addDays, isoDate, type LocalDate, localParts } from '../domain/localTime.ts';
import { type RollupFact, utcDay } from '../domain/rollupFacts.ts';
import { BoundedMap } from '../kit/boundedMap.ts';
import { isDuplicateKey } from './insertOnce.ts';

/** A month and the month before (60 days), with the days a time zone can add at either end. */
export const WINDOW_DAYS = 64;
/** Past this (compressed) the oldest days leave the window (their periods are read from day documents). */
const WINDOW_MAX_BYTES = 4_000_000;
/** Tenants whose window is kept in process (compressed: some 0.5 MB each at 300 facts a day). */
const WINDOWS_KEPT = 100;
/** Days decoded from kept windows (as many as the day documents' cache held). */
const DAYS_DECODED = 2000;
const DAY_MS = 86_400_000;

/** A folded fact as the day documents keep it. */
export type StoredFact = Omit<RollupFact, 'id'> & { id: string };

/**
 * One day's facts: a deflated JSON array. Compressed and opaque on purpose: the window is only ever read whole by
 * `_id`, and FerretDB and the driver each decode one binary far faster than thousands of small documents.
 */
interface WindowDay {
  d: string;
  z: mongo.Binary | Uint8Array;
}

export interface WindowDoc {
  _id: string;
  /** New at every write: a process keeps the window while it stands (decoded days are kept under it). */
  token: string;
  /** The fold marker's token written after it (processes of earlier versions kept the window while it stood). */
  marker: string;
  /** The first UTC day it holds: every fact folded for a day from this one on is in it. */
  from: string;
  days: WindowDay[];
}

/** A window as read: which days it answers for, and their facts. */
export interface RecentWindow {
  from: string;
  factsOf(days: readonly string[]): StoredFact[];
}

export const windowId = (tenant: string): string => `${tenant}/~recent`;
export const isWindowId = (id: string): boolean => id.endsWith('/~recent');

/** The first day a window written at `at` holds. */
export const windowStart = (at: Date): string => utcDay(new Date(at.getTime() - WINDOW_DAYS * DAY_MS));

const bytesOf = (z: mongo.Binary | Uint8Array): Uint8Array =>
  z instanceof Uint8Array ? z : z.buffer.subarray(0, z.position);

const encode = (facts: readonly StoredFact[]): Uint8Array => deflateRawSync(JSON.stringify(facts));

function decode(z: mongo.Binary | Uint8Array): StoredFact[] {
  const facts = JSON.parse(inflateRawSync(bytesOf(z)).toString('utf8')) as StoredFact[];
  for (const f of facts) f.at = new Date(f.at);
  return facts;
}

/** The UTC days from `first` to `last`, both included. */
export function utcDays(first: string, last: string): string[] {
  const out: string[] = [];
  const [y, m, d] = first.split('-').map(Number) as [number, number, number];
  for (let day: LocalDate = { year: y, month: m, day: d }; isoDate(day) <= last; day = addDays(day, 1)) {
    out.push(isoDate(day));
  }
  return out;
}

/** A window as this process keeps it: good while the stored one carries the same token. */
interface Kept {
  token: string;
  from: string;
  days: Map<string, WindowDay>;
}

/** Reads windows (kept in process while their token stands) and folds facts into them. */
export class RecentWindows {
  private readonly known = new BoundedMap<string, Kept>(WINDOWS_KEPT);
  /** Decoded days, by the token of the window they came from. */
  private readonly decoded = new BoundedMap<string, StoredFact[]>(DAYS_DECODED);

  constructor(
    private readonly docs: mongo.Collection<WindowDoc>,
    /** A tenant's folded facts of one day, from its day documents. */
    private readonly readDay: (tenant: string, day: string) => Promise<StoredFact[]>,
  ) {}

  /**
   * The tenant's window: one read by `_id` every time. The first time, the window; after, the window only if it was
   * written since (`{_id, token: {$ne: kept}}`: every write gives it a new token, and a window is never deleted, only
   * emptied), so a window that stands costs one read of nothing, and one moved by a fold elsewhere one read of it
   * (it used to be the fold marker, then the window). Null: nothing was ever folded for the tenant (every tenant with
   * day documents has a window: the fold writes one, `ensure` did for older data).
   */
  async read(tenant: string): Promise<RecentWindow | null> {
    let had = this.known.get(tenant);
    const doc = await this.docs.findOne(
      had ? { _id: windowId(tenant), token: { $ne: had.token } } : { _id: windowId(tenant) },
    );
    if (doc) {
      had = { token: doc.token, from: doc.from, days: new Map(doc.days.map((d) => [d.d, d])) };
      this.known.set(tenant, had);
    }
    if (!had) return null;
    const { token, from, days: stored } = had;
    return {
      from,
      factsOf: (days) =>
        days.flatMap((day) => {
          const one = stored.get(day);
          if (!one) return [];
          const key = `${token}\u0000${day}`;
          const hit = this.decoded.get(key);
          if (hit) return hit;
          const facts = decode(one.z);
          this.decoded.set(key, facts);
          return facts;
        }),
    };
  }

  /**
   * Adds folded facts to the tenant's window (every fold, after its day documents): by id, so a fact in it already
   * is not added again; days before the window's start leave it. A tenant without a window gets one built from its
   * day documents. Two processes folding the same facts at once write the same window: the last write stands.
   * `marker`: the fold marker's token the caller writes once its windows are written. True when it wrote.
   */
  async merge(tenant: string, facts: readonly StoredFact[], at: Date, marker: string): Promise<boolean> {
    const start = windowStart(at);
    const doc = await this.docs.findOne({ _id: windowId(tenant) });
    const days = new Map<string, Uint8Array | mongo.Binary>(doc?.days.map((d) => [d.d, d.z]) ?? []);
    // Only ever later: a window never claims days it was not kept for.
    let from = [doc?.from ?? start, start].sort()[1] as string;
    let changed = !doc || from !== doc.from;
    if (!doc) for (const [day, z] of await this.built(tenant, start, at)) days.set(day, z);
    const byDay = new Map<string, StoredFact[]>();
    for (const f of facts) {
      const day = utcDay(f.at);
      if (day >= from) byDay.set(day, [...(byDay.get(day) ?? []), f]);
    }
    for (const [day, fresh] of byDay) {
      const stored = days.get(day);
      const have = stored ? decode(stored) : [];
      const ids = new Set(have.map((f) => f.id));
      const added = fresh.filter((f) => !ids.has(f.id));
      if (added.length === 0) continue;
      days.set(day, encode([...have, ...added]));
      changed = true;
    }
    if (!changed) return false;
    const kept = [...days].filter(([day]) => day >= from).sort(([a], [b]) => (a < b ? -1 : 1));
    let bytes = kept.reduce((n, [, z]) => n + bytesOf(z).length, 0);
    while (bytes > WINDOW_MAX_BYTES && kept.length > 1) {
      bytes -= bytesOf((kept.shift() as [string, Uint8Array])[1]).length;
      from = (kept[0] as [string, Uint8Array])[0];
    }
    const written = kept.map(([d, z]) => ({ d, z }));
    await this.write({ _id: windowId(tenant), token: randomUUID(), marker, from, days: written });
    return true;
  }

  /**
   * A window for a tenant that has day documents and none, as they stand (start-up, once: older data). True when
   * it wrote one (the caller then moves the fold marker to `marker`).
   */
  async ensure(tenant: string, at: Date, marker: string): Promise<boolean> {
    if (await this.docs.findOne({ _id: windowId(tenant) }, { projection: { _id: 1 } })) return false;
    const days = await this.built(tenant, windowStart(at), at);
    const doc: WindowDoc = { _id: windowId(tenant), token: randomUUID(), marker, from: windowStart(at), days: [] };
    for (const [d, z] of days) doc.days.push({ d, z });
    try {
      await this.docs.insertOne(doc);
      return true;
    } catch (e) {
      // A fold wrote it meanwhile, from the same day documents and more.
      if (!isDuplicateKey(e)) throw e;
      return false;
    }
  }

  /** Empties the windows `ids` under a new token (a rebuild: they stay, so no process keeps an old one). */
  async reset(ids: readonly string[], at: Date, marker: string): Promise<void> {
    for (const _id of ids) await this.write({ _id, token: randomUUID(), marker, from: windowStart(at), days: [] });
  }

  /** The tenant's day documents from `start` to the day after `at` (a clock a little behind), each day encoded. */
  private async built(tenant: string, start: string, at: Date): Promise<Map<string, Uint8Array>> {
    const out = new Map<string, Uint8Array>();
    const days = utcDays(start, isoDate(localParts(new Date(at.getTime() + DAY_MS), 'UTC')));
    for (let i = 0; i < days.length; i += 16) {
      await Promise.all(
        days.slice(i, i + 16).map(async (day) => {
          const facts = await this.readDay(tenant, day);
          if (facts.length) out.set(day, encode(facts));
        }),
      );
    }
    return out;
  }

  private async write(doc: WindowDoc): Promise<void> {
    this.known.delete(doc._id.slice(0, -'/~recent'.length));
    for (let attempt = 0; ; attempt++) {
      try {
        await this.docs.replaceOne({ _id: doc._id }, doc, { upsert: true });
        return;
      } catch (e) {
        // Two first upserts can race to insert; the loser replaces the winner's document.
        if (!isDuplicateKey(e) || attempt > 2) throw e;
      }
    }
  }
}
