// The status summary: periods of local days, and the figures for one period beside the one before it.
import { isSatisfied } from './csat.ts';
import type { TicketSummary } from './entities.ts';
import { UserError } from './errors.ts';
import { addDays, daysBetween, instantOf, isoDate, type LocalDate, localParts, parseIsoDate } from './localTime.ts';
import type { RollupFact } from './rollupFacts.ts';
import { slaStanding } from './sla.ts';
import { OPEN_STATES, PRIORITIES, type Priority, type TicketState } from './ticket.ts';

const DAY_MS = 86_400_000;
/** One collection is read per day of a period (and of the one before): a year is the most asked for. */
export const MAX_PERIOD_DAYS = 366;

export interface Period {
  /** What the asker typed, or the name of it: `week`, `2026-03-01..2026-03-07`. */
  label: string;
  firstDay: LocalDate;
  lastDay: LocalDate;
  days: number;
  /** The instants the period covers, [from, to): the first day's local midnight to the one after the last day. */
  from: Date;
  to: Date;
  /** The zone whose local days these are (the asker's). */
  timeZone: string;
}

const PERIOD_EXAMPLES = 'For example: /status week, or /status 2026-03-01..2026-03-07';

export function periodOf(label: string, firstDay: LocalDate, lastDay: LocalDate, timeZone: string): Period {
  return {
    label,
    firstDay,
    lastDay,
    days: daysBetween(firstDay, lastDay) + 1,
    from: instantOf(firstDay, 0, 0, timeZone),
    to: instantOf(addDays(lastDay, 1), 0, 0, timeZone),
    timeZone,
  };
}

/**
 * `today`, `week` (the 7 days to today), `month` (the 30 days to today) or `<from>..<to>` (days, both included),
 * as local days in `timeZone`; with the period of the same number of days just before it.
 */
export function parsePeriod(
  text: string | undefined,
  now: Date,
  timeZone: string,
): { current: Period; previous: Period } {
  const today = localParts(now, timeZone);
  const word = (text ?? 'week').trim().toLowerCase();
  let first: LocalDate;
  let last: LocalDate = { year: today.year, month: today.month, day: today.day };
  if (word === 'today') first = last;
  else if (word === 'week') first = addDays(last, -6);
  else if (word === 'month') first = addDays(last, -29);
  else {
    const m = /^(\S+)\.\.(\S+)$/.exec(word);
    const a = m ? parseIsoDate(m[1] as string) : null;
    const b = m ? parseIsoDate(m[2] as string) : null;
    if (!a || !b) {
      throw new UserError(
        'STATUS.BAD_PERIOD',
        `"${word.slice(0, 40).replace(/[\p{Cc}]/gu, '')}" is not a period: say today, week, month, or two days as YYYY-MM-DD..YYYY-MM-DD.`,
        PERIOD_EXAMPLES,
        'period',
      );
    }
    if (daysBetween(a, b) < 0) {
      throw new UserError(
        'STATUS.BAD_PERIOD',
        `The period ends (${isoDate(b)}) before it starts (${isoDate(a)}).`,
        PERIOD_EXAMPLES,
        'period',
      );
    }
    if (daysBetween(a, b) + 1 > MAX_PERIOD_DAYS) {
      throw new UserError(
        'STATUS.BAD_PERIOD',
        `A period is at most ${MAX_PERIOD_DAYS} days.`,
        PERIOD_EXAMPLES,
        'period',
      );
    }
    first = a;
    last = b;
  }
  const current = periodOf(word, first, last, timeZone);
  const previous = periodOf('previous', addDays(first, -current.days), addDays(first, -1), timeZone);
  return { current, previous };
}

const PERIOD_WORD = /^(today|week|month|\S+\.\.\S+)$/i;

/** `/status week` has no scope: one word alone that reads as a period is the period. */
export function statusArgs(
  scope: string | undefined,
  period: string | undefined,
): { scope: string | undefined; period: string | undefined } {
  if (scope && !period && PERIOD_WORD.test(scope.trim())) return { scope: undefined, period: scope };
  return { scope, period };
}

/** A figure for the period, the one before, and the change (null when either is unknown, as a % of nothing). */
export interface Figure {
  value: number | null;
  previous: number | null;
  change: number | null;
}

const figure = (value: number | null, previous: number | null): Figure => ({
  value,
  previous,
  change: value !== null && previous !== null ? value - previous : null,
});

export const BACKLOG_BUCKETS = ['<1d', '1-3d', '3-7d', '>7d'] as const;
export type BacklogBucket = (typeof BACKLOG_BUCKETS)[number];

export interface OpenTicketLine {
  ticketId: string;
  title: string;
  priority: Priority;
  openedAt: Date;
  ageMs: number;
}

export interface StatusSummary {
  /** The team or service it is about; null for everything. */
  scope: string | null;
  period: Period;
  previous: Period;
  now: Date;
  /** What is open now (these have no previous period: they are the moment asked). */
  open: { total: number; byState: Record<string, number>; byPriority: Record<Priority, number> };
  backlog: Record<BacklogBucket, number>;
  oldest: { P1: OpenTicketLine | null; P2: OpenTicketLine | null };
  breaches: Array<OpenTicketLine & { standing: 'response_breached' | 'resolution_breached' }>;
  opened: Figure;
  resolved: Figure;
  reopened: Figure;
  /** % of first responses / resolutions in the period that were within target. */
  respondedInTarget: Figure;
  resolvedInTarget: Figure;
  /** Mean times in ms, over every priority (`all`) and by priority. */
  mtta: Record<Priority | 'all', Figure>;
  mttr: Record<Priority | 'all', Figure>;
  /** Incidents opened in the period, by service, most first (at most 5). */
  topServices: Array<{ service: string } & Figure>;
  /** Opened and resolved on each local day of the period, first day first (what the chart draws). */
  daily: DayFlow[];
  /** Requester satisfaction: % of answers in the period that scored 4-5, and how many answered. */
  csat: { percent: Figure; count: Figure };
  /** Major incidents resolved in the period: how many, mean time to mitigate (ms), mean stakeholder updates each. */
  major: { count: Figure; mttm: Figure; updatesEach: Figure };
}

export interface DayFlow {
  day: LocalDate;
  opened: number;
  resolved: number;
}

export interface SummaryInput {
  scope: string | null;
  current: Period;
  previous: Period;
  /** Facts of both periods (others are ignored); already narrowed to the scope. */
  facts: readonly RollupFact[];
  /** The open tickets now, narrowed to the scope. */
  open: readonly TicketSummary[];
  now: Date;
}

interface Flow {
  opened: number;
  resolved: number;
  reopened: number;
  responded: { met: number; all: number };
  resolvedSla: { met: number; all: number };
  tta: Record<Priority | 'all', { sum: number; n: number }>;
  ttr: Record<Priority | 'all', { sum: number; n: number }>;
  services: Map<string, number>;
  csat: { met: number; all: number };
  major: { n: number; mitigate: number; updates: number };
}

const sums = () => Object.fromEntries(['all', ...PRIORITIES].map((p) => [p, { sum: 0, n: 0 }])) as Flow['tta'];

function flowOf(facts: readonly RollupFact[], p: Period): Flow {
  const f: Flow = {
    opened: 0,
    resolved: 0,
    reopened: 0,
    responded: { met: 0, all: 0 },
    resolvedSla: { met: 0, all: 0 },
    tta: sums(),
    ttr: sums(),
    services: new Map(),
    csat: { met: 0, all: 0 },
    major: { n: 0, mitigate: 0, updates: 0 },
  };
  const from = p.from.getTime();
  const to = p.to.getTime();
  for (const x of facts) {
    const at = x.at.getTime();
    if (at < from || at >= to) continue;
    if (x.kind === 'opened') {
      f.opened++;
      if (x.type === 'incident' && x.service) f.services.set(x.service, (f.services.get(x.service) ?? 0) + 1);
    } else if (x.kind === 'reopened') f.reopened++;
    else if (x.kind === 'major') {
      f.major.n++;
      f.major.mitigate += x.ms ?? 0;
      f.major.updates += x.updates ?? 0;
    } else if (x.kind === 'csat') {
      f.csat.all++;
      if (isSatisfied(x.score ?? 0)) f.csat.met++;
    } else if (x.kind === 'responded' || x.kind === 'resolved') {
      const resolved = x.kind === 'resolved';
      if (resolved) f.resolved++;
      const sla = resolved ? f.resolvedSla : f.responded;
      sla.all++;
      if (x.met) sla.met++;
      const times = resolved ? f.ttr : f.tta;
      for (const key of ['all', x.priority] as const) {
        times[key].sum += x.ms ?? 0;
        times[key].n++;
      }
    }
  }
  return f;
}

const percent = (s: { met: number; all: number }): number | null =>
  s.all === 0 ? null : Math.round((s.met / s.all) * 1000) / 10;
const mean = (s: { sum: number; n: number }): number | null => (s.n === 0 ? null : Math.round(s.sum / s.n));

const lineOf = (t: TicketSummary, now: Date): OpenTicketLine => ({
  ticketId: t.ticketId,
  title: t.title,
  priority: t.priority,
  openedAt: t.openedAt,
  ageMs: Math.max(0, now.getTime() - t.openedAt.getTime()),
});

function bucketOf(ageMs: number): BacklogBucket {
  if (ageMs < DAY_MS) return '<1d';
  if (ageMs < 3 * DAY_MS) return '1-3d';
  if (ageMs < 7 * DAY_MS) return '3-7d';
  return '>7d';
}

function dailyOf(facts: readonly RollupFact[], p: Period): DayFlow[] {
  const days: DayFlow[] = Array.from({ length: p.days }, (_, i) => ({
    day: addDays(p.firstDay, i),
    opened: 0,
    resolved: 0,
  }));
  const from = p.from.getTime();
  const to = p.to.getTime();
  for (const x of facts) {
    const at = x.at.getTime();
    if (at < from || at >= to || (x.kind !== 'opened' && x.kind !== 'resolved')) continue;
    const day = days[daysBetween(p.firstDay, localParts(x.at, p.timeZone))];
    if (!day) continue;
    if (x.kind === 'opened') day.opened++;
    else day.resolved++;
  }
  return days;
}

export function buildSummary(input: SummaryInput): StatusSummary {
  const { now } = input;
  const cur = flowOf(input.facts, input.current);
  const prev = flowOf(input.facts, input.previous);
  const open = input.open.filter((t) => OPEN_STATES.includes(t.state));
  const byState = Object.fromEntries(OPEN_STATES.map((s) => [s, 0])) as Record<TicketState, number>;
  const byPriority = Object.fromEntries(PRIORITIES.map((p) => [p, 0])) as Record<Priority, number>;
  const backlog = Object.fromEntries(BACKLOG_BUCKETS.map((b) => [b, 0])) as Record<BacklogBucket, number>;
  const breaches: StatusSummary['breaches'] = [];
  for (const t of open) {
    byState[t.state]++;
    byPriority[t.priority]++;
    backlog[bucketOf(now.getTime() - t.openedAt.getTime())]++;
    const standing = slaStanding(t.sla, false, now);
    if (standing === 'response_breached' || standing === 'resolution_breached') {
      breaches.push({ ...lineOf(t, now), standing });
    }
  }
  const oldestOf = (p: Priority) => {
    const first = open.filter((t) => t.priority === p).sort((a, b) => a.openedAt.getTime() - b.openedAt.getTime())[0];
    return first ? lineOf(first, now) : null;
  };
  const times = (key: 'tta' | 'ttr') =>
    Object.fromEntries(
      (['all', ...PRIORITIES] as const).map((p) => [p, figure(mean(cur[key][p]), mean(prev[key][p]))]),
    ) as Record<Priority | 'all', Figure>;
  const services = [...new Set([...cur.services.keys(), ...prev.services.keys()])]
    .map((service) => ({ service, ...figure(cur.services.get(service) ?? 0, prev.services.get(service) ?? 0) }))
    .filter((s) => (s.value ?? 0) > 0)
    .sort((a, b) => (b.value ?? 0) - (a.value ?? 0) || a.service.localeCompare(b.service))
    .slice(0, 5);
  return {
    scope: input.scope,
    period: input.current,
    previous: input.previous,
    now,
    open: { total: open.length, byState, byPriority },
    backlog,
    oldest: { P1: oldestOf('P1'), P2: oldestOf('P2') },
    breaches: breaches.sort((a, b) => a.priority.localeCompare(b.priority) || b.ageMs - a.ageMs),
    opened: figure(cur.opened, prev.opened),
    resolved: figure(cur.resolved, prev.resolved),
    reopened: figure(cur.reopened, prev.reopened),
    respondedInTarget: figure(percent(cur.responded), percent(prev.responded)),
    resolvedInTarget: figure(percent(cur.resolvedSla), percent(prev.resolvedSla)),
    mtta: times('tta'),
    mttr: times('ttr'),
    topServices: services,
    daily: dailyOf(input.facts, input.current),
    csat: { percent: figure(percent(cur.csat), percent(prev.csat)), count: figure(cur.csat.all, prev.csat.all) },
    major: {
      count: figure(cur.major.n, prev.major.n),
      mttm: figure(
        mean({ sum: cur.major.mitigate, n: cur.major.n }),
        mean({ sum: prev.major.mitigate, n: prev.major.n }),
      ),
      updatesEach: figure(
        cur.major.n ? Math.round((cur.major.updates / cur.major.n) * 10) / 10 : null,
        prev.major.n ? Math.round((prev.major.updates / prev.major.n) * 10) / 10 : null,
      ),
    },
  };
}
