// A local fake Discord: REST under /api/v10 and a v10 JSON gateway, recording everything the bot sends.
import { EventEmitter, once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
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

export interface RecordedRequest {
  method: string;
  /** Path after `/api/v10`, e.g. `/channels/1/messages`. */
  path: string;
  query: URLSearchParams;
  body: any;
  authorized: boolean;
  status: number;
  /** performance.now() when the request arrived. */
  at: number;
}

export interface StoredMessage {
  id: string;
  channel_id: string;
  guild_id?: string;
  content: string;
  embeds: any[];
  components: any[];
  flags: number;
  edits: number;
  deleted: boolean;
  /** For interaction responses: which interaction made it. */
  interactionId?: string;
  reactions: string[];
  thread?: FakeChannel;
  [k: string]: any;
}

/** What the bot did with one interaction: callbacks in order, the original response, follow-ups. */
export interface InteractionRecord {
  id: string;
  token: string;
  payload: any;
  dispatchedAt: number;
  callbacks: Array<{ type: number; data: any; status: number; at: number }>;
  originalId?: string;
  followups: string[];
}

interface RateLimitRule {
  method: string;
  path: RegExp;
  remaining: number;
  retryAfter: number;
  global: boolean;
}

export interface FakeDiscordOptions {
  token?: string;
  applicationId?: string;
  heartbeatIntervalMs?: number;
  /** Interactions answered later than this get 404 Unknown interaction, like Discord's 3 seconds. */
  interactionDeadlineMs?: number;
}

const API = '/api/v10';
const JSON_HEADERS = { 'content-type': 'application/json' };

export class FakeDiscord {
  readonly token: string;
  readonly applicationId: string;
  readonly bot: FakeUser;
  readonly guild: FakeGuild;
  readonly requests: RecordedRequest[] = [];
  readonly messages = new Map<string, StoredMessage>();
  readonly channels = new Map<string, FakeChannel>();
  readonly interactions = new Map<string, InteractionRecord>();
  /** Application commands as registered, global and per guild. */
  readonly commands: FakeCommandStore;
  /** The WebSocket side: sessions, dispatches, drops and resumes. */
  readonly gateway: FakeGateway;
  /** Emits `callback` (interaction id, status) for every interaction callback: the bench listens instead of polling. */
  readonly events = new EventEmitter();

  private server!: Server;
  private wss!: WebSocketServer;
  private port = 0;
  private readonly rateLimits: RateLimitRule[] = [];
  private readonly deadlineMs: number;

  constructor(opts: FakeDiscordOptions = {}) {
    this.token = opts.token ?? 'fake-bot-token';
    this.applicationId = opts.applicationId ?? nextSnowflake();
    this.bot = fakeUser('switchboard', { id: this.applicationId, bot: true });
    this.guild = fakeGuild(this.bot);
    for (const c of this.guild.channels) this.channels.set(c.id, c);
    this.commands = new FakeCommandStore(this.applicationId);
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
    this.deadlineMs = opts.interactionDeadlineMs ?? 3_000;
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

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.onHttp(req, res));
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
    this.rateLimits.push({ method: method.toUpperCase(), path, remaining: times, retryAfter, global });
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

  /** Waits (bounded) until `check` returns something truthy; returns it. */
  async waitFor<T>(check: () => T | undefined | null | false, what = 'condition', timeoutMs = 10_000): Promise<T> {
    const until = performance.now() + timeoutMs;
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
    const id = this.interactions.get(interactionId)?.originalId;
    return id ? this.messages.get(id) : undefined;
  }

  /** Waits until the interaction's visible answer is settled: a message/modal/choices that is not a loading placeholder. */
  async answer(interactionId: string, timeoutMs = 10_000): Promise<InteractionAnswer> {
    return this.waitFor(() => this.answerNow(interactionId), `an answer to interaction ${interactionId}`, timeoutMs);
  }

  answerNow(interactionId: string): InteractionAnswer | undefined {
    const rec = this.interactions.get(interactionId);
    if (!rec) return undefined;
    const ok = rec.callbacks.filter((c) => c.status < 300);
    const first = ok[0];
    if (!first) return undefined;
    const base = { record: rec, callbackType: first.type, deferred: first.type === 5 || first.type === 6 };
    if (first.type === 9) return { ...base, modal: first.data };
    if (first.type === 8) return { ...base, choices: first.data.choices };
    const followups = rec.followups.map((id) => this.messages.get(id) as StoredMessage);
    const original = this.original(interactionId);
    const visibleOriginal = original && !original.deleted && !original.loading ? original : undefined;
    if (!visibleOriginal && followups.length === 0) {
      // deferUpdate with nothing else to say yet
      if (first.type === 6 && original && original.edits > 0) return { ...base, message: original, followups };
      return undefined;
    }
    return { ...base, message: visibleOriginal ?? followups[0], followups };
  }

  /** Messages (not deleted) in a channel, oldest first. */
  channelMessages(channelId: string): StoredMessage[] {
    return [...this.messages.values()].filter((m) => m.channel_id === channelId && !m.deleted);
  }

  /** Keeps a message a person posted (dispatched by the test), so the bot can reply to it or react. */
  keepUserMessage(payload: any): void {
    this.messages.set(payload.id, {
      ...payload,
      embeds: payload.embeds ?? [],
      components: payload.components ?? [],
      flags: payload.flags ?? 0,
      edits: 0,
      deleted: false,
      reactions: [],
    });
  }

  addChannel(channel: FakeChannel): void {
    this.channels.set(channel.id, channel);
  }

  // ---- REST ---------------------------------------------------------------------------------

  private async onHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: any;
    if (raw) {
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
    }
    const method = (req.method ?? 'GET').toUpperCase();
    const rawPath = url.pathname.startsWith(API) ? url.pathname.slice(API.length) : url.pathname;
    const path = rawPath
      .split('/')
      .map((x) => decodeURIComponent(x))
      .join('/');
    const rec: RecordedRequest = {
      method,
      path,
      query: url.searchParams,
      body,
      authorized: req.headers.authorization === `Bot ${this.token}`,
      status: 0,
      at: performance.now(),
    };
    this.requests.push(rec);

    const limit = this.rateLimits.find((r) => r.remaining > 0 && r.method === method && r.path.test(path));
    if (limit) {
      limit.remaining--;
      rec.status = 429;
      const headers: Record<string, string> = {
        ...JSON_HEADERS,
        'retry-after': String(limit.retryAfter),
        'x-ratelimit-limit': '5',
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset-after': String(limit.retryAfter),
        'x-ratelimit-reset': String(Date.now() / 1000 + limit.retryAfter),
        'x-ratelimit-bucket': 'fake-bucket',
        'x-ratelimit-scope': limit.global ? 'global' : 'user',
      };
      if (limit.global) headers['x-ratelimit-global'] = 'true';
      res.writeHead(429, headers);
      res.end(
        JSON.stringify({ message: 'You are being rate limited.', retry_after: limit.retryAfter, global: limit.global }),
      );
      return;
    }

    const reply = (status: number, json?: unknown) => {
      rec.status = status;
      if (json === undefined) {
        // Empty bodies carry no JSON content-type: discord.js would try to parse them.
        res.writeHead(status);
        res.end();
        return;
      }
      res.writeHead(status, JSON_HEADERS);
      res.end(JSON.stringify(json));
    };
    try {
      this.route(method, path, url.searchParams, body, rec, reply);
    } catch (e) {
      reply(500, { message: String(e), code: 0 });
    }
  }

  private route(
    method: string,
    path: string,
    query: URLSearchParams,
    body: any,
    rec: RecordedRequest,
    reply: (status: number, json?: unknown) => void,
  ): void {
    const seg = path.split('/').filter(Boolean);
    const needAuth = () => {
      if (!rec.authorized) {
        reply(401, { message: '401: Unauthorized', code: 0 });
        return false;
      }
      return true;
    };

    // /gateway/bot
    if (method === 'GET' && path === '/gateway/bot') {
      if (!needAuth()) return;
      return reply(200, {
        url: this.gatewayUrl,
        shards: 1,
        session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 },
      });
    }
    if (method === 'GET' && path === '/users/@me') {
      if (!needAuth()) return;
      return reply(200, this.bot);
    }

    // /interactions/{id}/{token}/callback
    if (seg[0] === 'interactions' && seg[3] === 'callback' && method === 'POST') {
      return this.onCallback(seg[1] as string, seg[2] as string, query, body, rec, reply);
    }

    // /webhooks/{app}/{token}[/messages/{id}]
    if (seg[0] === 'webhooks') return this.onWebhook(method, seg, body, reply);

    // /channels/...
    if (seg[0] === 'channels') {
      if (!needAuth()) return;
      return this.onChannels(method, seg, body, reply);
    }

    // /applications/{app}/commands, /applications/{app}/guilds/{guild}/commands
    if (seg[0] === 'applications' && seg[1] === this.applicationId) {
      if (!needAuth()) return;
      return this.commands.handle(method, seg.slice(2), body, reply);
    }
    reply(404, { message: `404: Not Found (${method} ${path})`, code: 0 });
  }

  private onCallback(
    id: string,
    token: string,
    query: URLSearchParams,
    body: any,
    rec: RecordedRequest,
    reply: (status: number, json?: unknown) => void,
  ): void {
    const ix = this.interactions.get(id);
    if (!ix || ix.token !== token || rec.at - ix.dispatchedAt > this.deadlineMs) {
      ix?.callbacks.push({ type: body?.type, data: body?.data, status: 404, at: rec.at });
      this.events.emit('late', id);
      return reply(404, { message: 'Unknown interaction', code: 10062 });
    }
    if (ix.callbacks.some((c) => c.status < 300)) {
      ix.callbacks.push({ type: body?.type, data: body?.data, status: 400, at: rec.at });
      return reply(400, { message: 'Interaction has already been acknowledged.', code: 40060 });
    }
    const type = body?.type as number;
    const data = body?.data ?? {};
    ix.callbacks.push({ type, data, status: 204, at: rec.at });
    this.events.emit('callback', id, rec.at - ix.dispatchedAt);
    const p = ix.payload;
    let message: StoredMessage | undefined;
    if (type === 4 || type === 5) {
      message = this.storeMessage(p.channel_id, {
        ...(type === 4 ? data : { content: '', flags: data.flags ?? 0 }),
        loading: type === 5,
        interactionId: id,
        type: p.type === 2 ? 20 : 19,
      });
      ix.originalId = message.id;
    } else if (type === 6 || type === 7) {
      const target = this.messages.get(p.message?.id);
      if (target) {
        ix.originalId = target.id;
        if (type === 7) this.editMessage(target, data);
      }
      message = target;
    }
    const withResponse = query.get('with_response') === 'true';
    if (!withResponse) return reply(204);
    const last = ix.callbacks[ix.callbacks.length - 1];
    if (last) last.status = 200;
    reply(200, {
      interaction: {
        id,
        type: p.type,
        response_message_id: message?.id,
        response_message_loading: type === 5,
        response_message_ephemeral: Boolean((message?.flags ?? 0) & 64),
      },
      resource: { type, ...(message ? { message: this.wire(message) } : {}) },
    });
  }

  private onWebhook(method: string, seg: string[], body: any, reply: (status: number, json?: unknown) => void): void {
    const [, app, token, messages, which] = seg;
    const ix = [...this.interactions.values()].find((i) => i.token === token);
    if (app !== this.applicationId || !ix) return reply(404, { message: 'Unknown Webhook', code: 10015 });
    if (!messages) {
      if (method !== 'POST') return reply(405, { message: 'Method Not Allowed', code: 0 });
      if (!ix.callbacks.some((c) => c.status < 300)) return reply(404, { message: 'Unknown Webhook', code: 10015 });
      const m = this.storeMessage(ix.payload.channel_id, { ...body, interactionId: ix.id, type: 19 });
      ix.followups.push(m.id);
      return reply(200, this.wire(m));
    }
    const id = which === '@original' ? ix.originalId : which;
    const m = id ? this.messages.get(id) : undefined;
    if (!m || m.deleted) return reply(404, { message: 'Unknown Message', code: 10008 });
    if (method === 'GET') return reply(200, this.wire(m));
    if (method === 'PATCH') {
      this.editMessage(m, body ?? {});
      return reply(200, this.wire(m));
    }
    if (method === 'DELETE') {
      m.deleted = true;
      return reply(204);
    }
    reply(405, { message: 'Method Not Allowed', code: 0 });
  }

  private onChannels(method: string, seg: string[], body: any, reply: (status: number, json?: unknown) => void): void {
    const channelId = seg[1] as string;
    const channel = this.channels.get(channelId);
    if (!channel) return reply(404, { message: 'Unknown Channel', code: 10003 });
    if (seg.length === 2 && method === 'GET') return reply(200, channel);
    if (seg[2] !== 'messages') return reply(404, { message: 'Not Found', code: 0 });
    if (seg.length === 3 && method === 'POST') {
      const m = this.storeMessage(channelId, { ...body, type: body?.message_reference ? 19 : 0 });
      return reply(200, this.wire(m));
    }
    const m = this.messages.get(seg[3] as string);
    if (!m || m.deleted || m.channel_id !== channelId) return reply(404, { message: 'Unknown Message', code: 10008 });
    if (seg.length === 4) {
      if (method === 'GET') return reply(200, this.wire(m));
      if (method === 'PATCH') {
        this.editMessage(m, body ?? {});
        return reply(200, this.wire(m));
      }
      if (method === 'DELETE') {
        m.deleted = true;
        return reply(204);
      }
    }
    if (seg[4] === 'threads' && method === 'POST') {
      if (m.thread) return reply(400, { message: 'A thread has already been created for this message', code: 160004 });
      // A thread started from a message shares the message's id.
      const thread: FakeChannel = {
        id: m.id,
        type: 11,
        guild_id: this.guild.id,
        parent_id: channelId,
        name: String(body?.name ?? 'thread').slice(0, 100),
        owner_id: this.bot.id,
        thread_metadata: {
          archived: false,
          auto_archive_duration: body?.auto_archive_duration ?? 1440,
          archive_timestamp: new Date().toISOString(),
          locked: false,
        },
        message_count: 0,
        member_count: 1,
        rate_limit_per_user: 0,
        flags: 0,
        total_message_sent: 0,
      };
      this.channels.set(thread.id, thread);
      m.thread = thread;
      if (this.gateway.hasSession) this.dispatch('THREAD_CREATE', { ...thread, newly_created: true });
      return reply(201, thread);
    }
    if (seg[4] === 'reactions' && method === 'PUT') {
      m.reactions.push(decodeURIComponent(seg[5] as string));
      return reply(204);
    }
    reply(404, { message: 'Not Found', code: 0 });
  }

  // ---- messages -----------------------------------------------------------------------------

  private storeMessage(channelId: string, data: any): StoredMessage {
    const id = nextSnowflake();
    const { interactionId, loading, type, ...rest } = data ?? {};
    const m: StoredMessage = {
      id,
      channel_id: channelId,
      guild_id: this.guild.id,
      content: rest.content ?? '',
      embeds: rest.embeds ?? [],
      components: rest.components ?? [],
      flags: rest.flags ?? 0,
      edits: 0,
      deleted: false,
      reactions: [],
      loading: Boolean(loading),
      type: type ?? 0,
      ...(interactionId ? { interactionId } : {}),
      ...(rest.message_reference ? { message_reference: rest.message_reference } : {}),
      allowed_mentions: rest.allowed_mentions,
      timestamp: new Date().toISOString(),
    };
    this.messages.set(id, m);
    const channel = this.channels.get(channelId);
    if (channel && channel.type === 11) channel.message_count = (channel.message_count ?? 0) + 1;
    return m;
  }

  private editMessage(m: StoredMessage, data: any): void {
    for (const k of ['content', 'embeds', 'components', 'allowed_mentions'] as const) {
      if (k in data) (m as any)[k] = data[k] ?? (k === 'content' ? '' : []);
    }
    m.loading = false;
    m.edits++;
    m.edited_timestamp = new Date().toISOString();
  }

  /** A message as Discord sends it. */
  wire(m: StoredMessage): any {
    return {
      id: m.id,
      channel_id: m.channel_id,
      guild_id: m.guild_id,
      author: m.author ?? this.bot,
      content: m.content,
      timestamp: m.timestamp,
      edited_timestamp: m.edited_timestamp ?? null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: [],
      embeds: m.embeds,
      components: m.components,
      pinned: false,
      type: m.type ?? 0,
      flags: (m.flags ?? 0) | (m.loading ? 128 : 0),
      ...(m.interactionId ? { webhook_id: this.applicationId, application_id: this.applicationId } : {}),
      ...(m.thread ? { thread: m.thread } : {}),
    };
  }
}

export interface InteractionAnswer {
  record: InteractionRecord;
  /** Type of the first accepted callback: 4 reply, 5 deferred, 6 deferred update, 7 update, 8 choices, 9 modal. */
  callbackType: number;
  deferred: boolean;
  message?: StoredMessage;
  followups?: StoredMessage[];
  modal?: any;
  choices?: Array<{ name: string; value: string }>;
}

export async function startFakeDiscord(opts: FakeDiscordOptions = {}): Promise<FakeDiscord> {
  return new FakeDiscord(opts).start();
}
