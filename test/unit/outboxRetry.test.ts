// The outbox's retry policy: a 429 waits on its lane, a transient failure backs off (doubling, capped) until its
// attempts run out, a permanent one is failed at once (docs/outbox.md, Retries).
import { describe, expect, it } from 'vitest';
import { DeliveryFailure } from '../../src/present/sender.ts';
import { asFailure, nextTry } from '../../src/services/outboxRetry.ts';
import type { OutboxMessage } from '../../src/store/outboxStore.ts';

const now = Date.parse('2026-05-04T10:00:00Z');
const policy = { maxAttempts: 8, backoffMs: 1000, maxBackoffMs: 300_000 };
const message = (attempt: number, waited = 0): OutboxMessage =>
  ({ _id: 'm1', lane: 'slack:C1', attempt, waited }) as unknown as OutboxMessage;

describe('nextTry', () => {
  it('waits a 429 out on its lane for as long as the platform asked, counting the wait', () => {
    const next = nextTry(new DeliveryFailure('rate_limited', '429', 2500), message(3, 1), policy, now);
    expect(next).toEqual({
      kind: 'rate_limited',
      waitMs: 2500,
      retry: { attempt: 4, dueAt: new Date(now + 2500), lastError: '429', waited: 2 },
    });
  });

  it('waits a second on a 429 that names no time, and at least a millisecond on one that names none left', () => {
    const none = nextTry(new DeliveryFailure('rate_limited', '429'), message(0), policy, now);
    const zero = nextTry(new DeliveryFailure('rate_limited', '429', 0), message(0), policy, now);
    expect(none.kind === 'rate_limited' && none.waitMs).toBe(1000);
    expect(zero.kind === 'rate_limited' && zero.waitMs).toBe(1);
  });

  it('backs off a transient failure from 1 s, doubling per attempt up to 5 min', () => {
    const waits = [0, 1, 2, 3, 8, 9].map((attempt) => {
      const next = nextTry(
        new DeliveryFailure('transient', '503'),
        message(attempt),
        { ...policy, maxAttempts: 20 },
        now,
      );
      return next.kind === 'retry' ? next.backoffMs : next.kind;
    });
    expect(waits).toEqual([1000, 2000, 4000, 8000, 256_000, 300_000]);
    const next = nextTry(new DeliveryFailure('transient', '503'), message(2, 1), policy, now);
    expect(next).toEqual({
      kind: 'retry',
      backoffMs: 4000,
      retry: { attempt: 3, dueAt: new Date(now + 4000), lastError: '503', waited: 1 },
    });
  });

  it('gives a transient failure up on its last attempt, saying how many there were', () => {
    expect(nextTry(new DeliveryFailure('transient', '503'), message(6), policy, now).kind).toBe('retry');
    expect(nextTry(new DeliveryFailure('transient', '503'), message(7), policy, now)).toEqual({
      kind: 'failed',
      reason: 'gave up after 8 attempts: 503',
    });
  });

  it('fails a permanent failure at once, with the platform reason', () => {
    expect(nextTry(new DeliveryFailure('permanent', '403 not_in_channel'), message(0), policy, now)).toEqual({
      kind: 'failed',
      reason: '403 not_in_channel',
    });
  });
});

describe('asFailure', () => {
  it('takes anything that is not a DeliveryFailure as transient, with its message', () => {
    const f = new DeliveryFailure('permanent', 'gone');
    expect(asFailure(f)).toBe(f);
    expect(asFailure(new Error('socket hang up'))).toMatchObject({ kind: 'transient', reason: 'socket hang up' });
    expect(asFailure('odd')).toMatchObject({ kind: 'transient', reason: 'odd' });
  });
});
