// Housekeeping on a schedule: old delivery claims forgotten, past days' rollups folded, expired documents swept (FerretDB 1.x has no TTL).
import { schedule, validate } from 'node-cron';
import type { Logger } from 'pino';

/**
 * Platforms redeliver within minutes; a week of claims is far more than any retry needs. Which ticket a message
 * was opened as is not a claim: it is kept apart, for good (src/store/messageTicketStore.ts).
 */
export const CLAIM_RETENTION_MS = 7 * 86_400_000;
/** Every night at 03:17 in the organisation's timezone (off the hour, when little else runs). */
export const MAINTENANCE_SCHEDULE = '17 3 * * *';

export interface MaintenanceDeps {
  pruneClaims(before: Date): Promise<number>;
  /** Folds the facts of past days into the rollups' day documents. */
  foldRollups?(now: Date): Promise<number>;
  /** Removes expired documents where the server has no TTL index (src/store/expiry.ts decides). */
  sweepExpired?(now: Date): Promise<number>;
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
    const folded = (await d.foldRollups?.(now())) ?? 0;
    const expired = (await d.sweepExpired?.(now())) ?? 0;
    d.log.info(
      { forgotten, folded, expired },
      'maintenance: old claims forgotten, rollups folded, expired documents swept',
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
