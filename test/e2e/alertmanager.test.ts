// A real Prometheus Alertmanager on loopback, its webhook receiver pointed at the bot: an alert pushed to it opens an incident, and its resolve resolves it.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AlertProcess, alertProcess, incidents, TOKEN } from '../support/alertProcess.ts';
import { type TestDatabase, testDatabase } from '../support/db.ts';

const BIN = process.env.ALERTMANAGER_BIN ?? '/usr/bin/prometheus-alertmanager';

/** The binary, installed now when it is missing (CI installs it first in .ci/run); false only when that cannot be done. */
function alertmanagerAvailable(): boolean {
  if (existsSync(BIN)) return true;
  const r = spawnSync('bash', [join(import.meta.dirname, '../../scripts/install-alertmanager.sh')], {
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 300_000,
  });
  if (existsSync(BIN)) return true;
  const why = `${r.stderr?.toString() ?? ''}${r.stdout?.toString() ?? ''}`.trim().split('\n').slice(-2).join(' ');
  process.stderr.write(`alertmanager e2e SKIPPED: ${BIN} is absent and could not be installed (${why})\n`);
  return false;
}

const available = alertmanagerAvailable();

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe.skipIf(!available)('a real Prometheus Alertmanager posting to the bot', () => {
  let db: TestDatabase;
  let bot: AlertProcess;
  let am: ChildProcess | undefined;
  let amUrl: string;
  let dir: string;
  let amLog = '';

  beforeAll(async () => {
    db = await testDatabase();
    bot = await alertProcess(db);
    dir = mkdtempSync(join(tmpdir(), 'switchboard-am-'));
    writeFileSync(
      join(dir, 'alertmanager.yml'),
      [
        'route:',
        '  receiver: switchboard',
        "  group_by: ['alertname']",
        '  group_wait: 0s',
        '  group_interval: 1s',
        '  repeat_interval: 1h',
        'receivers:',
        '  - name: switchboard',
        '    webhook_configs:',
        `      - url: ${bot.url}/webhooks/alertmanager`,
        '        send_resolved: true',
        '        http_config:',
        '          authorization:',
        '            type: Bearer',
        `            credentials: ${TOKEN}`,
        '',
      ].join('\n'),
    );
    const port = await freePort();
    amUrl = `http://127.0.0.1:${port}`;
    am = spawn(
      BIN,
      [
        `--config.file=${join(dir, 'alertmanager.yml')}`,
        `--storage.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        '--cluster.listen-address=',
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    am.stderr?.on('data', (c: Buffer) => {
      amLog = `${amLog}${c.toString()}`.slice(-4000);
    });
    await until('Alertmanager to be ready', async () => ((await fetch(`${amUrl}/-/ready`)).ok ? true : undefined));
  }, 60_000);

  afterAll(async () => {
    if (am && am.exitCode === null) {
      const exited = new Promise((r) => am?.once('exit', r));
      am.kill('SIGTERM');
      await exited;
    }
    await bot?.close();
    await db?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const push = async (alerts: unknown[]) => {
    const res = await fetch(`${amUrl}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(alerts),
    });
    expect(res.status, amLog).toBe(200);
  };

  it('opens the incident for a pushed alert, and resolves it when the alert ends', async () => {
    const labels = { alertname: 'DiskFull', severity: 'critical', service: 'storage', instance: 'db1' };
    const alert = {
      labels,
      annotations: { summary: 'Disk full on db1' },
      generatorURL: 'http://prometheus.local/graph?g0.expr=disk_free',
    };
    await push([alert]);
    const inc = await until('the incident to open', async () => (await incidents(bot.services))[0]);
    expect(inc).toMatchObject({ ticketId: 'INC-1', priority: 'P1', service: 'storage', title: 'Disk full on db1' });
    expect(inc.description).toContain('http://prometheus.local/graph?g0.expr=disk_free');
    // The listeners hear it just after the ticket is written, before Alertmanager is answered.
    await until('the incident to be announced', async () => (bot.incidents.length ? true : undefined));
    expect(bot.incidents.map((e) => e.source)).toEqual(['alertmanager']);

    await push([{ ...alert, endsAt: new Date(Date.now() - 1000).toISOString() }]);
    const done = await until('the incident to resolve', async () => {
      const [t] = await incidents(bot.services);
      return t?.state === 'resolved' ? t : undefined;
    });
    expect(done.comments.map((c) => c.text).join('\n')).toContain('[resolved] DiskFull');
    expect(await incidents(bot.services)).toHaveLength(1);
  }, 60_000);
});
