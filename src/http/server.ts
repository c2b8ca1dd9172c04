// The one HTTP server on PORT: /healthz, /readyz, /metrics, and the handlers others mount (Slack's /slack/*).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Metrics } from './metrics.ts';
import type { Readiness } from './readiness.ts';

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;

export interface HttpServerOptions {
  log: Logger;
  readiness: () => Promise<Readiness>;
  metrics?: Metrics;
}

export interface HttpServer {
  /** Sends every request whose path starts with `prefix` (e.g. `/slack/`) to `handler`. */
  mount(prefix: string, handler: RequestHandler): void;
  /** Resolves with the bound port; rejects with a ListenError (e.g. code EADDRINUSE). */
  listen(port: number, host?: string): Promise<{ port: number }>;
  address(): { port: number } | null;
  /** Stops listening and closes every connection, idle or not: a stuck client does not hold shutdown. */
  close(): Promise<void>;
}

export class ListenError extends Error {
  override name = 'ListenError';
  constructor(
    readonly code: string,
    readonly port: number,
    message: string,
  ) {
    super(message);
  }
}

const json = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
};

export function createHttpServer(o: HttpServerOptions): HttpServer {
  const log = o.log.child({ component: 'http' });
  const mounts: Array<{ prefix: string; handler: RequestHandler }> = [];

  const routes: Record<string, (res: ServerResponse) => Promise<void> | void> = {
    '/healthz': (res) => json(res, 200, { ok: true }),
    '/readyz': async (res) => {
      const r = await o.readiness();
      json(res, r.ready ? 200 : 503, r);
    },
    '/metrics': async (res) => {
      if (!o.metrics) return json(res, 404, { error: 'metrics are off' });
      const { contentType, body } = await o.metrics.scrape();
      res.writeHead(200, { 'content-type': contentType, 'cache-control': 'no-store' });
      res.end(body);
    },
  };

  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const mounted = mounts.find((m) => path.startsWith(m.prefix));
    if (mounted) {
      try {
        mounted.handler(req, res);
      } catch (err) {
        log.error({ err, path }, 'a mounted handler threw');
        if (!res.headersSent) json(res, 500, { error: 'internal error' });
        else res.destroy();
      }
      return;
    }
    const route = routes[path];
    if (!route) return json(res, 404, { error: 'not found' });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return json(res, 405, { error: 'method not allowed' });
    }
    req.resume();
    Promise.resolve()
      .then(() => route(res))
      .catch((err: unknown) => {
        log.error({ err, path }, 'could not answer an HTTP probe');
        if (!res.headersSent) json(res, 500, { error: 'internal error' });
        else res.destroy();
      });
  });

  return {
    mount(prefix, handler) {
      mounts.push({ prefix, handler });
    },
    listen(port, host) {
      return new Promise((resolve, reject) => {
        const failed = (err: NodeJS.ErrnoException) => {
          const code = err.code ?? 'UNKNOWN';
          const why = code === 'EADDRINUSE' ? 'is already in use' : `could not be opened (${code})`;
          reject(new ListenError(code, port, `port ${port}${host ? ` on ${host}` : ''} ${why}`));
        };
        server.once('error', failed);
        server.listen({ port, ...(host ? { host } : {}) }, () => {
          server.off('error', failed);
          server.on('error', (err) => log.error({ err }, 'http server error'));
          resolve({ port: (server.address() as AddressInfo).port });
        });
      });
    },
    address() {
      const a = server.address();
      return a && typeof a === 'object' ? { port: a.port } : null;
    },
    close() {
      if (!server.listening) return Promise.resolve();
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
