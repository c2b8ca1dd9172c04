// Discord benchmark: interactions/s and time to first response through the real client, beside a bare reply-only client.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, GatewayIntentBits, MessageFlags } from 'discord.js';
import pino from 'pino';
import { createDiscordAdapter } from '../adapters/discord/index.ts';
import { allCommands } from '../commands/index.ts';
import { loadConfig } from '../config/index.ts';
import { createBot } from '../src/core/createBot.ts';
import { openDatabase } from '../src/store/connection.ts';
import { type EmbeddedServer, startEmbeddedServer } from '../src/store/embedded.ts';
import { type FakeDiscord, startFakeDiscord } from '../test/support/fakeDiscord.ts';
import { fakeUser, OPT, slashCommand, type Where } from '../test/support/fakeDiscordPayloads.ts';

// Bounded: a few hundred interactions per row keeps the section well under a minute on two cores.
const WARMUP = 30;
const RUNS = 300;
const CARD_RUNS = 60;
const CONCURRENCY = [1, 16] as const;
const ADMIN = '100000000000000001';

interface Result {
  label: string;
  n: number;
  concurrency: number;
  failed: number;
  perSecond: number;
  p50: number;
  p99: number;
}

export async function benchDiscord(): Promise<string[]> {
  const log = pino({ level: 'silent' });
  const external = process.env.MONGODB_URI?.trim();
  let server: EmbeddedServer | undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-bench-discord-'));
  const fakes: FakeDiscord[] = [];
  const clients: Client[] = [];
  try {
    if (!external) server = await startEmbeddedServer({ dataDir, log });
    const db = await openDatabase({
      uri: external ?? server?.uri ?? '',
      dataDir,
      dbName: `bench_discord_${randomBytes(6).toString('hex')}`,
      timeoutMs: 10_000,
      log,
    });
    try {
      const config = loadConfig({ SWITCHBOARD_ADMINS: `discord:${ADMIN}` });
      const core = await createBot({
        connection: db.connection,
        definitions: allCommands,
        log,
        admins: config.admins,
        orgs: config.orgs,
        timezone: config.timezone,
        sla: config.sla,
        matrix: config.matrix,
      });

      // The floor: a bare discord.js client that answers every interaction with a fixed reply.
      const bareFake = await startFakeDiscord();
      fakes.push(bareFake);
      const bare = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: bareFake.apiUrl } });
      clients.push(bare);
      bare.on('interactionCreate', (i) => {
        if (i.isRepliable()) void i.reply({ content: 'ok', flags: MessageFlags.Ephemeral }).catch(() => {});
      });
      const bareReady = new Promise((r) => bare.once('clientReady', r));
      await bare.login(bareFake.token);
      await bareReady;

      const fake = await startFakeDiscord();
      fakes.push(fake);
      const adapter = createDiscordAdapter({
        core,
        config: {
          token: fake.token,
          applicationId: fake.applicationId,
          guildId: fake.guild.id,
          apiUrl: fake.apiUrl,
          messageContent: false,
        },
        log,
      });
      clients.push(adapter.client);
      await adapter.start();

      const help = (f: FakeDiscord) => () => slashCommand(where(f), 'help', null);
      const show = (f: FakeDiscord) => () =>
        slashCommand(where(f), 'ticket', 'show', [{ name: 'id', type: OPT.STRING, value: 'INC-1' }]);
      let n = 0;
      const open = (f: FakeDiscord) => () =>
        slashCommand(where(f), 'ticket', 'new', [{ name: 'title', type: OPT.STRING, value: `Bench ticket ${++n}` }]);

      await measure(fake, open(fake), 1, 1, 'seed');
      await measure(bareFake, help(bareFake), WARMUP, 4, 'warm-up');
      await measure(fake, help(fake), WARMUP, 4, 'warm-up');

      const rows: Result[] = [];
      for (const c of CONCURRENCY) {
        rows.push(await measure(bareFake, help(bareFake), RUNS, c, 'bare client, reply only'));
        rows.push(await measure(fake, help(fake), RUNS, c, 'adapter /help'));
        rows.push(await measure(fake, show(fake), RUNS, c, 'adapter /ticket show'));
      }
      rows.push(await measure(fake, open(fake), CARD_RUNS, 1, 'adapter /ticket new (card)'));
      await core.settled();

      const floor = (c: number) => rows.find((r) => r.label.startsWith('bare') && r.concurrency === c) as Result;
      const lines = [
        `discord · real discord.js ${(await import('discord.js')).version} client ↔ local fake gateway + REST · ${external ? 'MONGODB_URI' : `embedded ${server?.kind}`}`,
        '  time to first response = INTERACTION_CREATE sent by the gateway → interaction callback received by REST',
        `  ${'path'.padEnd(28)} ${'n'.padStart(4)} ${'conc'.padStart(4)} ${'ix/s'.padStart(8)} ${'p50 ms'.padStart(8)} ${'p99 ms'.padStart(8)} ${'fail'.padStart(4)}  vs bare (ix/s, p50)`,
      ];
      for (const r of rows) {
        const f = floor(r.concurrency);
        const ratio =
          r.label.startsWith('bare') || !f
            ? ''
            : `  ${(r.perSecond / f.perSecond).toFixed(2)}x, ${(r.p50 / f.p50).toFixed(1)}x`;
        lines.push(
          `  ${r.label.padEnd(28)} ${String(r.n).padStart(4)} ${String(r.concurrency).padStart(4)} ${r.perSecond.toFixed(0).padStart(8)} ${r.p50.toFixed(2).padStart(8)} ${r.p99.toFixed(2).padStart(8)} ${String(r.failed).padStart(4)}${ratio}`,
        );
      }
      const deferred = fake.requests.filter((q) => q.path.endsWith('/callback') && q.body?.type === 5).length;
      lines.push(
        `  deferred (answer not ready within 1.5 s): ${deferred} of ${fake.interactions.size} adapter interactions`,
      );
      return lines;
    } finally {
      for (const c of clients) await c.destroy().catch(() => {});
      for (const f of fakes) await f.close().catch(() => {});
      await db.connection.dropDatabase().catch(() => {});
      await db.close();
    }
  } finally {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const users = new Map<FakeDiscord, ReturnType<typeof fakeUser>>();
function where(f: FakeDiscord): Where {
  let user = users.get(f);
  if (!user) {
    user = fakeUser('bench', { id: ADMIN, global_name: 'Bench Admin' });
    users.set(f, user);
  }
  return { guild: f.guild, channel: f.guild.channels[0] as Where['channel'], user, applicationId: f.applicationId };
}

/** Sends `count` interactions keeping `concurrency` in flight; each ends at its first callback. */
async function measure(
  fake: FakeDiscord,
  make: () => unknown,
  count: number,
  concurrency: number,
  label: string,
): Promise<Result> {
  const latencies: number[] = [];
  let failed = 0;
  const waiting = new Map<string, () => void>();
  const onCallback = (id: string, ms: number) => {
    const done = waiting.get(id);
    if (!done) return;
    latencies.push(ms);
    waiting.delete(id);
    done();
  };
  const onLate = (id: string) => {
    const done = waiting.get(id);
    if (!done) return;
    failed++;
    waiting.delete(id);
    done();
  };
  fake.events.on('callback', onCallback);
  fake.events.on('late', onLate);
  let sent = 0;
  const started = performance.now();
  const worker = async () => {
    while (sent < count) {
      sent++;
      const payload = make() as { id: string };
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          if (waiting.delete(payload.id)) failed++;
          resolve();
        }, 5_000);
        waiting.set(payload.id, () => {
          clearTimeout(timer);
          resolve();
        });
        fake.interact(payload);
      });
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  fake.events.off('callback', onCallback);
  fake.events.off('late', onLate);
  latencies.sort((a, b) => a - b);
  const pct = (p: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? Number.NaN;
  return { label, n: count, concurrency, failed, perSecond: count / seconds, p50: pct(50), p99: pct(99) };
}
