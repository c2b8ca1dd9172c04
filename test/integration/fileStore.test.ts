// Files the outbox sends, on the real database: stored in chunks, carried by ref, read back whole, expiring after a week.
// @module-tag time-of-day
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { sweepExpired } from '../../src/store/expiry.ts';
import { FILE_CHUNK_BYTES, FileRepository } from '../../src/store/fileStore.ts';
import { serverProfile } from '../../src/store/serverProfile.ts';
import { personAt, startTestBot, type TestBot } from '../support/harness.ts';
import { recordingSender } from '../support/recordingSender.ts';

let clock = new Date('2026-03-10T12:00:00Z');
let bot: TestBot;
afterEach(async () => {
  await bot?.close();
});

describe('the file store', () => {
  it('gives back exactly what it was given, across chunks, and nothing for a ref it does not hold', async () => {
    bot = await startTestBot({ now: () => clock });
    const files = new FileRepository(bot.db.connection);
    const big = randomBytes(FILE_CHUNK_BYTES * 2 + 1234);
    const ref = await files.put(big, clock);
    expect(ref).toMatch(/^[0-9a-f]{24}\/3$/);
    expect((await files.get(ref))?.equals(big)).toBe(true);
    const empty = await files.put(Buffer.alloc(0), clock);
    expect((await files.get(empty))?.length).toBe(0);
    expect(await files.get('20260310/000000000000000000000000/1')).toBeNull();
    expect(await files.get('../outbox/1')).toBeNull();
    // A ref that claims more chunks than were stored is incomplete: nothing, not a partial file.
    expect(await files.get(ref.replace(/\/3$/, '/4'))).toBeNull();
  });

  it('lets a file expire a week after it was stored, and keeps the younger ones', async () => {
    bot = await startTestBot({ now: () => clock });
    const files = new FileRepository(bot.db.connection);
    const old = await files.put(Buffer.from('old'), new Date('2026-03-01T23:59:00Z'));
    const kept = await files.put(Buffer.from('kept'), new Date('2026-03-02T00:00:00Z'));
    // MongoDB's TTL index removes them itself; where the server has none, the nightly sweep does.
    if (!(await serverProfile(bot.db.connection)).ttl) {
      expect(await sweepExpired(bot.db.connection, new Date('2026-03-08T23:59:30Z'))).toBe(1);
      expect(await files.get(old)).toBeNull();
    }
    expect((await files.get(kept))?.toString()).toBe('kept');
    // A ref written before fixed collections (with its day in front) still finds its file.
    expect((await files.get(`20260302/${kept}`))?.toString()).toBe('kept');
  });
});

describe('a message with a file, in the outbox', () => {
  it('carries only the file’s ref while it waits; the platform gets the bytes', async () => {
    clock = new Date('2026-03-10T12:00:00Z');
    bot = await startTestBot({ now: () => clock });
    const root = personAt(bot.core, 'root');
    await root('/ticket new "db down" --impact high --urgency high');
    expect((await root('/status week')).error).toBeUndefined();
    await bot.core.settled();
    // No console sender yet: the chart waits in the outbox.
    const waiting = await bot.db.connection.collection('outbox').find({}).toArray();
    const chart = waiting.find((m) => m.reply?.file);
    expect(chart?.reply.file.base64).toBe('');
    expect(chart?.reply.file.ref).toMatch(/^[0-9a-f]{24}\/1$/);
    expect(JSON.stringify(chart).length).toBeLessThan(5_000);

    const terminal = recordingSender('console');
    bot.core.registerSender(terminal);
    await bot.services.outbox.drained();
    const sent = terminal.calls.find((c) => c.reply.file);
    expect(
      Buffer.from(sent?.reply.file?.base64 ?? '', 'base64')
        .subarray(1, 4)
        .toString('ascii'),
    ).toBe('PNG');
    expect(sent?.reply.file?.ref).toBeUndefined();
  });

  it('whose file is gone is recorded as failed, saying so, and not tried again', async () => {
    clock = new Date('2026-03-10T12:00:00Z');
    bot = await startTestBot({ now: () => clock });
    const root = personAt(bot.core, 'root');
    expect((await root('/status week')).error).toBeUndefined();
    await bot.core.settled();
    // Expired (what the TTL index or the nightly sweep does a week on).
    await bot.db.connection.collection('files').deleteMany({});
    const terminal = recordingSender('console');
    bot.core.registerSender(terminal);
    await bot.services.outbox.drained();
    expect(terminal.calls.filter((c) => c.reply.file)).toHaveLength(0);
    const ledger = await bot.db.connection.collection('outbox_ledger').find({}).toArray();
    const failed = ledger.find((e) => e.outcome === 'failed');
    expect(failed?.reason).toMatch(/its file \(status-everything-.*\.png\) is no longer stored/);
    expect(terminal.calls).toHaveLength(0);
  });
});
