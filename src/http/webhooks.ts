// POST /webhooks/alertmanager and /webhooks/events: bearer token, size, type and shape checked, then the alert service.
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { AlertEvent } from '../domain/alerts.ts';
import type { AlertService, IntakeResult } from '../services/alerts.ts';
import { alertmanagerSchema, eventSchema, fieldErrors } from './alertPayloads.ts';
import type { RequestHandler } from './server.ts';

export const WEBHOOK_PREFIX = '/webhooks/';
export const MAX_BODY_BYTES = 1024 * 1024;

export interface WebhookOptions {
  /** WEBHOOK_TOKEN; unset: the webhooks are off and say so. */
  token: string | undefined;
  alerts: AlertService | undefined;
  log: Logger;
  maxBytes?: number;
}

const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers });
  res.end(JSON.stringify(body));
};

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Equal-length digests compared in constant time: neither the token's length nor a prefix leaks. */
function authorised(header: string | undefined, token: string): boolean {
  const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header ?? '');
  const given = m?.[1] ?? '';
  return timingSafeEqual(digest(given), digest(token)) && given.length > 0;
}

const isJson = (type: string | undefined): boolean => {
  const media = (type ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return media === 'application/json' || /^application\/[a-z0-9.+-]+\+json$/.test(media);
};

class TooLarge extends Error {}

/** The body, counted as it streams: past `max` bytes the read stops at once, nothing more is buffered. */
function readBody(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > max) {
        req.off('data', onData);
        reject(new TooLarge());
        return;
      }
      chunks.push(c);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

export function createAlertWebhooks(o: WebhookOptions): RequestHandler {
  const log = o.log.child({ component: 'webhooks' });
  const max = o.maxBytes ?? MAX_BODY_BYTES;

  /** Answers, and closes the connection once answered: a body left unread must not be read by us. */
  const refuse = (req: IncomingMessage, res: ServerResponse, status: number, body: unknown, h = {}) => {
    send(res, status, body, { connection: 'close', ...h });
    res.once('finish', () => req.socket.destroySoon?.());
    req.resume();
  };

  return (req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const kind = path === '/webhooks/alertmanager' ? 'alertmanager' : path === '/webhooks/events' ? 'events' : null;
    if (!kind) return refuse(req, res, 404, { error: 'not found' });
    if (!o.token || !o.alerts) {
      return refuse(req, res, 404, { error: 'alert webhooks are off: set WEBHOOK_TOKEN to turn them on' });
    }
    if (req.method !== 'POST')
      return refuse(req, res, 405, { error: 'method not allowed: use POST' }, { allow: 'POST' });
    if (!authorised(req.headers.authorization, o.token)) {
      return refuse(
        req,
        res,
        401,
        { error: 'unauthorised: send Authorization: Bearer <WEBHOOK_TOKEN>' },
        { 'www-authenticate': 'Bearer realm="switchboard"' },
      );
    }
    if (!isJson(req.headers['content-type'])) {
      return refuse(req, res, 415, { error: 'unsupported media type: send Content-Type: application/json' });
    }
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > max) return refuse(req, res, 413, { error: `payload too large: at most ${max} bytes` });

    const alerts = o.alerts;
    readBody(req, max)
      .then(async (raw) => {
        let body: unknown;
        try {
          body = JSON.parse(raw.toString('utf8'));
        } catch {
          // V8's message quotes the input: it is never sent back.
          return send(res, 400, {
            error: 'invalid payload',
            fields: [{ field: '(body)', message: 'is not valid JSON' }],
          });
        }
        if (kind === 'alertmanager') {
          const parsed = alertmanagerSchema.safeParse(body);
          if (!parsed.success) return send(res, 400, { error: 'invalid payload', fields: fieldErrors(parsed.error) });
          const r = await alerts.alertmanager(parsed.data);
          return send(res, 202, { status: 'accepted', groupKey: parsed.data.groupKey, ...shown(r) });
        }
        const parsed = eventSchema.safeParse(body);
        if (!parsed.success) return send(res, 400, { error: 'invalid payload', fields: fieldErrors(parsed.error) });
        const ev: AlertEvent = { ...parsed.data, dedup_key: parsed.data.dedup_key ?? randomUUID() };
        const r = await alerts.event(ev);
        return send(res, 202, { status: 'success', message: 'Event processed', dedup_key: ev.dedup_key, ...shown(r) });
      })
      .catch((err: unknown) => {
        if (err instanceof TooLarge) return refuse(req, res, 413, { error: `payload too large: at most ${max} bytes` });
        const ref = randomUUID().slice(0, 8);
        log.error({ err, path, ref }, 'an alert could not be taken in');
        // 5xx: Alertmanager and event senders retry, and the marks given back let the retry through.
        if (!res.headersSent) send(res, 503, { error: 'the alert could not be taken in now; retry', ref });
        else res.destroy();
      });
  };
}

const shown = (r: IntakeResult) => ({ outcome: r.outcome, ticket: r.ticketId });
