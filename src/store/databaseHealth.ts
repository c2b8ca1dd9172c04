// Whether the database can be used right now, kept from driver and server events so reading it costs nothing.
import type mongoose from 'mongoose';
import type { Logger } from 'pino';
import type { EmbeddedServer } from './embedded.ts';

/**
 * What /readyz and /metrics read:
 * - `up`: the driver has a server to talk to and, when embedded, the server process is running;
 * - `reason`: why not, one line, safe to show (no credentials), only when `up` is false;
 * - `restarts`: how often the embedded server was brought back since start (0 for MONGODB_URI);
 * - `embedded`: true when this process runs the server itself.
 */
export interface DatabaseHealth {
  up: boolean;
  reason?: string;
  restarts: number;
  embedded: boolean;
}

export class HealthWatch {
  private driverUp = true;
  private driverReason = 'lost the connection to the database';
  private isClosed = false;
  private last: DatabaseHealth;
  private readonly listeners = new Set<(h: DatabaseHealth) => void>();

  constructor(
    connection: mongoose.Connection,
    private readonly server: EmbeddedServer | undefined,
    private readonly log: Logger,
  ) {
    this.last = this.now();
    connection.on('disconnected', () => this.driver(false));
    connection.on('connected', () => this.driver(true));
    connection.on('reconnected', () => this.driver(true));
    // The driver knows why a server became unreachable; mongoose's events do not say.
    connection.getClient().on('serverDescriptionChanged', (ev) => {
      const error = ev.newDescription.error;
      if (error) this.driverReason = `no answer from the database: ${oneLine(error.message)}`;
    });
    server?.onStateChange((s) => {
      // Ask the driver to look now rather than at its next heartbeat, so `up` follows the restart promptly.
      if (s.running)
        void connection.db
          ?.admin()
          .ping()
          .catch(() => undefined);
      this.changed();
    });
  }

  now(): DatabaseHealth {
    const server = this.server?.state();
    const base = { restarts: server?.restarts ?? 0, embedded: this.server !== undefined };
    if (this.isClosed) return { up: false, reason: 'the database connection was closed', ...base };
    if (server && !server.running)
      return { up: false, reason: server.reason ?? 'the embedded database is down', ...base };
    if (!this.driverUp) return { up: false, reason: this.driverReason, ...base };
    return { up: true, ...base };
  }

  subscribe(listener: (h: DatabaseHealth) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Our own close: not a fault, so not logged as one. */
  closed(): void {
    this.isClosed = true;
    this.changed(false);
  }

  private driver(up: boolean): void {
    this.driverUp = up;
    this.changed();
  }

  private changed(logIt = true): void {
    const next = this.now();
    const prev = this.last;
    if (next.up === prev.up && next.reason === prev.reason && next.restarts === prev.restarts) return;
    this.last = next;
    if (logIt && next.up !== prev.up) {
      if (next.up) this.log.info({ restarts: next.restarts }, 'the database is reachable again');
      else this.log.warn({ reason: next.reason }, `the database is unavailable: ${next.reason}`);
    }
    for (const l of this.listeners) {
      try {
        l(next);
      } catch (err) {
        this.log.error({ err }, 'a database state listener failed');
      }
    }
  }
}

function oneLine(message: string): string {
  return message.replace(/\s*\n\s*/g, ' ').trim() || 'unknown error';
}
