// The terminal as a newcomer uses it: `npm start` with lines piped in, on the embedded database.
// @module-tag time-of-day
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawControlIn } from '../support/rawText.ts';

// Under scripts/test-clocks.sh the bot in the child process runs on the moved clock too.
const clockEnv: Record<string, string> = process.env.SWITCHBOARD_TEST_NOW
  ? { SWITCHBOARD_TEST_NOW: process.env.SWITCHBOARD_TEST_NOW, TZ: process.env.TZ ?? 'UTC' }
  : {};
const clockArgs = process.env.SWITCHBOARD_TEST_NOW ? ['--import', './test/support/shiftedClock.ts'] : [];

const root = join(import.meta.dirname, '..', '..');

function runBot(
  input: string,
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...clockArgs, 'src/main.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...clockEnv, ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b) => (stdout += b));
    child.stderr.on('data', (b) => (stderr += b));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

describe('terminal adapter (npm start)', () => {
  let dataDir: string;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'switchboard-console-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('answers piped commands on the embedded database, exits 0, and keeps tickets across a restart', async () => {
    const env = { SWITCHBOARD_DATA_DIR: dataDir, USER: 'ada' };
    const first = await runBot(
      [
        '/ticket new "VPN drops every 5 minutes" --impact high --urgency high --service vpn',
        '/ticket assign INC-1 me',
        '/ticket comment INC-1 "rolled back the 14:00 config push"',
        '/ticket resolve INC-1 "config rollback fixed it"',
        '/ticket new',
        'hello',
        '',
      ].join('\n'),
      env,
    );
    expect(first.code, first.stderr).toBe(0);
    const out = first.stdout.split('\n');
    // `npm start` runs on the wall clock: within 15 minutes of midnight the due time carries its date.
    expect(out[0]).toMatch(
      /^INC-1 · P1 · new · VPN drops every 5 minutes · service vpn · SLA: respond by (\d{1,2} \w{3} (\d{4} )?)?\d\d:\d\d/,
    );
    expect(first.stdout).toContain('INC-1 is assigned to ada.');
    expect(first.stdout).toContain('Comment added to INC-1.');
    expect(first.stdout).toContain('INC-1 is resolved.');
    expect(first.stdout).toContain('Missing <title>.');
    expect(first.stdout).toContain('Commands start with a slash');

    const second = await runBot('/ticket list --state all\n/ticket show INC-1\n', env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toContain('1 ticket\n');
    expect(second.stdout).toMatch(/INC-1 · P1 · resolved · VPN drops every 5 minutes/);
    expect(second.stdout).toContain('ada: rolled back the 14:00 config push');
  });

  it('prints replies only when `npm start` is piped: no npm banner before them', async () => {
    // Through npm itself, as the README says to run it; the project's .npmrc is what keeps npm quiet.
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
      const child = spawn('npm', ['start'], {
        cwd: root,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', SWITCHBOARD_DATA_DIR: dataDir, USER: 'ada' },
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (b) => (stdout += b));
      child.stderr.on('data', (b) => (stderr += b));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
      child.stdin.end('/help\n');
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('Switchboard commands:');
    expect(r.stdout).not.toContain('> switchboard@');
  });

  it('stops at /quit with exit code 0, running nothing after it', async () => {
    const r = await runBot('/ticket list --state all\n/quit\n/ticket new "Never opened"\n', {
      SWITCHBOARD_DATA_DIR: dataDir,
      USER: 'ada',
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('1 ticket\n');
    const again = await runBot('/ticket list --state all\n', { SWITCHBOARD_DATA_DIR: dataDir, USER: 'ada' });
    expect(again.stdout).not.toContain('Never opened');
  });

  it('names why the terminal user cannot lose the admin role: being at the terminal, not SWITCHBOARD_ADMINS', async () => {
    const r = await runBot('/role revoke me\n/role show\n', { SWITCHBOARD_DATA_DIR: dataDir, USER: 'ada' });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      "ada is the terminal's user, an admin for as long as Switchboard runs at the terminal; a role given or taken in chat does not change that.",
    );
    expect(r.stdout).not.toContain('SWITCHBOARD_ADMINS');
    expect(r.stdout).toContain('You are an admin.');
  });

  it('serves /healthz, /readyz and /metrics on PORT (loopback) while the terminal runs', async () => {
    const probe: Server = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    const child = spawn(process.execPath, ['--import', 'tsx', ...clockArgs, 'src/main.ts'], {
      cwd: root,
      env: {
        ...clockEnv,
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        SWITCHBOARD_DATA_DIR: dataDir,
        PORT: String(port),
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    let stdout = '';
    child.stdout.on('data', (b) => (stdout += b));
    try {
      child.stdin.write('/ticket list --state all\n');
      const deadline = Date.now() + 20_000;
      while (!stdout.includes('ticket')) {
        if (Date.now() > deadline) throw new Error('the bot never answered');
        await new Promise((r) => setTimeout(r, 50));
      }
      const base = `http://127.0.0.1:${port}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const ready = await fetch(`${base}/readyz`);
      expect(await ready.json()).toEqual({ ready: true, reasons: [] });
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(
        /^switchboard_commands_total\{command="ticket list",outcome="ok",platform="console"\} 1$/m,
      );
    } finally {
      child.stdin.end();
    }
    expect(await exited).toBe(0);
  });

  it('runs with a one-line warning when PORT is already in use, and Slack in HTTP mode refuses to start', async () => {
    const holder: Server = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = String((holder.address() as { port: number }).port);
    try {
      const r = await runBot('/ticket list --state all\n', { SWITCHBOARD_DATA_DIR: dataDir, USER: 'ada', PORT: port });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('1 ticket\n');
      const lines = r.stderr.trim().split('\n');
      expect(lines).toEqual([
        expect.stringMatching(new RegExp(`^switchboard: warning: port ${port} .*already in use`)),
      ]);

      const slack = await runBot('', {
        SWITCHBOARD_DATA_DIR: dataDir,
        PORT: port,
        SWITCHBOARD_HTTP_HOST: '127.0.0.1',
        SLACK_BOT_TOKEN: 'xoxb-never-used',
        SLACK_SIGNING_SECRET: 'never-used',
        SLACK_API_URL: 'http://127.0.0.1:1/api/',
      });
      expect(slack.code).toBe(1);
      expect(slack.stderr).toMatch(new RegExp(`could not start: port ${port} .*already in use: Slack's HTTP mode`));
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });

  it('shows what was typed with control characters made visible, and a lone \\r does not split a line', async () => {
    const r = await runBot(
      [
        '/\u001b]0;pwned\u0007',
        '/ticket new one\r/ticket new two',
        '/ticket new "evil\u202etxt.exe"',
        '/ticket new form\ffeed',
        '/role grant @everyone admin',
        '/role grant @zed agent',
        '/ticket new "Windows line end"\r',
        '',
      ].join('\n'),
      { SWITCHBOARD_DATA_DIR: dataDir, USER: 'ada' },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(rawControlIn(r.stdout)).toBeNull();
    expect(r.stdout).toContain('There is no command /[U+001B]]0;pwned[U+0007].');
    expect(r.stdout).toContain('<title> contains U+000D, a control character; type plain text.');
    expect(r.stdout).toContain('<title> contains U+202E, a text-direction control');
    expect(r.stdout).toContain('<title> contains U+000C, a control character');
    expect(r.stdout).toContain('<user> must be one person; @everyone is not a person');
    expect(r.stdout).toContain('Switchboard has never seen console:zed here, so nothing was changed.');
    // Only the last line opened a ticket (the earlier test's INC-1 is the other one).
    expect(r.stdout).toMatch(/INC-2 · P\d · new · Windows line end/);
    const list = await runBot('/ticket list --state all\n', { SWITCHBOARD_DATA_DIR: dataDir, USER: 'ada' });
    expect(list.stdout).toContain('2 tickets\n');
  });

  it('stops at start-up with one clear line when the configuration is bad', async () => {
    const r = await runBot('', { SWITCHBOARD_DATA_DIR: dataDir, PORT: 'seventy' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('PORT');
  });

  it('stops at start-up with one clear line when the database cannot be reached', async () => {
    const r = await runBot('', { MONGODB_URI: 'mongodb://127.0.0.1:1/x', SWITCHBOARD_DB_TIMEOUT: '1s' });
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/cannot reach the database at mongodb:\/\/127\.0\.0\.1:1/);
  });
});
