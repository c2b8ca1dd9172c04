// loadConfig(): the environment, checked once, turned into the settings the house runs on.

import { parseSeverityMap, type SeverityMap } from '../src/domain/alerts.ts';
import { parseDuration } from '../src/domain/duration.ts';
import { parseUpdateCadence, type UpdateCadence } from '../src/domain/incident.ts';
import { workspaceExample } from '../src/domain/platform.ts';
import type { PriorityMatrix } from '../src/domain/priority.ts';
import type { SlaTargets } from '../src/domain/sla.ts';
import type { Level, Priority } from '../src/domain/ticket.ts';
import { DEFAULT_MATRIX, DEFAULT_SLA, postmortemDirIn } from './defaults.ts';
import { CONSOLE_NAME, envSchema } from './schema.ts';

export interface SlackConfig {
  botToken: string;
  signingSecret: string;
  appToken: string | undefined;
  apiUrl: string | undefined;
}

/** The one HTTP server (health, readiness, metrics, Slack's HTTP mode); undefined when SWITCHBOARD_HTTP=off. */
export interface HttpConfig {
  port: number;
  /** Interface to listen on; undefined: main.ts picks (loopback for the terminal alone, else all). */
  host: string | undefined;
}

export interface DiscordConfig {
  token: string;
  applicationId: string;
  guildId: string | undefined;
  apiUrl: string | undefined;
  messageContent: boolean;
  /** DISCORD_INCIDENT_CATEGORY: the category major incident rooms open under as channels; threads while unset. */
  incidentCategory: string | undefined;
}

/** Alert intake: the webhooks answer only when `token` is set. */
export interface AlertConfig {
  token: string | undefined;
  /**
   * The organisation incidents from alerts belong to. Undefined where one chat platform runs and nothing names
   * it: start-up takes the one workspace the bot is in (Slack's auth.test, the one Discord guild).
   */
  tenant: string | undefined;
  incidentChannel: string | undefined;
  severityMap: SeverityMap;
  autoresolve: boolean;
}

export interface Config {
  mongodbUri: string | undefined;
  dataDir: string;
  admins: string[];
  /** workspace identity (`slack:T1`) -> organisation (tenant) name */
  orgs: Record<string, string>;
  timezone: string;
  consoleUser: string;
  sla: SlaTargets;
  matrix: PriorityMatrix;
  dbTimeoutMs: number;
  /** SWITCHBOARD_CATCHUP: how late a scheduled job may still run. */
  catchupMs: number;
  /** SWITCHBOARD_PAGE_REPEAT: how often an unanswered page level is paged again. */
  pageRepeatMs: number;
  /** Distinct approvers that approve a change ticket. */
  cabQuorum: number;
  /** Business days from a P1/P2 incident's resolve to its post-incident review's due time. */
  pirDays: number;
  /** SWITCHBOARD_UPDATE_CADENCE: minutes between a major incident's stakeholder updates, by severity. */
  updateCadence: UpdateCadence;
  /** SWITCHBOARD_POSTMORTEM_DIR: where `/incident postmortem` writes drafts at the terminal. */
  postmortemDir: string;
  /** SWITCHBOARD_MAJOR_AUTO: the alert incidents' priorities that declare themselves major (none when off). */
  majorAuto: readonly Priority[];
  /** SWITCHBOARD_SERVICES: whether a ticket may name a service the catalog does not hold. */
  services: 'auto' | 'open';
  /** SWITCHBOARD_ROOM_ARCHIVE_DAYS: days a major incident's channel room stays after its ticket closes. */
  roomArchiveDays: number;
  /** Stale-ticket housekeeping: nudge pending requesters, then resolve; close resolved tickets (days each). */
  stale: { nudgeDays: number; resolveDays: number; autocloseDays: number };
  logLevel: string;
  port: number;
  http: HttpConfig | undefined;
  slack: SlackConfig | undefined;
  discord: DiscordConfig | undefined;
  alerts: AlertConfig;
}

/** SWITCHBOARD_MAJOR_AUTO's words, as the alert incidents' priorities that declare themselves major. */
const MAJOR_AUTO: Readonly<Record<'off' | 'p1' | 'p2', readonly Priority[]>> = {
  off: [],
  p1: ['P1'],
  p2: ['P1', 'P2'],
};

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const list = (v: string | undefined, sep = ','): string[] =>
  (v ?? '')
    .split(sep)
    .map((s) => s.trim())
    .filter(Boolean);

/** $USER as a console name: characters a `console:<name>` identity cannot hold become "-". */
function consoleNameFrom(user: string | undefined): string {
  const name = (user ?? '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 64);
  return CONSOLE_NAME.test(name) ? name : 'operator';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable (as in a copied .env.example) means "not set".
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const parsed = envSchema.safeParse(given);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration: ${lines.join('; ')}`);
  }
  const e = parsed.data;

  const sla: Record<Priority, { responseMs: number; resolutionMs: number }> = { ...DEFAULT_SLA };
  for (const part of list(e.SWITCHBOARD_SLA)) {
    const [p, rest] = part.split('=') as [Priority, string];
    const [resp, reso] = rest.split('/');
    sla[p.trim() as Priority] = {
      responseMs: parseDuration(resp as string) as number,
      resolutionMs: parseDuration(reso as string) as number,
    };
  }

  const matrix: Record<Level, Record<Level, Priority>> = {
    high: { ...DEFAULT_MATRIX.high },
    medium: { ...DEFAULT_MATRIX.medium },
    low: { ...DEFAULT_MATRIX.low },
  };
  for (const part of list(e.SWITCHBOARD_PRIORITY_MATRIX)) {
    const [cell, p] = part.split('=') as [string, Priority];
    const [impact, urgency] = cell.split('/').map((s) => s.trim()) as [Level, Level];
    matrix[impact][urgency] = p.trim() as Priority;
  }

  const orgs: Record<string, string> = {};
  for (const org of list(e.SWITCHBOARD_ORGS, ';')) {
    const [name, members] = org.split('=') as [string, string];
    for (const m of list(members)) orgs[m] = name.trim();
  }

  if (Boolean(e.SLACK_BOT_TOKEN) !== Boolean(e.SLACK_SIGNING_SECRET)) {
    throw new ConfigError('invalid configuration: SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET must be set together');
  }
  if (Boolean(e.DISCORD_TOKEN) !== Boolean(e.DISCORD_APPLICATION_ID)) {
    throw new ConfigError('invalid configuration: DISCORD_TOKEN and DISCORD_APPLICATION_ID must be set together');
  }

  if (e.SLACK_BOT_TOKEN && !e.SLACK_APP_TOKEN && !e.SWITCHBOARD_HTTP) {
    throw new ConfigError(
      'invalid configuration: SWITCHBOARD_HTTP=off, but Slack in HTTP mode (no SLACK_APP_TOKEN) receives its requests on that server',
    );
  }

  // One organisation named: alerts are its. Otherwise the terminal's; with one chat platform, the one workspace
  // it turns out to be in (start-up asks); with two, there is a choice to make.
  const orgNames = [...new Set(Object.values(orgs))];
  const alertTenant =
    e.ALERT_TENANT ??
    (orgNames.length === 1 ? orgNames[0] : undefined) ??
    (e.SLACK_BOT_TOKEN || e.DISCORD_TOKEN ? undefined : 'console:local');
  if (e.WEBHOOK_TOKEN && !alertTenant && e.SLACK_BOT_TOKEN && e.DISCORD_TOKEN) {
    throw new ConfigError(
      `invalid configuration: ALERT_TENANT: say which organisation alerts belong to (a name from SWITCHBOARD_ORGS, or a workspace like ${workspaceExample()})`,
    );
  }
  const severity = parseSeverityMap(e.ALERT_SEVERITY_MAP);

  return {
    mongodbUri: e.MONGODB_URI,
    dataDir: e.SWITCHBOARD_DATA_DIR,
    admins: list(e.SWITCHBOARD_ADMINS),
    orgs,
    timezone: e.SWITCHBOARD_TIMEZONE,
    consoleUser: e.SWITCHBOARD_CONSOLE_USER ?? consoleNameFrom(e.USER),
    sla,
    matrix,
    dbTimeoutMs: parseDuration(e.SWITCHBOARD_DB_TIMEOUT) as number,
    catchupMs: parseDuration(e.SWITCHBOARD_CATCHUP) as number,
    pageRepeatMs: parseDuration(e.SWITCHBOARD_PAGE_REPEAT) as number,
    cabQuorum: e.SWITCHBOARD_CAB_QUORUM,
    pirDays: e.SWITCHBOARD_PIR_DAYS,
    updateCadence: parseUpdateCadence(e.SWITCHBOARD_UPDATE_CADENCE) as UpdateCadence,
    postmortemDir: e.SWITCHBOARD_POSTMORTEM_DIR ?? postmortemDirIn(e.SWITCHBOARD_DATA_DIR),
    majorAuto: MAJOR_AUTO[e.SWITCHBOARD_MAJOR_AUTO],
    roomArchiveDays: e.SWITCHBOARD_ROOM_ARCHIVE_DAYS,
    services: e.SWITCHBOARD_SERVICES,
    stale: {
      nudgeDays: e.SWITCHBOARD_PENDING_NUDGE_DAYS,
      resolveDays: e.SWITCHBOARD_PENDING_RESOLVE_DAYS,
      autocloseDays: e.SWITCHBOARD_AUTOCLOSE_DAYS,
    },
    logLevel: e.LOG_LEVEL,
    port: e.PORT,
    http: e.SWITCHBOARD_HTTP ? { port: e.PORT, host: e.SWITCHBOARD_HTTP_HOST } : undefined,
    slack:
      e.SLACK_BOT_TOKEN && e.SLACK_SIGNING_SECRET
        ? {
            botToken: e.SLACK_BOT_TOKEN,
            signingSecret: e.SLACK_SIGNING_SECRET,
            appToken: e.SLACK_APP_TOKEN,
            apiUrl: e.SLACK_API_URL,
          }
        : undefined,
    discord:
      e.DISCORD_TOKEN && e.DISCORD_APPLICATION_ID
        ? {
            token: e.DISCORD_TOKEN,
            applicationId: e.DISCORD_APPLICATION_ID,
            guildId: e.DISCORD_GUILD_ID,
            apiUrl: e.DISCORD_API_URL,
            messageContent: e.DISCORD_MESSAGE_CONTENT,
            incidentCategory: e.DISCORD_INCIDENT_CATEGORY,
          }
        : undefined,
    alerts: {
      token: e.WEBHOOK_TOKEN,
      tenant: alertTenant,
      incidentChannel: e.INCIDENT_CHANNEL,
      severityMap: 'map' in severity ? severity.map : {},
      autoresolve: e.ALERT_AUTORESOLVE,
    },
  };
}
