// Defaults for the service rules: SLA targets per priority.
import { join } from 'node:path';
import type { SlaTargets } from '../src/domain/sla.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

export const DEFAULT_SLA: SlaTargets = Object.freeze({
  P1: { responseMs: 15 * MIN, resolutionMs: 4 * HOUR },
  P2: { responseMs: 30 * MIN, resolutionMs: 8 * HOUR },
  P3: { responseMs: 4 * HOUR, resolutionMs: 3 * DAY },
  P4: { responseMs: 1 * DAY, resolutionMs: 10 * DAY },
});

/** Where `/incident postmortem` writes drafts at the terminal unless SWITCHBOARD_POSTMORTEM_DIR says: in the data directory. */
export const postmortemDirIn = (dataDir: string): string => join(dataDir, 'postmortems');
