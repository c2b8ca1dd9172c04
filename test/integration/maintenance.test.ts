// Scheduled housekeeping on the real database: delivery claims older than a week are forgotten.
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLAIM_RETENTION_MS, startMaintenance } from '../../src/scheduler/maintenance.ts';
import { startTestBot, type TestBot } from '../support/harness.ts';

const DAY = 86_400_000;
let clock = new Date('2026-11-01T09:00:00Z');
let bot: TestBot;
beforeAll(async () => {
  bot = await startTestBot({ now: () => clock });
});
afterAll(async () => bot?.close());

it('forgets claims older than the retention and keeps the recent ones', async () => {
  expect(await bot.core.claimDelivery('slack:event:Ev-old')).toBe(true);
  clock = new Date(clock.getTime() + 6 * DAY);
  expect(await bot.core.claimDelivery('slack:event:Ev-recent')).toBe(true);
  clock = new Date(clock.getTime() + 2 * DAY);

  const maintenance = startMaintenance({
    pruneClaims: bot.core.pruneClaims,
    log: pino({ level: 'silent' }),
    timezone: 'Europe/Amsterdam',
    now: () => clock,
  });
  try {
    expect(CLAIM_RETENTION_MS).toBe(7 * DAY);
    expect(await maintenance.runOnce()).toBe(1);
  } finally {
    maintenance.stop();
  }
  // The old delivery could be claimed again (it is long past any retry); the recent one still cannot.
  expect(await bot.core.claimDelivery('slack:event:Ev-recent')).toBe(false);
  expect(await bot.core.claimDelivery('slack:event:Ev-old')).toBe(true);
});

it('refuses a schedule that is not a cron expression', () => {
  expect(() =>
    startMaintenance({
      pruneClaims: async () => 0,
      log: pino({ level: 'silent' }),
      timezone: 'UTC',
      expression: 'every night',
    }),
  ).toThrow(/invalid maintenance schedule/);
});
