// The fake Discord's REST side under /api/v10: routes, auth, interaction deadlines, size limits and scripted 429s.
import type { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FakeCommandStore } from './fakeDiscordCommands.ts';
import type { FakeGateway } from './fakeDiscordGateway.ts';
import { choiceProblems, invalidFormBody, messageProblems, modalProblems } from './fakeDiscordLimits.ts';
import type { FakeUser } from './fakeDiscordPayloads.ts';
import type { FakeDiscordRooms } from './fakeDiscordRooms.ts';
import type { FakeDiscordState, StoredMessage } from './fakeDiscordState.ts';

/** A file sent with a message, as the bot sent it. */
export interface UploadedFile {
  name: string;
  contentType: string;
  bytes: Buffer;
}

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

interface RateLimitRule {
  method: string;
  path: RegExp;
  remaining: number;
  retryAfter: number;
  global: boolean;
}

export interface RestDeps {
  token: string;
  applicationId: string;
  bot: FakeUser;
  state: FakeDiscordState;
  commands: FakeCommandStore;
  gateway: FakeGateway;
  rooms: FakeDiscordRooms;
  events: EventEmitter;
  gatewayUrl: () => string;
  /** Interactions answered later than this get 404 Unknown interaction, like Discord's 3 seconds. */
  deadlineMs: number;
}

type Reply = (status: number, json?: unknown) => void;

const API = '/api/v10';
const JSON_HEADERS = { 'content-type': 'application/json' };

export class FakeDiscordRest {
  readonly requests: RecordedRequest[] = [];
  private readonly rateLimits: RateLimitRule[] = [];

  constructor(private readonly d: RestDeps) {}

  /** Answers the next `times` requests matching method + path with 429 and a retry_after of `retryAfter` seconds. */
  rateLimit(method: string, path: RegExp, times = 1, retryAfter = 0.2, global = false): void {
    this.rateLimits.push({ method: method.toUpperCase(), path, remaining: times, retryAfter, global });
  }

  async onHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const bytes = Buffer.concat(chunks);
    const raw = bytes.toString('utf8');
    let body: any;
    const type = req.headers['content-type'] ?? '';
    if (type.startsWith('multipart/form-data')) {
      // A message with attachments: the JSON in payload_json, each file as files[n] (what discord.js sends).
      const form = await new Response(new Uint8Array(bytes), { headers: { 'content-type': type } }).formData();
      const payload = form.get('payload_json');
      body = typeof payload === 'string' ? JSON.parse(payload) : {};
      const files: UploadedFile[] = [];
      for (const [field, v] of form.entries()) {
        if (typeof v === 'string' || !/^files\[\d+\]$/.test(field)) continue;
        files.push({ name: v.name, contentType: v.type, bytes: Buffer.from(await v.arrayBuffer()) });
      }
      body.files = files;
    } else if (raw) {
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
      authorized: req.headers.authorization === `Bot ${this.d.token}`,
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

    const reply: Reply = (status, json) => {
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
    reply: Reply,
  ): void {
    const seg = path.split('/').filter(Boolean);
    const needAuth = () => {
      if (!rec.authorized) {
        reply(401, { message: '401: Unauthorized', code: 0 });
        return false;
      }
      return true;
    };

    if (method === 'GET' && path === '/gateway/bot') {
      if (!needAuth()) return;
      return reply(200, {
        url: this.d.gatewayUrl(),
        shards: 1,
        session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 },
      });
    }
    if (method === 'GET' && path === '/users/@me') {
      if (!needAuth()) return;
      return reply(200, this.d.bot);
    }
    // /interactions/{id}/{token}/callback
    if (seg[0] === 'interactions' && seg[3] === 'callback' && method === 'POST') {
      return this.onCallback(seg[1] as string, seg[2] as string, query, body, rec, reply);
    }
    // /webhooks/{app}/{token}[/messages/{id}]
    if (seg[0] === 'webhooks') return this.onWebhook(method, seg, body, reply);
    // POST /users/@me/channels { recipient_id }: the DM channel with that user.
    if (method === 'POST' && path === '/users/@me/channels') {
      if (!needAuth()) return;
      const to = String(body?.recipient_id ?? '');
      if (!/^\d{15,21}$/.test(to)) return reply(400, invalidFormBody([`recipient_id: ${JSON.stringify(to)}`]));
      return reply(200, this.d.state.openDm(to));
    }
    if (seg[0] === 'guilds' && seg[2] === 'channels' && seg.length === 3 && method === 'POST') {
      if (!needAuth()) return;
      return this.d.rooms.createChannel(seg[1] as string, body, reply);
    }
    if (seg[0] === 'channels') {
      if (!needAuth()) return;
      return this.onChannels(method, seg, body, reply);
    }
    // /applications/{app}/commands, /applications/{app}/guilds/{guild}/commands
    if (seg[0] === 'applications' && seg[1] === this.d.applicationId) {
      if (!needAuth()) return;
      return this.d.commands.handle(method, seg.slice(2), body, reply);
    }
    reply(404, { message: `404: Not Found (${method} ${path})`, code: 0 });
  }

  private onCallback(
    id: string,
    token: string,
    query: URLSearchParams,
    body: any,
    rec: RecordedRequest,
    reply: Reply,
  ): void {
    const { state } = this.d;
    const ix = state.interactions.get(id);
    if (!ix || ix.token !== token || rec.at - ix.dispatchedAt > this.d.deadlineMs) {
      ix?.callbacks.push({ type: body?.type, data: body?.data, status: 404, at: rec.at });
      this.d.events.emit('late', id);
      return reply(404, { message: 'Unknown interaction', code: 10062 });
    }
    if (ix.callbacks.some((c) => c.status < 300)) {
      ix.callbacks.push({ type: body?.type, data: body?.data, status: 400, at: rec.at });
      return reply(400, { message: 'Interaction has already been acknowledged.', code: 40060 });
    }
    const type = body?.type as number;
    const data = body?.data ?? {};
    const problems =
      type === 9 ? modalProblems(data) : type === 8 ? choiceProblems(data) : type === 4 ? messageProblems(data) : [];
    if (problems.length) {
      ix.callbacks.push({ type, data, status: 400, at: rec.at });
      return reply(400, invalidFormBody(problems));
    }
    ix.callbacks.push({ type, data, status: 204, at: rec.at });
    this.d.events.emit('callback', id, rec.at - ix.dispatchedAt);
    const p = ix.payload;
    let message: StoredMessage | undefined;
    if (type === 4 || type === 5) {
      message = state.storeMessage(p.channel_id, {
        ...(type === 4 ? data : { content: '', flags: data.flags ?? 0 }),
        loading: type === 5,
        interactionId: id,
        type: p.type === 2 ? 20 : 19,
      });
      ix.originalId = message.id;
    } else if (type === 6 || type === 7) {
      const target = state.messages.get(p.message?.id);
      if (target) {
        ix.originalId = target.id;
        if (type === 7) state.editMessage(target, data);
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
      resource: { type, ...(message ? { message: state.wire(message) } : {}) },
    });
  }

  private onWebhook(method: string, seg: string[], body: any, reply: Reply): void {
    const { state } = this.d;
    const [, app, token, messages, which] = seg;
    const ix = [...state.interactions.values()].find((i) => i.token === token);
    if (app !== this.d.applicationId || !ix) return reply(404, { message: 'Unknown Webhook', code: 10015 });
    if ((method === 'POST' || method === 'PATCH') && messageProblems(body, 'body').length) {
      return reply(400, invalidFormBody(messageProblems(body, 'body')));
    }
    if (!messages) {
      if (method !== 'POST') return reply(405, { message: 'Method Not Allowed', code: 0 });
      if (!ix.callbacks.some((c) => c.status < 300)) return reply(404, { message: 'Unknown Webhook', code: 10015 });
      const m = state.storeMessage(ix.payload.channel_id, { ...body, interactionId: ix.id, type: 19 });
      ix.followups.push(m.id);
      return reply(200, state.wire(m));
    }
    const id = which === '@original' ? ix.originalId : which;
    const m = id ? state.messages.get(id) : undefined;
    if (!m || m.deleted) return reply(404, { message: 'Unknown Message', code: 10008 });
    if (method === 'GET') return reply(200, state.wire(m));
    if (method === 'PATCH') {
      state.editMessage(m, body ?? {});
      return reply(200, state.wire(m));
    }
    if (method === 'DELETE') {
      m.deleted = true;
      return reply(204);
    }
    reply(405, { message: 'Method Not Allowed', code: 0 });
  }

  private onChannels(method: string, seg: string[], body: any, reply: Reply): void {
    const { state } = this.d;
    const channelId = seg[1] as string;
    const channel = state.channels.get(channelId);
    if (!channel) return reply(404, { message: 'Unknown Channel', code: 10003 });
    if (seg.length === 2 && method === 'GET') return reply(200, channel);
    if (seg.length === 2 && method === 'PATCH' && channel.thread_metadata) {
      // A thread's state: archived, locked, its name.
      if (typeof body?.archived === 'boolean') channel.thread_metadata.archived = body.archived;
      if (typeof body?.locked === 'boolean') channel.thread_metadata.locked = body.locked;
      if (typeof body?.name === 'string') channel.name = body.name;
      if (this.d.gateway.hasSession) this.d.gateway.dispatch('THREAD_UPDATE', channel);
      return reply(200, channel);
    }
    if (seg.length === 2 && method === 'PATCH') return this.d.rooms.modifyChannel(channel, body, reply);
    if (seg.length === 5 && seg[2] === 'messages' && seg[3] === 'pins' && method === 'PUT') {
      return this.d.rooms.pin(channelId, seg[4] as string, reply);
    }
    if (seg.length === 3 && seg[2] === 'threads' && method === 'POST') {
      if (state.noThreadsIn.has(channelId)) return reply(403, { message: 'Missing Permissions', code: 50013 });
      if (channel.type !== 0) return reply(400, { message: 'Cannot execute action on this channel type', code: 50024 });
      const name = String(body?.name ?? '');
      if (name.length < 1 || name.length > 100) return reply(400, invalidFormBody([`name: length ${name.length}`]));
      const thread = state.openThread(channelId, body);
      if (this.d.gateway.hasSession) this.d.gateway.dispatch('THREAD_CREATE', { ...thread, newly_created: true });
      return reply(201, thread);
    }
    if (seg[2] === 'thread-members' && seg.length === 4 && method === 'PUT') {
      const members = state.threadMembers.get(channelId);
      if (!members || channel.thread_metadata?.archived)
        return reply(400, { message: 'Thread is archived', code: 50083 });
      if (!members.includes(seg[3] as string)) members.push(seg[3] as string);
      return reply(204);
    }
    if (seg[2] !== 'messages') return reply(404, { message: 'Not Found', code: 0 });
    if (seg.length <= 4 && (method === 'POST' || method === 'PATCH') && messageProblems(body, 'body').length) {
      return reply(400, invalidFormBody(messageProblems(body, 'body')));
    }
    if (seg.length === 3 && method === 'POST') {
      const to = state.dmRecipient(channelId);
      // Discord opens the channel whatever the user's settings; only the message is refused.
      if (to && state.dmsClosed.has(to)) {
        return reply(403, { message: 'Cannot send messages to this user', code: 50007 });
      }
      const m = state.storeMessage(channelId, { ...body, type: body?.message_reference ? 19 : 0 });
      return reply(200, state.wire(m));
    }
    const m = state.messages.get(seg[3] as string);
    if (!m || m.deleted || m.channel_id !== channelId) return reply(404, { message: 'Unknown Message', code: 10008 });
    if (seg.length === 4) {
      if (method === 'GET') return reply(200, state.wire(m));
      if (method === 'PATCH') {
        state.editMessage(m, body ?? {});
        return reply(200, state.wire(m));
      }
      if (method === 'DELETE') {
        m.deleted = true;
        return reply(204);
      }
    }
    if (seg[4] === 'threads' && method === 'POST') {
      if (m.thread) return reply(400, { message: 'A thread has already been created for this message', code: 160004 });
      const name = String(body?.name ?? '');
      if (name.length < 1 || name.length > 100)
        return reply(400, invalidFormBody([`body.name: length ${name.length}`]));
      const thread = state.startThread(m, body);
      if (this.d.gateway.hasSession) this.d.gateway.dispatch('THREAD_CREATE', { ...thread, newly_created: true });
      return reply(201, thread);
    }
    if (seg[4] === 'reactions' && method === 'PUT') {
      m.reactions.push(decodeURIComponent(seg[5] as string));
      return reply(204);
    }
    reply(404, { message: 'Not Found', code: 0 });
  }
}
