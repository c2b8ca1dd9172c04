// A local Slack Web API: answers the methods the bot uses, records every call, can rate-limit on demand.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';
import { FakeSlackRooms } from './fakeSlackRooms.ts';
import { WAIT_FLOOR_MS } from './waits.ts';

/** A Slack payload as recorded: arbitrary JSON that tests read freely. */
export type Json = Record<string, any>;

export interface RecordedCall {
  /** Web API method (`chat.postMessage`), or `response_url` for posts to a command's response URL. */
  method: string;
  body: Json;
  /** For `response_url`: the id in the URL. */
  responseId?: string;
  token?: string;
  /** 429 when the fake answered with a rate limit. */
  status: number;
  /** What the fake answered (Web API methods). */
  response?: Json;
}

export interface FakeMessage {
  channel: string;
  ts: string;
  text: string;
  user?: string;
  bot_id?: string;
  thread_ts?: string;
  blocks?: unknown[];
}

export interface FakeUser {
  id: string;
  name: string;
  real_name?: string;
  display_name?: string;
  tz?: string;
  email?: string;
}

export interface FakeSlack {
  /** Web API base for `SLACK_API_URL` / `slackApiUrl`, ends with `/api/`. */
  apiUrl: string;
  /** A fresh response_url on this server. */
  responseUrl(id?: string): string;
  readonly calls: RecordedCall[];
  callsTo(method: string): RecordedCall[];
  /** Waits until `pick` returns something for the recorded calls; fails after `timeoutMs`. */
  waitFor<T>(
    pick: (calls: RecordedCall[]) => T | undefined | null | false,
    timeoutMs?: number,
    what?: string,
  ): Promise<T>;
  /** The next `times` calls to `method` get 429 with `Retry-After: retryAfterSeconds`. */
  rateLimit(method: string, retryAfterSeconds: number, times?: number): void;
  /** Holds every answer to `method` until the returned function is called (a slow Slack). */
  hold(method: string): () => void;
  /** The next call to `method` answers `{ ok: false, error }`. */
  failNext(method: string, error: string): void;
  /** Every call to `method` answers HTTP `status` (Slack down: the client retries) until the returned function is called. */
  down(method: string, status?: number): () => void;
  /** The bytes posted to an upload URL, by the file id files.getUploadURLExternal gave. */
  uploaded(fileId: string): Buffer | undefined;
  /** Puts a message in a channel's history, as if a person wrote it. */
  addMessage(message: Omit<FakeMessage, 'ts'> & { ts?: string }): FakeMessage;
  message(channel: string, ts: string): FakeMessage | undefined;
  addUser(user: FakeUser): void;
  /** Slack no longer knows this user (deleted, or never was): conversations.open answers user_not_found. */
  forgetUser(id: string): void;
  /** conversations.info answers channel_not_found for it. */
  channelMissing(id: string): void;
  /** conversations.info says the bot is not a member. */
  botOutside(id: string): void;
  /** The DM channel (D…) conversations.open gave for a user, if the bot opened one. */
  dmChannelOf(user: string): string | undefined;
  /** Messages the bot posted in its DM with a user, oldest first. */
  dmsTo(user: string): FakeMessage[];
  bot: { userId: string; botId: string; teamId: string };
  /** Channels the bot made (major incident rooms): members, topic, pins, archived. */
  rooms: FakeSlackRooms;
  /** Socket Mode: apps.connections.open points the app at this server's WebSocket. */
  socket: {
    /** Resolves once an app has connected and been sent `hello`. */
    connected(): Promise<void>;
    /** Sends an envelope (`slash_commands`, `interactive`, `events_api`); resolves with the app's ack. */
    envelope(type: string, payload: Json, extra?: Json): Promise<Json>;
  };
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The Web API client sends form fields, with objects (blocks, view) as JSON strings; some callers send JSON. */
function parseBody(raw: string, contentType: string | undefined): Json {
  if (!raw) return {};
  if (contentType?.includes('application/json')) return JSON.parse(raw) as Json;
  const out: Json = {};
  for (const [k, v] of new URLSearchParams(raw)) {
    if ((v.startsWith('{') || v.startsWith('[')) && v.length > 1) {
      try {
        out[k] = JSON.parse(v);
        continue;
      } catch {
        // plain text that looks like JSON
      }
    }
    out[k] = v;
  }
  return out;
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
  res.end(JSON.stringify(body));
};

export async function startFakeSlack(): Promise<FakeSlack> {
  const calls: RecordedCall[] = [];
  const uploads = new Map<string, Buffer>();
  const limits = new Map<string, { retryAfter: number; times: number }>();
  const failures = new Map<string, string>();
  const holds = new Map<string, Promise<void>>();
  const outages = new Map<string, number>();
  const messages: FakeMessage[] = [];
  const users = new Map<string, FakeUser>();
  const unknownUsers = new Set<string>();
  /** Channels Slack does not know, and channels the bot is not a member of (conversations.info). */
  const missingChannels = new Set<string>();
  const outsideChannels = new Set<string>();
  /** One IM channel per user, as Slack keeps it: opening it again returns the same id. */
  const ims = new Map<string, string>();
  const bot = { userId: 'UBOT', botId: 'BBOT', teamId: 'T1' };
  const rooms = new FakeSlackRooms(bot.userId);
  let clock = 1_700_000_000;
  let seq = 0;
  const nextTs = () => `${clock++}.${String(++seq).padStart(6, '0')}`;
  let base = '';

  const answer = (method: string, body: Json): Record<string, unknown> => {
    const failure = failures.get(method);
    if (failure) {
      failures.delete(method);
      return { ok: false, error: failure };
    }
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://fake.slack.test/',
          team: 'Fake',
          user: 'switchboard',
          team_id: bot.teamId,
          user_id: bot.userId,
          bot_id: bot.botId,
        };
      case 'chat.postMessage': {
        const m: FakeMessage = {
          channel: body.channel,
          ts: nextTs(),
          text: body.text ?? '',
          bot_id: bot.botId,
          thread_ts: body.thread_ts,
          blocks: body.blocks,
        };
        messages.push(m);
        return { ok: true, channel: m.channel, ts: m.ts, message: { ...m, type: 'message' } };
      }
      case 'chat.update': {
        const m = messages.find((x) => x.channel === body.channel && x.ts === body.ts);
        if (!m) return { ok: false, error: 'message_not_found' };
        m.text = body.text ?? m.text;
        m.blocks = body.blocks ?? m.blocks;
        return { ok: true, channel: m.channel, ts: m.ts, text: m.text };
      }
      case 'chat.postEphemeral':
        return { ok: true, message_ts: nextTs() };
      case 'chat.getPermalink':
        return {
          ok: true,
          channel: body.channel,
          permalink: `https://fake.slack.test/archives/${body.channel}/p${String(body.message_ts).replace('.', '')}`,
        };
      case 'views.open':
      case 'views.push':
      case 'views.update':
        return { ok: true, view: { id: `V${++seq}`, ...(body.view ?? {}) } };
      case 'users.info': {
        const u: FakeUser = users.get(body.user) ?? { id: String(body.user), name: String(body.user).toLowerCase() };
        return {
          ok: true,
          user: {
            id: u.id,
            name: u.name,
            real_name: u.real_name ?? u.name,
            tz: u.tz ?? 'UTC',
            profile: { display_name: u.display_name ?? u.name, real_name: u.real_name ?? u.name, email: u.email },
          },
        };
      }
      case 'conversations.info': {
        const id = String(body.channel ?? '');
        if (missingChannels.has(id)) return { ok: false, error: 'channel_not_found' };
        return { ok: true, channel: { id, is_member: !outsideChannels.has(id), is_archived: false } };
      }
      case 'conversations.join':
        return { ok: true, channel: { id: body.channel, is_member: true } };
      case 'conversations.open': {
        const user = String(body.users ?? body.user ?? '').split(',')[0] as string;
        if (user === bot.userId) return { ok: false, error: 'cannot_dm_bot' };
        if (!/^[UW][A-Z0-9]+$/.test(user) || unknownUsers.has(user)) return { ok: false, error: 'user_not_found' };
        const known = ims.get(user);
        const id = known ?? `D${String(++seq).padStart(4, '0')}${user.slice(1)}`.slice(0, 11);
        ims.set(user, id);
        return { ok: true, ...(known ? { already_open: true } : {}), channel: { id, is_im: true, user } };
      }
      case 'conversations.history': {
        const latest = body.latest ? Number(body.latest) : Number.POSITIVE_INFINITY;
        const inclusive = body.inclusive === true || body.inclusive === 'true';
        const found = messages
          .filter((m) => m.channel === body.channel && (!m.thread_ts || m.thread_ts === m.ts))
          .filter((m) => (inclusive ? Number(m.ts) <= latest : Number(m.ts) < latest))
          .sort((a, b) => Number(b.ts) - Number(a.ts))
          .slice(0, Number(body.limit ?? 100));
        return { ok: true, messages: found.map((m) => ({ type: 'message', ...m })), has_more: false };
      }
      case 'conversations.replies': {
        const target = messages.find((m) => m.channel === body.channel && m.ts === body.ts);
        if (!target) return { ok: false, error: 'thread_not_found' };
        const root = target.thread_ts ?? target.ts;
        const thread = messages.filter((m) => m.channel === body.channel && (m.ts === root || m.thread_ts === root));
        // Like Slack: asking for a reply's ts returns that reply (and its parent).
        const found = target.ts === root ? thread : thread.filter((m) => m.ts === root || m.ts === target.ts);
        return { ok: true, messages: found.map((m) => ({ type: 'message', ...m })), has_more: false };
      }
      case 'reactions.add':
      case 'reactions.remove':
        return { ok: true };
      case 'reactions.get':
        return {
          ok: true,
          type: 'message',
          message: messages.find((m) => m.channel === body.channel && m.ts === body.timestamp) ?? null,
        };
      case 'apps.connections.open':
        return { ok: true, url: `${base.replace('http', 'ws')}/link/?ticket=fake` };
      case 'files.getUploadURLExternal':
        return { ok: true, upload_url: `${base}/upload/F${++seq}`, file_id: `F${seq}` };
      case 'files.completeUploadExternal':
        return {
          ok: true,
          files: (body.files ?? []).map((f: { id: string; title?: string }) => ({ id: f.id, title: f.title })),
        };
      default:
        return rooms.answer(method, body) ?? { ok: false, error: 'unknown_method' };
    }
  };

  const server: Server = createServer(async (req, res) => {
    const bytes = await readBody(req);
    const raw = bytes.toString('utf8');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const body = parseBody(raw, req.headers['content-type']);
    const respondMatch = /^\/respond\/([^/]+)$/.exec(url.pathname);
    if (respondMatch) {
      calls.push({ method: 'response_url', body, responseId: respondMatch[1] as string, status: 200 });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
      return;
    }
    if (url.pathname.startsWith('/upload/')) {
      // The bytes as sent: tests decode them (a PNG's signature and size).
      // Slack takes the bytes raw or as a multipart form (what the web client sends): the file is kept either way.
      const id = url.pathname.slice('/upload/'.length);
      const type = req.headers['content-type'] ?? '';
      let file = bytes;
      if (type.startsWith('multipart/form-data')) {
        const form = await new Response(new Uint8Array(bytes), { headers: { 'content-type': type } }).formData();
        const part = [...form.values()].find((v): v is File => typeof v !== 'string');
        file = part ? Buffer.from(await part.arrayBuffer()) : Buffer.alloc(0);
      }
      uploads.set(id, file);
      calls.push({ method: 'file_upload', body: { path: url.pathname, file_id: id, size: file.length }, status: 200 });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('OK');
      return;
    }
    const method = url.pathname.replace(/^\/api\//, '');
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '') || body.token;
    const held = holds.get(method);
    if (held) await held;
    const outage = outages.get(method);
    if (outage) {
      calls.push({ method, body, token, status: outage });
      json(res, outage, { ok: false, error: 'service_unavailable' });
      return;
    }
    const limit = limits.get(method);
    if (limit && limit.times > 0) {
      limit.times -= 1;
      if (limit.times === 0) limits.delete(method);
      calls.push({ method, body, token, status: 429 });
      json(res, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(limit.retryAfter) });
      return;
    }
    const response = answer(method, body);
    calls.push({ method, body, token, status: 200, response });
    json(res, 200, response);
  });
  // Socket Mode: one WebSocket per app; acks come back as { envelope_id, payload }.
  const wss = new WebSocketServer({ server, path: '/link/' });
  let socket: WebSocket | undefined;
  let onConnected: Array<() => void> = [];
  const acks = new Map<string, (ack: Json) => void>();
  wss.on('connection', (ws) => {
    socket = ws;
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data)) as Json;
      calls.push({ method: 'socket_ack', body: msg, status: 200 });
      acks.get(msg.envelope_id)?.(msg);
    });
    ws.send(
      JSON.stringify({
        type: 'hello',
        num_connections: 1,
        connection_info: { app_id: 'A1' },
        debug_info: { host: 'fake' },
      }),
    );
    for (const resolve of onConnected) resolve();
    onConnected = [];
  });
  let envelopeSeq = 0;

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
  let responseSeq = 0;

  return {
    apiUrl: `${base}/api/`,
    responseUrl: (id) => `${base}/respond/${id ?? `r${++responseSeq}`}`,
    calls,
    callsTo: (method) => calls.filter((c) => c.method === method && c.status === 200),
    async waitFor(pick, timeoutMs = 5000, what = 'the expected Slack calls') {
      // Every wait is for something that must come: a loaded machine gets at least WAIT_FLOOR_MS.
      const limit = Math.max(timeoutMs, WAIT_FLOOR_MS);
      const deadline = Date.now() + limit;
      for (;;) {
        const got = pick(calls);
        if (got) return got;
        if (Date.now() > deadline) {
          const seen = calls.map((c) => `${c.method}${c.status !== 200 ? `(${c.status})` : ''}`).join(', ');
          throw new Error(`timed out after ${limit} ms waiting for ${what}; calls so far: ${seen || 'none'}`);
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    rateLimit(method, retryAfterSeconds, times = 1) {
      limits.set(method, { retryAfter: retryAfterSeconds, times });
    },
    hold(method) {
      let release: () => void = () => {};
      holds.set(
        method,
        new Promise<void>((resolve) => {
          release = resolve;
        }),
      );
      return () => {
        holds.delete(method);
        release();
      };
    },
    failNext(method, error) {
      failures.set(method, error);
    },
    down(method, status = 503) {
      outages.set(method, status);
      return () => outages.delete(method);
    },
    uploaded: (fileId) => uploads.get(fileId),
    addMessage(message) {
      const m: FakeMessage = { ...message, ts: message.ts ?? nextTs() };
      messages.push(m);
      return m;
    },
    message: (channel, ts) => messages.find((m) => m.channel === channel && m.ts === ts),
    addUser(user) {
      users.set(user.id, user);
    },
    forgetUser(id) {
      unknownUsers.add(id);
    },
    channelMissing(id) {
      missingChannels.add(id);
    },
    botOutside(id) {
      outsideChannels.add(id);
    },
    dmChannelOf: (user) => ims.get(user),
    dmsTo(user) {
      const channel = ims.get(user);
      return channel ? messages.filter((m) => m.channel === channel) : [];
    },
    bot,
    rooms,
    socket: {
      connected: () => (socket ? Promise.resolve() : new Promise<void>((resolve) => onConnected.push(resolve))),
      envelope(type, payload, extra = {}) {
        if (!socket) return Promise.reject(new Error('no Socket Mode app is connected'));
        const envelopeId = `env-${++envelopeSeq}`;
        const acked = new Promise<Json>((resolve) => acks.set(envelopeId, resolve));
        socket.send(
          JSON.stringify({
            envelope_id: envelopeId,
            type,
            payload,
            accepts_response_payload: type !== 'events_api',
            ...extra,
          }),
        );
        return acked;
      },
    },
    async close() {
      for (const client of wss.clients) client.terminate();
      wss.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
