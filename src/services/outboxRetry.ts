// The outbox's retry policy: what becomes of a message whose delivery failed (docs/outbox.md, Retries). Pure.
import { DeliveryFailure } from '../present/sender.ts';
import type { OutboxMessage } from '../store/outboxStore.ts';

/** What a message is moved to when it is tried again. */
export type Retry = Pick<OutboxMessage, 'attempt' | 'dueAt' | 'lastError' | 'waited'>;

export interface RetryPolicy {
  /** Transient failures are retried this many times in all, with back-off. */
  maxAttempts: number;
  /** First back-off; doubles per attempt up to `maxBackoffMs`. */
  backoffMs: number;
  maxBackoffMs: number;
}

/** What to do after a failed attempt. */
export type NextTry =
  /** The platform asked this lane to wait (a 429): only this lane waits, other channels keep going. */
  | { kind: 'rate_limited'; waitMs: number; retry: Retry }
  /** A transient failure with attempts left: tried again after a back-off. */
  | { kind: 'retry'; backoffMs: number; retry: Retry }
  /** A permanent failure, or a transient one with no attempt left: recorded as failed, not tried again. */
  | { kind: 'failed'; reason: string };

/** A failure as the outbox sees it: anything that is not a DeliveryFailure is transient. */
export function asFailure(err: unknown): DeliveryFailure {
  return err instanceof DeliveryFailure
    ? err
    : new DeliveryFailure('transient', (err as Error)?.message ?? String(err));
}

export function nextTry(f: DeliveryFailure, m: OutboxMessage, policy: RetryPolicy, now: number): NextTry {
  if (f.kind === 'rate_limited') {
    const wait = Math.max(1, f.retryAfterMs ?? 1000);
    return {
      kind: 'rate_limited',
      waitMs: wait,
      retry: { attempt: m.attempt + 1, dueAt: new Date(now + wait), lastError: f.reason, waited: m.waited + 1 },
    };
  }
  if (f.kind === 'transient' && m.attempt + 1 < policy.maxAttempts) {
    const backoff = Math.min(policy.maxBackoffMs, policy.backoffMs * 2 ** m.attempt);
    return {
      kind: 'retry',
      backoffMs: backoff,
      retry: { attempt: m.attempt + 1, dueAt: new Date(now + backoff), lastError: f.reason, waited: m.waited },
    };
  }
  const reason = f.kind === 'transient' ? `gave up after ${m.attempt + 1} attempts: ${f.reason}` : f.reason;
  return { kind: 'failed', reason };
}
