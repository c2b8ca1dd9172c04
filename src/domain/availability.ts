// A service's availability and SLA attainment over a period, from the rollup facts: the outages P1/P2 incidents
// make (overlaps counted once, a dependency's outage rolled up when its incident says so), the share of first
// responses and resolutions within target, and the trend against the period before.
import type { TicketSummary } from './entities.ts';
import { CASCADES_TAG, type RollupFact } from './rollupFacts.ts';
import { type ActionCounts, actionCountsOf, type CountedAction } from './serviceReview.ts';
import type { Figure, Period } from './summary.ts';
import type { Priority } from './ticket.ts';

/** An incident carrying this tag takes down every service that depends on its service (`--affects dependants`). */
export const AFFECTS_DEPENDANTS_TAG = CASCADES_TAG;
/** The priorities whose incidents make a service unavailable. */
export const OUTAGE_PRIORITIES: readonly Priority[] = ['P1', 'P2'];

/** One incident's time as an outage of its service, [from, to) in ms since the epoch. */
export interface Outage {
  ticketId: string;
  service: string;
  from: number;
  to: number;
  /** Its service's dependants are down with it. */
  cascades: boolean;
}

/** What an open ticket needs to say for an incident open across the whole window with no event in it. */
export type OpenIncident = Pick<TicketSummary, 'ticketId' | 'type' | 'priority' | 'service' | 'tags' | 'openedAt'>;

/** The kinds that say where an incident stands; csat and major follow a resolve and say nothing more. */
const STATE_KINDS = new Set(['opened', 'priority', 'responded', 'resolved', 'reopened']);
/** At one instant: opened first, then what can follow it. */
const ORDER: Record<string, number> = { opened: 0, priority: 1, responded: 2, resolved: 3, reopened: 4 };

const isOutagePriority = (p: Priority | undefined): boolean => p !== undefined && OUTAGE_PRIORITIES.includes(p);

/**
 * Every incident's outage intervals within [from, to), from its facts in that window and the incidents open now.
 * Where an incident stood at `from` is read from its first fact in the window: `opened` means it was not open yet;
 * `resolved`, `responded` or `priority` mean it was open (at that fact's priority, or `was` for a change);
 * `reopened` means it was resolved. An incident open now with no fact in the window was open all of it.
 */
export function outagesOf(
  facts: readonly RollupFact[],
  openNow: readonly OpenIncident[],
  from: Date,
  to: Date,
): Outage[] {
  const start = from.getTime();
  const end = to.getTime();
  const byTicket = new Map<string, RollupFact[]>();
  for (const f of facts) {
    if (f.type !== 'incident' || !f.service || !STATE_KINDS.has(f.kind)) continue;
    const at = f.at.getTime();
    if (at < start || at >= end) continue;
    const key = `${f.service}\u0000${f.ticketId}`;
    byTicket.set(key, [...(byTicket.get(key) ?? []), f]);
  }
  const out: Outage[] = [];
  for (const list of byTicket.values()) {
    list.sort((a, b) => a.at.getTime() - b.at.getTime() || (ORDER[a.kind] ?? 9) - (ORDER[b.kind] ?? 9));
    const first = list[0] as RollupFact;
    let open = first.kind !== 'opened' && first.kind !== 'reopened';
    let priority: Priority = first.kind === 'priority' ? (first.was ?? first.priority) : first.priority;
    let since = start;
    const cascades = list.some((f) => f.cascades === true);
    const close = (at: number) => {
      if (open && isOutagePriority(priority) && at > since) {
        out.push({ ticketId: first.ticketId, service: first.service as string, from: since, to: at, cascades });
      }
    };
    for (const f of list) {
      const at = f.at.getTime();
      if (f.kind === 'opened' || f.kind === 'reopened') {
        close(at);
        open = true;
        priority = f.priority;
        since = at;
      } else if (f.kind === 'resolved') {
        close(at);
        open = false;
      } else if (f.kind === 'priority') {
        close(at);
        priority = f.priority;
        since = at;
      }
    }
    close(end);
  }
  const seen = new Set(out.map((o) => o.ticketId));
  const withFacts = new Set([...byTicket.values()].map((l) => (l[0] as RollupFact).ticketId));
  for (const t of openNow) {
    if (t.type !== 'incident' || !t.service || withFacts.has(t.ticketId) || seen.has(t.ticketId)) continue;
    if (!isOutagePriority(t.priority) || t.openedAt.getTime() >= end) continue;
    out.push({
      ticketId: t.ticketId,
      service: t.service,
      from: Math.max(start, t.openedAt.getTime()),
      to: end,
      cascades: t.tags.includes(AFFECTS_DEPENDANTS_TAG),
    });
  }
  return out;
}

/** Every service `service` depends on, directly or through others; a name met twice is walked once (no cycle). */
export function dependenciesOf(service: string, dependsOn: ReadonlyMap<string, readonly string[]>): Set<string> {
  const found = new Set<string>();
  const queue = [...(dependsOn.get(service) ?? [])];
  while (queue.length > 0) {
    const next = queue.shift() as string;
    if (next === service || found.has(next)) continue;
    found.add(next);
    queue.push(...(dependsOn.get(next) ?? []));
  }
  return found;
}

/** The length of the union of the intervals within [from, to): time covered by several counts once. */
export function coveredMs(intervals: readonly { from: number; to: number }[], from: number, to: number): number {
  const clipped = intervals
    .map((i) => ({ from: Math.max(from, i.from), to: Math.min(to, i.to) }))
    .filter((i) => i.to > i.from)
    .sort((a, b) => a.from - b.from);
  let total = 0;
  let runFrom = Number.NEGATIVE_INFINITY;
  let runTo = Number.NEGATIVE_INFINITY;
  for (const i of clipped) {
    if (i.from > runTo) {
      if (runTo > runFrom) total += runTo - runFrom;
      runFrom = i.from;
      runTo = i.to;
    } else runTo = Math.max(runTo, i.to);
  }
  if (runTo > runFrom) total += runTo - runFrom;
  return total;
}

/** The outages that count against `service`: its own, and its dependencies' whose incident says it takes them down. */
export function outagesAgainst(
  service: string,
  outages: readonly Outage[],
  dependsOn: ReadonlyMap<string, readonly string[]>,
): Outage[] {
  const deps = dependenciesOf(service, dependsOn);
  return outages.filter((o) => o.service === service || (o.cascades && deps.has(o.service)));
}

/** Down time and availability (a share in [0, 1]) of `service` over [from, to). An empty period is fully available. */
export function availabilityOf(
  service: string,
  outages: readonly Outage[],
  dependsOn: ReadonlyMap<string, readonly string[]>,
  from: Date,
  to: Date,
): { downMs: number; share: number } {
  const a = from.getTime();
  const b = to.getTime();
  if (b <= a) return { downMs: 0, share: 1 };
  const downMs = coveredMs(outagesAgainst(service, outages, dependsOn), a, b);
  return { downMs, share: Math.min(1, Math.max(0, 1 - downMs / (b - a))) };
}

export interface Attainment {
  met: number;
  all: number;
  /** met / all, null when there was nothing to measure. */
  share: number | null;
}

const attainment = (met: number, all: number): Attainment => ({ met, all, share: all === 0 ? null : met / all });

/**
 * SLA attainment of `service`'s tickets over [from, to): first responses and resolutions made in the period
 * within their target (the service's targets when the ticket was opened on it), and both together.
 */
export function attainmentOf(
  facts: readonly RollupFact[],
  service: string,
  from: Date,
  to: Date,
): { response: Attainment; resolution: Attainment; overall: Attainment } {
  const n = { response: [0, 0], resolution: [0, 0] };
  for (const f of facts) {
    if (f.service !== service || f.at < from || f.at >= to) continue;
    const which = f.kind === 'responded' ? n.response : f.kind === 'resolved' ? n.resolution : null;
    if (!which) continue;
    which[1] = (which[1] as number) + 1;
    if (f.met) which[0] = (which[0] as number) + 1;
  }
  const [rm, ra] = n.response as [number, number];
  const [sm, sa] = n.resolution as [number, number];
  return { response: attainment(rm, ra), resolution: attainment(sm, sa), overall: attainment(rm + sm, ra + sa) };
}

/** A figure and its trend: the change from the period before (null when either is unknown). */
export const trendOf = (value: number | null, previous: number | null): Figure => ({
  value,
  previous,
  change: value !== null && previous !== null ? value - previous : null,
});

/** What the catalog says of a service that the figures need. */
export interface ServiceOfReport {
  name: string;
  objective: string | null;
  tier: number | null;
  dependsOn: readonly string[];
  /** Availability target, a share; null when it has none. */
  availabilityTarget: number | null;
}

export interface ServiceFigures {
  service: string;
  objective: string | null;
  tier: number | null;
  availabilityTarget: number | null;
  /** Share in [0, 1], this period and the one before. */
  availability: Figure;
  downMs: number;
  /** Met the availability target: null without one. */
  meetsTarget: boolean | null;
  response: Attainment;
  resolution: Attainment;
  /** Overall SLA attainment (responses and resolutions) as a share, with its trend. */
  sla: Figure;
  /** Incidents opened in the period (any priority) and of those P1/P2, with the period before. */
  incidents: Figure;
  majorIncidents: number;
  /** Problems opened in the period on the service. */
  problems: Figure;
  /** Follow-up actions on the service's incidents and problems: null when they were not read. */
  actions: ActionCounts | null;
}

const countOpened = (
  facts: readonly RollupFact[],
  service: string,
  type: RollupFact['type'],
  p: Period,
  pred: (f: RollupFact) => boolean = () => true,
): number =>
  facts.filter(
    (f) => f.kind === 'opened' && f.type === type && f.service === service && f.at >= p.from && f.at < p.to && pred(f),
  ).length;

/**
 * Each service's figures for the period (up to `now` when it runs on past it) against the one before. `facts` hold both periods (and may reach past
 * them: `readTo`, so an incident open across a past period with no event inside it is found by the event after).
 */
export function serviceFiguresOf(input: {
  services: readonly ServiceOfReport[];
  facts: readonly RollupFact[];
  openNow: readonly OpenIncident[];
  current: Period;
  previous: Period;
  readTo: Date;
  /** The moment asked: a period that runs on past it (today, this week) is measured up to it. */
  now: Date;
  /** The tenant's follow-up actions, when read. */
  actions?: readonly CountedAction[] | undefined;
}): ServiceFigures[] {
  const { services, facts, current, previous } = input;
  const outages = outagesOf(facts, input.openNow, previous.from, input.readTo);
  const deps = new Map(services.map((s) => [s.name, s.dependsOn]));
  const until = new Date(Math.max(current.from.getTime(), Math.min(current.to.getTime(), input.now.getTime())));
  return services.map((s) => {
    const now = availabilityOf(s.name, outages, deps, current.from, until);
    const before = availabilityOf(s.name, outages, deps, previous.from, previous.to);
    const att = attainmentOf(facts, s.name, current.from, current.to);
    const attBefore = attainmentOf(facts, s.name, previous.from, previous.to);
    return {
      service: s.name,
      objective: s.objective,
      tier: s.tier,
      availabilityTarget: s.availabilityTarget,
      availability: trendOf(now.share, before.share),
      downMs: now.downMs,
      meetsTarget: s.availabilityTarget === null ? null : now.share >= s.availabilityTarget,
      response: att.response,
      resolution: att.resolution,
      sla: trendOf(att.overall.share, attBefore.overall.share),
      incidents: trendOf(
        countOpened(facts, s.name, 'incident', current),
        countOpened(facts, s.name, 'incident', previous),
      ),
      majorIncidents: countOpened(facts, s.name, 'incident', current, (f) => isOutagePriority(f.priority)),
      problems: trendOf(
        countOpened(facts, s.name, 'problem', current),
        countOpened(facts, s.name, 'problem', previous),
      ),
      actions: input.actions ? actionCountsOf(input.actions, s.name, current.from, until) : null,
    };
  });
}
