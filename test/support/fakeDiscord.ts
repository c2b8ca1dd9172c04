// A local fake Discord: REST under /api/v10 and a v10 JSON gateway, recording everything the bot sends.
import { EventEmitter, once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { FakeCommandStore } from './fakeDiscordCommands.ts';
import { FakeGateway } from './fakeDiscordGateway.ts';
import {
  type FakeChannel,
  type FakeGuild,
  type FakeUser,
  fakeGuild,
  fakeUser,
  guildCreatePayload,
  nextSnowflake,
} from './fakeDiscordPayloads.ts';
import { FakeDiscordRest, type RecordedRequest } from './fakeDiscordRest.ts';
import { FakeDiscordRooms } from './fakeDiscordRooms.ts';
import {
  FakeDiscordState,
  type InteractionAnswer,
  type InteractionRecord,
  type StoredMessage,
} from './fakeDiscordState.ts';
import { WAIT_FLOOR_MS } from './waits.ts';

export type { InteractionAnswer, InteractionRecord, RecordedRequest, StoredMessage };

export interface FakeDiscordOptions {
  token?: string;
  applicationId?: string;
  heartbeatIntervalMs?: number;
  /** Interactions answered later than this get 404 Unknown interaction, like Discord's 3 seconds. */
  interactionDeadlineMs?: number;
  /**
   * The same Discord (guild, channels, messages, interactions) seen through a second gateway session and REST
   * endpoint: what a second process logged in with the same bot token connects to. Its requests are its own.
   */
  shareWith?: FakeDiscord;
}

export class FakeDiscord {
  readonly token: string;
  readonly applicationId: string;
  readonly bot: FakeUser;
  readonly guild: FakeGuild;
  /** Channels, messages and interactions as the fake holds them. */
  readonly state: FakeDiscordState;
  /** Application commands as registered, global and per guild. */
  readonly commands: FakeCommandStore;
  /** The WebSocket side: sessions, dispatches, drops and resumes. */
  readonly gateway: FakeGateway;
  /** The HTTP side: every request recorded, scripted 429s. */
  readonly rest: FakeDiscordRest;
  /** Channels under a category (major incident rooms), channel modifies and pins. */
  readonly rooms: FakeDiscordRooms;
  /** Emits `callback` (interaction id, status) for every interaction callback: the bench listens instead of polling. */
  readonly events = new EventEmitter();

  private server!: Server;
  private wss!: WebSocketServer;
  private port = 0;

  constructor(opts: FakeDiscordOptions = {}) {
    const same = opts.shareWith;
    this.token = same?.token ?? opts.token ?? 'fake-bot-token';
    this.applicationId = same?.applicationId ?? opts.applicationId ?? nextSnowflake();
    this.bot = same?.bot ?? fakeUser('switchboard', { id: this.applicationId, bot: true });
    this.guild = same?.guild ?? fakeGuild(this.bot);
    this.state = same?.state ?? new FakeDiscordState(this.guild, this.bot, this.applicationId);
    this.commands = same?.commands ?? new FakeCommandStore(this.applicationId);
    this.gateway = new FakeGateway({
      token: this.token,
      heartbeatMs: opts.heartbeatIntervalMs ?? 41_250,
      url: () => this.gatewayUrl,
      hello: () => ({
        ready: {
          v: 10,
          user: this.bot,
          guilds: [{ id: this.guild.id, unavailable: true }],
          shard: [0, 1],
          application: { id: this.applicationId, flags: 0 },
          private_channels: [],
          user_settings: {},
          relationships: [],
        },
        after: [['GUILD_CREATE', guildCreatePayload(this.guild, [...this.channels.values()])]],
      }),
    });
    this.rooms = same?.rooms ?? new FakeDiscordRooms(this.state, this.gateway);
    this.rest = new FakeDiscordRest({
      rooms: this.rooms,
      token: this.token,
      applicationId: this.applicationId,
      bot: this.bot,
      state: this.state,
      commands: this.commands,
      gateway: this.gateway,
      events: this.events,
      gatewayUrl: () => this.gatewayUrl,
      deadlineMs: opts.interactionDeadlineMs ?? 3_000,
    });
  }

  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api`;
  }

  get gatewayUrl(): string {
    return `ws://127.0.0.1:${this.port}`;
  }

  get channelId(): string {
    return (this.guild.channels[0] as FakeChannel).id;
  }

  get requests(): RecordedRequest[] {
    return this.rest.requests;
  }

  get messages(): Map<string, StoredMessage> {
    return this.state.messages;
  }

  get channels(): Map<string, FakeChannel> {
    return this.state.channels;
  }

  get interactions(): Map<string, InteractionRecord> {
    return this.state.interactions;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.rest.onHttp(req, res));
    this.wss = new WebSocketServer({ server: this.server });
    this.gateway.attach(this.wss);
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async close(): Promise<void> {
    this.gateway.close();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  // ---- controls for tests -------------------------------------------------------------------

  /** Answers the next `times` requests matching method + path with 429 and a retry_after of `retryAfter` seconds. */
  rateLimit(method: string, path: RegExp, times = 1, retryAfter = 0.2, global = false): void {
    this.rest.rateLimit(method, path, times, retryAfter, global);
  }

  /** Sends a dispatch on the current session (kept for resume replay even while no socket is open). */
  dispatch(t: string, d: unknown): number {
    return this.gateway.dispatch(t, d);
  }

  /** Dispatches an INTERACTION_CREATE built by the payload helpers; returns its id. */
  interact(payload: any): string {
    const rec: InteractionRecord = {
      id: payload.id,
      token: payload.token,
      payload,
      dispatchedAt: performance.now(),
      callbacks: [],
      followups: [],
    };
    this.interactions.set(payload.id, rec);
    this.dispatch('INTERACTION_CREATE', payload);
    return payload.id;
  }

  /**
   * Waits (bounded) until `check` returns something truthy; returns it. Every wait is for something that must
   * come, so a loaded machine (four suites on two cores) gets at least `WAIT_FLOOR_MS` before it counts as lost.
   */
  async waitFor<T>(check: () => T | undefined | null | false, what = 'condition', timeoutMs = 10_000): Promise<T> {
    const until = performance.now() + Math.max(timeoutMs, WAIT_FLOOR_MS);
    for (;;) {
      const v = check();
      if (v) return v;
      if (performance.now() > until) throw new Error(`fake discord: timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Requests matching method and path pattern. */
  sent(method: string, path: RegExp | string): RecordedRequest[] {
    return this.requests.filter(
      (r) => r.method === method.toUpperCase() && (typeof path === 'string' ? r.path === path : path.test(r.path)),
    );
  }

  /** The message an interaction's original response shows now (after deferral and edits). */
  original(interactionId: string): StoredMessage | undefined {
    return this.state.original(interactionId);
  }

  /** Waits until the interaction's visible answer is settled: a message/modal/choices that is not a loading placeholder. */
  async answer(interactionId: string, timeoutMs = 10_000): Promise<InteractionAnswer> {
    return this.waitFor(() => this.answerNow(interactionId), `an answer to interaction ${interactionId}`, timeoutMs);
  }

  answerNow(interactionId: string): InteractionAnswer | undefined {
    return this.state.answerNow(interactionId);
  }

  /** Messages (not deleted) in a channel, oldest first. */
  channelMessages(channelId: string): StoredMessage[] {
    return this.state.channelMessages(channelId);
  }

  /** Keeps a message a person posted (dispatched by the test), so the bot can reply to it or react. */
  keepUserMessage(payload: any): void {
    this.state.keepUserMessage(payload);
  }

  /** The person's DMs are closed to the bot: every message posted to their DM channel gets 403 (50007). */
  closeDms(userId: string): void {
    this.state.dmsClosed.add(userId);
  }

  /** Lets the fake show a user by name (as a DM channel's recipient). */
  knowUser(user: FakeUser): void {
    this.state.users.set(user.id, user);
  }

  /** The DM channel the bot opened with a user, if it did. */
  dmChannelOf(userId: string): FakeChannel | undefined {
    return this.state.dmChannels.get(userId);
  }

  /** Messages the bot sent a user by DM, oldest first. */
  dmsTo(userId: string): StoredMessage[] {
    const c = this.state.dmChannels.get(userId);
    return c ? this.state.channelMessages(c.id) : [];
  }

  addChannel(channel: FakeChannel): void {
    this.channels.set(channel.id, channel);
  }

  /** A message as Discord sends it. */
  wire(m: StoredMessage): any {
    return this.state.wire(m);
  }
}

export async function startFakeDiscord(opts: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  return new FakeDiscord(opts).start();
}
