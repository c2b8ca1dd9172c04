// SWITCHBOARD_MAJOR_AUTO on the real database: an incident an alert opens at P1 declares itself a major incident
// (once, however often the alert repeats); a P2 one does not under p1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertEvent } from '../../src/domain/alerts.ts';
import type { Reply } from '../../src/present/reply.ts';
import { personAt, startTestBot, type TestBot } from '../support/harness.ts';

let bot: TestBot;
let root: ReturnType<typeof personAt>;
const ok = (r: Reply): Reply => {
  expect(r.error, r.text).toBeUndefined();
  return r;
};
const trigger = (key: string, severity: 'critical' | 'error', summary: string): AlertEvent => ({
  event_action: 'trigger',
  dedup_key: key,
  payload: { summary, severity, source: 'mon1' },
});
const incidents = () => bot.db.connection.collection('incidents').find({}).toArray();

beforeAll(async () => {
  bot = await startTestBot({ env: { SWITCHBOARD_MAJOR_AUTO: 'p1' } });
  root = personAt(bot.core, 'root');
  ok(await root('/role show'));
});
afterAll(async () => {
  await bot?.close();
});

describe('alert incidents that declare themselves major', () => {
  it('declares a P1 from an alert, once, with the alerts as its commander until someone takes it', async () => {
    await bot.services.alerts.event(trigger('db-down', 'critical', 'DB primary down'));
    await bot.services.alerts.event(trigger('db-down', 'critical', 'DB primary down'));
    await bot.core.settled();
    const docs = await incidents();
    expect(docs).toHaveLength(1);
    expect(docs[0]).toMatchObject({ ticketId: 'INC-1', severity: 1, status: 'investigating' });
    const roles = ok(await root('/incident roles INC-1'));
    expect(roles.text).toBe('INC-1 roles\ncommander: Alerts\ncomms: —\nscribe: —');
    ok(await root('/incident role commander @root --incident INC-1'));
  });

  it('leaves a P2 alert incident alone under p1', async () => {
    await bot.services.alerts.event(trigger('disk', 'error', 'Disk 85%'));
    await bot.core.settled();
    const t = ok(await root('/ticket show INC-2'));
    expect(t.text).toContain('P2');
    expect((await incidents()).map((d) => d.ticketId)).toEqual(['INC-1']);
  });
});
