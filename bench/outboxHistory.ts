// The outbox bench's history: delivered messages seeded into the ledger and claims, and the per-delivery database
// work (claim insert, ledger insert, outbox delete) timed alone at each size.
import { randomBytes } from 'node:crypto';
import type mongoose from 'mongoose';
import { type LedgerEntry, type OutboxMessage, OutboxRepository } from '../src/store/outboxStore.ts';
import { type Figure, figureTable, type Summary, summarize } from './stats.ts';

const SEED_BATCH = 1000;
/** Seeded ticket messages: this many ledger slots per ticket, as a ticket's card updates and thread lines fill them. */
const SLOTS_PER_TICKET = 10;

/**
 * Puts `count` delivered messages behind the outbox, as the outbox itself leaves them: half about tickets (numbered
 * slots `<tenant>/<ticket>/L<n>`), half not (`<tenant>/-/<message id>`), each with the claim of its one attempt.
 * Stops when `budgetMs` is spent and answers how many went in.
 */
export async function seedHistory(
  connection: mongoose.Connection,
  tenant: string,
  count: number,
  budgetMs: number,
): Promise<{ count: number; seconds: number }> {
  const ledger = connection.collection<LedgerEntry & { _id: string }>('outbox_ledger');
  const claims = connection.collection<{ _id: string; at: Date; owner: string }>('outbox_claims');
  const t0 = performance.now();
  const long = Date.now() - 90 * 86_400_000;
  let done = 0;
  while (done < count && performance.now() - t0 < budgetMs) {
    const entries: Array<LedgerEntry & { _id: string }> = [];
    const held: Array<{ _id: string; at: Date; owner: string }> = [];
    for (let k = done; k < Math.min(count, done + SEED_BATCH); k++) {
      const at = new Date(long + k * 60_000);
      const messageId = `${at.getTime().toString(36)}-${randomBytes(6).toString('hex')}`;
      const ticketId = k % 2 ? `SEED-${Math.floor(k / (2 * SLOTS_PER_TICKET))}` : null;
      const slot = Math.floor((k % (2 * SLOTS_PER_TICKET)) / 2);
      entries.push({
        _id: ticketId ? `${tenant}/${ticketId}/L${slot}` : `${tenant}/-/${messageId}`,
        messageId,
        tenant,
        ticketId,
        what: ticketId ? 'card update' : 'post',
        to: `slack #CSEED${k % 50}`,
        platform: 'slack',
        outcome: 'delivered',
        reason: null,
        attempts: 1,
        createdAt: at,
        finishedAt: new Date(at.getTime() + 120),
        platformMessageId: `${Math.floor(at.getTime() / 1000)}.${String(k).padStart(6, '0')}`,
      });
      held.push({ _id: `${messageId}#0`, at, owner: 'seed' });
    }
    await ledger.insertMany(entries, { ordered: false });
    await claims.insertMany(held, { ordered: false });
    done += entries.length;
  }
  return { count: done, seconds: (performance.now() - t0) / 1000 };
}

/** Milliseconds each step of one delivery's database work took, one entry per delivery. */
export interface DbSamples {
  /** claim insert + ledger insert + outbox delete: what delivering one message costs the database */
  total: number[];
  claim: number[];
  /** ledger insert, then the delete from the outbox (OutboxRepository.finish) */
  finish: number[];
  /** the write into the outbox before all that (not part of delivering) */
  add: number[];
}

export const noSamples = (): DbSamples => ({ total: [], claim: [], finish: [], add: [] });

/** The repository calls of one delivery, one message at a time, on a platform no sender runs (the worker leaves it). */
export async function measureDbWork(
  connection: mongoose.Connection,
  tenant: string,
  label: string,
  runs: number,
  into: DbSamples = noSamples(),
): Promise<DbSamples> {
  const repo = new OutboxRepository(connection);
  const owner = `bench-${randomBytes(3).toString('hex')}`;
  const { add, claim, finish, total } = into;
  for (let i = 0; i < runs; i++) {
    const at = new Date();
    const m: OutboxMessage = {
      _id: `${at.getTime().toString(36)}-${randomBytes(6).toString('hex')}`,
      tenant,
      ticketId: null,
      lane: `bench-parked:${label}`,
      seq: i,
      op: 'post',
      platform: 'bench-parked',
      channel: label,
      thread: null,
      messageId: null,
      reply: { text: `db work ${label} ${i}`, visibility: 'channel' },
      actorId: null,
      version: null,
      what: 'post',
      to: `bench #${label}`,
      attempt: 0,
      dueAt: at,
      createdAt: at,
      lastError: null,
      waited: 0,
    };
    const a = performance.now();
    await repo.add([m]);
    const b = performance.now();
    if (!(await repo.claim(m._id, 0, new Date(), owner))) throw new Error(`claim of ${m._id} was refused`);
    const c = performance.now();
    await repo.record({
      messageId: m._id,
      tenant,
      ticketId: null,
      what: m.what,
      to: m.to,
      platform: m.platform,
      outcome: 'delivered',
      reason: null,
      attempts: 1,
      createdAt: m.createdAt,
      finishedAt: new Date(),
      platformMessageId: null,
    });
    await repo.remove([m._id]);
    const d = performance.now();
    add.push(b - a);
    claim.push(c - b);
    finish.push(d - c);
    total.push(d - b);
  }
  return into;
}

/** The database work beside itself on an empty ledger: the ratio columns are full ÷ empty. */
export function dbWorkRows(emptySamples: DbSamples, fullSamples: DbSamples, fullLabel: string): string[] {
  const empty = summarizeDbWork(emptySamples);
  const full = summarizeDbWork(fullSamples);
  const rows: Figure[] = [
    { figure: 'delivery db work (claim+ledger+delete), empty', run: empty.total },
    { figure: `delivery db work, ${fullLabel}`, run: full.total, floor: empty.total },
    { figure: '  claim insert, empty', run: empty.claim },
    { figure: `  claim insert, ${fullLabel}`, run: full.claim, floor: empty.claim },
    { figure: '  ledger insert + outbox delete, empty', run: empty.finish },
    { figure: `  ledger insert + outbox delete, ${fullLabel}`, run: full.finish, floor: empty.finish },
    { figure: '  write to the outbox (before), empty', run: empty.add },
    { figure: `  write to the outbox (before), ${fullLabel}`, run: full.add, floor: empty.add },
  ];
  return [
    `  the database work of one delivery alone (${empty.total.ops} in turn on each; rate = 1 / mean time of the step):`,
    ...figureTable(rows, { unit: 'ops/s', floor: 'empty' }),
  ];
}

/** Each step's rate is one over its own mean time, as if the database did nothing else. */
export function summarizeDbWork(d: DbSamples): Record<keyof DbSamples, Summary> {
  const of = (latencies: number[]): Summary => {
    const busy = latencies.reduce((sum, ms) => sum + ms, 0) / 1000;
    return summarize({ ops: latencies.length, failed: 0, seconds: busy, latencies });
  };
  return { total: of(d.total), claim: of(d.claim), finish: of(d.finish), add: of(d.add) };
}
