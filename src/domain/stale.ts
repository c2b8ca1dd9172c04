// Stale-ticket rules: which open tickets have gone quiet, and what the housekeeping does with each (pure, `now` passed in).
import type { TicketSummary } from './entities.ts';
import { OPEN_STATES } from './ticket.ts';

export const DAY_MS = 86_400_000;

/** How long each wait lasts, in ms. */
export interface StaleRules {
  /** A pending ticket quiet this long: its requester is nudged (once per time it went pending). */
  nudgeMs: number;
  /** After the nudge (or the last update after it), this long again: resolved automatically. */
  resolveMs: number;
  /** A resolved ticket this long after its resolution: closed automatically. */
  autocloseMs: number;
}

export const DEFAULT_STALE_RULES: StaleRules = Object.freeze({
  nudgeMs: 3 * DAY_MS,
  resolveMs: 3 * DAY_MS,
  autocloseMs: 7 * DAY_MS,
});

export type Housekeeping = 'nudge' | 'resolve' | 'close' | null;

/** When a pending ticket went pending: its paused SLA clock says; the last update stands in for older tickets. */
export const pendingSince = (t: TicketSummary): Date => t.sla.pausedAt ?? t.updatedAt;

/**
 * What the housekeeping does with a ticket now. `nudgedAt` is when its requester was nudged for this
 * pending spell (null: not yet). A requester's answer is any update to the ticket: it moves the wait on.
 */
export function housekeepingFor(t: TicketSummary, now: Date, rules: StaleRules, nudgedAt: Date | null): Housekeeping {
  const at = now.getTime();
  if (t.state === 'resolved') {
    const resolvedAt = (t.resolvedAt ?? t.updatedAt).getTime();
    return at - resolvedAt >= rules.autocloseMs ? 'close' : null;
  }
  if (t.state !== 'pending') return null;
  if (!nudgedAt) return at - t.updatedAt.getTime() >= rules.nudgeMs ? 'nudge' : null;
  const quietFrom = Math.max(nudgedAt.getTime(), t.updatedAt.getTime());
  return at - quietFrom >= rules.resolveMs ? 'resolve' : null;
}

export interface StaleGroup {
  /** null: nobody is assigned. */
  assignee: TicketSummary['assignee'];
  tickets: TicketSummary[];
}

/** Open tickets with no update for `days`, grouped by assignee (most stale tickets first; unassigned last), oldest first. */
export function staleByAssignee(tickets: readonly TicketSummary[], now: Date, days: number): StaleGroup[] {
  const before = now.getTime() - days * DAY_MS;
  const groups = new Map<string, StaleGroup>();
  for (const t of tickets) {
    if (!OPEN_STATES.includes(t.state) || t.updatedAt.getTime() > before) continue;
    const key = t.assignee?.id ?? '';
    const g = groups.get(key) ?? { assignee: t.assignee, tickets: [] };
    g.tickets.push(t);
    groups.set(key, g);
  }
  for (const g of groups.values())
    g.tickets.sort(
      (a, b) =>
        a.updatedAt.getTime() - b.updatedAt.getTime() ||
        a.openedAt.getTime() - b.openedAt.getTime() ||
        a.number - b.number,
    );
  return [...groups.values()].sort(
    (a, b) =>
      Number(a.assignee === null) - Number(b.assignee === null) ||
      b.tickets.length - a.tickets.length ||
      (a.assignee?.name ?? '').localeCompare(b.assignee?.name ?? ''),
  );
}

/** The rules from the configured days (fractional days allowed). */
export const staleRulesFromDays = (o: { nudgeDays: number; resolveDays: number; autocloseDays: number }) => ({
  nudgeMs: o.nudgeDays * DAY_MS,
  resolveMs: o.resolveDays * DAY_MS,
  autocloseMs: o.autocloseDays * DAY_MS,
});
