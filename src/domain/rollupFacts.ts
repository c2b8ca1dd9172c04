// What a ticket's history adds to the daily rollups: one fact per event (opened, responded, resolved, reopened, csat,
// an incident's priority change), and a major incident's close-out (major).
import type { CsatAnswer } from './csat.ts';
import type { Ticket } from './entities.ts';
import { isoDate, localParts } from './localTime.ts';
import {
  acknowledges,
  pauseClock,
  recordFirstResponse,
  recordResolution,
  reopenClock,
  reprioritise,
  resumeClock,
  type SlaTargets,
  startClock,
} from './sla.ts';
import { PRIORITIES, type Priority, type TicketType } from './ticket.ts';

export type FactKind = 'opened' | 'responded' | 'resolved' | 'reopened' | 'csat' | 'major' | 'priority';

export interface RollupFact {
  /** `<tenant>/<UTC day>/<ticket>/<event>`: the same event always makes the same id, so a replay counts once. */
  id: string;
  tenant: string;
  ticketId: string;
  type: TicketType;
  kind: FactKind;
  at: Date;
  /** The priority the ticket had when it happened. */
  priority: Priority;
  service: string | null;
  team: string | null;
  /** responded: time to acknowledge; resolved: time to resolve less paused time. */
  ms?: number;
  /** responded / resolved: within the SLA target. */
  met?: boolean;
  /** csat: the requester's score, 1-5. */
  score?: number;
  /** major: the stakeholder updates the major incident had (its `ms` is its time to mitigate). */
  updates?: number;
  /** priority (an incident's change): the priority before it; `priority` is the one after. */
  was?: Priority;
  /** An incident that takes down what depends on its service (tagged `affects:dependants`): set only when true. */
  cascades?: boolean;
}

/** Tag of an incident whose outage counts against the services that depend on its service too. */
export const CASCADES_TAG = 'affects:dependants';

/** The UTC day an instant falls on: rollups are filed by it, and read by the exact instant. */
export const utcDay = (at: Date): string => isoDate(localParts(at, 'UTC'));

/** The ticket's first priority: the `from` of its first priority change, else the one it has. */
function firstPriority(t: Pick<Ticket, 'history' | 'priority'>): Priority {
  const change = t.history.find((h) => h.action === 'priority');
  return change && PRIORITIES.includes(change.from as Priority) ? (change.from as Priority) : t.priority;
}

/**
 * Every fact the ticket's history makes, replayed through the same SLA clock the ticket service keeps. Each
 * fact depends only on the history up to it, so facts made from a ticket after each change (the change feed)
 * are the same as those made once from the finished ticket (a rebuild). A reopened ticket keeps the
 * resolution it had (it was resolved then, in or out of target) and adds a reopen; resolved again, its time
 * to resolve is measured anew from open, less all time paused (pending and resolved).
 */
export function factsOf(t: Ticket, targets: SlaTargets): RollupFact[] {
  let priority = firstPriority(t);
  let clock = startClock(targets, priority, t.openedAt);
  const facts: RollupFact[] = [];
  const cascades = t.type === 'incident' && t.tags.includes(CASCADES_TAG) ? { cascades: true } : {};
  const add = (kind: FactKind, event: string, at: Date, extra: { ms?: number; met?: boolean; was?: Priority } = {}) =>
    facts.push({
      id: `${t.tenant}/${utcDay(at)}/${t.ticketId}/${event}`,
      tenant: t.tenant,
      ticketId: t.ticketId,
      type: t.type,
      kind,
      at,
      priority,
      service: t.service,
      team: t.team,
      ...cascades,
      ...extra,
    });
  add('opened', 'opened', t.openedAt);
  let resolutions = 0;
  let reopens = 0;
  let changes = 0;
  for (const h of t.history) {
    if (h.action === 'priority' && PRIORITIES.includes(h.to as Priority)) {
      const was = priority;
      priority = h.to as Priority;
      clock = reprioritise(clock, targets, priority, t.openedAt);
      // An incident's priority decides whether it is an outage (P1/P2): availability needs when it changed.
      if (t.type === 'incident' && was !== priority) add('priority', `priority.${++changes}`, h.at, { was });
    } else if (h.action === 'state') {
      if (h.to === 'pending') clock = pauseClock(clock, h.at);
      else if (h.from === 'pending' && h.to === 'in_progress') clock = resumeClock(clock, h.at);
      else if (h.to === 'resolved') {
        clock = recordResolution(clock, t.openedAt, h.at);
        resolutions++;
        add('resolved', `resolved.${resolutions}`, h.at, {
          ms: clock.ttrMs ?? 0,
          met: h.at.getTime() <= clock.resolutionDueAt.getTime(),
        });
      } else if (h.from === 'resolved' && h.to === 'in_progress') {
        clock = reopenClock(clock, h.at);
        reopens++;
        add('reopened', `reopened.${reopens}`, h.at);
      }
    }
    if (!clock.firstResponseAt && acknowledges(h.action, h.actor.id === t.requester.id)) {
      clock = recordFirstResponse(clock, t.openedAt, h.at);
      add('responded', 'responded', h.at, {
        ms: clock.ttaMs ?? 0,
        met: h.at.getTime() <= clock.responseDueAt.getTime(),
      });
    }
  }
  return facts;
}

/**
 * The `responded` fact an ack makes, ahead of the history line that records it (written right after the ack's reply):
 * the same fact `factsOf` makes from that line (its `_id`, time to acknowledge and target), so the one written second
 * is refused. Null when the ticket has had its first response already (the ack is then no response).
 */
export function respondedFactOf(t: Ticket, at: Date): RollupFact | null {
  if (t.sla.firstResponseAt) return null;
  return {
    id: `${t.tenant}/${utcDay(at)}/${t.ticketId}/responded`,
    tenant: t.tenant,
    ticketId: t.ticketId,
    type: t.type,
    kind: 'responded',
    at,
    priority: t.priority,
    service: t.service,
    team: t.team,
    ...(t.type === 'incident' && t.tags.includes(CASCADES_TAG) ? { cascades: true } : {}),
    ms: Math.max(0, at.getTime() - t.openedAt.getTime()),
    met: at.getTime() <= t.sla.responseDueAt.getTime(),
  };
}

/** The requester's answer, counted on the day it was given (one per ticket, as the answer itself is). */
export function csatFactOf(a: CsatAnswer): RollupFact {
  return {
    id: `${a.tenant}/${utcDay(a.at)}/${a.ticketId}/csat`,
    tenant: a.tenant,
    ticketId: a.ticketId,
    type: a.type,
    kind: 'csat',
    at: a.at,
    priority: a.priority,
    service: a.service,
    team: a.team,
    score: a.score,
  };
}

/** A major incident closed out, counted on the day it was resolved: its time to mitigate and its updates. */
export function majorFactOf(m: {
  tenant: string;
  ticketId: string;
  at: Date;
  priority: Priority;
  service: string | null;
  team: string | null;
  mitigateMs: number;
  updates: number;
}): RollupFact {
  return {
    id: `${m.tenant}/${utcDay(m.at)}/${m.ticketId}/major`,
    tenant: m.tenant,
    ticketId: m.ticketId,
    type: 'incident',
    kind: 'major',
    at: m.at,
    priority: m.priority,
    service: m.service,
    team: m.team,
    ms: m.mitigateMs,
    updates: m.updates,
  };
}
