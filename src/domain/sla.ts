// SLA clocks: due times from targets, pause while pending, MTTA/MTTR captured as they happen.
import { PAGE_HISTORY } from './escalation.ts';
import type { Priority } from './ticket.ts';

export interface SlaTarget {
  responseMs: number;
  resolutionMs: number;
}
export type SlaTargets = Readonly<Record<Priority, SlaTarget>>;

export interface SlaClock {
  responseDueAt: Date;
  resolutionDueAt: Date;
  /** Set while the clock is paused (ticket pending, or resolved until reopened). */
  pausedAt: Date | null;
  pausedMs: number;
  firstResponseAt: Date | null;
  /** Time to acknowledge: open to first response (see `acknowledges`), in ms. MTTA is its mean, wherever shown. */
  ttaMs: number | null;
  /** Time to resolve: open to resolution less time paused, in ms. */
  ttrMs: number | null;
}

export function startClock(targets: SlaTargets, priority: Priority, openedAt: Date): SlaClock {
  const t = targets[priority];
  return {
    responseDueAt: new Date(openedAt.getTime() + t.responseMs),
    resolutionDueAt: new Date(openedAt.getTime() + t.resolutionMs),
    pausedAt: null,
    pausedMs: 0,
    firstResponseAt: null,
    ttaMs: null,
    ttrMs: null,
  };
}

/** New due times when the priority changes: targets re-applied from open, keeping paused time. */
export function reprioritise(clock: SlaClock, targets: SlaTargets, priority: Priority, openedAt: Date): SlaClock {
  const t = targets[priority];
  const shift = clock.pausedMs;
  return {
    ...clock,
    responseDueAt: new Date(openedAt.getTime() + t.responseMs + (clock.firstResponseAt ? 0 : shift)),
    resolutionDueAt: new Date(openedAt.getTime() + t.resolutionMs + shift),
  };
}

export function pauseClock(clock: SlaClock, now: Date): SlaClock {
  if (clock.pausedAt) return clock;
  return { ...clock, pausedAt: now };
}

/** Resumes a paused clock: due times move later by the time spent paused. */
export function resumeClock(clock: SlaClock, now: Date): SlaClock {
  if (!clock.pausedAt) return clock;
  const paused = Math.max(0, now.getTime() - clock.pausedAt.getTime());
  return {
    ...clock,
    pausedAt: null,
    pausedMs: clock.pausedMs + paused,
    responseDueAt: clock.firstResponseAt ? clock.responseDueAt : new Date(clock.responseDueAt.getTime() + paused),
    resolutionDueAt: new Date(clock.resolutionDueAt.getTime() + paused),
  };
}

const RESPONSES = new Set(['assigned', 'comment', 'work_note']);

/**
 * Whether a line of a ticket's history is its first response, as far as the time to acknowledge goes: an
 * assignment, comment or work note by someone other than the requester, or a page acknowledged (by anyone: the
 * Acknowledge button, /oncall ack, monitoring's acknowledge). One rule for the ticket's clock and the rollups.
 */
export function acknowledges(action: string, byRequester: boolean): boolean {
  return action === PAGE_HISTORY.acknowledged || (!byRequester && RESPONSES.has(action));
}

export function recordFirstResponse(clock: SlaClock, openedAt: Date, now: Date): SlaClock {
  if (clock.firstResponseAt) return clock;
  return { ...clock, firstResponseAt: now, ttaMs: Math.max(0, now.getTime() - openedAt.getTime()) };
}

/**
 * Stops the clock at resolution: the time to resolve is recorded, and the clock stays paused, so the
 * time a ticket spends resolved never counts against it if it is reopened (`reopenClock`).
 */
export function recordResolution(clock: SlaClock, openedAt: Date, now: Date): SlaClock {
  const resumed = resumeClock(clock, now);
  return { ...resumed, pausedAt: now, ttrMs: Math.max(0, now.getTime() - openedAt.getTime() - resumed.pausedMs) };
}

/** A reopened ticket's clock runs again from where it stopped; its time to resolve is to be measured anew. */
export function reopenClock(clock: SlaClock, now: Date): SlaClock {
  return { ...resumeClock(clock, now), ttrMs: null };
}

export type SlaStanding = 'on_track' | 'paused' | 'response_breached' | 'resolution_breached' | 'met';

export function slaStanding(clock: SlaClock, resolved: boolean, now: Date): SlaStanding {
  if (resolved) return 'met';
  if (clock.pausedAt) return 'paused';
  if (now > clock.resolutionDueAt) return 'resolution_breached';
  if (!clock.firstResponseAt && now > clock.responseDueAt) return 'response_breached';
  return 'on_track';
}
