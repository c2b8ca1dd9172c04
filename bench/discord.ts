// Discord benchmark: interactions/s and time to first response through the real client, beside a bare reply-only client.
import { Client, GatewayIntentBits, MessageFlags } from 'discord.js';
import pino from 'pino';
import { createDiscordAdapter } from '../adapters/discord/index.ts';
import { type FakeDiscord, startFakeDiscord } from '../test/support/fakeDiscord.ts';
import { fakeUser, OPT, slashCommand, type Where } from '../test/support/fakeDiscordPayloads.ts';
import { type BenchDatabase, startBenchBot } from './benchBot.ts';
import { type Figure, figureTable, type Summary, summarize } from './stats.ts';

// Bounded: a few hundred interactions per row keeps the section well under a minute on two cores.
const WARMUP = 30;
const RUNS = 300;
const CARD_RUNS = 60;
const CONCURRENCY = [1, 16] as const;
const ADMIN = '100000000000000001';

export async function benchDiscord(db: BenchDatabase): Promise<string[]> {
  const log = pino({ level: 'silent' });
  const fakes: FakeDiscord[] = [];
  const clients: Client[] = [];
  const { core, close } = await startBenchBot(db, 'discord', { SWITCHBOARD_ADMINS: `discord:${ADMIN}` });
  try {
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
    const { token, applicationId, apiUrl } = fake;
    const config = {
      token,
      applicationId,
      guildId: fake.guild.id,
      apiUrl,
      messageContent: false,
      incidentCategory: undefined,
    };
    const adapter = createDiscordAdapter({ core, config, log });
    clients.push(adapter.client);
    await adapter.start();

    const help = (f: FakeDiscord) => () => slashCommand(where(f), 'help', null);
    const show = (f: FakeDiscord) => () =>
      slashCommand(where(f), 'ticket', 'show', [{ name: 'id', type: OPT.STRING, value: 'INC-1' }]);
    let n = 0;
    const open = (f: FakeDiscord) => () =>
      slashCommand(where(f), 'ticket', 'new', [{ name: 'title', type: OPT.STRING, value: `Bench ticket ${++n}` }]);

    await measure(fake, open(fake), 1, 1);
    await measure(bareFake, help(bareFake), WARMUP, 4);
    await measure(fake, help(fake), WARMUP, 4);

    const rows: Figure[] = [];
    const floors = new Map<number, Summary>();
    for (const c of CONCURRENCY) {
      const floor = await measure(bareFake, help(bareFake), RUNS, c);
      floors.set(c, floor);
      rows.push({ figure: `bare client, reply only, ${c} in flight`, run: floor });
      rows.push({ figure: `adapter /help, ${c} in flight`, run: await measure(fake, help(fake), RUNS, c), floor });
      const shown = await measure(fake, show(fake), RUNS, c);
      rows.push({ figure: `adapter /ticket show, ${c} in flight`, run: shown, floor });
    }
    const cards = await measure(fake, open(fake), CARD_RUNS, 1);
    rows.push({ figure: 'adapter /ticket new (card), 1 in flight', run: cards, floor: floors.get(1) });
    await core.settled();

    const deferred = fake.requests.filter((q) => q.path.endsWith('/callback') && q.body?.type === 5).length;
    return [
      `discord · real discord.js ${(await import('discord.js')).version} client ↔ local fake gateway + REST · ${db.backend}`,
      '  time to first response = INTERACTION_CREATE sent by the gateway → interaction callback received by REST',
      ...figureTable(rows, { unit: 'ix/s', floor: 'bare' }),
      `  deferred (answer not ready within 1.5 s): ${deferred} of ${fake.interactions.size} adapter interactions`,
    ];
  } finally {
    for (const c of clients) await c.destroy().catch(() => {});
    for (const f of fakes) await f.close().catch(() => {});
    await close();
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
async function measure(fake: FakeDiscord, make: () => unknown, count: number, concurrency: number): Promise<Summary> {
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
  return summarize({ ops: count, failed, seconds, latencies });
}
