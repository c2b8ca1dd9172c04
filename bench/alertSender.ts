// The alerts bench's Alertmanager: posts the burst of notifications, all at once, to a webhook URL. Run in a process
// of its own by default (`node --import tsx bench/alertSender.ts`, one JSON line in on stdin, one out on stdout), so
// a thousand requests being made and their answers read do not take turns with the bot on its JS thread, as they
// would not with a real Alertmanager; `BENCH_ALERTS_CLIENT=inprocess` sends from the bot's process (the figures
// before 2026-12-07, latest).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface BurstSpec {
  url: string;
  token: string;
  alerts: number;
  groups: number;
  teams: number;
}

export interface BurstResult {
  /** Group -> when its first notification was sent (ms since the epoch, as `performance` reckons it). */
  sentAt: Array<[number, number]>;
  /** Group -> when the first answer about it came back (the same clock). */
  answeredAt: Array<[number, number]>;
  outcomes: Array<[string, number]>;
  answers: Array<{ g: number; ticket: string | undefined }>;
  answeredS: number;
}

/** Wall time in ms, comparable between two processes of one machine. */
export const wall = (): number => performance.timeOrigin + performance.now();

const notification = (s: BurstSpec, i: number, sentAt: string) => {
  const g = i % s.groups;
  return {
    version: '4',
    groupKey: `{}:{alertname="G${g}"}`,
    status: 'firing',
    receiver: 'switchboard',
    groupLabels: { alertname: `G${g}` },
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager.bench',
    alerts: [
      {
        status: 'firing',
        labels: { alertname: `G${g}`, severity: 'critical', service: `svc${g % s.teams}`, instance: `host${i}` },
        annotations: { summary: `Group ${g} is failing` },
        startsAt: sentAt,
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: `http://prometheus.bench/graph?g=${g}`,
        fingerprint: `fp-${i}`,
      },
    ],
  };
};

/** Every notification POSTed at once (group `i % groups`); when each group's first was sent and answered. */
export async function postBurst(s: BurstSpec): Promise<BurstResult> {
  const sentAt = new Map<number, number>();
  const answeredAt = new Map<number, number>();
  const outcomes = new Map<string, number>();
  const t0 = wall();
  const answers = await Promise.all(
    Array.from({ length: s.alerts }, async (_, i) => {
      const g = i % s.groups;
      if (!sentAt.has(g)) sentAt.set(g, wall());
      let res: Response;
      try {
        res = await fetch(s.url, {
          method: 'POST',
          headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json', 'x-bench-group': `${g}` },
          body: JSON.stringify(notification(s, i, new Date().toISOString())),
        });
      } catch (err) {
        // Counted, not fatal: a connection the server (or the machine) dropped under the burst is a figure too.
        const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
        const key = `fetch failed (${cause})`;
        outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
        return { g, ticket: undefined };
      }
      const body = (await res.json().catch(() => ({}))) as { outcome?: string; ticket?: string };
      if (!answeredAt.has(g)) answeredAt.set(g, wall());
      const key = res.status === 202 ? (body.outcome ?? '?') : `HTTP ${res.status}`;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
      return { g, ticket: body.ticket };
    }),
  );
  return {
    sentAt: [...sentAt],
    answeredAt: [...answeredAt],
    outcomes: [...outcomes],
    answers,
    answeredS: (wall() - t0) / 1000,
  };
}

/** The burst, sent from this process or from a process of its own (the default). */
export function sendBurst(s: BurstSpec): Promise<BurstResult> {
  if (process.env.BENCH_ALERTS_CLIENT === 'inprocess') return postBurst(s);
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url)], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise<BurstResult>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      try {
        resolve(JSON.parse(out) as BurstResult);
      } catch {
        reject(new Error(`the alert sender exited (${code}) without its figures`));
      }
    });
    child.stdin.end(`${JSON.stringify(s)}\n`);
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const lines = createInterface({ input: process.stdin });
  lines.once('line', (line) => {
    void postBurst(JSON.parse(line) as BurstSpec).then((r) => {
      process.stdout.write(`${JSON.stringify(r)}\n`, () => process.exit(0));
    });
  });
}
