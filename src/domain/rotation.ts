// A rotation layer of an on-call schedule: its handoff instants in its own zone, and who holds each shift.
import { readStoredTime } from './clockTime.ts';
import { addDays, instantOf, type LocalDate, localParts, weekdayOf } from './localTime.ts';
import { quoted } from './scheduleTypes.ts';
import { isTimeZone } from './timezone.ts';

/** When shifts change hands: wall-clock 'HH:MM' in the rotation's zone, and for weekly rotations a weekday. */
export interface Handoff {
  time: string;
  /** 0=Sunday..6=Saturday; weekly rotations only (absent: the weekday of `start`). */
  weekday?: number | undefined;
}

/**
 * One layer of a team's schedule. `every` is N hours (a divisor of a day: 1, 2, 3, 4, 6, 8, 12h; 24h is 1d),
 * N days (1-84) or N weeks (1-12), written '12h', '1d', '1w'. Members take turns in order, member 0 first.
 */
export interface RotationLayer {
  layer: number;
  members: string[];
  every: string;
  handoff: Handoff;
  timezone: string;
  start: Date;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The handoff grid: which local days hand over, and at which wall minutes of those days. */
interface Grid {
  /** Days between handoff days (1 for rotations of hours). */
  stepDays: number;
  /** Wall minutes after local midnight of each handoff in a handoff day, ascending. */
  slots: number[];
  weekday: number | null;
  nominalMs: number;
}

/** A layer ready for questions: slot k is the shift [at(k), at(k+1)), held by members[k mod n]. */
export interface CompiledLayer {
  layer: number;
  members: string[];
  start: number;
  zone: string;
  grid: Grid;
  anchorDay: LocalDate;
  anchorSlot: number;
}

/** How often a rotation hands over, as '12h', '1d', '2w'; or why it cannot be a rotation period. */
export function readEvery(every: string): { stepDays: number; hours: number } | string {
  const m = /^(\d{1,3})([hdw])$/.exec(typeof every === 'string' ? every.trim().toLowerCase() : '');
  if (!m) return `${quoted(String(every))} is not a rotation period like 12h, 1d or 1w`;
  const n = Number(m[1]);
  if (m[2] === 'h') {
    if (n > 0 && n % 24 === 0) return readEvery(`${n / 24}d`);
    // A period that does not divide the day would hand over at a different wall time each day.
    if (n < 1 || 24 % n !== 0) return `every ${n}h does not divide a day: use 1, 2, 3, 4, 6, 8 or 12h, or whole days`;
    return { stepDays: 1, hours: n };
  }
  if (m[2] === 'd') {
    if (n < 1 || n > 84) return 'a rotation of days hands over every 1 to 84 days';
    return { stepDays: n, hours: 0 };
  }
  if (n < 1 || n > 12) return 'a rotation of weeks hands over every 1 to 12 weeks';
  return { stepDays: 7 * n, hours: 0 };
}

function gridOf(layer: RotationLayer): Grid | string {
  const every = readEvery(layer.every);
  if (typeof every === 'string') return every;
  const time = readStoredTime(layer.handoff?.time ?? '');
  if (!time) return `handoff time ${quoted(String(layer.handoff?.time))} is not HH:MM`;
  const minute = time.hour * 60 + time.minute;
  const weekly = /w$/i.test(layer.every.trim());
  const weekday = layer.handoff.weekday;
  if (weekday !== undefined && (!weekly || !Number.isInteger(weekday) || weekday < 0 || weekday > 6)) {
    return weekly
      ? 'the handoff weekday is 0 (Sunday) to 6 (Saturday)'
      : 'a handoff weekday fits weekly rotations only';
  }
  if (every.hours > 0) {
    const span = every.hours * 60;
    const first = minute % span;
    const slots = Array.from({ length: 24 / every.hours }, (_, i) => first + i * span);
    return { stepDays: 1, slots, weekday: null, nominalMs: every.hours * HOUR };
  }
  return {
    stepDays: every.stepDays,
    slots: [minute],
    weekday: weekly ? (weekday ?? weekdayOf(localParts(layer.start, layer.timezone))) : null,
    nominalMs: every.stepDays * DAY,
  };
}

/** Why a stored layer cannot be used, or null when it is valid. */
export function rotationProblem(layer: RotationLayer): string | null {
  if (!Number.isInteger(layer.layer) || layer.layer < 1) return 'the layer is a whole number from 1';
  if (!isTimeZone(layer.timezone)) return `${quoted(String(layer.timezone))} is not a timezone I know`;
  if (!(layer.start instanceof Date) || Number.isNaN(layer.start.getTime())) return 'the start is not a time';
  const grid = gridOf(layer);
  return typeof grid === 'string' ? grid : null;
}

const slotInstant = (zone: string, day: LocalDate, minute: number): number =>
  instantOf(day, Math.floor(minute / 60), minute % 60, zone).getTime();

const compiled = new WeakMap<RotationLayer, CompiledLayer | null>();

/** The layer's handoff grid anchored at its start; null for a layer that is not valid (it has nobody). */
export function compileLayer(layer: RotationLayer): CompiledLayer | null {
  const hit = compiled.get(layer);
  if (hit !== undefined) return hit;
  let out: CompiledLayer | null = null;
  const grid = rotationProblem(layer) === null ? (gridOf(layer) as Grid) : null;
  if (grid) {
    const start = layer.start.getTime();
    const startDay = localParts(layer.start, layer.timezone);
    // The last handoff at or before start: within the eight days before it, whatever the grid.
    let best = Number.NEGATIVE_INFINITY;
    let anchorDay: LocalDate = startDay;
    let anchorSlot = 0;
    for (let d = 1; d >= -8; d--) {
      const day = addDays(startDay, d);
      if (grid.weekday !== null && weekdayOf(day) !== grid.weekday) continue;
      grid.slots.forEach((minute, i) => {
        const t = slotInstant(layer.timezone, day, minute);
        if (t <= start && t > best) {
          best = t;
          anchorDay = day;
          anchorSlot = i;
        }
      });
    }
    out = { layer: layer.layer, members: [...layer.members], start, zone: layer.timezone, grid, anchorDay, anchorSlot };
  }
  compiled.set(layer, out);
  return out;
}

/**
 * The instant slot k begins. Slot 0 begins at the last handoff at or before start; the layer itself has
 * nobody before start. A handoff in a spring-forward gap happens at the first valid minute after it, one
 * that occurs twice at its first occurrence (the rule of instantOf), so weekly shifts run 167h or 169h
 * then. In a 1h rotation the skipped hour is a shift of no length: its member sits that night out.
 */
export function handoffAt(c: CompiledLayer, k: number): number {
  const { grid } = c;
  if (grid.slots.length === 1)
    return slotInstant(c.zone, addDays(c.anchorDay, k * grid.stepDays), grid.slots[0] as number);
  const total = c.anchorSlot + k;
  const n = grid.slots.length;
  const day = addDays(c.anchorDay, Math.floor(total / n));
  return slotInstant(c.zone, day, grid.slots[((total % n) + n) % n] as number);
}

/** The slot holding instant t (at or after start). */
export function slotAt(c: CompiledLayer, t: number): number {
  const first = handoffAt(c, 0);
  let k = Math.max(0, Math.floor((t - first) / c.grid.nominalMs));
  // An offset change moves a handoff by at most its size, so the estimate is off by a slot or two.
  while (k > 0 && handoffAt(c, k) > t) k--;
  while (handoffAt(c, k + 1) <= t) k++;
  return k;
}

const memberOf = (c: CompiledLayer, k: number): string => c.members[k % c.members.length] as string;

/** Who the layer has at instant t, or null (before start, or no members). */
export function layerPersonAt(c: CompiledLayer, t: number): string | null {
  if (t < c.start || c.members.length === 0) return null;
  return memberOf(c, slotAt(c, t));
}

/** The first instant after t where the layer's person changes (a handoff to someone else, or its start). */
export function nextLayerChange(c: CompiledLayer, t: number): number {
  if (c.members.length === 0) return Number.POSITIVE_INFINITY;
  if (t < c.start) return c.start;
  const k = slotAt(c, t);
  const who = memberOf(c, k);
  for (let j = 1; j <= c.members.length; j++) {
    if (memberOf(c, k + j) !== who) return handoffAt(c, k + j);
  }
  return Number.POSITIVE_INFINITY;
}

/** The next handoff after t, whoever takes over (the same person, in a rotation of one). */
export function nextHandoff(c: CompiledLayer, t: number): number {
  if (t < c.start) return c.start;
  return handoffAt(c, slotAt(c, t) + 1);
}
