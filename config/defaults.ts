// Defaults for the service rules: SLA targets per priority, the priority matrix, the organisation's timezone, and
// where postmortem drafts go at the terminal.
import { join } from 'node:path';
import type { PriorityMatrix } from '../src/domain/priority.ts';
import type { SlaTargets } from '../src/domain/sla.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

/** Days a major incident's channel room stays open after its ticket closes (SWITCHBOARD_ROOM_ARCHIVE_DAYS). */
export const DEFAULT_ROOM_ARCHIVE_DAYS = 7;

export const DEFAULT_SLA: SlaTargets = Object.freeze({
  P1: { responseMs: 15 * MIN, resolutionMs: 4 * HOUR },
  P2: { responseMs: 30 * MIN, resolutionMs: 8 * HOUR },
  P3: { responseMs: 4 * HOUR, resolutionMs: 3 * DAY },
  P4: { responseMs: 1 * DAY, resolutionMs: 10 * DAY },
});

/** ITIL impact (rows) x urgency (columns) to a priority, when SWITCHBOARD_PRIORITY_MATRIX changes no cell. */
export const DEFAULT_MATRIX: PriorityMatrix = Object.freeze({
  high: { high: 'P1', medium: 'P2', low: 'P3' },
  medium: { high: 'P2', medium: 'P3', low: 'P4' },
  low: { high: 'P3', medium: 'P4', low: 'P4' },
});

/** The organisation's timezone when SWITCHBOARD_TIMEZONE is unset: the one default zone of the house. */
export const DEFAULT_TIMEZONE = 'UTC';

/** Where `/incident postmortem` writes drafts at the terminal unless SWITCHBOARD_POSTMORTEM_DIR says: in the data directory. */
export const postmortemDirIn = (dataDir: string): string => join(dataDir, 'postmortems');
