// The bot's Prometheus metrics: one registry per instance, fed by the core's command observer and by providers.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/** What the pipeline tells its observers when an invocation finishes (src/core/observer.ts, `finish`). */
export interface CommandFinished {
  command: string;
  /** The core's own outcome: success, usage, denied, refused, invalid, db_unavailable, error. */
  outcome: string;
  platform: string;
  ms: number;
}

export type CommandOutcome = 'ok' | 'usage_error' | 'refused' | 'failed';

/** The four outcomes a dashboard tells apart; anything the core adds later counts as failed until mapped. */
export function commandOutcome(coreOutcome: string): CommandOutcome {
  switch (coreOutcome) {
    case 'success':
      return 'ok';
    case 'usage':
      return 'usage_error';
    case 'denied':
    case 'refused':
    case 'invalid':
      return 'refused';
    default:
      return 'failed';
  }
}

export interface OutboxStats {
  depth: number;
  oldestAgeSeconds: number;
}

export interface DatabaseStats {
  up: boolean;
  /** Times the embedded database was restarted by its supervisor (0 with MONGODB_URI). */
  restarts?: number;
}

export interface MetricsOptions {
  /** Undelivered messages in the outbox; without it both outbox gauges read 0. */
  outbox?: () => Promise<OutboxStats>;
  /** Database state at scrape time; without it the database reads down. */
  database?: () => Promise<DatabaseStats>;
  /** Process metrics (CPU, memory, event loop, GC); on unless a test turns them off. */
  processMetrics?: boolean;
}

export interface Metrics {
  readonly registry: Registry;
  commandFinished(e: CommandFinished): void;
  /** One delivery attempt of an outbound message finished (the outbox calls this). */
  deliveryFinished(platform: string, outcome: string): void;
  /** The paging auditor's last count of escalation steps more than 2 minutes overdue. */
  overdueSteps(count: number): void;
  /** The exposition text and its content type, for GET /metrics. */
  scrape(): Promise<{ contentType: string; body: string }>;
}

/** Seconds: a command answers in milliseconds normally and within the database timeout (5 s) at worst. */
const COMMAND_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const NOT_COUNTERS_NAMED_LIKE_COUNTERS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

export function createMetrics(o: MetricsOptions = {}): Metrics {
  const registry = new Registry();
  if (o.processMetrics !== false) {
    collectDefaultMetrics({ register: registry });
    // prom-client names these gauges like counters, which promtool rejects; their per-type siblings
    // (nodejs_active_handles{type}, …) stay, and sum() over them gives the same totals.
    for (const name of NOT_COUNTERS_NAMED_LIKE_COUNTERS) registry.removeSingleMetric(name);
  }

  const commands = new Counter({
    name: 'switchboard_commands_total',
    help: 'Commands run, by command, outcome (ok, usage_error, refused, failed) and platform.',
    labelNames: ['command', 'outcome', 'platform'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'switchboard_command_duration_seconds',
    help: 'Time from an invocation reaching the core to its reply, by command and platform.',
    labelNames: ['command', 'platform'] as const,
    buckets: COMMAND_BUCKETS,
    registers: [registry],
  });
  const deliveries = new Counter({
    name: 'switchboard_deliveries_total',
    help: 'Outbound message deliveries finished, by platform and outcome.',
    labelNames: ['platform', 'outcome'] as const,
    registers: [registry],
  });

  const overdue = new Gauge({
    name: 'switchboard_page_steps_overdue',
    help: 'Escalation steps more than 2 minutes overdue at the last audit (a silent escalation).',
    registers: [registry],
  });
  const overdueFound = new Counter({
    name: 'switchboard_page_steps_overdue_total',
    help: 'Overdue escalation steps found by the paging auditor (counted at each audit that sees them).',
    registers: [registry],
  });

  // Read once per scrape and shared by the gauges it feeds: the registry starts every collect() before awaiting any.
  // A failed read (the database is down: switchboard_database_up says so) keeps the last values, not the scrape.
  let outboxRead: Promise<OutboxStats | undefined> | undefined;
  const readOutbox = (): Promise<OutboxStats | undefined> => {
    outboxRead ??= (o.outbox ? o.outbox() : Promise.resolve({ depth: 0, oldestAgeSeconds: 0 }))
      .catch(() => undefined)
      .finally(() => {
        outboxRead = undefined;
      });
    return outboxRead;
  };
  new Gauge({
    name: 'switchboard_outbox_depth',
    help: 'Outbound messages written to the outbox and not yet delivered or failed for good.',
    registers: [registry],
    async collect() {
      const stats = await readOutbox();
      if (stats) this.set(stats.depth);
    },
  });
  new Gauge({
    name: 'switchboard_outbox_oldest_age_seconds',
    help: 'Age of the oldest undelivered message in the outbox (0 when it is empty).',
    registers: [registry],
    async collect() {
      const stats = await readOutbox();
      if (stats) this.set(stats.oldestAgeSeconds);
    },
  });

  let databaseRead: Promise<DatabaseStats> | undefined;
  const readDatabase = (): Promise<DatabaseStats> => {
    databaseRead ??= (o.database ? o.database() : Promise.resolve({ up: false }))
      .catch((): DatabaseStats => ({ up: false }))
      .finally(() => {
        databaseRead = undefined;
      });
    return databaseRead;
  };
  new Gauge({
    name: 'switchboard_database_up',
    help: '1 when the database answered a ping at scrape time, else 0.',
    registers: [registry],
    async collect() {
      this.set((await readDatabase()).up ? 1 : 0);
    },
  });
  new Counter({
    name: 'switchboard_database_restarts_total',
    help: 'Restarts of the embedded database by its supervisor since the process started.',
    registers: [registry],
    async collect() {
      const restarts = (await readDatabase()).restarts ?? 0;
      this.reset();
      if (restarts > 0) this.inc(restarts);
    },
  });

  return {
    registry,
    commandFinished(e) {
      commands.inc({ command: e.command, outcome: commandOutcome(e.outcome), platform: e.platform });
      duration.observe({ command: e.command, platform: e.platform }, e.ms / 1000);
    },
    deliveryFinished(platform, outcome) {
      deliveries.inc({ platform, outcome });
    },
    overdueSteps(count) {
      overdue.set(count);
      if (count > 0) overdueFound.inc(count);
    },
    async scrape() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
