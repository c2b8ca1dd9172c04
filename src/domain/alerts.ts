// Alerts as incidents: Alertmanager groups and generic events mapped to a ticket's title, priority, service and notes.
import { PRIORITIES, type Priority } from './ticket.ts';

/** severity label (lower case) -> priority; anything not named is P4. */
export type SeverityMap = Readonly<Record<string, Priority>>;

export const DEFAULT_SEVERITY_MAP: SeverityMap = Object.freeze({
  critical: 'P1',
  error: 'P2',
  high: 'P2',
  warning: 'P3',
});

/** One alert of an Alertmanager webhook (version 4), as validated at the edge. */
export interface AlertmanagerAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
  generatorURL: string;
  fingerprint?: string | undefined;
}

export interface AlertmanagerGroup {
  version: string;
  groupKey: string;
  status: 'firing' | 'resolved';
  receiver: string;
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
  commonAnnotations: Record<string, string>;
  externalURL: string;
  truncatedAlerts?: number | undefined;
  alerts: AlertmanagerAlert[];
}

/** A generic event, modelled on PagerDuty's Events API v2. */
export interface AlertEvent {
  routing_key?: string | undefined;
  event_action: 'trigger' | 'acknowledge' | 'resolve';
  dedup_key: string;
  payload?:
    | {
        summary: string;
        severity: 'critical' | 'error' | 'warning' | 'info';
        source: string;
        custom_details?: unknown;
      }
    | undefined;
}

/** What an incident is opened with. */
export interface IncidentDraft {
  title: string;
  description: string;
  priority: Priority;
  service: string | null;
}

export const TITLE_MAX = 200;
const DESCRIPTION_MAX = 7_000;
const NOTE_MAX = 3_500;
const SERVICE_MAX = 100;

/**
 * "critical=P1,page=P1" over the defaults; null with the reason for a bad part. Keys are matched without
 * regard to case, as Prometheus rules write severities both ways.
 */
export function parseSeverityMap(text: string | undefined): { map: SeverityMap } | { error: string } {
  const map: Record<string, Priority> = { ...DEFAULT_SEVERITY_MAP };
  for (const part of (text ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const m = /^([A-Za-z0-9_.-]{1,40})\s*=\s*(P[1-4])$/i.exec(part);
    if (!m) return { error: `"${part}" must look like critical=P1` };
    map[(m[1] as string).toLowerCase()] = (m[2] as string).toUpperCase() as Priority;
  }
  return { map: Object.freeze(map) };
}

export function priorityOfSeverity(map: SeverityMap, severity: string | undefined): Priority {
  return (severity && map[severity.trim().toLowerCase()]) || 'P4';
}

const mostUrgent = (ps: Priority[]): Priority =>
  ps.reduce<Priority>((best, p) => (PRIORITIES.indexOf(p) < PRIORITIES.indexOf(best) ? p : best), 'P4');

/** C0/C1 controls, line/paragraph separators and bidi overrides: what alert text must never carry to a person. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
export const UNSAFE_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]+/g;

/**
 * Text from an alert, fit for a card: control and bidi-override characters become spaces (a label cannot
 * ring a terminal or reorder a line), runs of space fold, and it is cut at `max`.
 */
export function cleanText(text: string, max: number): string {
  const flat = text.replace(UNSAFE_CHARS, ' ').replace(/ {2,}/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The same, keeping line breaks (a description or a note is several lines). */
function cleanLines(lines: string[], max: number): string {
  const text = lines.map((l) => cleanText(l, 1_000)).join('\n');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

const serviceOf = (labels: Record<string, string>): string | null => {
  const s = labels.service?.trim() || labels.job?.trim();
  return s ? cleanText(s, SERVICE_MAX).toLowerCase() : null;
};

/** One line per alert: what, where, since when, and the link to the expression that fired. */
export function alertLine(a: AlertmanagerAlert): string {
  const name = a.labels.alertname ?? 'alert';
  const where = a.labels.instance ? ` on ${a.labels.instance}` : '';
  const summary = a.annotations.summary ? `: ${a.annotations.summary}` : '';
  const when = a.status === 'resolved' ? `resolved ${a.endsAt}` : `since ${a.startsAt}`;
  const link = a.generatorURL ? ` · ${a.generatorURL}` : '';
  return `[${a.status}] ${name}${where}${summary} (${when})${link}`;
}

/** The incident a firing group opens: the group's shared labels first, then its first firing alert's. */
export function incidentFromGroup(group: AlertmanagerGroup, map: SeverityMap): IncidentDraft {
  const firing = group.alerts.filter((a) => a.status === 'firing');
  const lead = firing[0] ?? group.alerts[0];
  const labels = { ...(lead?.labels ?? {}), ...group.commonLabels };
  const title =
    group.commonAnnotations.summary ?? lead?.annotations.summary ?? labels.alertname ?? `Alert group ${group.groupKey}`;
  const severities = (firing.length ? firing : group.alerts).map((a) => a.labels.severity ?? labels.severity);
  const lines = [
    `Opened by Alertmanager (receiver ${group.receiver}).`,
    ...(group.commonAnnotations.description ? [group.commonAnnotations.description] : []),
    ...group.alerts.map(alertLine),
    ...(group.truncatedAlerts ? [`(${group.truncatedAlerts} more alerts not sent by Alertmanager)`] : []),
    ...(group.externalURL ? [`Alertmanager: ${group.externalURL}`] : []),
  ];
  return {
    title: cleanText(title, TITLE_MAX) || 'Alert',
    description: cleanLines(lines, DESCRIPTION_MAX),
    priority: mostUrgent(severities.map((s) => priorityOfSeverity(map, s))),
    service: serviceOf(labels),
  };
}

/** A note on the open incident: the alerts of a notification not told before. */
export function noteForAlerts(alerts: AlertmanagerAlert[]): string {
  const firing = alerts.filter((a) => a.status === 'firing').length;
  const resolved = alerts.length - firing;
  const head = [firing ? `${firing} firing` : '', resolved ? `${resolved} resolved` : ''].filter(Boolean).join(', ');
  return cleanLines([`Alertmanager: ${head}`, ...alerts.map(alertLine)], NOTE_MAX);
}

const detailsText = (details: unknown): string[] => {
  if (details === undefined || details === null) return [];
  const text = typeof details === 'string' ? details : JSON.stringify(details);
  return [`Details: ${text.length > 2_000 ? `${text.slice(0, 1_999)}…` : text}`];
};

/** `custom_details.service` when the sender names one, else the event's source. */
function eventService(ev: AlertEvent): string | null {
  const details = ev.payload?.custom_details;
  const named =
    details && typeof details === 'object' && typeof (details as { service?: unknown }).service === 'string'
      ? ((details as { service: string }).service as string)
      : undefined;
  const s = named?.trim() || ev.payload?.source?.trim();
  return s ? cleanText(s, SERVICE_MAX).toLowerCase() : null;
}

export function incidentFromEvent(ev: AlertEvent, map: SeverityMap): IncidentDraft {
  const p = ev.payload;
  return {
    title: cleanText(p?.summary ?? '', TITLE_MAX) || `Event ${cleanText(ev.dedup_key, 100)}`,
    description: cleanLines(
      [
        `Opened by an event from ${p?.source ?? 'an integration'} (dedup key ${ev.dedup_key}).`,
        ...detailsText(p?.custom_details),
      ],
      DESCRIPTION_MAX,
    ),
    priority: priorityOfSeverity(map, p?.severity),
    service: eventService(ev),
  };
}

export function noteForEvent(ev: AlertEvent): string {
  const p = ev.payload;
  const what =
    ev.event_action === 'trigger' ? 'triggered again' : ev.event_action === 'acknowledge' ? 'acknowledged' : 'resolved';
  return cleanLines(
    [`Event ${what}${p ? `: ${p.summary} (${p.severity}, from ${p.source})` : ''}`, ...detailsText(p?.custom_details)],
    NOTE_MAX,
  );
}
