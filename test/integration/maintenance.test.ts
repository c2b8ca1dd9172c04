// Scheduled housekeeping on the real database: delivery claims older than a week are forgotten, expired jobs swept.
// @module-tag time-of-day
import pino from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLAIM_RETENTION_MS, startMaintenance } from '../../src/scheduler/maintenance.ts';
import { JOB_RETENTION_MS } from '../../src/store/expiry.ts';
import { serverProfile } from '../../src/store/serverProfile.ts';
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

it('sweeps the jobs older than the retention where the server has no TTL, and keeps the ones within it', async () => {
  const job = (id: string, dueAt: Date) => ({
    _id: id,
    tenant: 't',
    kind: 'none',
    dueAt,
    payload: {},
    createdAt: dueAt,
    by: null,
    ticketId: null,
  });
  const oldDay = new Date(clock.getTime() - JOB_RETENTION_MS - 2 * DAY);
  const recentDay = new Date(clock.getTime() - JOB_RETENTION_MS + 2 * DAY);
  await bot.services.jobs.add(job('old', oldDay));
  await bot.services.jobs.add(job('recent', recentDay));
  const maintenance = startMaintenance({
    pruneClaims: async () => 0,
    sweepExpired: (at) => bot.services.storage.sweepExpired(at),
    log: pino({ level: 'silent' }),
    timezone: 'UTC',
    now: () => clock,
  });
  try {
    await maintenance.runOnce();
  } finally {
    maintenance.stop();
  }
  // On MongoDB the TTL index removes them (the sweep leaves it to the server).
  if ((await serverProfile(bot.db.connection)).ttl) return;
  expect((await bot.services.jobs.all('jobs')).map((j) => j._id)).toEqual(['recent']);
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
