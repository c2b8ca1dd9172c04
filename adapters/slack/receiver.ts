// Transport only: Bolt's HTTP receiver (signatures verified on the raw body, mounted on the bot's one HTTP server)
// plus a refusal of future timestamps.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseForm } from 'node:querystring';
import {
  type Logger as BoltLogger,
  HTTPModuleFunctions,
  HTTPReceiver,
  isValidSlackRequest,
  SocketModeReceiver,
  type webApi,
} from '@slack/bolt';

export const EVENTS_PATH = '/slack/events';
/** Slack's replay window; Bolt enforces it for old timestamps only. */
export const MAX_CLOCK_SKEW_SECONDS = 5 * 60;

/**
 * True when the request claims to be signed more than 5 minutes from now. Bolt accepts those, which would
 * let a captured request be replayed for as long as its author chose; the signature covers the timestamp,
 * so reading the header is enough to refuse it before Bolt verifies the rest.
 */
export function isFromTheFuture(req: IncomingMessage, nowMs: number): boolean {
  const header = req.headers['x-slack-request-timestamp'];
  if (typeof header !== 'string' || header.trim() === '') return false;
  const seconds = Number(header);
  return Number.isFinite(seconds) && seconds > Math.floor(nowMs / 1000) + MAX_CLOCK_SKEW_SECONDS;
}

/**
 * True when the body parses to a JSON object, the only shape Bolt's receiver survives: a signed body of `null`
 * (or `payload=null`) throws inside Bolt after verification, in a promise nobody awaits — an unhandled rejection
 * that ends the process, with the request never answered. Mirrors Bolt's own parsing (exact form content type,
 * else JSON).
 */
export function bodyIsAnObject(raw: string, contentType: string | undefined): boolean {
  if (contentType === 'application/x-www-form-urlencoded') {
    const { payload } = parseForm(raw);
    return typeof payload !== 'string' || payload.trimStart().startsWith('{');
  }
  return raw.trimStart().startsWith('{');
}

const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return typeof v === 'string' ? v : undefined;
};

const answer = (res: ServerResponse, status: number): void => {
  if (!res.headersSent) res.writeHead(status);
  res.end();
};

export interface HttpReceiverOptions {
  signingSecret: string;
  logger: BoltLogger;
  now?: () => number;
}

/**
 * Bolt's receiver without its own server: App's constructor wires it to the app, and the adapter hands its
 * `requestListener` to whatever server main.ts mounts it on (receiver.start() is never called).
 */
export function buildHttpReceiver(options: HttpReceiverOptions): HTTPReceiver {
  const now = options.now ?? Date.now;
  const receiver = new HTTPReceiver({
    signingSecret: options.signingSecret,
    endpoints: EVENTS_PATH,
    logger: options.logger,
    // Verification stays on: every request to /slack/events is checked against the raw body.
    signatureVerification: true,
  });
  // The receiver's server calls `requestListener` for every request; wrapping it checks the clock and the body's
  // shape before Bolt's own verification runs, with verification itself untouched.
  const verifyAndDispatch = receiver.requestListener;
  /** Reads the body (Bolt reuses the buffer), refuses what Bolt cannot survive, hands the rest to Bolt. */
  const screen = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let raw: string;
    try {
      raw = (
        await HTTPModuleFunctions.bufferIncomingMessage(req, HTTPModuleFunctions.defaultBodyLimit)
      ).rawBody.toString();
    } catch (error) {
      // Too large, or the body could not be read: the answers Bolt itself would give.
      answer(res, HTTPModuleFunctions.isRawBodyError(error) && error.statusCode === 413 ? 413 : 400);
      return;
    }
    if (!bodyIsAnObject(raw, req.headers['content-type'])) {
      const signature = header(req, 'x-slack-signature');
      const timestamp = Number(header(req, 'x-slack-request-timestamp'));
      const signed =
        signature !== undefined &&
        isValidSlackRequest({
          signingSecret: options.signingSecret,
          body: raw,
          headers: { 'x-slack-signature': signature, 'x-slack-request-timestamp': timestamp },
        });
      options.logger.warn(`Refused a request body that is not a JSON object (${signed ? 'signed' : 'unsigned'})`);
      answer(res, signed ? 400 : 401);
      return;
    }
    verifyAndDispatch(req, res);
  };
  receiver.requestListener = (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST' || new URL(req.url ?? '/', 'http://localhost').pathname !== EVENTS_PATH) {
      verifyAndDispatch(req, res);
      return;
    }
    if (isFromTheFuture(req, now())) {
      options.logger.warn('Refused a request whose x-slack-request-timestamp is more than 5 minutes in the future');
      req.resume();
      answer(res, 401);
      return;
    }
    screen(req, res).catch((error: unknown) => {
      options.logger.error('Could not screen a Slack request', error);
      answer(res, 500);
    });
  };
  return receiver;
}

export function buildSocketReceiver(options: {
  appToken: string;
  logger: BoltLogger;
  /** For apps.connections.open: SLACK_API_URL applies to Socket Mode too. */
  clientOptions: webApi.WebClientOptions;
}): SocketModeReceiver {
  // Socket Mode needs no public URL, and with no custom routes and no OAuth Bolt opens no HTTP server of its own.
  return new SocketModeReceiver({
    appToken: options.appToken,
    logger: options.logger,
    installerOptions: { clientOptions: options.clientOptions },
  });
}
