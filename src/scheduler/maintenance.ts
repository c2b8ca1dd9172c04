// Housekeeping on a schedule: old delivery claims are forgotten, old job, file and alert-mark days dropped (FerretDB 1.x has no TTL indexes).
import { schedule, validate } from 'node-cron';
import type { Logger } from 'pino';

/**
 * Platforms redeliver within minutes; a week of claims is far more than any retry needs. Which ticket a message
 * was opened as is not a claim: it is kept apart, for good (src/store/messageTicketStore.ts).
 */
export const CLAIM_RETENTION_MS = 7 * 86_400_000;
/** Job days (src/store/jobStore.ts) are dropped whole after this long: a year of review runs stays readable. */
export const JOB_RETENTION_MS = 400 * 86_400_000;
/**
 * Files the outbox sent (charts, exports) and the marks of alert notifications told are dropped by the day after
 * this long: a message gives up within hours, and a sender retries within minutes.
 */
export const SHORT_RETENTION_MS = 7 * 86_400_000;
/** Every night at 03:17 in the organisation's timezone (off the hour, when little else runs). */
export const MAINTENANCE_SCHEDULE = '17 3 * * *';

export interface MaintenanceDeps {
  pruneClaims(before: Date): Promise<number>;
  /** Drops the job store's days before a date (whole collections: nothing scans). */
  dropJobDays?(before: Date): Promise<number>;
  /** Drops the file store's and the alert marks' days before a date. */
  dropShortDays?(before: Date): Promise<number>;
  log: Logger;
  timezone: string;
  now?: () => Date;
  expression?: string;
}

export interface Maintenance {
  /** One round now: what the schedule runs. Resolves with the number of claims forgotten. */
  runOnce(): Promise<number>;
  stop(): void;
}

export function startMaintenance(d: MaintenanceDeps): Maintenance {
  const now = d.now ?? (() => new Date());
  const expression = d.expression ?? MAINTENANCE_SCHEDULE;
  if (!validate(expression)) throw new Error(`invalid maintenance schedule "${expression}"`);
  const runOnce = async (): Promise<number> => {
    const forgotten = await d.pruneClaims(new Date(now().getTime() - CLAIM_RETENTION_MS));
    const jobDays = (await d.dropJobDays?.(new Date(now().getTime() - JOB_RETENTION_MS))) ?? 0;
    const shortDays = (await d.dropShortDays?.(new Date(now().getTime() - SHORT_RETENTION_MS))) ?? 0;
    d.log.info(
      { forgotten, jobDays, shortDays },
      'maintenance: old delivery claims forgotten, old job, file and alert-mark days dropped',
    );
    return forgotten;
  };
  const task = schedule(
    expression,
    async () => {
      try {
        await runOnce();
      } catch (err) {
        // Every process runs it; deleting is idempotent, and a failed round is simply retried next night.
        d.log.warn({ err }, 'maintenance round failed');
      }
    },
    { timezone: d.timezone, name: 'switchboard-maintenance', noOverlap: true },
  );
  return {
    runOnce,
    stop: () => void task.stop(),
  };
}
