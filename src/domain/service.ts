// The service catalog's rules: service names, targets ("availability=99.9%,P1=15m/4h"), dependencies and their
// cycles, the SLA a ticket on a service runs on, and the nearest names to one mistyped.
import { formatDuration, parseDuration } from './duration.ts';
import { UserError } from './errors.ts';
import { quoted } from './scheduleTypes.ts';
import type { SlaTarget, SlaTargets } from './sla.ts';
import { PRIORITIES, type Priority } from './ticket.ts';

/** Lower-case, as tickets carry it (`--service VPN` is `vpn`): the form /team create --services reads too. */
const NAME = /^[a-z0-9][a-z0-9._-]{0,59}$/;
export const SERVICE_TIERS = ['1', '2', '3'] as const;
export type ServiceTier = 1 | 2 | 3;
/** A dependency list longer than this is a mistake: the catalog is small and read whole. */
export const MAX_DEPENDENCIES = 20;

export const TARGETS_EXAMPLE = 'availability=99.9%,P1=15m/4h,P2=30m/8h';

/** What a service promises: an availability share (0..1) and per-priority response/resolution times. */
export interface ServiceTargets {
  availability: number | null;
  sla: Partial<Record<Priority, SlaTarget>>;
}

export const NO_TARGETS: ServiceTargets = Object.freeze({ availability: null, sla: Object.freeze({}) });

/** A service name as stored (lower case); refused with the form when it is not one. */
export function serviceNameOf(text: string, field = 'name'): string {
  const name = text.trim().toLowerCase();
  if (NAME.test(name)) return name;
  throw new UserError(
    'SERVICE.BAD_NAME',
    `${quoted(text)} is not a service name: lower-case letters, digits, ".", "_" and "-", up to 60, starting with a letter or digit.`,
    'For example: vpn, payroll, core-db',
    field,
  );
}

function badTargets(part: string, why: string): UserError {
  return new UserError(
    'SERVICE.BAD_TARGETS',
    `--targets: ${quoted(part)} ${why}.`,
    `Give availability as a percentage and each priority as response/resolution, e.g. --targets "${TARGETS_EXAMPLE}"`,
    'targets',
  );
}

/** `99.9%` (or `99.9`) as a share in (0, 1]. */
function availabilityOf(part: string, value: string): number {
  const m = /^(\d{1,3}(?:\.\d{1,4})?)\s*%?$/.exec(value);
  const pct = m ? Number(m[1]) : Number.NaN;
  if (!(pct > 0 && pct <= 100)) throw badTargets(part, 'is not a percentage above 0 and at most 100');
  return Number((pct / 100).toFixed(6));
}

/** `15m/4h`: response within 15 minutes, resolution within 4 hours; the response no later than the resolution. */
function pairOf(part: string, value: string): SlaTarget {
  const [response, resolution, ...more] = value.split('/');
  const responseMs = response === undefined ? null : parseDuration(response);
  const resolutionMs = resolution === undefined ? null : parseDuration(resolution);
  if (more.length > 0 || responseMs === null || resolutionMs === null) {
    throw badTargets(part, 'is not a duration pair response/resolution like 15m/4h');
  }
  if (responseMs > resolutionMs) throw badTargets(part, 'asks for a response later than the resolution');
  return { responseMs, resolutionMs };
}

/**
 * Reads `availability=99.9%,P1=15m/4h,P2=30m/8h`: any of availability and P1..P4, each once. What it leaves out
 * comes from the global defaults (`slaTargetsFor`). Throws only a UserError, which never echoes a control character.
 */
export function parseTargets(text: string): ServiceTargets {
  const parts = text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) throw badTargets(text, 'names no target');
  let availability: number | null = null;
  const sla: Partial<Record<Priority, SlaTarget>> = {};
  const seen = new Set<string>();
  for (const part of parts) {
    const eq = part.indexOf('=');
    const key = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    const value = eq < 0 ? '' : part.slice(eq + 1).trim();
    if (eq < 0 || value === '') throw badTargets(part, 'has no value: write name=value');
    if (seen.has(key)) throw badTargets(part, 'is given twice');
    seen.add(key);
    if (key === 'availability') {
      availability = availabilityOf(part, value);
      continue;
    }
    const priority = PRIORITIES.find((p) => p.toLowerCase() === key);
    if (!priority) throw badTargets(part, `is not a target: use availability or ${PRIORITIES.join(', ')}`);
    sla[priority] = pairOf(part, value);
  }
  return { availability, sla };
}

/** The targets as they are typed: `availability=99.9%,P1=15m/4h`; `none` when there are none. */
export function formatTargets(t: ServiceTargets): string {
  const parts: string[] = [];
  if (t.availability !== null) parts.push(`availability=${formatShare(t.availability)}`);
  for (const p of PRIORITIES) {
    const s = t.sla[p];
    if (s)
      parts.push(
        `${p}=${formatDuration(s.responseMs).replace(' ', '')}/${formatDuration(s.resolutionMs).replace(' ', '')}`,
      );
  }
  return parts.join(',') || 'none';
}

/** 0.999 -> `99.9%` (no float noise). */
export const formatShare = (share: number): string => `${Number((share * 100).toFixed(4))}%`;

/** A ticket's SLA targets: its service's where it names one for the priority, the global defaults otherwise. */
export function slaTargetsFor(defaults: SlaTargets, service: ServiceTargets | null | undefined): SlaTargets {
  if (!service) return defaults;
  const out = {} as Record<Priority, SlaTarget>;
  for (const p of PRIORITIES) out[p] = service.sla[p] ?? defaults[p];
  return out;
}

/** `a,b` -> `['a', 'b']`: each a service name, none twice, not the service itself. */
export function parseDependsOn(text: string, self: string): string[] {
  const names = text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map((n) => serviceNameOf(n, 'depends-on'));
  const out = [...new Set(names)];
  if (out.includes(self)) {
    throw new UserError(
      'SERVICE.DEPENDENCY_CYCLE',
      `${self} cannot depend on itself.`,
      'Name the services it needs, e.g. --depends-on dns,core-db',
      'depends-on',
    );
  }
  if (out.length > MAX_DEPENDENCIES) {
    throw new UserError(
      'SERVICE.BAD_DEPENDENCY',
      `--depends-on names ${out.length} services; at most ${MAX_DEPENDENCIES}.`,
      'Name the services it needs directly; theirs follow from them.',
      'depends-on',
    );
  }
  return out;
}

/**
 * The cycle `service` would close by depending on `dependsOn`, as a path `a → b → a`; null when none. `catalog`
 * maps every other declared service to what it depends on (the service's own entry, if any, is replaced).
 */
export function dependencyCycle(
  catalog: ReadonlyMap<string, readonly string[]>,
  service: string,
  dependsOn: readonly string[],
): string[] | null {
  const edges = (n: string): readonly string[] => (n === service ? dependsOn : (catalog.get(n) ?? []));
  // Depth-first from the service; a path back to it is the cycle. The catalog is small, so a plain walk will do.
  const done = new Set<string>();
  const walk = (n: string, path: string[]): string[] | null => {
    for (const next of edges(n)) {
      if (next === service) return [...path, next];
      if (done.has(next) || path.includes(next)) continue;
      const found = walk(next, [...path, next]);
      if (found) return found;
      done.add(next);
    }
    return null;
  };
  return walk(service, [service]);
}

/** Edit distance, for the nearest names to one mistyped. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(
        (prev[j] as number) + 1,
        (row[j - 1] as number) + 1,
        (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1),
      );
    }
    prev = row;
  }
  return prev[b.length] as number;
}

/** The (at most `n`) declared names nearest to `typed`: closest first, a name that starts with it counting as near. */
export function nearestNames(typed: string, names: readonly string[], n = 3): string[] {
  const t = typed.toLowerCase();
  return names
    .map((name) => ({ name, d: name.startsWith(t) || t.startsWith(name) ? 0 : distance(t, name) }))
    .sort((a, b) => a.d - b.d || a.name.localeCompare(b.name))
    .slice(0, n)
    .map((x) => x.name);
}
