// Defaults for the service rules: SLA targets per priority.
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
