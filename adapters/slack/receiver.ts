// Transport only: Bolt's HTTP receiver (signatures verified on the raw body) plus a refusal of future timestamps.
import type { IncomingMessage, ServerResponse } from 'node:http';
import {
  type Logger as BoltLogger,
  type CustomRoute,
  HTTPReceiver,
  SocketModeReceiver,
  type webApi,
} from '@slack/bolt';

export const EVENTS_PATH = '/slack/events';
/** Slack's replay window; Bolt enforces it for old timestamps only. */
export const MAX_CLOCK_SKEW_SECONDS = 5 * 60;

const healthz: CustomRoute = {
  path: '/healthz',
  method: ['GET'],
  handler: (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"ok":true}');
  },
};

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

export interface HttpReceiverOptions {
  signingSecret: string;
  port: number;
  logger: BoltLogger;
  now?: () => number;
}

export function buildHttpReceiver(options: HttpReceiverOptions): HTTPReceiver {
  const now = options.now ?? Date.now;
  const receiver = new HTTPReceiver({
    signingSecret: options.signingSecret,
    endpoints: EVENTS_PATH,
    port: options.port,
    customRoutes: [healthz],
    logger: options.logger,
    // Verification stays on: every request to /slack/events is checked against the raw body.
    signatureVerification: true,
  });
  // The receiver's server calls `requestListener` for every request; wrapping it checks the clock before
  // Bolt's own verification runs, with verification itself untouched.
  const verifyAndDispatch = receiver.requestListener;
  receiver.requestListener = (req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'POST' && isFromTheFuture(req, now())) {
      options.logger.warn('Refused a request whose x-slack-request-timestamp is more than 5 minutes in the future');
      req.resume();
      res.writeHead(401);
      res.end();
      return;
    }
    verifyAndDispatch(req, res);
  };
  return receiver;
}

export function buildSocketReceiver(options: {
  appToken: string;
  port: number;
  logger: BoltLogger;
  /** For apps.connections.open: SLACK_API_URL applies to Socket Mode too. */
  clientOptions: webApi.WebClientOptions;
}): SocketModeReceiver {
  // Socket Mode needs no public URL; the health route still gets a small HTTP server on PORT.
  return new SocketModeReceiver({
    appToken: options.appToken,
    logger: options.logger,
    customRoutes: [healthz],
    installerOptions: { port: options.port, clientOptions: options.clientOptions },
  });
}
