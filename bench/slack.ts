// Slack benchmark: signed /ticket new through the real HTTP receiver and adapter, beside a bare ack-only Bolt app.
import { spawn } from 'node:child_process';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { App, LogLevel } from '@slack/bolt';
import pino from 'pino';
import { createSlackAdapter } from '../adapters/slack/index.ts';
import { createHttpServer } from '../src/http/server.ts';
import { type BenchDatabase, startBenchBot } from './benchBot.ts';
import { type Figure, figureTable, type Summary, summarize } from './stats.ts';

const SECRET = 'bench-signing-secret';
const WARMUP = 40;
/** Fixed offered loads (open loop: requests leave on schedule whether or not earlier ones were answered). */
const LOADS = [
  { rate: 50, count: 150 },
  { rate: 200, count: 400 },
] as const;
/** Closed loop at saturation: this many connections each send the next request when the last is answered. */
const SATURATION = { connections: 10, count: 400 };
/** How long the bot may take, after a run, to post every card it acked (the work after the ack). */
const DRAIN_TIMEOUT_MS = 120_000;

interface Load {
  port: number;
  mode: 'open' | 'closed';
  rate?: number;
  connections?: number;
  count: number;
  first: number;
}

/**
 * The load generator runs in a child process (node -e): its clock is not held up by the bot's event loop, so a slow
 * ack is the bot's, not the generator's, and its work does not share the bot's process. Latency is measured from the time a request was due to leave (open loop)
 * or left (closed loop) until its HTTP answer: queueing counts.
 */
const LOAD_GENERATOR = `
const workerData = JSON.parse(process.env.BENCH_SLACK_LOAD);
const http = require('node:http');
const crypto = require('node:crypto');
const { port, mode, rate, connections, count, first, secret } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const latencies = [];
let failed = 0;
function body(i) {
  return new URLSearchParams({
    token: 't', team_id: 'T1', team_domain: 'bench', channel_id: 'CBENCH' + (i % 20), channel_name: 'bench',
    user_id: 'UBENCH', user_name: 'bench', command: '/ticket', text: 'new Bench ticket ' + i + ' --impact low',
    api_app_id: 'A1', response_url: 'http://127.0.0.1:1/unused', trigger_id: 'trigger.' + i,
  }).toString();
}
function send(i, since) {
  return new Promise((resolve) => {
    const raw = body(i);
    const ts = Math.floor(Date.now() / 1000);
    const sig = 'v0=' + crypto.createHmac('sha256', secret).update('v0:' + ts + ':' + raw).digest('hex');
    const req = http.request({ host: '127.0.0.1', port, path: '/slack/events', method: 'POST', agent, headers: {
      'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(raw),
      'x-slack-request-timestamp': String(ts), 'x-slack-signature': sig } }, (res) => {
      res.resume();
      res.on('end', () => {
        latencies.push(performance.now() - since);
        if (res.statusCode !== 200) failed++;
        resolve();
      });
    });
    req.on('error', () => { failed++; latencies.push(performance.now() - since); resolve(); });
    req.end(raw);
  });
}
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
(async () => {
  const t0 = performance.now();
  const inflight = [];
  if (mode === 'open') {
    const interval = 1000 / rate;
    for (let i = 0; i < count; i++) {
      const due = t0 + i * interval;
      const wait = due - performance.now();
      if (wait > 0.5) await sleep(wait);
      inflight.push(send(first + i, due));
    }
  } else {
    let next = 0;
    const lane = async () => { while (next < count) { const i = next++; await send(first + i, performance.now()); } };
    for (let c = 0; c < connections; c++) inflight.push(lane());
  }
  await Promise.all(inflight);
  agent.destroy();
  process.stdout.write(JSON.stringify({ latencies, failed, seconds: (performance.now() - t0) / 1000 }));
})();
`;

/** Ack figures of one load; the rate counts only the requests acked with a 200. */
function runLoad(load: Load): Promise<Summary> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', LOAD_GENERATOR], {
      env: { ...process.env, NODE_OPTIONS: '', BENCH_SLACK_LOAD: JSON.stringify({ ...load, secret: SECRET }) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
    });
    child.once('error', reject);
    child.once('close', (code) => {
      try {
        if (code !== 0) throw new Error(`the Slack load generator exited with ${code}`);
        const m = JSON.parse(out) as { latencies: number[]; failed: number; seconds: number };
        const run = { ops: m.latencies.length, failed: m.failed, seconds: m.seconds, latencies: m.latencies };
        resolve(summarize(run, (run.ops - run.failed) / run.seconds));
      } catch (err) {
        reject(err);
      }
    });
  });
}

/** The fake Slack Web API running in its own process (bench/fakeSlackProcess.ts). */
export interface RemoteFake {
  apiUrl: string;
  /** Cards posted so far: top-level chat.postMessage calls the fake answered 200. */
  cards(): Promise<number>;
  close(): Promise<void>;
}

export async function startRemoteFake(): Promise<RemoteFake> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./fakeSlackProcess.ts', import.meta.url))],
    {
      cwd: fileURLToPath(new URL('..', import.meta.url)),
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  /** Each line on the child's stdout answers the oldest waiting request; the first one is the apiUrl. */
  const waiting: Array<{ resolve(line: string): void; reject(err: Error): void }> = [];
  const next = () => new Promise<string>((resolve, reject) => waiting.push({ resolve, reject }));
  createInterface({ input: child.stdout }).on('line', (line) => waiting.shift()?.resolve(line));
  const fail = (err: Error) => {
    for (const w of waiting.splice(0)) w.reject(err);
  };
  child.once('error', fail);
  child.once('exit', (code, signal) => fail(new Error(`the fake Slack process exited (${code ?? signal})`)));
  try {
    const apiUrl = await next();
    return {
      apiUrl,
      async cards() {
        const answer = next();
        child.stdin.write('cards\n');
        return Number(await answer);
      },
      async close() {
        child.stdin.end();
        const timer = setTimeout(() => child.kill(), 5000);
        await exited;
        clearTimeout(timer);
      },
    };
  } catch (err) {
    child.kill();
    throw err;
  }
}

/** A Bolt app that only acks, on the same receiver type and the same loopback: the floor. */
async function startBareApp(fake: RemoteFake): Promise<{ port: number; stop(): Promise<void> }> {
  const app = new App({
    token: 'xoxb-bench',
    signingSecret: SECRET,
    logLevel: LogLevel.ERROR,
    clientOptions: { slackApiUrl: fake.apiUrl, retryConfig: { retries: 0 } },
  });
  app.command(/.*/, async ({ ack }) => {
    await ack();
  });
  const server = (await app.start({ port: 0, host: '127.0.0.1' })) as Server;
  return {
    port: (server.address() as AddressInfo).port,
    stop: async () => {
      await app.stop();
    },
  };
}

export async function benchSlack(db: BenchDatabase): Promise<string[]> {
  const log = pino({ level: 'silent' });
  const fake = await startRemoteFake();
  try {
    const env = { SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_SIGNING_SECRET: SECRET, SLACK_API_URL: fake.apiUrl, PORT: '0' };
    const { core, config, close } = await startBenchBot(db, 'slack', env);
    try {
      const slack = config.slack as NonNullable<typeof config.slack>;
      // The bot as main.ts runs it: the adapter mounted on the process's one HTTP server.
      const http = createHttpServer({ log, readiness: async () => ({ ready: true, reasons: [] }) });
      const adapter = createSlackAdapter({ core, config: slack, log, mount: http.mount, retryConfig: { retries: 0 } });
      const { port: botPort } = await http.listen(0, '127.0.0.1');
      await adapter.start();
      const bare = await startBareApp(fake);
      try {
        return await measureAll(fake, botPort, bare.port, db.backend, () => core.settled());
      } finally {
        await bare.stop();
        await adapter.stop();
        await http.close();
      }
    } finally {
      await close();
    }
  } finally {
    await fake.close();
  }
}

async function measureAll(
  fake: RemoteFake,
  botPort: number,
  barePort: number,
  backend: string,
  settled: () => Promise<void>,
): Promise<string[]> {
  let sent = 0;
  /** Waits until every acked /ticket new has its card in the fake Slack; answers how long that took. */
  const drain = async (): Promise<{ seconds: number; cards: number }> => {
    const t0 = performance.now();
    while ((await fake.cards()) < sent && performance.now() - t0 < DRAIN_TIMEOUT_MS) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await settled();
    return { seconds: (performance.now() - t0) / 1000, cards: await fake.cards() };
  };
  const bot = async (load: Omit<Load, 'port' | 'first'>) => {
    const r = await runLoad({ ...load, port: botPort, first: sent });
    sent += load.count;
    return r;
  };
  const floor = (load: Omit<Load, 'port' | 'first'>) => runLoad({ ...load, port: barePort, first: 0 });

  await floor({ mode: 'closed', connections: 4, count: WARMUP });
  await bot({ mode: 'closed', connections: 4, count: WARMUP });
  await drain();

  const rows: Array<Figure | string> = [];
  let p99At200 = Number.NaN;
  for (const { rate, count } of LOADS) {
    const base = await floor({ mode: 'open', rate, count });
    const mine = await bot({ mode: 'open', rate, count });
    const drained = await drain();
    if (rate === 200) p99At200 = mine.p99;
    rows.push({ figure: `bare Bolt ack, ${rate} req/s offered`, run: base });
    rows.push({ figure: `switchboard ack, ${rate} req/s offered`, run: mine, floor: base });
    rows.push(
      `    cards posted: ${drained.cards}/${sent}, last one ${drained.seconds.toFixed(2)} s after the last ack`,
    );
  }
  const { connections, count } = SATURATION;
  const base = await floor({ mode: 'closed', connections, count });
  const mine = await bot({ mode: 'closed', connections, count });
  const drained = await drain();
  rows.push({ figure: `bare Bolt ack, saturated, ${connections} connections`, run: base });
  rows.push({ figure: `switchboard ack, saturated, ${connections} connections`, run: mine, floor: base });
  rows.push(
    `    cards posted: ${drained.cards}/${sent}; the backlog of ${count} tickets took ${drained.seconds.toFixed(1)} s more ` +
      `(end to end ≈ ${(count / (mine.seconds + drained.seconds)).toFixed(0)} tickets/s)`,
  );
  return [
    `slack (${backend}; signed /ticket new over loopback to POST /slack/events; floor = bare Bolt app that only acks)`,
    ...figureTable(rows, { unit: 'req/s', floor: 'bare' }),
    `  aim: p99 ack < 50 ms at 200 req/s -> ${p99At200.toFixed(1)} ms; throughput ≥ 0.5x bare -> ${(mine.perSecond / base.perSecond).toFixed(2)}x`,
  ];
}
