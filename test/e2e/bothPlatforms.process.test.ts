// The bot as `npm start` runs it in production, with Slack and Discord both configured: one process (src/main.ts) on
// the test database, the real Bolt and discord.js clients talking to the local fakes. Slack's adapter loads first
// there, which is what once broke every Discord attachment (adapters/discord/rest.ts).
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestDatabase, testDatabase } from '../support/db.ts';
import { type FakeDiscord, startFakeDiscord } from '../support/fakeDiscord.ts';
import { ADMIN_ID, textOf } from '../support/fakeDiscordBot.ts';
import { fakeUser, OPT, slashCommand, type Where } from '../support/fakeDiscordPayloads.ts';
import { type FakeSlack, startFakeSlack } from '../support/fakeSlack.ts';
import { SIGNING_SECRET, slackEnv } from '../support/fakeSlackBot.ts';
import { type SlackSender, slackSender } from '../support/fakeSlackSender.ts';

const root = join(import.meta.dirname, '..', '..');
// Under scripts/test-clocks.sh the child runs on the moved clock too (the file is not tagged, so it runs once).
const clockArgs = process.env.SWITCHBOARD_TEST_NOW ? ['--import', './test/support/shiftedClock.ts'] : [];

let db: TestDatabase;
let slack: FakeSlack;
let discord: FakeDiscord;
let child: ChildProcess;
let stderr = '';
let send: SlackSender;

/** Resolves with the first log line (stderr, JSON) that `match` accepts. */
function logLine(match: (line: Record<string, unknown>) => boolean, what: string, timeoutMs = 30_000) {
  return new Promise<Record<string, unknown>>((resolve, reject) => {
    const look = () => {
      for (const raw of stderr.split('\n')) {
        if (!raw.startsWith('{')) continue;
        const line = JSON.parse(raw) as Record<string, unknown>;
        if (match(line)) return line;
      }
      return undefined;
    };
    const timer = setTimeout(() => {
      child.stderr?.off('data', onData);
      reject(new Error(`no ${what} in the bot's log within ${timeoutMs} ms:\n${stderr.slice(-2000)}`));
    }, timeoutMs);
    const onData = () => {
      const found = look();
      if (!found) return;
      clearTimeout(timer);
      child.stderr?.off('data', onData);
      resolve(found);
    };
    child.stderr?.on('data', onData);
    onData();
  });
}

beforeAll(async () => {
  db = await testDatabase();
  slack = await startFakeSlack();
  discord = await startFakeDiscord();
  const uri = new URL(db.uri);
  uri.pathname = `/${db.dbName}`;
  child = spawn(process.execPath, ['--import', 'tsx', ...clockArgs, 'src/main.ts'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      ...(process.env.SWITCHBOARD_TEST_NOW
        ? { SWITCHBOARD_TEST_NOW: process.env.SWITCHBOARD_TEST_NOW, TZ: process.env.TZ ?? 'UTC' }
        : {}),
      MONGODB_URI: uri.toString(),
      LOG_LEVEL: 'info',
      SWITCHBOARD_ADMINS: `slack:UADMIN,discord:${ADMIN_ID}`,
      SWITCHBOARD_ORGS: `acme=slack:T1,discord:${discord.guild.id}`,
      ...slackEnv(slack),
      HOST: '127.0.0.1',
      DISCORD_TOKEN: discord.token,
      DISCORD_APPLICATION_ID: discord.applicationId,
      DISCORD_GUILD_ID: discord.guild.id,
      DISCORD_API_URL: discord.apiUrl,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr?.on('data', (b) => {
    stderr += String(b);
  });
  const listening = await logLine((l) => l.msg === 'http server listening (/healthz, /readyz, /metrics)', 'HTTP port');
  await logLine((l) => l.msg === 'discord: connected', 'Discord connection');
  send = slackSender({ botUrl: `http://127.0.0.1:${listening.port}`, signingSecret: SIGNING_SECRET, fake: slack });
}, 60_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
  await discord?.close();
  await slack?.close();
  await db?.close();
});

describe('one process running Slack and Discord (src/main.ts)', () => {
  it('answers on both, and posts a Discord attachment though Slack loaded first', async () => {
    const sent = await send.command('/ticket', 'new "Printer jam on 3rd floor" --service printing', {
      user: 'UADMIN',
      channel: 'COPS',
    });
    expect(sent.status).toBe(200);
    await slack.waitFor(
      (calls) => calls.find((c) => c.method === 'chat.postMessage' && /^INC-1 /.test(String(c.body.text))),
      10_000,
      'the card of INC-1 on Slack',
    );

    const admin = fakeUser('root', { id: ADMIN_ID, global_name: 'Root Admin' });
    const channel = discord.channels.get(discord.channelId);
    if (!channel) throw new Error('the fake guild has no channel');
    const where: Where = { guild: discord.guild, channel, user: admin, applicationId: discord.applicationId };
    const exported = discord.interact(
      slashCommand(
        where,
        'status',
        null,
        [
          { name: 'scope', type: OPT.STRING, value: 'export' },
          { name: 'period', type: OPT.STRING, value: 'week' },
          { name: 'format', type: OPT.STRING, value: 'csv' },
        ],
        [],
      ),
    );
    // The same organisation on both: the ticket typed on Slack is in the export asked for on Discord.
    expect(textOf((await discord.answer(exported)).message)).toMatch(/Exported 1 ticket .* uploaded to this channel/);
    const posted = await discord.waitFor(
      () => discord.channelMessages(channel.id).find((m) => m.files?.length),
      'the CSV in the Discord channel',
    );
    expect(posted.files[0].bytes.toString('utf8')).toContain('Printer jam on 3rd floor');
    expect(stderr).not.toContain('outbox: delivery failed');

    child.kill('SIGTERM');
    const code = await new Promise((r) => child.once('exit', r));
    expect(code, stderr.slice(-2000)).toBe(0);
  }, 60_000);
});
