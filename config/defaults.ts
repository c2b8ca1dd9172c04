// Defaults for the service rules: SLA targets per priority, and the organisation's timezone.
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

/** The organisation's timezone when SWITCHBOARD_TIMEZONE is unset: the one default zone of the house. */
export const DEFAULT_TIMEZONE = 'UTC';
