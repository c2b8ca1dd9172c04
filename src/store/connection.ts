// The database bootstrap: connect to MONGODB_URI or to the embedded server, and name the ways it can be unreachable.
import { relative } from 'node:path';
import mongoose from 'mongoose';
import type { Logger } from 'pino';
import { type DatabaseHealth, HealthWatch } from './databaseHealth.ts';
import { type EmbeddedServer, startEmbeddedServer } from './embedded.ts';

export type { DatabaseHealth } from './databaseHealth.ts';

export interface OpenDatabaseOptions {
  /** MONGODB_URI; without it the embedded server is started under dataDir */
  uri?: string;
  dataDir: string;
  dbName?: string;
  timeoutMs: number;
  log: Logger;
  onProgress?: (line: string) => void;
  /** The driver reports each command it sends (`commandStarted`): what counts round trips (tests, benches). */
  monitorCommands?: boolean;
}

export interface DatabaseHandle {
  connection: mongoose.Connection;
  uri: string;
  /** where the data lives, safe to print: no credentials */
  describe: string;
  /** The state now, without a round trip: cheap enough for every /readyz and every scrape. */
  health(): DatabaseHealth;
  /** Called with the new state each time `up`, `reason` or `restarts` changes; returns the unsubscribe. */
  onStateChange(listener: (health: DatabaseHealth) => void): () => void;
  /** Closes the connection and stops the embedded server for good (no restart follows). */
  close(): Promise<void>;
}

/** The database could not be reached (at start-up or during an operation); nothing was changed by us. */
export class DatabaseUnavailableError extends Error {
  override name = 'DatabaseUnavailableError';
}

const DEFAULT_DB_NAME = 'switchboard';

export async function openDatabase(opts: OpenDatabaseOptions): Promise<DatabaseHandle> {
  const log = opts.log.child({ component: 'database' });
  if (opts.uri) {
    const where = hostsOf(opts.uri);
    const connection = await connect(opts.uri, opts, `${redactUri(opts.uri)} (from MONGODB_URI)`);
    log.info({ where }, 'connected to MongoDB from MONGODB_URI');
    const health = new HealthWatch(connection, undefined, log);
    return {
      connection,
      uri: opts.uri,
      describe: `MongoDB at ${where} from MONGODB_URI`,
      health: () => health.now(),
      onStateChange: (l) => health.subscribe(l),
      async close() {
        health.closed();
        await connection.close();
      },
    };
  }

  let server: EmbeddedServer;
  try {
    server = await startEmbeddedServer({ dataDir: opts.dataDir, log: opts.log, onProgress: opts.onProgress });
  } catch (err) {
    throw new DatabaseUnavailableError(`cannot start the embedded database: ${(err as Error).message}`, { cause: err });
  }
  let connection: mongoose.Connection;
  try {
    connection = await connect(server.uri, opts, `${server.uri} (embedded ${server.kind})`);
  } catch (err) {
    await server.stop();
    throw err;
  }
  const name = server.kind === 'ferretdb' ? 'FerretDB' : 'MongoDB (mongodb-memory-server)';
  const describe = `embedded ${name} at ${hostsOf(server.uri)} (${displayPath(server.dataPath)})`;
  log.info({ describe }, 'connected to the embedded database');
  const health = new HealthWatch(connection, server, log);
  return {
    connection,
    uri: server.uri,
    describe,
    health: () => health.now(),
    onStateChange: (l) => health.subscribe(l),
    async close() {
      health.closed();
      try {
        await connection.close();
      } finally {
        await server.stop();
      }
    },
  };
}

async function connect(uri: string, opts: OpenDatabaseOptions, tried: string): Promise<mongoose.Connection> {
  const connection = mongoose.createConnection(uri, {
    serverSelectionTimeoutMS: opts.timeoutMs,
    // The driver waits forever for an answer by default: a hung server (SIGSTOP, a stalled disk) then holds a
    // command until the monitor gives up on it, ~40 s. Bound the wait for an answer, and for a new connection's
    // handshake (which also paces the monitor), by the configured timeout.
    socketTimeoutMS: opts.timeoutMs,
    connectTimeoutMS: opts.timeoutMs,
    // A retried read waits for a fresh connection and a second answer: up to three timeouts for one command.
    retryReads: false,
    bufferCommands: false,
    // Each repository's init() declares its schema's indexes through src/store/indexes.ts (what this server is to
    // have): mongoose's own would create every one on every server.
    autoIndex: false,
    monitorCommands: opts.monitorCommands ?? false,
    dbName: opts.dbName ?? (dbNameInUri(uri) ? undefined : DEFAULT_DB_NAME),
  });
  // Without a listener a later 'error' event would crash the process; the operations report it anyway.
  // Before the first connection the failure is reported once, by the caller; after it, log each error.
  let connected = false;
  connection.on('error', (err: Error) => {
    if (connected) opts.log.warn({ err: err.message }, 'database connection error');
  });
  try {
    await connection.asPromise();
  } catch (err) {
    await connection.close(true).catch(() => {});
    throw new DatabaseUnavailableError(`cannot reach the database at ${tried}: ${oneLine(err)}`, { cause: err });
  }
  connected = true;
  // Losing and finding the server again is logged, with the reason, by HealthWatch.
  return connection;
}

const UNAVAILABLE_NAMES = new Set([
  'DatabaseUnavailableError',
  'MongooseServerSelectionError',
  'MongoServerSelectionError',
  'MongoNetworkError',
  'MongoNetworkTimeoutError',
  'MongoNotConnectedError',
  'MongoTopologyClosedError',
  'MongoPoolClearedError',
  'MongoServerClosedError',
]);

// Node socket errors sometimes reach the caller unwrapped when the server dies mid-operation.
const UNAVAILABLE_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

const UNAVAILABLE_MESSAGES = [
  /socket has been ended by the other party/i,
  /before initial connection is complete/i, // bufferCommands: false and not connected
  /buffering timed out/i,
  /connection (was )?force closed/i,
  /connection \S+ (to \S+ )?(was )?closed/i,
  /client must be connected/i,
  /topology (is|was) (closed|destroyed)/i,
  /pool (was )?cleared/i,
];

/** True when `err` means the database could not be reached, as opposed to the database refusing the operation. */
export function isDatabaseUnavailable(err: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = err;
  while (current instanceof Error && !seen.has(current)) {
    seen.add(current);
    if (UNAVAILABLE_NAMES.has(current.name) || UNAVAILABLE_NAMES.has(current.constructor.name)) return true;
    if (UNAVAILABLE_CODES.has(String((current as NodeJS.ErrnoException).code))) return true;
    if (current instanceof mongoose.mongo.MongoNetworkError) return true;
    if (current instanceof mongoose.mongo.MongoServerSelectionError) return true;
    if (UNAVAILABLE_MESSAGES.some((re) => re.test(current instanceof Error ? current.message : ''))) return true;
    current = current.cause;
  }
  return false;
}

// Losses after the request may have been written: the server can still apply it once it reads it.
const MID_OPERATION_CODES = new Set(['ECONNRESET', 'EPIPE']);
const MID_OPERATION_MESSAGES = [/socket has been ended by the other party/i, /connection \S+ (to \S+ )?(was )?closed/i];

/**
 * True when an unavailable-database error came after the operation may have reached the server (an answer
 * that never came, a connection lost mid-way): a change may then still be applied, so nobody may be told
 * "nothing was changed". False for failures before anything was sent (no server, refused, not connected).
 */
export function mayHaveReachedDatabase(err: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = err;
  while (current instanceof Error && !seen.has(current)) {
    seen.add(current);
    if (
      current instanceof mongoose.mongo.MongoNetworkTimeoutError &&
      !(current as { beforeHandshake?: boolean }).beforeHandshake
    )
      return true;
    if (MID_OPERATION_CODES.has(String((current as NodeJS.ErrnoException).code))) return true;
    if (MID_OPERATION_MESSAGES.some((re) => re.test(current instanceof Error ? current.message : ''))) return true;
    current = current.cause;
  }
  return false;
}

function oneLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/\s*\n\s*/g, ' ').trim() || 'unknown error';
}

/** The uri with any user:password removed. */
function redactUri(uri: string): string {
  return uri.replace(/^([a-z+]+:\/\/)[^@/]*@/i, '$1');
}

/** "host:port[,host:port]" from a connection string. */
function hostsOf(uri: string): string {
  const m = /^[a-z+]+:\/\/(?:[^@/]*@)?([^/?]+)/i.exec(uri);
  return m?.[1] ?? 'an unparseable address';
}

function dbNameInUri(uri: string): boolean {
  const m = /^[a-z+]+:\/\/[^/]+\/([^?]+)/i.exec(uri);
  return Boolean(m?.[1]);
}

function displayPath(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') ? rel : path;
}
