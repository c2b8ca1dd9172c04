// The embedded database server: FerretDB (SQLite storage) as a child process, or mongodb-memory-server as a fallback.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { accessSync, constants, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { constants as osConstants } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Logger } from 'pino';
import { heldDataDirLocks, lockDataDir, releaseAllDataDirLocks } from './dataDirLock.ts';
import { type BackOff, type ServerRun, ServerSupervisor, type SupervisorState } from './supervisor.ts';

export interface EmbeddedServerOptions {
  dataDir: string;
  log: Logger;
  onProgress?: (line: string) => void;
  /** how long to wait for the server to accept connections; default 30s */
  startTimeoutMs?: number;
  /** restart back-off after the server exits on its own (FerretDB only) */
  backOff?: BackOff;
}

export interface EmbeddedServer {
  uri: string;
  kind: 'ferretdb' | 'mongodb-memory-server';
  /** absolute directory holding the server's data */
  dataPath: string;
  /** Whether the server process is running, and how often it was brought back (always up for mongodb-memory-server). */
  state(): SupervisorState;
  onStateChange(listener: (s: SupervisorState) => void): () => void;
  /** The database process itself (not its watchdog), while it runs: what an operator or a fault test signals. */
  serverPid(): number | undefined;
  /** Stops the server for good; it is not restarted after this. */
  stop(): Promise<void>;
}

export class EmbeddedServerError extends Error {
  override name = 'EmbeddedServerError';
}

const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const INSTALL_SCRIPT = join(PROJECT_ROOT, 'scripts', 'install-ferretdb.sh');
const FERRETDB_VERSION = 'v1.24.2';
const STDERR_TAIL_LINES = 15;
const STOP_GRACE_MS = 2000;

// The child runs under this watchdog: when our end of its stdin closes (stop(), or this process dying in any
// way, even SIGKILL) it asks FerretDB to stop, then kills it. FerretDB's SIGTERM alone waits for every client
// connection to go away, which could be forever.
const WATCHDOG = `
exec 3<&0
"$@" </dev/null 3<&- &
child=$!
( while read -r _ <&3; do :; done; kill -TERM "$child" 2>/dev/null; sleep ${STOP_GRACE_MS / 1000}; kill -KILL "$child" 2>/dev/null ) &
watcher=$!
exec 3<&-
echo "switchboard-server-pid $child"
wait "$child"; rc=$?
kill "$watcher" 2>/dev/null
exit "$rc"
`;

/**
 * FerretDB's Go runtime collects garbage once its heap has grown 4x past what was live (GOGC=400, Go's default is
 * 100), up to a soft limit of 512 MiB: it allocates for every document it encodes, and at Go's default the collector
 * took about a seventh of the server's CPU under a burst (10,000 reminders: 13.6 s of its CPU, 11.5 s with this;
 * docs/benchmarks.md). Set either in the environment to choose another.
 */
const GO_MEMORY = { GOGC: '400', GOMEMLIMIT: '512MiB' } as const;

/** Starts the embedded database server for `dataDir`; the data outlives the process. */
export async function startEmbeddedServer(opts: EmbeddedServerOptions): Promise<EmbeddedServer> {
  const dataDir = resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const releaseLock = lockDataDir(dataDir, refreshProcessHooks);
  try {
    const server = await startAnyServer(dataDir, opts);
    return {
      ...server,
      async stop() {
        try {
          await server.stop();
        } finally {
          releaseLock();
        }
      },
    };
  } catch (err) {
    releaseLock();
    throw err;
  }
}

async function startAnyServer(dataDir: string, opts: EmbeddedServerOptions): Promise<EmbeddedServer> {
  const progress = (line: string) => {
    opts.log.info({ component: 'embedded-db' }, line);
    opts.onProgress?.(line);
  };
  let bin = findFerretdb();
  if (!bin) {
    const go = findExecutable('go', ['/usr/local/go/bin/go']);
    if (go) {
      await installFerretdb(go, progress);
      bin = findFerretdb();
      if (!bin) throw new EmbeddedServerError(`FerretDB install finished but ${localFerretdb()} is missing`);
    } else {
      // No Go to build the patched one: an unpatched FerretDB still works, its `_id` access only scans.
      bin = findExecutable('ferretdb', [localFerretdb()], true);
      if (bin) progress(`using ${bin}, built without patches/ferretdb (install Go to build the patched one)`);
    }
  }
  if (bin) return startFerretdb(bin, join(dataDir, 'ferretdb'), opts);
  progress('no FerretDB and no Go found: using mongodb-memory-server (downloads MongoDB once, needs internet)…');
  return startMongoMemoryServer(dataDir, progress);
}

function localFerretdb(): string {
  return join(PROJECT_ROOT, '.tools', 'bin', 'ferretdb');
}

/** The FerretDB to run: the one named in the environment, or ours when it was built with today's patches. */
function findFerretdb(): string | undefined {
  const fromEnv = process.env.SWITCHBOARD_FERRETDB_BIN?.trim();
  if (fromEnv) {
    if (!isExecutable(fromEnv))
      throw new EmbeddedServerError(`SWITCHBOARD_FERRETDB_BIN=${fromEnv} is not an executable`);
    return resolve(fromEnv);
  }
  const local = localFerretdb();
  return isExecutable(local) && builtStamp(local) === ferretdbStamp() ? local : undefined;
}

function builtStamp(bin: string): string | undefined {
  try {
    return readFileSync(`${bin}.stamp`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/**
 * What scripts/install-ferretdb.sh writes beside the binary it built: the version and a hash of the patches in
 * name order. A binary with another stamp was built from other patches (or none), and is built again.
 */
export function ferretdbStamp(): string {
  const dir = join(PROJECT_ROOT, 'patches', 'ferretdb');
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return `${FERRETDB_VERSION} (no patches/ferretdb)`;
  }
  const sums = names
    .filter((f) => f.endsWith('.patch'))
    .sort()
    .map(
      (f) =>
        `${f} ${createHash('sha256')
          .update(readFileSync(join(dir, f)))
          .digest('hex')}\n`,
    )
    .join('');
  return `${FERRETDB_VERSION} ${createHash('sha256').update(sums).digest('hex')}`;
}

/** `extraFirst` candidates are tried before PATH when `preferExtra`, after it otherwise. */
function findExecutable(name: string, extra: string[], preferExtra = false): string | undefined {
  const onPath = (process.env.PATH ?? '')
    .split(delimiter)
    .filter(Boolean)
    .map((dir) => join(dir, name));
  const candidates = preferExtra ? [...extra, ...onPath] : [...onPath, ...extra];
  return candidates.find(isExecutable);
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function installFerretdb(go: string, progress: (line: string) => void): Promise<void> {
  const env = { ...process.env, PATH: `${dirname(go)}${delimiter}${process.env.PATH ?? ''}` };
  const child = spawn('bash', [INSTALL_SCRIPT], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const tail = new LineTail(STDERR_TAIL_LINES);
  forEachLine(child.stdout, (line) => progress(line));
  forEachLine(child.stderr, (line) => tail.push(line));
  const code = await new Promise<number | null>((ok, fail) => {
    child.once('error', fail);
    child.once('exit', (c) => ok(c));
  });
  if (code !== 0) {
    throw new EmbeddedServerError(`installing FerretDB failed (bash ${INSTALL_SCRIPT} exited ${code})${tail.format()}`);
  }
}

async function startFerretdb(bin: string, dataPath: string, opts: EmbeddedServerOptions): Promise<EmbeddedServer> {
  mkdirSync(dataPath, { recursive: true });
  let lastError: unknown;
  // A free port can be taken between our probe and FerretDB's bind; try a few.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    let first: FerretdbRun;
    try {
      first = await launchFerretdb(bin, dataPath, port, opts);
    } catch (err) {
      lastError = err;
      if (!(err instanceof EmbeddedServerError && /address already in use/i.test(err.message))) throw err;
      continue;
    }
    return superviseFerretdb(first, () => launchFerretdb(bin, dataPath, port, opts), dataPath, port, opts);
  }
  throw lastError;
}

/** Restarts on the same port and data, so the open driver connection finds the server again by itself. */
function superviseFerretdb(
  first: FerretdbRun,
  relaunch: () => Promise<FerretdbRun>,
  dataPath: string,
  port: number,
  opts: EmbeddedServerOptions,
): EmbeddedServer {
  let current: FerretdbRun | undefined = first;
  const track = (run: FerretdbRun): FerretdbRun => {
    current = run;
    void run.exited.then(() => {
      if (current === run) current = undefined;
    });
    return run;
  };
  track(first);
  const supervisor = new ServerSupervisor(
    first,
    async () => track(await relaunch()),
    opts.log.child({ component: 'ferretdb' }),
    opts.backOff,
  );
  return {
    uri: `mongodb://127.0.0.1:${port}/`,
    kind: 'ferretdb',
    dataPath,
    state: () => supervisor.state(),
    onStateChange: (l) => supervisor.onStateChange(l),
    serverPid: () => current?.serverPid(),
    stop: () => supervisor.stop(),
  };
}

interface FerretdbRun extends ServerRun {
  serverPid(): number | undefined;
}

async function launchFerretdb(
  bin: string,
  dataPath: string,
  port: number,
  opts: EmbeddedServerOptions,
): Promise<FerretdbRun> {
  const log = opts.log.child({ component: 'ferretdb' });
  const args = [
    '--handler=sqlite',
    // WAL with synchronous=NORMAL: a commit is durable once in the write-ahead log, which is synced at checkpoints
    // rather than on every commit. A crash of the process loses nothing; a power cut may lose the last moments of
    // commits, never the file's consistency: the trade MongoDB makes by default (w:1, its journal synced every
    // 100 ms). It doubles the embedded database's write rate (docs/storage.md).
    `--sqlite-url=${pathToFileURL(dataPath).href}/?_pragma=synchronous(normal)`,
    `--listen-addr=127.0.0.1:${port}`,
    `--state-dir=${dataPath}`,
    '--telemetry=disable',
    '--debug-addr=-',
    '--log-level=warn',
  ];
  log.debug({ bin, args }, 'starting FerretDB');
  const child = spawn('sh', ['-c', WATCHDOG, 'ferretdb-watchdog', bin, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...GO_MEMORY, ...process.env },
    detached: true, // own process group: a terminal's Ctrl-C reaches us first, so we decide when the DB goes
  });
  const tail = new LineTail(STDERR_TAIL_LINES);
  let serverPid: number | undefined;
  forEachLine(child.stdout, (line) => {
    const pid = /^switchboard-server-pid (\d+)$/.exec(line);
    if (pid) serverPid = Number(pid[1]);
    else tail.push(line);
  });
  forEachLine(child.stderr, (line) => {
    tail.push(line);
    log.debug(line);
  });
  child.stdin?.on('error', () => {}); // EPIPE once the watchdog is gone is expected
  const unhook = killOnExit(child);
  const exited = new Promise<string>((ok) => {
    child.once('exit', (code, signal) => {
      serverPid = undefined;
      // Whatever of its group is left (the watchdog's helper) goes with it; the pgid stays ours until it is empty.
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // nothing left
        }
      }
      unhook();
      ok(describeExit(code, signal));
    });
    child.once('error', (err) => ok(err.message));
  });

  const timeoutMs = opts.startTimeoutMs ?? 30_000;
  const ready = await Promise.race([
    waitForPort(port, timeoutMs).then((ok) => (ok ? 'ready' : 'timeout')),
    exited.then((how) => `exited with ${how}`),
  ]);
  if (ready !== 'ready') {
    killGroup(child, 'SIGKILL');
    await exited;
    const what = ready === 'timeout' ? `did not accept connections within ${timeoutMs} ms` : ready;
    throw new EmbeddedServerError(`FerretDB (${bin}) on 127.0.0.1:${port} ${what}${tail.format()}`);
  }
  log.debug({ port, dataPath }, 'FerretDB is up');
  let stopping: Promise<void> | undefined;
  return {
    exited: exited.then((how) => ({ how, output: tail.format() })),
    serverPid: () => serverPid,
    stop() {
      stopping ??= (async () => {
        child.stdin?.end();
        const gone = await Promise.race([exited.then(() => true), sleep(STOP_GRACE_MS + 3000).then(() => false)]);
        if (!gone) {
          killGroup(child, 'SIGKILL');
          await exited;
        }
      })();
      return stopping;
    },
  };
}

/** "code 1", or what the watchdog's 128+n means: the server was killed by signal n. */
function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `signal ${signal}`;
  if (code !== null && code > 128) {
    const name = Object.entries(osConstants.signals).find(([, n]) => n === code - 128)?.[0];
    if (name) return `code ${code} (the server was killed by ${name})`;
  }
  return `code ${code}`;
}

async function startMongoMemoryServer(dataDir: string, progress: (line: string) => void): Promise<EmbeddedServer> {
  const dataPath = join(dataDir, 'mongodb');
  mkdirSync(dataPath, { recursive: true });
  let MongoMemoryServer: typeof import('mongodb-memory-server-core')['MongoMemoryServer'];
  try {
    ({ MongoMemoryServer } = await import('mongodb-memory-server-core'));
  } catch (err) {
    throw new EmbeddedServerError(
      `no embedded database available: install Go (to build FerretDB), set SWITCHBOARD_FERRETDB_BIN, or set MONGODB_URI (${(err as Error).message})`,
    );
  }
  try {
    const server = await MongoMemoryServer.create({
      instance: { dbPath: dataPath, ip: '127.0.0.1', storageEngine: 'wiredTiger' },
    });
    progress('mongodb-memory-server is up');
    return {
      uri: server.getUri(),
      kind: 'mongodb-memory-server',
      dataPath,
      // The fallback is not supervised: mongodb-memory-server owns its process.
      state: () => ({ running: true, restarts: 0 }),
      onStateChange: () => () => {},
      serverPid: () => server.instanceInfo?.instance.mongodProcess?.pid,
      async stop() {
        await server.stop({ doCleanup: false });
      },
    };
  } catch (err) {
    const reason = (err as Error).message.replace(/\s+/g, ' ').trim().slice(0, 300);
    throw new EmbeddedServerError(
      `no embedded database available: FerretDB is not installed, Go is missing, and mongodb-memory-server failed (${reason}). Install Go, set SWITCHBOARD_FERRETDB_BIN, or set MONGODB_URI`,
    );
  }
}

// One set of process hooks for every running server and held lock: per-server signal listeners would each
// see "someone else handles SIGINT" and together swallow Ctrl-C.
const runningServers = new Set<ChildProcess>();

function onProcessExit(): void {
  for (const child of runningServers) killGroup(child, 'SIGKILL');
  releaseAllDataDirLocks();
}

function onProcessSignal(signal: NodeJS.Signals): void {
  // Another listener (the app's graceful shutdown) owns the exit; our 'exit' hook still runs after it.
  if (process.listenerCount(signal) > 1) return;
  onProcessExit();
  setProcessHooks(false);
  process.kill(process.pid, signal);
}

let hooked = false;
function setProcessHooks(on: boolean): void {
  if (on === hooked) return;
  hooked = on;
  const method = on ? 'on' : 'removeListener';
  process[method]('exit', onProcessExit);
  process[method]('SIGINT', onProcessSignal);
  process[method]('SIGTERM', onProcessSignal);
}

function refreshProcessHooks(): void {
  setProcessHooks(runningServers.size > 0 || heldDataDirLocks() > 0);
}

/** Kills the server's process group when this process exits, or on SIGINT/SIGTERM if nobody else handles them. */
function killOnExit(child: ChildProcess): () => void {
  runningServers.add(child);
  refreshProcessHooks();
  return () => {
    runningServers.delete(child);
    refreshProcessHooks();
  };
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // already gone
  }
}

// --- small process and network plumbing

function freePort(): Promise<number> {
  return new Promise((ok, fail) => {
    const server = createServer();
    server.unref();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => ok(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await canConnect(port)) return true;
    await sleep(100);
  }
  return false;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    const done = (result: boolean) => {
      socket.destroy();
      ok(result);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((ok) => setTimeout(ok, ms));
}

function forEachLine(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  if (!stream) return;
  let buffered = '';
  stream.setEncoding('utf8');
  stream.on('data', (chunk: string) => {
    buffered += chunk;
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) if (line.trim()) onLine(line.trimEnd());
  });
  stream.on('end', () => {
    if (buffered.trim()) onLine(buffered.trimEnd());
  });
}

class LineTail {
  private readonly lines: string[] = [];
  constructor(private readonly max: number) {}
  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.max) this.lines.shift();
  }
  format(): string {
    return this.lines.length
      ? `\n  server output (last ${this.lines.length} lines):\n  ${this.lines.join('\n  ')}`
      : '';
  }
}
