// The Slack adapter: Bolt wired to the core — commands, buttons, modals, shortcuts, events and live cards.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, type Authorize, type HTTPReceiver, type SocketModeReceiver, webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { SlackConfig } from '../../config/index.ts';
import type { BotCore, ChatAdapter } from '../../src/core/bot.ts';
import { boltLogger } from './boltLogger.ts';
import { registerSlashCommands } from './commands.ts';
import type { SlackContext } from './context.ts';
import { SlackDelivery } from './delivery.ts';
import { registerEvents } from './events.ts';
import { registerInteractivity } from './interactivity.ts';
import { SlackPeople, type SlackPeopleOptions } from './people.ts';
import { buildHttpReceiver, buildSocketReceiver } from './receiver.ts';
import { registerUnexpected } from './unexpected.ts';
import { WorkQueue } from './workQueue.ts';

/** Longest a request waits for the bot's own identity (auth.test) before it is handled without it. */
const IDENTITY_WAIT_MS = 1000;

export interface SlackAdapterDeps {
  core: BotCore;
  config: SlackConfig;
  log: Logger;
  /** Interface to listen on in HTTP mode (all interfaces when unset; tests use 127.0.0.1). */
  host?: string;
  /**
   * Web API retry policy (p-retry options). The default waits out 429 Retry-After and retries network
   * failures for about 30 minutes; tests pass a fast one.
   */
  retryConfig?: webApi.RetryOptions;
  people?: SlackPeopleOptions;
  /** Most invocations run at once after their acks (default 8); the rest wait their turn. */
  concurrency?: number;
}

export interface SlackAdapter extends ChatAdapter {
  readonly platform: 'slack';
  readonly app: App;
  /** The HTTP server's address once started (HTTP mode), else null. */
  address(): { port: number } | null;
}

export function createSlackAdapter(deps: SlackAdapterDeps): SlackAdapter {
  const { core, config } = deps;
  const log = deps.log.child({ adapter: 'slack' });
  const logger = boltLogger(log.child({ component: 'bolt' }));
  const clientOptions: webApi.WebClientOptions = {
    logger,
    ...(config.apiUrl ? { slackApiUrl: config.apiUrl } : {}),
    ...(deps.retryConfig ? { retryConfig: deps.retryConfig } : {}),
  };
  // One client, one request queue: a 429 pauses every call to Slack, not just the one that hit it.
  const client = new webApi.WebClient(config.botToken, clientOptions);

  // Who the bot is (auth.test), asked once and kept. Bolt runs authorize before it acks, so unlike Bolt's
  // built-in check this never holds a request for long (a slow or failing Slack costs at most
  // IDENTITY_WAIT_MS, then the request goes on without the bot's ids), and a failure is not cached forever.
  type Identity = { botId?: string; botUserId?: string; teamId?: string };
  let known: Identity | undefined;
  let asking: Promise<Identity> | undefined;
  const whoAmI = (): Promise<Identity> => {
    asking ??= client.auth.test().then(
      (r) => {
        known = { botId: r.bot_id, botUserId: r.user_id, teamId: r.team_id };
        return known;
      },
      (error: unknown) => {
        asking = undefined;
        throw error;
      },
    );
    return asking;
  };
  const authorize: Authorize<boolean> = async () => {
    if (known) return { botToken: config.botToken, ...known };
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<Identity>((resolve) => {
      timer = setTimeout(() => resolve({}), IDENTITY_WAIT_MS);
    });
    const identity = await Promise.race([whoAmI().catch((): Identity => ({})), gaveUp]);
    clearTimeout(timer);
    return { botToken: config.botToken, ...identity };
  };

  const receiver: HTTPReceiver | SocketModeReceiver = config.appToken
    ? buildSocketReceiver({ appToken: config.appToken, port: config.port, logger, clientOptions })
    : buildHttpReceiver({ signingSecret: config.signingSecret, port: config.port, logger });
  const app = new App({ authorize, receiver, logger, clientOptions });
  app.error(async (error) => {
    log.error({ err: error }, 'unhandled error in a slack listener');
  });

  const people = new SlackPeople(client, core, log, deps.people);
  const delivery = new SlackDelivery(client, core, log, new webApi.WebClient(config.botToken, clientOptions));
  const ctx: SlackContext = { core, people, delivery, log, client, work: new WorkQueue(deps.concurrency ?? 8) };
  registerSlashCommands(app, ctx);
  registerInteractivity(app, ctx);
  registerEvents(app, ctx);
  registerUnexpected(app, ctx);

  let server: Server | undefined;
  let started = false;
  core.onTicketChanged(async (change) => {
    if (!started) return;
    try {
      await delivery.ticketChanged(change);
    } catch (error) {
      log.error({ err: error, ticket: change.ticketId }, 'could not update slack cards');
    }
  });

  return {
    platform: 'slack',
    app,
    address() {
      const a = server?.address();
      return a && typeof a === 'object' ? { port: (a as AddressInfo).port } : null;
    },
    async start() {
      whoAmI().catch((error: unknown) =>
        log.error({ err: error }, 'slack auth.test failed: check SLACK_BOT_TOKEN (and SLACK_API_URL)'),
      );
      if (config.appToken) {
        await app.start();
      } else {
        server = (await app.start({ port: config.port, ...(deps.host ? { host: deps.host } : {}) })) as Server;
      }
      started = true;
      log.info({ mode: config.appToken ? 'socket' : 'http', port: this.address()?.port }, 'slack adapter started');
    },
    async stop() {
      started = false;
      await app.stop();
      server = undefined;
    },
  };
}
