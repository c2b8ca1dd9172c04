// The outbox's records: what became of each message goes to the ledger, then the message leaves the outbox in a batch;
// the ledger as `/ticket show --deliveries` reads it.
import type { Logger } from 'pino';
import type { Sent } from '../present/sender.ts';
import type { DeliveryOutcome, LedgerEntry, OutboxMessage, OutboxRepository } from '../store/outboxStore.ts';

/** Delivered messages leave the outbox in batches: at most this long after delivery, or this many at once. */
const FLUSH_MS = 250;
const FLUSH_AT = 500;

export interface DeliveryView extends Omit<LedgerEntry, 'finishedAt' | 'outcome'> {
  outcome: DeliveryOutcome | 'waiting';
  /** Unset while the message still waits. */
  finishedAt: Date | null;
  nextAttemptAt: Date | null;
}

export class Records {
  /** Records of finished messages on their way to the database. */
  private readonly recording = new Set<Promise<void>>();
  /** Finished here, recorded in the ledger, and about to be deleted from the outbox in one batch. */
  private readonly leaving = new Set<string>();
  private flushing: Promise<void> | null = null;
  private flushTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly repo: OutboxRepository,
    private readonly now: () => Date,
    private readonly log: Logger,
    /** Each finished delivery (metrics). */
    private readonly onDelivery?: (platform: string, outcome: DeliveryOutcome) => void,
  ) {}

  /** What was sent about a ticket (and what still waits), oldest first. */
  async deliveriesFor(tenant: string, ticketId: string): Promise<DeliveryView[]> {
    const done = await this.repo.ledgerFor(tenant, ticketId);
    const waiting = (await this.repo.waiting())
      .filter((m) => m.tenant === tenant && m.ticketId === ticketId && !this.leaving.has(m._id))
      .sort((a, b) => a.seq - b.seq)
      .map(
        (m): DeliveryView => ({
          ...describedBy(m),
          outcome: 'waiting',
          reason: m.lastError,
          attempts: m.attempt,
          createdAt: m.createdAt,
          finishedAt: null,
          platformMessageId: null,
          nextAttemptAt: m.dueAt,
        }),
      );
    return [...done.map((d) => ({ ...d, nextAttemptAt: null })), ...waiting];
  }

  /** How much waits, and for how long the oldest has (metrics). */
  async stats(): Promise<{ depth: number; oldestAgeSeconds: number }> {
    const waiting = (await this.repo.waiting()).filter((m) => !this.leaving.has(m._id));
    const oldest = waiting.reduce((min, m) => Math.min(min, m.createdAt.getTime()), Number.POSITIVE_INFINITY);
    return {
      depth: waiting.length,
      oldestAgeSeconds: waiting.length ? Math.max(0, (this.now().getTime() - oldest) / 1000) : 0,
    };
  }

  /** Whether a message is finished and only its delete from the outbox is still to come. */
  isLeaving(id: string): boolean {
    return this.leaving.has(id);
  }

  /** Resolves once the records on their way now are written (or failed). */
  settled(): Promise<unknown> {
    return Promise.allSettled([...this.recording]);
  }

  /**
   * Records what became of a message, then lets it leave the outbox. Until the record is written, a process that
   * dies would have the message sent again by whoever takes it over (the at-least-once window, docs/outbox.md).
   */
  finish(m: OutboxMessage, outcome: DeliveryOutcome, reason: string | null, sent: Sent): Promise<void> {
    const p = this.record(m, outcome, reason, sent);
    this.recording.add(p);
    void p.catch(() => {}).finally(() => this.recording.delete(p));
    return p;
  }

  /** A message another process delivered and recorded: only its delete from the outbox is still to come. */
  deliveredElsewhere(id: string): void {
    this.leaving.add(id);
    this.flushTimer ??= setTimeout(() => void this.flush(), FLUSH_MS);
  }

  private async record(m: OutboxMessage, outcome: DeliveryOutcome, reason: string | null, sent: Sent): Promise<void> {
    await this.repo.record({
      ...describedBy(m),
      outcome,
      reason,
      attempts: m.attempt + 1,
      createdAt: m.createdAt,
      finishedAt: this.now(),
      platformMessageId: sent.messageId ?? null,
    });
    // Recorded: it may leave the outbox. Deletes go in batches, one scan each on FerretDB, not one per message.
    this.leaving.add(m._id);
    // On FerretDB a delete scans the outbox inside its write: one per second at most while a backlog drains.
    if (this.leaving.size >= FLUSH_AT) void this.flush();
    else this.flushTimer ??= setTimeout(() => void this.flush(), FLUSH_MS);
    this.onDelivery?.(m.platform, outcome);
  }

  /** Deletes what has been recorded as finished from the outbox. */
  async flush(): Promise<void> {
    this.flushTimer = undefined;
    while (this.flushing) await this.flushing;
    const ids = [...this.leaving];
    if (ids.length === 0) return;
    this.flushing = this.repo
      .remove(ids)
      .then(() => {
        for (const id of ids) this.leaving.delete(id);
      })
      .catch((err) => {
        this.log.warn({ err, count: ids.length }, 'outbox: could not remove delivered messages; will try again');
        this.flushTimer ??= setTimeout(() => void this.flush(), 1000);
      })
      .finally(() => {
        this.flushing = null;
      });
    await this.flushing;
  }
}

/** What the ledger says of a message, whatever became of it. */
function describedBy(
  m: OutboxMessage,
): Pick<LedgerEntry, 'messageId' | 'tenant' | 'ticketId' | 'what' | 'to' | 'platform'> {
  return { messageId: m._id, tenant: m.tenant, ticketId: m.ticketId, what: m.what, to: m.to, platform: m.platform };
}
