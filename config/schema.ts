// Everything that can be configured: one zod schema over the environment.
import { z } from 'zod';
import { parseSeverityMap } from '../src/domain/alerts.ts';
import { parseDuration } from '../src/domain/duration.ts';
import { parseUpdateCadence } from '../src/domain/incident.ts';
import { LEVELS, PRIORITIES } from '../src/domain/ticket.ts';
import { isTimeZone } from '../src/domain/timezone.ts';
import { DEFAULT_ROOM_ARCHIVE_DAYS, DEFAULT_TIMEZONE } from './defaults.ts';
import {
  channelAddressExamples,
  channelAddressPattern,
  identityExamples,
  identityPattern,
  orgExample,
  orgPattern,
} from './platformForms.ts';

const optionalText = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();

const duration = z.string().refine((v) => parseDuration(v) !== null, {
  message: 'must be a duration like 15m, 4h, 3d',
});

const slaList = z
  .string()
  .optional()
  .superRefine((v, ctx) => {
    if (!v) return;
    for (const part of v.split(',')) {
      const m = /^\s*(P[1-4])\s*=\s*([^/\s]+)\s*\/\s*([^/\s]+)\s*$/.exec(part);
      if (!m || parseDuration(m[2] as string) === null || parseDuration(m[3] as string) === null) {
        ctx.addIssue({ code: 'custom', message: `"${part.trim()}" must look like P1=15m/4h` });
      }
    }
  });

const matrixList = z
  .string()
  .optional()
  .superRefine((v, ctx) => {
    if (!v) return;
    const levels = LEVELS.join('|');
    const re = new RegExp(`^\\s*(${levels})\\s*/\\s*(${levels})\\s*=\\s*(${PRIORITIES.join('|')})\\s*$`);
    for (const part of v.split(',')) {
      if (!re.test(part)) ctx.addIssue({ code: 'custom', message: `"${part.trim()}" must look like high/low=P3` });
    }
  });

/** Days for the stale-ticket housekeeping; fractional (0.5 = 12 hours) so short spans can be tried out. */
const days = z.coerce
  .number({ message: 'must be a number of days, like 3 or 0.5' })
  .positive({ message: 'must be more than 0 days' })
  .max(365, { message: 'must be at most 365 days' });

const identityList = z
  .string()
  .optional()
  .superRefine((v, ctx) => {
    if (!v) return;
    for (const part of v
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean)) {
      if (!identityPattern().test(part)) {
        ctx.addIssue({ code: 'custom', message: `"${part}" must look like ${identityExamples()}` });
      }
    }
  });

const orgList = z
  .string()
  .optional()
  .superRefine((v, ctx) => {
    if (!v) return;
    const owner = new Map<string, string>();
    for (const org of v
      .split(';')
      .map((p) => p.trim())
      .filter(Boolean)) {
      if (!orgPattern().test(org)) {
        ctx.addIssue({ code: 'custom', message: `"${org}" must look like ${orgExample()}` });
        continue;
      }
      const [name, members] = org.split('=') as [string, string];
      for (const m of members.split(',')) {
        // A workspace in two organisations would silently land in the last one.
        const first = owner.get(m);
        if (first !== undefined && first !== name) {
          ctx.addIssue({ code: 'custom', message: `${m} is in two organisations (${first} and ${name})` });
        }
        owner.set(m, name);
      }
    }
  });

/** What `console:<name>` identities are made of (the parser's mention form for the terminal). */
export const CONSOLE_NAME = /^[A-Za-z0-9._-]{1,64}$/;

const port = z.coerce.number().int().min(0).max(65535);

export const envSchema = z.object({
  MONGODB_URI: optionalText,
  SWITCHBOARD_DATA_DIR: z.string().default('.data'),
  SWITCHBOARD_ADMINS: identityList,
  SWITCHBOARD_ORGS: orgList,
  SWITCHBOARD_TIMEZONE: z
    .string()
    .trim()
    .refine(isTimeZone, { message: 'must be an IANA timezone like UTC or Europe/Paris' })
    .default(DEFAULT_TIMEZONE),
  SWITCHBOARD_CONSOLE_USER: optionalText.refine((v) => v === undefined || CONSOLE_NAME.test(v), {
    message: 'must be a name of letters, digits, ".", "_" or "-" (at most 64), so that console:<name> can be named',
  }),
  SWITCHBOARD_SLA: slaList,
  SWITCHBOARD_PRIORITY_MATRIX: matrixList,
  SWITCHBOARD_DB_TIMEOUT: duration.default('5s'),
  /** Scheduled jobs found this late (after a restart) still run; later ones are recorded as missed. */
  SWITCHBOARD_CATCHUP: duration.default('1h'),
  /** An unanswered page level is paged again this often. */
  SWITCHBOARD_PAGE_REPEAT: duration
    .refine((v) => (parseDuration(v) ?? 0) >= 30_000 && (parseDuration(v) ?? 0) <= 3_600_000, {
      message: 'must be 30s to 1h',
    })
    .default('2m'),
  SWITCHBOARD_CAB_QUORUM: z.coerce
    .number({ message: 'must be a whole number of approvers, 1 to 20' })
    .int({ message: 'must be a whole number of approvers, 1 to 20' })
    .min(1, { message: 'must be at least 1 approver' })
    .max(20, { message: 'must be at most 20 approvers' })
    .default(1),
  SWITCHBOARD_PIR_DAYS: z.coerce
    .number({ message: 'must be a whole number of business days, 1 to 30' })
    .int({ message: 'must be a whole number of business days, 1 to 30' })
    .min(1, { message: 'must be at least 1 business day' })
    .max(30, { message: 'must be at most 30 business days' })
    .default(5),
  /** Minutes between a major incident's stakeholder updates, by severity: the commander is reminded when one is due. */
  SWITCHBOARD_UPDATE_CADENCE: z
    .string()
    .refine((v) => parseUpdateCadence(v) !== null, {
      message: 'must be like 1=30m,2=60m (severity 1 and 2, each 5m to 24h)',
    })
    .default('1=30m,2=60m'),
  /** Where `/incident postmortem` writes drafts at the terminal; default: `postmortems` in SWITCHBOARD_DATA_DIR. */
  SWITCHBOARD_POSTMORTEM_DIR: optionalText,
  /** Alert incidents that declare themselves major: off, p1, or p2 (P1 and P2). */
  SWITCHBOARD_MAJOR_AUTO: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['off', 'p1', 'p2'], { message: 'must be off, p1 (P1 alert incidents) or p2 (P1 and P2)' }))
    .default('off'),
  /** Tickets may name any service (`open`), or only a declared one once the catalog holds one (`auto`). */
  SWITCHBOARD_SERVICES: z
    .string()
    .trim()
    .toLowerCase()
    .pipe(z.enum(['auto', 'open'], { message: 'must be auto (declared services only, once one is) or open (any)' }))
    .default('auto'),
  /** A major incident's channel room is archived this many days after its ticket closes (a thread room when it resolves). */
  SWITCHBOARD_ROOM_ARCHIVE_DAYS: days.default(DEFAULT_ROOM_ARCHIVE_DAYS),
  SWITCHBOARD_PENDING_NUDGE_DAYS: days.default(3),
  SWITCHBOARD_PENDING_RESOLVE_DAYS: days.default(3),
  SWITCHBOARD_AUTOCLOSE_DAYS: days.default(7),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'),
  PORT: port.default(3000),
  SWITCHBOARD_HTTP: z
    .enum(['on', 'off', 'true', 'false', '1', '0'], { message: 'must be on or off' })
    .optional()
    .transform((v) => v === undefined || v === 'on' || v === 'true' || v === '1'),
  SWITCHBOARD_HTTP_HOST: optionalText,
  SLACK_BOT_TOKEN: optionalText,
  SLACK_SIGNING_SECRET: optionalText,
  SLACK_APP_TOKEN: optionalText,
  SLACK_API_URL: z.url().optional(),
  DISCORD_TOKEN: optionalText,
  DISCORD_APPLICATION_ID: optionalText,
  DISCORD_GUILD_ID: optionalText,
  DISCORD_API_URL: z.url().optional(),
  /** A category channel's id: major incident rooms open as text channels under it (threads while unset). */
  DISCORD_INCIDENT_CATEGORY: optionalText.refine((v) => v === undefined || /^\d{17,20}$/.test(v), {
    message:
      "must be a category channel's id, 17 to 20 digits (Developer Mode on, right-click the category, Copy Channel ID)",
  }),
  DISCORD_MESSAGE_CONTENT: z
    .enum(['true', 'false', '1', '0', ''])
    .optional()
    .transform((v) => v === 'true' || v === '1'),
  /** Alert intake (POST /webhooks/*): off while unset. */
  WEBHOOK_TOKEN: optionalText.refine((v) => v === undefined || v.length >= 16, {
    message: 'must be at least 16 characters (a random secret, e.g. openssl rand -hex 32)',
  }),
  INCIDENT_CHANNEL: optionalText.superRefine((v, ctx) => {
    if (v !== undefined && !channelAddressPattern().test(v)) {
      ctx.addIssue({ code: 'custom', message: `must look like ${channelAddressExamples()}` });
    }
  }),
  ALERT_SEVERITY_MAP: z
    .string()
    .optional()
    .superRefine((v, ctx) => {
      const r = parseSeverityMap(v);
      if ('error' in r) ctx.addIssue({ code: 'custom', message: r.error });
    }),
  ALERT_AUTORESOLVE: z
    .enum(['on', 'off', 'true', 'false', '1', '0'], { message: 'must be on or off' })
    .optional()
    .transform((v) => v === undefined || v === 'on' || v === 'true' || v === '1'),
  ALERT_TENANT: optionalText,
  USER: optionalText,
});

export type Env = z.infer<typeof envSchema>;
