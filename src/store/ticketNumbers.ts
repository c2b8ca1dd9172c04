// Ticket numbers: each one claimed by a unique insert, with a tiny per-tenant/type hint of the highest so far.

import type { Connection, mongo } from 'mongoose';
import type { TicketType } from '../domain/ticket.ts';
import { BatchedInserts, isDuplicateKey } from './insertOnce.ts';

interface NumberClaim {
  /** `${tenant}/${type}#${number}` */
  _id: string;
}

interface CounterDoc {
  /** `${tenant}/${type}` */
  _id: string;
  /** the highest number known taken; may lag behind by the allocations in flight and up to HINT_STEP - 1 more */
  top: number;
}

/** The hint is raised at every this many numbers (and whenever a claim had to pass over others'). */
const HINT_STEP = 8;

/**
 * Never reads the tickets: the claims collection is insert-only (an insert costs the same at any size) and the
 * counters collection holds one document per tenant and type, so its update scans a handful of documents.
 */
export class TicketNumbers {
  private readonly claims: mongo.Collection<NumberClaim>;
  /** Numbers claimed at once (a burst's openings, each its own number) go in one insert. */
  private readonly claimInserts: BatchedInserts<NumberClaim>;
  private readonly counters: mongo.Collection<CounterDoc>;

  constructor(connection: Connection) {
    this.claims = connection.collection('ticket_numbers');
    this.claimInserts = new BatchedInserts(this.claims);
    this.counters = connection.collection('ticket_counters');
  }

  /** The highest number taken so far, as far as the hint knows (0 when none). */
  async top(tenant: string, type: TicketType): Promise<number> {
    const c = await this.counters.findOne({ _id: `${tenant}/${type}` });
    return c?.top ?? 0;
  }

  /** Claims `from` or the first free number above it; answers the number now this caller's alone. */
  async claimFrom(tenant: string, type: TicketType, from: number): Promise<number> {
    for (let n = from; ; n++) {
      if (!(await this.claimInserts.insert({ _id: `${tenant}/${type}#${n}` }))) continue;
      // Best effort: $max is not atomic on FerretDB, so the hint may lag; the claims above it are skipped. Raised
      // at every HINT_STEP-th number, or when others' claims were passed over (another process is numbering too):
      // a round trip saved on most new tickets, for at most HINT_STEP - 1 taken numbers passed over by a process
      // that starts from the hint.
      if (n % HINT_STEP === 0 || n > from) await this.raise(tenant, type, n);
      return n;
    }
  }

  /** Raises the hint to at least `top` (the migration, after moving tickets numbered up to it). */
  async raise(tenant: string, type: TicketType, top: number): Promise<void> {
    try {
      await this.counters.updateOne({ _id: `${tenant}/${type}` }, { $max: { top } }, { upsert: true });
    } catch (e) {
      // Two first upserts of one counter: the other one created it, and a hint may lag.
      if (!isDuplicateKey(e)) throw e;
    }
  }
}
