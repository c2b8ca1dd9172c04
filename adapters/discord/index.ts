// The Discord adapter: a discord.js client whose interactions and messages run through the bot core.
import { once } from 'node:events';
import { Client, Events, GatewayIntentBits, Partials, type RepliableInteraction, Status } from 'discord.js';
import type { Logger } from 'pino';
import type { DiscordConfig } from '../../config/index.ts';
import type { BotCore, ChatAdapter } from '../../src/core/bot.ts';
import { WorkQueue } from '../../src/kit/workQueue.ts';
import type { FormSpec } from '../../src/present/reply.ts';
import { DiscordCards } from './cards.ts';
import { FormStash } from './customIds.ts';
import { DiscordInteractions } from './interactions.ts';
import { DiscordMessages } from './messages.ts';
import { DiscordPins } from './pins.ts';
import { restOptions } from './rest.ts';
import { discordRooms } from './rooms.ts';

export interface DiscordAdapterDeps {
  core: BotCore;
  config: DiscordConfig;
  log: Logger;
  /** Defer an interaction whose answer is not ready this long after it arrived (Discord allows 3 s). */
  slowReplyMs?: number;
  /** Most interactions and messages worked on at once (default 8); the rest wait their turn. */
  concurrency?: number;
  /** Most waiting for their turn (default 2000); beyond it people are told to try again. */
  maxWaiting?: number;
}

export type DiscordAdapter = ChatAdapter & { client: Client };

const DEFAULT_SLOW_REPLY_MS = 1_500;

/** Only what the bot uses: guilds (threads, channels), guild and DM messages; content only when asked for. */
export function intentsFor(config: DiscordConfig): GatewayIntentBits[] {
  // Reactions: a 📌 in a major incident's room puts the message on its timeline.
  const intents = [
    GatewayIntentBits.Guilds,
    GatewayIntentBits.GuildMessages,
    GatewayIntentBits.GuildMessageReactions,
    GatewayIntentBits.DirectMessages,
  ];
  if (config.messageContent) intents.push(GatewayIntentBits.MessageContent);
  return intents;
}

export function createDiscordAdapter(deps: DiscordAdapterDeps): DiscordAdapter {
  const log = deps.log.child({ adapter: 'discord' });
  const client = new Client({
    intents: intentsFor(deps.config),
    // DM channels are never cached; without the partial their messages would be dropped. A reaction on a message
    // the bot has not cached (a restart, an old message) comes as partials too.
    partials: [Partials.Channel, Partials.Message, Partials.Reaction, Partials.User],
    rest: restOptions(deps.config.apiUrl),
    allowedMentions: { parse: [] },
  });
  const stash = new FormStash();
  const actionForms = new Map<string, { form: FormSpec; value: string }>();
  const cards = new DiscordCards({ client, core: deps.core, log });
  // The same bound as Slack's: a burst must not open as many database operations as it has interactions.
  const work = new WorkQueue(deps.concurrency ?? 8, deps.maxWaiting ?? 2000);
  const interactions = new DiscordInteractions({
    core: deps.core,
    log,
    stash,
    actionForms,
    work,
    answer: {
      log,
      stash,
      slowReplyMs: deps.slowReplyMs ?? DEFAULT_SLOW_REPLY_MS,
      cardPosted: (reply, message, i: RepliableInteraction) =>
        cards.posted(reply, message, {
          guildId: i.guildId,
          inThread: i.channel?.isThread() ? i.channelId : null,
        }),
    },
  });
  const messages = new DiscordMessages({ client, core: deps.core, log, cards, work });

  client.on(Events.InteractionCreate, (i) => void interactions.handle(i));
  client.on(Events.MessageCreate, (m) => void messages.handle(m));
  const pins = new DiscordPins({ core: deps.core, log, work });
  client.on(Events.MessageReactionAdd, (r, u) => void pins.handle(r, u));
  client.on(Events.ShardResume, (shard, replayed) => log.info({ shard, replayed }, 'discord: gateway resumed'));
  client.on(Events.ShardReconnecting, (shard) => log.info({ shard }, 'discord: gateway reconnecting'));
  client.on(Events.ShardError, (err, shard) => log.warn({ err, shard }, 'discord: gateway error'));
  client.on(Events.Error, (err) => log.error({ err }, 'discord: client error'));
  client.rest.on('rateLimited', (info) =>
    log.info({ route: info.route, retryAfter: info.retryAfter, global: info.global }, 'discord: rate limited; waiting'),
  );

  // A card's buttons that open a form: remembered when the card is shown, so a press can open it.
  const sender = {
    ...cards.sender((card) => {
      for (const a of card.actions ?? []) if (a.form) actionForms.set(a.id, { form: a.form, value: a.value });
    }),
    rooms: discordRooms(client, { category: deps.config.incidentCategory }),
  };

  let running = false;
  return {
    platform: 'discord',
    client,
    async start() {
      const ready = once(client, Events.ClientReady);
      await client.login(deps.config.token);
      await ready;
      running = true;
      deps.core.registerSender(sender);
      log.info({ user: client.user?.tag, guilds: client.guilds.cache.size }, 'discord: connected');
    },
    async stop() {
      running = false;
      const dropped = work.close();
      if (dropped > 0) log.warn({ dropped }, 'discord adapter stopping: work that had not started was dropped');
      await client.destroy();
    },
    /** The guilds the bot is in, as the gateway told them when it connected. */
    async workspaces() {
      return [...client.guilds.cache.keys()];
    },
    ready() {
      if (!running) return { ok: false, reason: 'not connected to the gateway yet' };
      // A shard that is resuming or reconnecting receives no interactions until it is back.
      const down = [...client.ws.shards.values()].filter((s) => s.status !== Status.Ready);
      if (client.ws.shards.size === 0) return { ok: false, reason: 'no gateway connection' };
      if (down.length === 0) return { ok: true };
      const states = down.map((s) => `shard ${s.id} ${(Status[s.status] ?? String(s.status)).toLowerCase()}`);
      return { ok: false, reason: `gateway not ready (${states.join(', ')})` };
    },
  };
}
