// Alerts benchmark: a burst of Alertmanager notifications over concurrent POSTs to the real HTTP server, one bot
// process on one database: exactly one incident and one first page per group, and how soon the first page's DM went out.
import { randomBytes } from 'node:crypto';
import { loadavg, tmpdir } from 'node:os';
import type { Connection } from 'mongoose';
import pino from 'pino';
import { loadConfig } from '../config/index.ts';
import { createSwitchboard } from '../src/app.ts';
import type { RequestHandler } from '../src/http/server.ts';
import { createHttpServer } from '../src/http/server.ts';
import { createAlertWebhooks, WEBHOOK_PREFIX } from '../src/http/webhooks.ts';
import type { PlatformSender } from '../src/present/sender.ts';
import type { Acting } from '../src/services/acting.ts';
import type { Services } from '../src/services/compose.ts';
import { openDatabase } from '../src/store/connection.ts';
import { type BurstSpec, sendBurst, wall } from './alertSender.ts';
import type { BenchDatabase } from './benchBot.ts';
import { cpuSeconds, percentile } from './stats.ts';

const log = pino({ level: process.env.BENCH_LOG_LEVEL ?? 'silent' });
/** The issue's figures; BENCH_ALERTS / BENCH_ALERT_GROUPS lower them. */
const ALERTS = Number(process.env.BENCH_ALERTS ?? 1000);
const GROUPS = Number(process.env.BENCH_ALERT_GROUPS ?? 50);
/** Teams the groups' services belong to, each with its own on-call person (one DM lane each). */
const TEAMS = 10;
const BUDGET_MS = Number(process.env.BENCH_ALERTS_BUDGET_MS ?? 120_000);
const TOKEN = 'bench-webhook-token-7d41';
const TENANT = 'console:local';
/**
 * `BENCH_ALERTS_TRACE=1`: also prints where a group's first page spends its time (the first POST reaching the
 * server, its incident opened, its page planned, its step started, its DM) and the database commands of the burst.
 */
const TRACE = process.env.BENCH_ALERTS_TRACE === '1';
const spec = (url: string): BurstSpec => ({ url, token: TOKEN, alerts: ALERTS, groups: GROUPS, teams: TEAMS });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ms = (v: number) => `${v.toFixed(0)} ms`;

export async function benchAlerts(db: BenchDatabase): Promise<string[]> {
  const dbName = `bench_alerts_${randomBytes(6).toString('hex')}`;
  const now = () => new Date();
  /** Ticket id -> when its first first-level page reached the sender (wall time, `wall()`). */
  const firstPage = new Map<string, number>();
  let pages = 0;
  const sender: PlatformSender = {
    platform: 'slack',
    post: async () => ({ messageId: 'm', channel: 'C1' }),
    edit: async () => ({ messageId: 'm', channel: 'C1' }),
    dm: async (user, reply) => {
      const m = /^PAGE \([^)]*level 1\): (\S+) /.exec(reply.text);
      if (m) {
        pages++;
        if (!firstPage.has(m[1] as string)) firstPage.set(m[1] as string, wall());
      }
      return { messageId: `dm-${pages}`, channel: `D-${user}` };
    },
  };
  // Repeats an hour apart: only the first page of each incident is in the burst.
  const config = loadConfig({ WEBHOOK_TOKEN: TOKEN, SWITCHBOARD_PAGE_REPEAT: '1h' });
  const handle = await openDatabase({
    uri: db.uri,
    dbName,
    dataDir: tmpdir(),
    timeoutMs: 10_000,
    log,
    monitorCommands: TRACE,
  });
  // The house as main.ts builds it, with its job engine and outbox; its timers (review tasks, page auditor,
  // maintenance) stay off, as they are not what is measured.
  const house = await createSwitchboard({
    config,
    connection: handle.connection,
    log,
    now,
    progress: () => {},
    background: { reviewTasks: false, pageAuditor: false, maintenance: false },
  });
  const { services } = house;
  services.outbox.register(sender);
  const http = createHttpServer({ log, readiness: async () => ({ ready: true, reasons: [] }) });
  const webhooks = createAlertWebhooks({ token: TOKEN, alerts: services.alerts, log });
  const trace = TRACE ? traceBurst(house.services, handle.connection) : undefined;
  http.mount(WEBHOOK_PREFIX, trace ? trace.handler(webhooks) : webhooks);
  const { port } = await http.listen(0, '127.0.0.1');
  await house.start();
  try {
    const admin: Acting = {
      tenant: TENANT,
      person: { id: 'root', identity: 'console:root', name: 'root' },
      role: 'admin',
      source: { platform: 'console', workspace: 'local' },
      now: now(),
      timezone: 'UTC',
    };
    for (let t = 0; t < TEAMS; t++) {
      await services.teams.create(admin, `team${t}`, { services: `svc${t}` });
      await services.teams.setRotation(admin, `team${t}`, [`slack:UONCALL${t}`], { every: '1w' });
    }
    const load = loadavg().map((l) => l.toFixed(2));
    // The floor: the same burst answered at once (body read and parsed, 202) by a bare handler on the same HTTP
    // server, before the bot's: what the client, the server and the machine cost a group's first POST.
    const floor = await floorBurst();
    trace?.start();
    const cpu0 = { db: cpuSeconds(db.serverPid?.()), bot: cpuSeconds(process.pid) };
    const burst = await sendBurst(spec(`http://127.0.0.1:${port}/webhooks/alertmanager`));
    const { answers, answeredS } = burst;
    const sentAt = new Map(burst.sentAt);
    const outcomes = new Map(burst.outcomes);
    const ticketOf = new Map<number, Set<string>>();
    for (const a of answers) if (a.ticket) ticketOf.set(a.g, (ticketOf.get(a.g) ?? new Set()).add(a.ticket));
    const deadline = performance.now() + BUDGET_MS;
    while (performance.now() < deadline && firstPage.size < GROUPS) await sleep(20);
    // The work the database server and the bot did until the last first page (within 20 ms of it).
    const cpu = { db: cpuSeconds(db.serverPid?.()) - cpu0.db, bot: cpuSeconds(process.pid) - cpu0.bot };
    // Time for a duplicate page to show itself.
    await sleep(2000);
    // Every ticket an answer named (listTickets stops at 101, too few to count a fault by).
    const incidents = new Set(answers.flatMap((a) => (a.ticket ? [a.ticket] : []))).size;
    const latencies: number[] = [];
    for (const [g, tickets] of ticketOf) {
      const [ticket] = [...tickets];
      const paged = ticket ? firstPage.get(ticket) : undefined;
      if (paged !== undefined) latencies.push(paged - (sentAt.get(g) as number));
    }
    latencies.sort((a, b) => a - b);
    const split = [...ticketOf.values()].filter((s) => s.size > 1).length;
    const traced = trace ? trace.report(ticketOf, sentAt, firstPage, ALERTS) : [];
    return [
      `  ${ALERTS} Alertmanager notifications (one alert each) over ${GROUPS} groups, all POSTed at once to the HTTP server; ` +
        `${TEAMS} teams, one on-call person each; one bot process (job engine + outbox, default polling)`,
      `  load average at the start: ${load.join(' ')} (${process.env.BENCH_NOTE ?? 'machine shared'})`,
      `  floor, the same POSTs answered 202 at once by a bare handler on the same HTTP server: all in ${floor.answeredS.toFixed(1)} s; ` +
        `first POST of a group → its answer p50 ${ms(floor.p50)}, p99 ${ms(floor.p99)}`,
      `  all answered in ${answeredS.toFixed(1)} s (${(ALERTS / answeredS).toFixed(0)}/s): ${[...outcomes].map(([k, n]) => `${k} ${n}`).join(', ')}`,
      `  incidents named in the answers: ${incidents} (expected ${GROUPS}); groups answered with two or more: ${split}`,
      `  first pages: ${pages} DMs for ${firstPage.size} incidents (expected ${GROUPS} and ${GROUPS})`,
      `  first POST of a group → its first page DM handed to the Slack sender: p50 ${ms(percentile(latencies, 50))}, ` +
        `p99 ${ms(percentile(latencies, 99))}, max ${ms(latencies.at(-1) ?? Number.NaN)}`,
      `  CPU from the burst's start to the last first page: database server ${cpu.db.toFixed(2)} s, ` +
        `bot process (and the sender) ${cpu.bot.toFixed(2)} s`,
      ...traced,
    ];
  } finally {
    await house.stop();
    await http.close();
    await handle.connection.dropDatabase().catch(() => {});
    await handle.close();
  }
}

/** The trace of BENCH_ALERTS_TRACE: a few of the house's calls wrapped to note when a group's first page passes. */
function traceBurst(services: Services, connection: Connection) {
  const arrived = new Map<number, number>();
  const opened = new Map<string, number>();
  const planned = new Map<string, number>();
  const stepped = new Map<string, number>();
  const commands = new Map<string, number>();
  /** Every command in order, from the burst's start: for a burst of one, what one opening and its page cost. */
  const sequence: string[] = [];
  /** When each of `sequence` was sent (wall time). */
  const stamps: number[] = [];
  let counting = false;
  const client = connection.getClient();
  client.on('commandStarted', (e: { commandName: string; command: Record<string, unknown> }) => {
    const target = e.command[e.commandName];
    const name = typeof target === 'string' ? `${e.commandName} ${target}` : e.commandName;
    if (!counting) return;
    commands.set(name, (commands.get(name) ?? 0) + 1);
    sequence.push(name);
    stamps.push(wall());
  });
  /** How long the server took over each command, as the driver saw it (queued in the pool not counted). */
  const durations: number[] = [];
  client.on('commandSucceeded', (e: { duration: number }) => {
    if (counting) durations.push(e.duration);
  });
  const tickets = services.tickets;
  const openTicket = tickets.openTicket.bind(tickets);
  tickets.openTicket = async (acting, input) => {
    const t = await openTicket(acting, input);
    opened.set(t.ticketId, wall());
    return t;
  };
  // Heard after paging's own listener (registered when the house was built): the page's first step is planned.
  services.alerts.onAlertIncident((e) => void planned.set(e.ticket.ticketId, wall()));
  const paging = services.paging;
  const runStep = paging.runStep.bind(paging);
  paging.runStep = (job, now) => {
    const id = (job.payload as { ticketId?: string }).ticketId;
    if (id && !stepped.has(id)) stepped.set(id, wall());
    return runStep(job, now);
  };
  // An incident's first level is paged by its page's start job (the first step is that job's).
  const runStart = paging.runStart.bind(paging);
  paging.runStart = (job, now) => {
    const id = (job.payload as { ticketId?: string }).ticketId;
    if (id && !stepped.has(id)) stepped.set(id, wall());
    return runStart(job, now);
  };
  const lines = (label: string, values: number[]) => {
    values.sort((a, b) => a - b);
    return `    ${label}: p50 ${ms(percentile(values, 50))}, p99 ${ms(percentile(values, 99))}`;
  };
  return {
    /** Counts from now on (the teams and their rotations are made before). */
    start() {
      counting = true;
    },
    handler(inner: RequestHandler): RequestHandler {
      return (req, res) => {
        const g = Number(req.headers['x-bench-group']);
        if (!arrived.has(g)) arrived.set(g, wall());
        inner(req, res);
      };
    },
    report(
      ticketOf: Map<number, Set<string>>,
      sentAt: Map<number, number>,
      firstPage: Map<string, number>,
      alerts: number,
    ): string[] {
      const legs: Record<string, number[]> = { arrive: [], open: [], plan: [], step: [], dm: [] };
      for (const [g, set] of ticketOf) {
        const [t] = [...set];
        const sent = sentAt.get(g);
        if (!t || sent === undefined) continue;
        const at = [sent, arrived.get(g), opened.get(t), planned.get(t), stepped.get(t), firstPage.get(t)];
        const names = ['arrive', 'open', 'plan', 'step', 'dm'];
        names.forEach((n, i) => {
          const a = at[i];
          const b = at[i + 1];
          if (a !== undefined && b !== undefined) legs[n]?.push(b - a);
        });
      }
      const total = [...commands.values()].reduce((a, b) => a + b, 0);
      // The work ahead of the last group's first page: every command sent before its DM.
      const lastPage = Math.max(...firstPage.values());
      const ahead = new Map<string, number>();
      let aheadN = 0;
      sequence.forEach((n, i) => {
        if ((stamps[i] as number) > lastPage) return;
        aheadN++;
        ahead.set(n, (ahead.get(n) ?? 0) + 1);
      });
      const aheadTop = [...ahead].sort((a, b) => b[1] - a[1]).slice(0, 24);
      const top = [...commands].sort((a, b) => b[1] - a[1]).slice(0, 16);
      return [
        '  trace (each leg from the one before, over the groups):',
        lines('first POST sent → reached the handler', legs.arrive ?? []),
        lines('→ its incident opened (openTicket)', legs.open ?? []),
        lines('→ its page planned (incident listeners done)', legs.plan ?? []),
        lines('→ its page start job started', legs.step ?? []),
        lines('→ its first page DM', legs.dm ?? []),
        lines('each database command, sent → answered', durations),
        `  database commands: ${total} (${(total / alerts).toFixed(1)} a notification), the most sent:`,
        ...top.map(([n, c]) => `    ${n}: ${c}`),
        `  sent before the last group's first page DM: ${aheadN} (${(aheadN / firstPage.size).toFixed(1)} a group)`,
        `    ${aheadTop.map(([n, c]) => `${n} ${c}`).join(', ')}`,
        ...(alerts <= 2 ? [`  in order: ${sequence.join(', ')}`] : []),
      ];
    },
  };
}

/** The same burst against a bare handler (read, parse, 202) on an HTTP server of the same kind. */
async function floorBurst(): Promise<{ answeredS: number; p50: number; p99: number }> {
  const bare = createHttpServer({ log, readiness: async () => ({ ready: true, reasons: [] }) });
  bare.mount(WEBHOOK_PREFIX, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      JSON.parse(Buffer.concat(chunks).toString('utf8'));
      res.writeHead(202, { 'content-type': 'application/json' });
      res.end('{"status":"accepted","outcome":"floor"}');
    });
  });
  const { port } = await bare.listen(0, '127.0.0.1');
  try {
    const { sentAt, answeredAt, answeredS } = await sendBurst(spec(`http://127.0.0.1:${port}/webhooks/alertmanager`));
    const sent = new Map(sentAt);
    const waits = answeredAt.map(([g, at]) => at - (sent.get(g) as number)).sort((a, b) => a - b);
    return { answeredS, p50: percentile(waits, 50), p99: percentile(waits, 99) };
  } finally {
    await bare.close();
  }
}
