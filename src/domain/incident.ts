// Major incidents, the pure rules: the statuspage vocabulary and its order, the roles, the update cadence, the room's name.

export const INCIDENT_STATUSES = ['investigating', 'identified', 'monitoring', 'resolved'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

export const INCIDENT_ROLES = ['commander', 'comms', 'scribe'] as const;
export type IncidentRole = (typeof INCIDENT_ROLES)[number];

export type Severity = 1 | 2;

/** Minutes between stakeholder updates, by severity (SWITCHBOARD_UPDATE_CADENCE). */
export type UpdateCadence = Readonly<Record<Severity, number>>;

export const DEFAULT_UPDATE_CADENCE: UpdateCadence = { 1: 30, 2: 60 };

/** `1=30m,2=60m` (also `2h`): the minutes of each severity given; null when it cannot be read. */
export function parseUpdateCadence(text: string): UpdateCadence | null {
  const out: Record<number, number> = { ...DEFAULT_UPDATE_CADENCE };
  for (const part of text.split(',').map((p) => p.trim())) {
    if (!part) continue;
    const m = /^([12])\s*=\s*(\d{1,4})\s*(m|h)$/i.exec(part);
    if (!m) return null;
    const minutes = Number(m[2]) * ((m[3] as string).toLowerCase() === 'h' ? 60 : 1);
    if (minutes < 5 || minutes > 24 * 60) return null;
    out[Number(m[1])] = minutes;
  }
  return { 1: out[1] as number, 2: out[2] as number };
}

/**
 * Any status may follow any other but itself, save that a resolved incident stays resolved (an incident that comes
 * back is declared anew): statuspage lets people step back from monitoring to identified, and so do we.
 */
export function statusChangeRefusal(from: IncidentStatus, to: IncidentStatus): string | null {
  if (from === 'resolved') return 'it is resolved already; declare a new major incident if it came back';
  if (from === to) return `it is ${to} already`;
  return null;
}

/** The room's name, `inc-<n>-<slug>`: lowercase letters, digits and dashes, at most 80 characters (Slack's rule). */
export function roomNameOf(number: number, title: string): string {
  const slug = title
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  const base = `inc-${number}`;
  return (slug ? `${base}-${slug}` : base).slice(0, 72).replace(/-+$/, '');
}

/** The next update is due `cadence` minutes after the last one (or the declaration). */
export function nextUpdateDue(lastUpdateAt: Date, severity: Severity, cadence: UpdateCadence): Date {
  return new Date(lastUpdateAt.getTime() + cadence[severity] * 60_000);
}

/** The ticket history line a declaration writes: a change heard later knows its ticket is a major incident's. */
export const MAJOR_INCIDENT_HISTORY = 'major_declared';

export const isMajorIncidentTicket = (t: { history: readonly { action: string }[] }): boolean =>
  t.history.some((h) => h.action === MAJOR_INCIDENT_HISTORY);
