// The chart beside /status on the real database: posted after the summary through the outbox, or, when it cannot be drawn, logged while the summary still arrives.
// @module-tag time-of-day
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { personAt, startTestBot, type TestBot } from '../support/harness.ts';
import { recordingSender } from '../support/recordingSender.ts';

const at = new Date('2026-03-10T12:00:00Z');
let bot: TestBot;
afterEach(async () => {
  await bot?.close();
});

function capturedLog() {
  const lines: Array<{ level: number; msg: string; err?: { message?: string } }> = [];
  const log = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line)) });
  return { log, lines };
}

describe('the /status chart', () => {
  it('goes out through the outbox to the asker’s channel, as a PNG the platform gets whole', async () => {
    bot = await startTestBot({ now: () => at });
    const terminal = recordingSender('console');
    bot.core.registerSender(terminal);
    const root = personAt(bot.core, 'root');
    await root('/ticket new "db down" --impact high --urgency high');
    const summary = await root('/status week');
    expect(summary.error).toBeUndefined();
    expect(summary.file).toBeUndefined();
    await bot.core.settled();
    await bot.services.outbox.drained();
    const charts = terminal.calls.filter((c) => c.reply.file);
    expect(charts).toHaveLength(1);
    const file = charts[0]?.reply.file;
    expect(file?.mime).toBe('image/png');
    expect(
      Buffer.from(file?.base64 ?? '', 'base64')
        .subarray(1, 4)
        .toString('ascii'),
    ).toBe('PNG');
    expect(charts[0]?.reply.text).toContain('2026-03-10       1         0');
    // Delivered, it leaves the outbox: the ledger keeps no bytes.
    expect(await bot.db.connection.collection('outbox').countDocuments({})).toBe(0);
    const ledger = await bot.db.connection.collection('outbox_ledger').find({}).toArray();
    expect(JSON.stringify(ledger)).not.toContain(file?.base64.slice(0, 40));
  });

  it('that cannot be drawn is logged, and the summary arrives all the same', async () => {
    const { log, lines } = capturedLog();
    bot = await startTestBot({
      now: () => at,
      log,
      services: {
        renderChart: () => {
          throw new Error('canvas: out of memory');
        },
      },
    });
    const terminal = recordingSender('console');
    bot.core.registerSender(terminal);
    const root = personAt(bot.core, 'root');
    const summary = await root('/status week');
    expect(summary.error).toBeUndefined();
    expect(summary.header).toMatch(/^Status · everything/);
    await bot.core.settled();
    await bot.services.outbox.drained();
    expect(terminal.calls.filter((c) => c.reply.file)).toHaveLength(0);
    const logged = lines.find((l) => l.msg === 'status: the chart could not be drawn');
    expect(logged?.level).toBe(50);
    expect(logged?.err?.message).toBe('canvas: out of memory');
  });
});
