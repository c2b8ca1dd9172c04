// ALERT_TENANT only where there is a choice: a bot in one Slack workspace (auth.test names its team) or one
// Discord guild takes that as the organisation its alerts belong to, and the webhook's incidents land there.
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index.ts';
import { settleAlertTenant } from '../../src/core/alertTenant.ts';
import type { HttpServer } from '../../src/http/server.ts';
import { createHttpServer } from '../../src/http/server.ts';
import { createAlertWebhooks, WEBHOOK_PREFIX } from '../../src/http/webhooks.ts';
import type { Services } from '../../src/services/compose.ts';
import { type DiscordTestBot, startDiscordTestBot } from '../support/fakeDiscordBot.ts';
import { type SlackBot, startSlackBot } from '../support/fakeSlackBot.ts';
import { adminActing } from '../support/harness.ts';

const TOKEN = 'alert-tenant-webhook-token-7d1e';
const log = pino({ level: 'silent' });
const closing: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of closing.reverse()) await c();
});

/** Triggers an event on `http`'s webhooks; the incident's id. */
async function trigger(http: HttpServer, services: Services, key: string): Promise<string> {
  http.mount(WEBHOOK_PREFIX, createAlertWebhooks({ token: TOKEN, alerts: services.alerts, log }));
  const { port } = await http.listen(0, '127.0.0.1');
  const r = await fetch(`http://127.0.0.1:${port}/webhooks/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      event_action: 'trigger',
      dedup_key: key,
      payload: { summary: `Disk full (${key})`, severity: 'error', source: 'storage' },
    }),
  });
  const body = (await r.json()) as { outcome: string; ticket: string };
  expect(body.outcome).toBe('opened');
  return body.ticket;
}

describe('the organisation alerts belong to, unnamed', () => {
  it('one Slack workspace: its team, as auth.test names it, without ALERT_TENANT', async () => {
    const s: SlackBot = await startSlackBot({ env: { WEBHOOK_TOKEN: TOKEN } });
    closing.push(() => s.close());
    expect(s.bot.config.alerts.tenant).toBeUndefined();
    const tenant = await settleAlertTenant({
      adapters: [s.adapter],
      tenantOf: s.bot.core.tenantOf,
      alerts: s.bot.services.alerts,
    });
    expect(tenant).toBe(`slack:${s.fake.bot.teamId}`);
    const http = createHttpServer({ log, readiness: async () => ({ ready: true, reasons: [] }) });
    closing.push(() => http.close());
    const id = await trigger(http, s.bot.services, 'slack-one');
    const t = await s.bot.services.tickets.getTicket(adminActing(tenant), id);
    expect(t.title).toBe('Disk full (slack-one)');
  });

  it('one Discord guild: that guild, through SWITCHBOARD_ORGS like any command', async () => {
    const d: DiscordTestBot = await startDiscordTestBot({
      env: { WEBHOOK_TOKEN: TOKEN, SWITCHBOARD_ORGS: 'acme=discord:{guild};other=slack:T9' },
    });
    closing.push(() => d.close());
    const tenant = await settleAlertTenant({
      adapters: [d.adapter],
      tenantOf: d.bot.core.tenantOf,
      alerts: d.bot.services.alerts,
    });
    expect(tenant).toBe('acme');
    const http = createHttpServer({ log, readiness: async () => ({ ready: true, reasons: [] }) });
    closing.push(() => http.close());
    const id = await trigger(http, d.bot.services, 'discord-one');
    expect((await d.bot.services.tickets.getTicket(adminActing('acme'), id)).title).toBe('Disk full (discord-one)');
  });

  it('Slack and Discord both, in organisations of their own: ALERT_TENANT is asked for', () => {
    const both = {
      WEBHOOK_TOKEN: TOKEN,
      SLACK_BOT_TOKEN: 'xoxb-x',
      SLACK_SIGNING_SECRET: 'y'.repeat(20),
      SLACK_APP_TOKEN: 'xapp-z',
      DISCORD_TOKEN: 't',
      DISCORD_APPLICATION_ID: '1',
    };
    expect(() => loadConfig(both)).toThrow(/ALERT_TENANT/);
    expect(loadConfig({ ...both, SWITCHBOARD_ORGS: 'acme=slack:T1,discord:2' }).alerts.tenant).toBe('acme');
    expect(loadConfig({ ...both, ALERT_TENANT: 'slack:T1' }).alerts.tenant).toBe('slack:T1');
  });
});
