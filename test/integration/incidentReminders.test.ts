// Update-due reminders of a major incident on the job engine, with two processes on one database and an injected
// clock: the commander (then comms) is reminded in the room once per cadence, again until an update is posted, a new
// chain after each update, none after resolve; a process started later carries on.
// @module-tag time-of-day
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reply } from '../../src/present/reply.ts';
import { anotherProcess, personAt, startTestBot, type TestBot } from '../support/harness.ts';
import { recordingSender } from '../support/recordingSender.ts';

let clock = new Date('2026-03-12T14:00:00Z');
const now = () => clock;
const at = (iso: string) => {
  clock = new Date(iso);
};
let bot: TestBot;
let other: Awaited<ReturnType<typeof anotherProcess>>;
let root: ReturnType<typeof personAt>;
let sent: ReturnType<typeof recordingSender>;
const ok = (r: Reply): Reply => {
  expect(r.error, r.text).toBeUndefined();
  return r;
};
const reminders = () =>
  sent.calls.filter((c) => c.op === 'post' && c.reply.text.includes('was due')).map((c) => c.reply.text);
const line = (who: string, due: string) =>
  `[#inc-1-db-down] ${who}: a stakeholder update on INC-1 was due ${due} (UTC). Post one: /incident update "<what we know>"`;
/** Both processes' engines run what is due at the clock's time, and the outboxes deliver it. */
const settle = async (...more: Array<{ jobs: { drained(): Promise<void> }; core: { settled(): Promise<void> } }>) => {
  const all = [bot, ...more];
  for (let i = 0; i < 3; i++) {
    await Promise.all(all.map((p) => p.jobs.drained()));
    await Promise.all(all.map((p) => p.core.settled()));
  }
};

beforeAll(async () => {
  bot = await startTestBot({ now, env: { SWITCHBOARD_UPDATE_CADENCE: '1=30m,2=60m' } });
  other = await anotherProcess(bot, { now });
  root = personAt(bot.core, 'root');
  ok(await personAt(bot.core, 'bo')('/role show'));
  sent = recordingSender('console');
  bot.core.registerSender(sent);
  other.core.registerSender(sent);
});
afterAll(async () => {
  await other?.close();
  await bot?.close();
});

describe('update-due reminders', () => {
  it('remind the commander once at the cadence, across two processes, and again each cadence', async () => {
    ok(await root('/incident declare "DB down" --sev 1'));
    at('2026-03-12T14:29:59Z');
    await settle(other);
    expect(reminders()).toEqual([]);
    at('2026-03-12T14:30:00Z');
    await settle(other);
    expect(reminders()).toEqual([line('root', '14:30')]);
    at('2026-03-12T14:45:00Z');
    await settle(other);
    expect(reminders()).toHaveLength(1);
    at('2026-03-12T15:00:00Z');
    await settle(other);
    expect(reminders()).toEqual([line('root', '14:30'), line('root', '15:00')]);
  });

  it('stop after an update, and start again a cadence after it, to comms when set', async () => {
    at('2026-03-12T15:10:00Z');
    ok(await root('/incident role comms @bo --incident INC-1'));
    ok(await root('/incident update "failing over to the replica" --incident INC-1'));
    at('2026-03-12T15:30:00Z');
    await settle(other);
    expect(reminders()).toHaveLength(2);
    at('2026-03-12T15:40:00Z');
    await settle(other);
    expect(reminders().slice(2)).toEqual([line('bo', '15:40')]);
  });

  it('are run by a process started later, and stop at resolve', async () => {
    await other.close();
    other = await anotherProcess(bot, { now });
    other.core.registerSender(sent);
    at('2026-03-12T16:10:00Z');
    await settle(other);
    expect(reminders().slice(3)).toEqual([line('bo', '16:10')]);
    at('2026-03-12T16:20:00Z');
    ok(await root('/incident status resolved "replica promoted" --incident INC-1'));
    at('2026-03-12T18:00:00Z');
    await settle(other);
    expect(reminders()).toHaveLength(4);
    const jobs = (await bot.services.jobs.all('jobs')).filter((j) => j._id.startsWith('incident-due:'));
    expect(jobs.map((j) => j._id).sort()).toEqual([
      'incident-due:console:local/INC-1#u0.1',
      'incident-due:console:local/INC-1#u0.2',
      'incident-due:console:local/INC-1#u0.3',
      'incident-due:console:local/INC-1#u1.1',
      'incident-due:console:local/INC-1#u1.2',
      'incident-due:console:local/INC-1#u1.3',
    ]);
  });
});
