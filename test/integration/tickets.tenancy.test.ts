// Tenants: every workspace sees only its own tickets, unless configuration joins workspaces into one organisation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reply } from '../../src/present/reply.ts';
import { personAt, startTestBot, type TestBot } from '../support/harness.ts';

let bot: TestBot;
const ok = (r: Reply): Reply => {
  expect(r.error, r.text).toBeUndefined();
  return r;
};
const tickets = () => bot.db.connection.collection('tickets_open');

beforeAll(async () => {
  bot = await startTestBot({ env: { SWITCHBOARD_ORGS: 'acme=slack:T1,discord:G1' } });
});
afterAll(async () => {
  await bot?.close();
});

describe('tenancy', () => {
  it('maps joined workspaces to one organisation and leaves the rest apart', () => {
    expect(bot.core.tenantOf('slack', 'T1')).toBe('acme');
    expect(bot.core.tenantOf('discord', 'G1')).toBe('acme');
    expect(bot.core.tenantOf('slack', 'T2')).toBe('slack:T2');
    expect(bot.core.tenantOf('console', 'local')).toBe('console:local');
  });

  it('shares tickets between a Slack workspace and a Discord guild joined into one organisation', async () => {
    const slackAdmin = personAt(bot.core, 'UADMIN', 'slack', 'T1');
    const discordAdmin = personAt(bot.core, '100000000000000001', 'discord', 'G1');
    const id = ok(await slackAdmin('/ticket new "VPN down" --service vpn')).card?.ticketId as string;
    expect(id).toBe('INC-1');

    const seen = ok(await discordAdmin(`/ticket show ${id}`));
    expect(seen.header).toBe('INC-1 · VPN down');
    expect(seen.context).toContain('Requested by UADMIN via slack');
    expect(ok(await discordAdmin('/ticket list')).list?.[0]).toMatch(/^INC-1 · /);

    ok(await discordAdmin(`/ticket assign ${id} me`));
    // One sequence for the organisation.
    expect(ok(await discordAdmin('/ticket new "Mail down"')).card?.ticketId).toBe('INC-2');
    const stored = await tickets().findOne({ ticketId: 'INC-1' });
    expect(stored).toMatchObject({
      tenant: 'acme',
      state: 'assigned',
      assignee: { identity: 'discord:100000000000000001' },
    });
  });

  it('keeps another workspace apart: its tickets are "not found", and nothing changes', async () => {
    const other = personAt(bot.core, 'UADMIN', 'slack', 'T2');
    const acme = personAt(bot.core, 'UADMIN', 'slack', 'T1');
    const id = ok(await acme('/ticket new "Only for acme"')).card?.ticketId as string;
    const before = await tickets().findOne({ tenant: 'acme', ticketId: id });

    for (const line of [
      `show ${id}`,
      `assign ${id} me`,
      `start ${id}`,
      `comment ${id} hi`,
      `resolve ${id} done`,
      `priority ${id} P1`,
    ]) {
      const r = await other(`/ticket ${line}`);
      expect(r.visibility).toBe('ephemeral');
      expect(r.error, line).toBe('TICKET.NOT_FOUND');
      expect(r.text).toContain(`There is no ticket ${id} here.`);
      expect(r.text).toContain(`Usage: /ticket ${line.split(' ')[0]} <INC-1>`);
    }
    expect(ok(await other('/ticket list --state all')).header).toBe('No tickets');
    expect(await tickets().findOne({ tenant: 'acme', ticketId: id })).toEqual(before);
    expect(await tickets().countDocuments({ tenant: 'slack:T2' })).toBe(0);

    // Its own numbering starts at 1, beside acme's.
    expect(ok(await other('/ticket new "T2 ticket"')).card?.ticketId).toBe('INC-1');
    expect(ok(await other('/ticket show INC-1')).header).toBe('INC-1 · T2 ticket');
    expect(ok(await acme('/ticket show INC-1')).header).toBe('INC-1 · VPN down');
  });

  it('keeps roles per organisation', async () => {
    const acmeAdmin = personAt(bot.core, 'UADMIN', 'slack', 'T1');
    const agent = personAt(bot.core, 'UAGENT', 'slack', 'T1');
    ok(await agent('/role show'));
    ok(await acmeAdmin('/role grant @slack:UAGENT agent'));
    expect(ok(await agent('/role show')).text).toBe('You are an agent.');
    expect(ok(await personAt(bot.core, 'UAGENT', 'slack', 'T2')('/role show')).text).toBe('You are a requester.');
  });
});

describe('card threads', () => {
  it('name a Slack thread by channel and ts: a ts seen in another channel or workspace is not that ticket', async () => {
    const ts = '1700000000.000100';
    await bot.core.recordCard({
      tenant: 'acme',
      ticketId: 'INC-1',
      platform: 'slack',
      channel: 'C1',
      messageId: ts,
      thread: ts,
    });
    expect(await bot.core.ticketForThread('slack', 'C1', ts)).toEqual({ tenant: 'acme', ticketId: 'INC-1' });
    // Slack ts values are unique per channel only: a thread with the same ts elsewhere is someone else's.
    expect(await bot.core.ticketForThread('slack', 'C9', ts)).toBeNull();
    expect(await bot.core.ticketForThread('slack', ts, ts)).toBeNull();
  });
});
