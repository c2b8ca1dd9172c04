// The Slack adapter: Bolt wired to the core — commands, buttons, modals, shortcuts, events and live cards.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { App, type Authorize, type HTTPReceiver, type SocketModeReceiver, webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { SlackConfig } from '../../config/index.ts';
import type { BotCore, ChatAdapter } from '../../src/core/bot.ts';
import { WorkQueue } from '../../src/kit/workQueue.ts';
import { boltLogger } from './boltLogger.ts';
import { registerSlashCommands } from './commands.ts';
import type { SlackContext } from './context.ts';
import { SlackDelivery } from './delivery.ts';
import { registerEvents } from './events.ts';
import { registerInteractivity } from './interactivity.ts';
import { SlackPeople, type SlackPeopleOptions } from './people.ts';
import { registerPins } from './pins.ts';
import { buildHttpReceiver, buildSocketReceiver } from './receiver.ts';
import { slackRequests } from './request.ts';
import { slackRooms } from './rooms.ts';
import { slackSender } from './sender.ts';
import { registerSuggestions } from './suggestions.ts';
import { registerUnexpected } from './unexpected.ts';

/** Longest a request waits for the bot's own identity (auth.test) before it is handled without it. */
const IDENTITY_WAIT_MS = 1000;
/** How long stop() lets work already running finish before its Slack calls are cut off. */
const STOP_GRACE_MS = 5000;

/** `promise`, or nothing once `ms` have passed; the timer never outlives the race. */
async function within(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([promise, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

export interface SlackAdapterDeps {
  core: BotCore;
  config: SlackConfig;
  log: Logger;
  /**
   * Registers a handler for every request under a path prefix on the process's HTTP server (main.ts passes the
   * server's mount). HTTP mode needs it: the adapter serves `/slack/*` there and opens no server of its own.
   */
  mount?: (prefix: string, handler: (req: IncomingMessage, res: ServerResponse) => void) => void;
  /**
   * Web API retry policy (p-retry options). The default waits out 429 Retry-After and retries network
   * failures for about 30 minutes; tests pass a fast one.
   */
  retryConfig?: webApi.RetryOptions;
  people?: SlackPeopleOptions;
  /** Most invocations run at once after their acks (default 8); the rest wait their turn. */
  concurrency?: number;
  /** Most invocations waiting for their turn (default 2000); beyond it people are told to try again. */
  maxWaiting?: number;
  /** How long stop() lets running work finish before cutting off its Slack calls (default 5 s). */
  stopGraceMs?: number;
}

export interface SlackAdapter extends ChatAdapter {
  readonly platform: 'slack';
  readonly app: App;
  /** Resolves once no invocation is running (a button press, a command, an event): tests wait on it. */
  idle(): Promise<void>;
}

/** Where the adapter's HTTP routes live on the shared server (Bolt answers /slack/events, 404 for the rest). */
export const SLACK_PATH_PREFIX = '/slack/';

export function createSlackAdapter(deps: SlackAdapterDeps): SlackAdapter {
  const { core, config } = deps;
  const log = deps.log.child({ adapter: 'slack' });
  const logger = boltLogger(log.child({ component: 'bolt' }));
  // stop() cuts off every Slack call still in flight and every retry still to come: with the default policy a
  // call to an unreachable Slack retries for about 30 minutes, and shutdown must not wait for that.
  const stopping = new AbortController();
  const fetchUntilStopped: webApi.FetchFunction = (url, init) => {
    if (stopping.signal.aborted) return Promise.reject(new Error('the Slack adapter has stopped'));
    const signal = init?.signal ? AbortSignal.any([init.signal, stopping.signal]) : stopping.signal;
    return fetch(url, { ...init, signal } as RequestInit) as ReturnType<webApi.FetchFunction>;
  };
  const policy = deps.retryConfig ?? webApi.retryPolicies.tenRetriesInAboutThirtyMinutes;
  const retryConfig = {
    ...policy,
    // p-retry gives up at once when this throws; `unref` keeps a pending backoff from holding the process open.
    onFailedAttempt: (error: Error) => {
      if (stopping.signal.aborted) throw error;
    },
    unref: true,
  } as webApi.RetryOptions;
  const clientOptions: webApi.WebClientOptions = {
    logger,
    ...(config.apiUrl ? { slackApiUrl: config.apiUrl } : {}),
    retryConfig,
    fetch: fetchUntilStopped,
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

  const socketReceiver = config.appToken
    ? buildSocketReceiver({ appToken: config.appToken, logger, clientOptions })
    : undefined;
  const httpReceiver = socketReceiver ? undefined : buildHttpReceiver({ signingSecret: config.signingSecret, logger });
  const receiver = (socketReceiver ?? httpReceiver) as HTTPReceiver | SocketModeReceiver;
  if (httpReceiver && !deps.mount) throw new Error('the Slack adapter in HTTP mode needs an HTTP server to mount on');
  // The socket's state, for readiness: Bolt reconnects by itself, and while it does no command arrives.
  let socketState = 'not started';
  if (socketReceiver) {
    for (const state of ['connecting', 'connected', 'reconnecting', 'disconnecting', 'disconnected']) {
      socketReceiver.client.on(state, () => {
        socketState = state;
      });
    }
  }
  const app = new App({ authorize, receiver, logger, clientOptions });
  app.error(async (error) => {
    log.error({ err: error }, 'unhandled error in a slack listener');
  });

  const people = new SlackPeople(client, core, log, deps.people);
  const delivery = new SlackDelivery(client, core, log, new webApi.WebClient(config.botToken, clientOptions));
  const work = new WorkQueue(deps.concurrency ?? 8, deps.maxWaiting ?? 2000);
  const ctx: SlackContext = { core, people, delivery, log, client, work, request: slackRequests({ work, delivery }) };
  registerSlashCommands(app, ctx);
  registerInteractivity(app, ctx);
  registerSuggestions(app, ctx);
  registerEvents(app, ctx);
  registerPins(app, ctx);
  registerUnexpected(app, ctx);

  let started = false;
  // Requests being answered over HTTP: stop() closes their connections, so a client that never finishes
  // sending cannot hold shutdown (the shared server itself stays up for /healthz until main.ts closes it).
  const inFlight = new Set<IncomingMessage>();
  if (httpReceiver && deps.mount) {
    deps.mount(SLACK_PATH_PREFIX, (req, res) => {
      if (!started) {
        req.resume();
        res.writeHead(503, { 'retry-after': '5' });
        res.end();
        return;
      }
      inFlight.add(req);
      res.once('close', () => inFlight.delete(req));
      httpReceiver.requestListener(req, res);
    });
  }
  let stopCalled = false;
  // The outbox's own client: a 429 comes back at once and the outbox waits out that channel only, where a
  // shared client would pause every call behind it. No retries here: the outbox retries with back-off.
  const outboxClient = new webApi.WebClient(config.botToken, {
    ...clientOptions,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
  });
  // Opening a room is part of a declaration someone is waiting on: a 429 is waited out, a failure retried a few
  // times quickly, never for Slack's 30 minutes (the declaration then stands without a room, and says why).
  const roomsClient = new webApi.WebClient(config.botToken, {
    ...clientOptions,
    retryConfig: { ...retryConfig, retries: Math.min(retryConfig.retries ?? 0, 2), maxTimeout: 2000 },
  });
  const sender = {
    ...slackSender(outboxClient, delivery, core),
    rooms: slackRooms(roomsClient, async () => (await whoAmI()).botUserId),
  };

  return {
    platform: 'slack',
    app,
    async start() {
      whoAmI().catch((error: unknown) =>
        log.error({ err: error }, 'slack auth.test failed: check SLACK_BOT_TOKEN (and SLACK_API_URL)'),
      );
      // HTTP mode has nothing to start: its requests arrive through the mounted handler once `started` is set.
      if (socketReceiver) await app.start();
      started = true;
      core.registerSender(sender);
      log.info({ mode: socketReceiver ? 'socket' : 'http' }, 'slack adapter started');
    },
    /**
     * Takes no more requests, drops work that has not started, gives running work a grace period, then cuts off
     * Slack calls still in flight (and their retries). Resolves in bounded time whatever Slack does.
     */
    async stop() {
      if (stopCalled) return;
      stopCalled = true;
      const wasStarted = started;
      started = false;
      const grace = deps.stopGraceMs ?? STOP_GRACE_MS;
      const closing =
        wasStarted && socketReceiver
          ? app.stop().catch((error: unknown) => log.warn({ err: error }, 'slack receiver did not stop cleanly'))
          : Promise.resolve();
      const dropped = work.close();
      if (dropped > 0) log.warn({ dropped }, 'slack adapter stopping: work that had not started was dropped');
      await within(work.idle(), grace);
      stopping.abort();
      // A client that never finishes its request would otherwise hold its connection for minutes.
      for (const req of inFlight) req.socket.destroy();
      await within(Promise.all([closing, work.idle()]), grace);
    },
    idle: () => work.idle(),
    /** The one workspace a bot token belongs to, as auth.test names its team. */
    async workspaces() {
      const { teamId } = await whoAmI();
      return teamId ? [teamId] : [];
    },
    ready() {
      if (!started) return { ok: false, reason: stopCalled ? 'stopped' : 'not started' };
      if (socketReceiver && socketState !== 'connected') return { ok: false, reason: `socket ${socketState}` };
      return { ok: true };
    },
  };
}
