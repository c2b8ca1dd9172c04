// Who is on call for a team: layers of rotations under overrides; the answer at an instant, the coming shifts, the gaps.

import type { RotationLayer } from './rotation.ts';
import { type CompiledLayer, compileLayer, layerPersonAt, nextHandoff, nextLayerChange } from './rotation.ts';

export type { Handoff, RotationLayer } from './rotation.ts';
export { rotationProblem } from './rotation.ts';
export { parseRotation, ROTATION_EXAMPLES } from './rotationParse.ts';

/**
 * A person covering [from, to). Where overrides overlap, the one created last wins (equal `createdAt`:
 * the later in the list).
 */
export interface Override {
  person: string;
  from: Date;
  to: Date;
  createdAt: Date;
}

export interface OnCallSchedule {
  layers: RotationLayer[];
  overrides: Override[];
}

export type OnCallSource = 'override' | 'layer';

export interface OnCallAnswer {
  person: string;
  /** When someone else (or nobody) is next on call. */
  until: Date;
  source: OnCallSource;
  layer?: number;
  /** An override's: who would be on call at that instant without it (absent: nobody, or the same person). */
  covering?: string;
}

export interface Shift {
  person: string;
  from: Date;
  to: Date;
  source: OnCallSource;
  layer?: number;
}

export interface Gap {
  from: Date;
  to: Date;
}

/** shifts() and gaps() return at most this many spans (the earliest). */
export const SPANS_LIMIT = 1000;
// onCallAt looks this many boundaries ahead for a change before settling for the winner's own next handoff.
const LOOKAHEAD = 2000;

interface Who {
  person: string;
  source: OnCallSource;
  layer?: number;
}

interface Ready {
  /** Valid overrides, lowest precedence first. */
  overrides: { person: string; from: number; to: number }[];
  /** Valid layers, highest first. */
  layers: CompiledLayer[];
}

function prepare(schedule: OnCallSchedule): Ready {
  const overrides = schedule.overrides
    .map((o, i) => ({ o, i }))
    .filter(({ o }) => o.from.getTime() < o.to.getTime() && !Number.isNaN(o.createdAt.getTime()))
    .sort((a, b) => a.o.createdAt.getTime() - b.o.createdAt.getTime() || a.i - b.i)
    .map(({ o }) => ({ person: o.person, from: o.from.getTime(), to: o.to.getTime() }));
  const layers = schedule.layers
    .map((l, i) => ({ c: compileLayer(l), i }))
    .filter((x): x is { c: CompiledLayer; i: number } => x.c !== null)
    // A higher layer wins; two layers with one number: the later in the list.
    .sort((a, b) => b.c.layer - a.c.layer || b.i - a.i)
    .map(({ c }) => c);
  return { overrides, layers };
}

function whoAt(r: Ready, t: number, below = r.overrides.length): Who | null {
  for (let i = below - 1; i >= 0; i--) {
    const o = r.overrides[i] as Ready['overrides'][number];
    if (o.from <= t && t < o.to) return { person: o.person, source: 'override' };
  }
  for (const c of r.layers) {
    const person = layerPersonAt(c, t);
    if (person !== null) return { person, source: 'layer', layer: c.layer };
  }
  return null;
}

/** The next instant after t where any override or layer may change who is on call. */
function nextBoundary(r: Ready, t: number): number {
  let next = Number.POSITIVE_INFINITY;
  for (const o of r.overrides) {
    if (o.from > t && o.from < next) next = o.from;
    if (o.to > t && o.to < next) next = o.to;
  }
  for (const c of r.layers) {
    next = Math.min(next, nextLayerChange(c, t));
    // A started layer with members has someone from then on: the layers below it never answer again.
    if (t >= c.start && c.members.length > 0) break;
  }
  return next;
}

const sameWho = (a: Who | null, b: Who | null): boolean =>
  a === b || (a !== null && b !== null && a.person === b.person && a.source === b.source && a.layer === b.layer);

const withUntil = (who: Who, until: number): OnCallAnswer => ({ ...who, until: new Date(until) });

/**
 * Who is on call at `at`: the winning override, else the highest layer that has someone; null for nobody.
 * `until` is the first moment after `at` someone else (or nobody) is on call: the override's end, the winning
 * layer's handoff to someone else, or an earlier start of an override or a higher layer. The person, not the
 * source: an override by the person already on call does not end their time on call. Where nobody else ever
 * comes (a rotation of one person, nothing above it), it is that layer's next handoff.
 */
export function onCallAt(schedule: OnCallSchedule, at: Date): OnCallAnswer | null {
  const r = prepare(schedule);
  const now = at.getTime();
  const who = whoAt(r, now);
  if (who === null) return null;
  const answer = (until: number): OnCallAnswer => {
    if (who.source !== 'override') return withUntil(who, until);
    let winner = r.overrides.length - 1;
    while (winner > 0 && !((r.overrides[winner]?.from ?? 0) <= now && now < (r.overrides[winner]?.to ?? 0))) winner--;
    const beneath = whoAt(r, now, winner)?.person;
    return beneath && beneath !== who.person ? { ...withUntil(who, until), covering: beneath } : withUntil(who, until);
  };
  let t = now;
  for (let i = 0; i < LOOKAHEAD; i++) {
    const next = nextBoundary(r, t);
    if (!Number.isFinite(next)) break;
    if (whoAt(r, next)?.person !== who.person) return answer(next);
    t = next;
  }
  // Nobody else comes: the winning layer's own next handoff, or (an override) the next after every boundary seen.
  const holder = who.source === 'layer' ? who : whoAt(r, t);
  const from = who.source === 'layer' ? now : t;
  const layer = r.layers.find((c) => holder?.layer !== undefined && c.layer === holder.layer);
  return answer(layer ? nextHandoff(layer, from) : t);
}

/** Spans of [from, to) with the same answer, in order (null: nobody); at most `limit`. */
function* spans(r: Ready, from: number, to: number): Generator<{ who: Who | null; from: number; to: number }> {
  let t = from;
  let who = whoAt(r, t);
  while (t < to) {
    let next = Math.min(nextBoundary(r, t), to);
    let after = next < to ? whoAt(r, next) : null;
    // Boundaries that change nothing (a lower layer's handoff under a higher one) are no span edges.
    while (next < to && sameWho(who, after)) {
      next = Math.min(nextBoundary(r, next), to);
      after = next < to ? whoAt(r, next) : null;
    }
    yield { who, from: t, to: next };
    t = next;
    who = after;
  }
}

function validRange(from: Date, to: Date): boolean {
  return !Number.isNaN(from.getTime()) && !Number.isNaN(to.getTime()) && from.getTime() < to.getTime();
}

/**
 * The shifts in [from, to), clipped to it, earliest first: one per person while they stay on call, so a
 * handoff to the same person or an override by the person already on call does not split a shift. A merged
 * shift carries the source (and layer) of its first part.
 */
export function shifts(schedule: OnCallSchedule, from: Date, to: Date, limit = SPANS_LIMIT): Shift[] {
  const out: Shift[] = [];
  if (!validRange(from, to)) return out;
  for (const s of spans(prepare(schedule), from.getTime(), to.getTime())) {
    if (s.who === null) continue;
    const last = out[out.length - 1];
    if (last && last.person === s.who.person && last.to.getTime() === s.from) {
      last.to = new Date(s.to);
      continue;
    }
    if (out.length >= limit) break;
    out.push({ ...s.who, from: new Date(s.from), to: new Date(s.to) });
  }
  return out;
}

/** The spans of [from, to) with nobody on call, earliest first; at most `limit`. */
export function gaps(schedule: OnCallSchedule, from: Date, to: Date, limit = SPANS_LIMIT): Gap[] {
  const out: Gap[] = [];
  if (!validRange(from, to)) return out;
  for (const s of spans(prepare(schedule), from.getTime(), to.getTime())) {
    if (s.who !== null) continue;
    if (out.length >= limit) break;
    out.push({ from: new Date(s.from), to: new Date(s.to) });
  }
  return out;
}
