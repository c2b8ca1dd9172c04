// The timeline of one escalation: every moment a page goes out, step by step, each with a stable index.

/** What the timeline needs of a policy: when each level is due (ms from the start of the page) and its rounds. */
export interface PlannedPolicy {
  levels: ReadonlyArray<{ after: number }>;
  repeat: number;
}

/** After the last level's own page, it is paged this many times more, `repeatEveryMs` apart. */
export const PAGE_LAST_LEVEL_REPEATS = 2;

/**
 * One moment of an escalation. `index` counts from 0 in time order and never changes for a given policy,
 * start and repeat interval (a job id and fencing key). `repeat` is 0 for a level's first page, 1, 2… for
 * its pages again; `round` is 0 for the first run of the policy, 1… for its `--repeat` runs.
 */
export type PageStep =
  | { kind: 'page'; index: number; at: Date; level: number; round: number; repeat: number }
  | { kind: 'exhausted'; index: number; at: Date; round: number };

interface Shape {
  /** Pages per level in one round. */
  counts: number[];
  perRound: number;
  roundMs: number;
}

function shapeOf(policy: PlannedPolicy, repeatEveryMs: number): Shape {
  if (!Number.isFinite(repeatEveryMs) || repeatEveryMs < 1000) {
    throw new RangeError(`the page repeat interval must be at least 1s, got ${repeatEveryMs}`);
  }
  const { levels } = policy;
  const counts = levels.map((l, i) => {
    const next = levels[i + 1];
    // Paged at its time and again every interval while the next level is not yet due.
    return next ? Math.max(1, Math.ceil((next.after - l.after) / repeatEveryMs)) : 1 + PAGE_LAST_LEVEL_REPEATS;
  });
  const last = levels[levels.length - 1];
  const roundMs = last ? last.after + (PAGE_LAST_LEVEL_REPEATS + 1) * repeatEveryMs : 0;
  return { counts, perRound: counts.reduce((a, b) => a + b, 0), roundMs };
}

function stepAt(policy: PlannedPolicy, start: number, repeatEveryMs: number, index: number): PageStep | null {
  const shape = shapeOf(policy, repeatEveryMs);
  const rounds = Math.max(0, Math.trunc(policy.repeat)) + 1;
  const end = shape.perRound * rounds;
  if (!Number.isInteger(index) || index < 0 || index > end) return null;
  // Nobody answered: one interval after the last round's last page.
  if (index === end)
    return { kind: 'exhausted', index, at: new Date(start + shape.roundMs * rounds), round: rounds - 1 };
  const round = Math.floor(index / shape.perRound);
  let rest = index - round * shape.perRound;
  let level = 0;
  while (rest >= (shape.counts[level] as number)) rest -= shape.counts[level++] as number;
  const after = (policy.levels[level] as { after: number }).after;
  return {
    kind: 'page',
    index,
    at: new Date(start + round * shape.roundMs + after + rest * repeatEveryMs),
    level,
    round,
    repeat: rest,
  };
}

/**
 * The step after `afterStepIndex` (-1 for the first), or null when the escalation is over. Level L pages at
 * startedAt + its `after`, again every `repeatEveryMs` while the next level is not due; the last level pages
 * PAGE_LAST_LEVEL_REPEATS more times, and one interval after its last page the next round starts at level 0
 * (each round as long as the first), or, after the last round, the plan ends with an `exhausted` step.
 */
export function nextStep(
  policy: PlannedPolicy,
  startedAt: Date,
  afterStepIndex: number,
  repeatEveryMs: number,
): PageStep | null {
  return stepAt(policy, startedAt.getTime(), repeatEveryMs, afterStepIndex + 1);
}

/** Every step of the escalation, from the first page to `exhausted`. */
export function pagePlan(policy: PlannedPolicy, startedAt: Date, repeatEveryMs: number): PageStep[] {
  const out: PageStep[] = [];
  for (
    let s = nextStep(policy, startedAt, -1, repeatEveryMs);
    s !== null;
    s = nextStep(policy, startedAt, s.index, repeatEveryMs)
  ) {
    out.push(s);
  }
  return out;
}
