// The one HTTP server over real HTTP on loopback: health, readiness from the real database and adapters, metrics scraped.
import { PassThrough } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsoleAdapter } from '../../adapters/console/index.ts';
import { createDiscordAdapter } from '../../adapters/discord/index.ts';
import type { ChatAdapter } from '../../src/core/bot.ts';
import { createMetrics, type Metrics, type OutboxStats } from '../../src/http/metrics.ts';
import { checkReadiness, databaseWithin, pingCheck } from '../../src/http/readiness.ts';
import { createHttpServer, type HttpServer } from '../../src/http/server.ts';
import { anotherProcess, personAt, startTestBot, type TestBot } from '../support/harness.ts';
import { parsePrometheusText, sampleValue } from '../support/promText.ts';
import { checkMetrics, findPromtool } from '../support/promtool.ts';

const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });

// Under CI promtool must be there (.ci/run installs it): the check fails rather than skips.
const promtool = findPromtool();
if (!promtool.bin && !process.env.CI) process.stderr.write(`promtool check SKIPPED: ${promtool.missing}\n`);

describe('the HTTP server: /healthz, /readyz, /metrics', () => {
  let bot: TestBot;
  let metrics: Metrics;
  let http: HttpServer;
  let url: string;
  let outbox: OutboxStats | undefined;
  let database = () => pingCheck(bot.db.connection)();
  let adapters: ChatAdapter[] = [];

  beforeAll(async () => {
    metrics = createMetrics({
      database: async () => ({ up: (await databaseWithin(() => database(), 200)).up, restarts: 0 }),
      outbox: async () => outbox ?? { depth: 0, oldestAgeSeconds: 0 },
    });
    bot = await startTestBot({ onCommand: (e) => metrics.commandFinished(e) });
    http = createHttpServer({
      log,
      metrics,
      readiness: () => checkReadiness({ database: () => database(), adapters: () => adapters, timeoutMs: 200 }),
    });
    const { port } = await http.listen(0, '127.0.0.1');
    url = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await http?.close();
    await bot?.close();
  });

  const scrape = async () => {
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    return parsePrometheusText(await res.text());
  };

  it('answers /healthz 200 while the process runs', async () => {
    const res = await fetch(`${url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    expect((await fetch(`${url}/nowhere`)).status).toBe(404);
    expect((await fetch(`${url}/healthz`, { method: 'POST' })).status).toBe(405);
  });

  it('counts commands by command, outcome and platform, with a duration histogram', async () => {
    const root = personAt(bot.core, 'root');
    const bob = personAt(bot.core, 'bob');
    expect((await root('/ticket new "Printer on fire"')).header).toContain('INC-1');
    await root('/ticket new "Scanner jammed"');
    await root('/ticket new'); // usage: no title
    await root('/nosuch-command-typed-by-hand'); // usage, and no label of its own
    await root('/ticket show INC-999'); // refused: no such ticket
    await bob('/role grant @ada agent'); // refused: bob is no admin
    await personAt(bot.core, 'UADMIN', 'slack', 'T1')('/ticket list');

    const m = await scrape();
    const commands = (labels: Record<string, string>) => sampleValue(m, 'switchboard_commands_total', labels);
    expect(m.get('switchboard_commands_total')?.type).toBe('counter');
    expect(commands({ command: 'ticket new', outcome: 'ok', platform: 'console' })).toBe(2);
    // A line that does not parse is counted against its family: the subcommand is what it got wrong.
    expect(commands({ command: 'ticket', outcome: 'usage_error', platform: 'console' })).toBe(1);
    expect(commands({ command: 'unknown', outcome: 'usage_error', platform: 'console' })).toBe(1);
    expect(commands({ command: 'ticket show', outcome: 'refused', platform: 'console' })).toBe(1);
    expect(commands({ command: 'role grant', outcome: 'refused', platform: 'console' })).toBe(1);
    expect(commands({ command: 'ticket list', outcome: 'ok', platform: 'slack' })).toBe(1);
    const typed = [...(m.get('switchboard_commands_total')?.samples ?? [])].map((s) => s.labels.command);
    expect(typed.some((c) => c?.includes('nosuch'))).toBe(false);

    const histogram = m.get('switchboard_command_duration_seconds');
    expect(histogram?.type).toBe('histogram');
    const series = { command: 'ticket new', platform: 'console' };
    expect(sampleValue(m, 'switchboard_command_duration_seconds_count', series)).toBe(2);
    expect(sampleValue(m, 'switchboard_command_duration_seconds_bucket', { ...series, le: '+Inf' })).toBe(2);
    expect(sampleValue(m, 'switchboard_command_duration_seconds_sum', series)).toBeGreaterThan(0);
  });

  it('reports the outbox, deliveries, the database and the process', async () => {
    let m = await scrape();
    expect(sampleValue(m, 'switchboard_outbox_depth')).toBe(0);
    expect(sampleValue(m, 'switchboard_outbox_oldest_age_seconds')).toBe(0);
    expect(sampleValue(m, 'switchboard_database_up')).toBe(1);
    expect(sampleValue(m, 'switchboard_database_restarts_total')).toBe(0);
    expect(m.get('process_cpu_user_seconds_total')?.type).toBe('counter');
    expect(m.get('nodejs_eventloop_lag_seconds')?.type).toBe('gauge');

    outbox = { depth: 3, oldestAgeSeconds: 42.5 };
    metrics.deliveryFinished('slack', 'delivered');
    metrics.deliveryFinished('slack', 'delivered');
    metrics.deliveryFinished('discord', 'failed');
    m = await scrape();
    expect(sampleValue(m, 'switchboard_outbox_depth')).toBe(3);
    expect(sampleValue(m, 'switchboard_outbox_oldest_age_seconds')).toBe(42.5);
    expect(sampleValue(m, 'switchboard_deliveries_total', { platform: 'slack', outcome: 'delivered' })).toBe(2);
    expect(sampleValue(m, 'switchboard_deliveries_total', { platform: 'discord', outcome: 'failed' })).toBe(1);
    outbox = undefined;
  });

  it.skipIf(!promtool.bin && !process.env.CI)(
    'passes `promtool check metrics` clean, process metrics included',
    async () => {
      if (!promtool.bin) throw new Error(`CI must check /metrics with the real promtool: ${promtool.missing}`);
      const res = await fetch(`${url}/metrics`);
      const body = await res.text();
      // Every family the bot exports has samples by now (commands, deliveries, the outbox), and prom-client's defaults.
      expect(body).toContain('switchboard_commands_total{');
      expect(body).toContain('nodejs_active_handles');
      expect(checkMetrics(promtool.bin, body)).toEqual({ status: 0, said: '' });
    },
  );

  it('keeps a registry per instance: a second one starts from nothing and reads the outbox as 0 without a provider', async () => {
    const other = createMetrics({ processMetrics: false });
    const m = parsePrometheusText((await other.scrape()).body);
    expect(sampleValue(m, 'switchboard_commands_total')).toBeUndefined();
    expect(sampleValue(m, 'switchboard_outbox_depth')).toBe(0);
    expect(sampleValue(m, 'switchboard_database_up')).toBe(0);
    expect(m.has('process_cpu_user_seconds_total')).toBe(false);
  });

  it('is ready (200) when the database answers and every adapter is connected', async () => {
    const terminal = createConsoleAdapter({
      core: bot.core,
      user: 'root',
      input: new PassThrough(),
      output: new PassThrough(),
      interactive: false,
      onEnd: () => {},
    });
    adapters = [terminal];
    const res = await fetch(`${url}/readyz`);
    expect(await res.json()).toEqual({ ready: true, reasons: [] });
    expect(res.status).toBe(200);
  });

  it('is not ready (503) while a platform is not connected, and says which', async () => {
    // A real Discord adapter that has not logged in: no gateway connection yet.
    const discord = createDiscordAdapter({
      core: bot.core,
      config: {
        token: 'unused',
        applicationId: '1',
        guildId: undefined,
        apiUrl: undefined,
        messageContent: false,
        incidentCategory: undefined,
      },
      log,
    });
    adapters = [...adapters, discord];
    try {
      const res = await fetch(`${url}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ ready: false, reasons: ['discord: not connected to the gateway yet'] });
    } finally {
      adapters = adapters.filter((a) => a !== discord);
      await discord.stop();
    }
  });

  it('is not ready (503) when the database connection is closed, or hangs past the probe timeout', async () => {
    const gone = await anotherProcess(bot);
    await gone.close();
    database = () => pingCheck(gone.handle.connection)();
    try {
      let res = await fetch(`${url}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ ready: false, reasons: ['database: not connected'] });
      expect(sampleValue(await scrape(), 'switchboard_database_up')).toBe(0);

      database = () => new Promise(() => {});
      res = await fetch(`${url}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ ready: false, reasons: ['database: did not answer within 200 ms'] });
    } finally {
      database = () => pingCheck(bot.db.connection)();
    }
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
  });
});
