// A major incident closed out, the pure rules: its figures (duration, time to acknowledge and to mitigate, people,
// updates) and the markdown post-incident draft written from its timeline, times in a given zone.
import { formatDuration } from './duration.ts';
import type { IncidentRole, IncidentStatus, Severity } from './incident.ts';
import { isoDate, localParts, pad2 } from './localTime.ts';

interface Someone {
  id: string;
  name: string;
}

/** A timeline entry as the close-out reads it: `status` is the status the change moved the incident to, if any. */
export interface CloseoutEntry {
  at: Date;
  by: Someone;
  kind: string;
  text: string;
  status?: IncidentStatus | undefined;
}

export interface CloseoutIncident {
  ticketId: string;
  title: string;
  severity: Severity;
  service: string | null;
  status: IncidentStatus;
  roles: Record<IncidentRole, Someone | null>;
  declaredBy: Someone;
  declaredAt: Date;
  updates: number;
}

export interface CloseoutFigures {
  /** Declared to resolved (to `now` while not resolved). */
  durationMs: number;
  resolvedAt: Date | null;
  /** Declared to the first acknowledgement on the timeline; null when there was none. */
  ackMs: number | null;
  /** A page is on the timeline (so a missing acknowledgement reads "not acknowledged", not "not paged"). */
  paged: boolean;
  /** Declared to the first move to monitoring, else to resolved; null while neither happened. */
  mitigateMs: number | null;
  /** The people who did something on the timeline, and the role holders: by first appearance. */
  people: Someone[];
  updates: number;
}

/** Who follows an incident, and the house's own parts (paging, alerts), did nothing to the service. */
const BYSTANDER_KINDS = new Set(['subscribed', 'unsubscribed']);
const isHouse = (p: Someone): boolean => p.id.startsWith('switchboard') || p.id.startsWith('system');

export function closeoutFigures(i: CloseoutIncident, entries: readonly CloseoutEntry[], now: Date): CloseoutFigures {
  const since = (at: Date): number => Math.max(0, at.getTime() - i.declaredAt.getTime());
  const ordered = [...entries].sort((a, b) => a.at.getTime() - b.at.getTime());
  const resolved = ordered.find((e) => e.status === 'resolved') ?? null;
  const monitoring = ordered.find((e) => e.status === 'monitoring') ?? null;
  const ack = ordered.find((e) => e.kind === 'ack') ?? null;
  const mitigated = monitoring ?? resolved;
  const people = new Map<string, Someone>();
  const add = (p: Someone | null): void => {
    if (p && !isHouse(p) && !people.has(p.id)) people.set(p.id, { id: p.id, name: p.name });
  };
  add(i.declaredBy);
  for (const e of ordered) if (!BYSTANDER_KINDS.has(e.kind)) add(e.by);
  add(i.roles.commander);
  add(i.roles.comms);
  add(i.roles.scribe);
  return {
    durationMs: since(resolved?.at ?? now),
    resolvedAt: resolved?.at ?? null,
    ackMs: ack ? since(ack.at) : null,
    paged: ordered.some((e) => e.kind === 'page'),
    mitigateMs: mitigated ? since(mitigated.at) : null,
    people: [...people.values()],
    updates: i.updates,
  };
}

/** "5m", or why there is no figure. */
export const ackText = (f: CloseoutFigures): string =>
  f.ackMs !== null ? formatDuration(f.ackMs) : f.paged ? 'not acknowledged' : 'not paged';
export const mitigateText = (f: CloseoutFigures): string =>
  f.mitigateMs !== null ? formatDuration(f.mitigateMs) : 'not mitigated yet';

/** "2026-03-29 01:30", the wall clock of `zone`. */
function wallTime(at: Date, zone: string): string {
  const p = localParts(at, zone);
  return `${isoDate(p)} ${pad2(p.hour)}:${pad2(p.minute)}`;
}

/** Text safe in a markdown table cell: one line, no pipe that would split it. */
const cell = (text: string): string => text.replace(/\r?\n|\r/g, ' ').replace(/\|/g, '\\|');

/**
 * The post-incident review's first draft, in markdown: a summary with the figures, the impact as far as the timeline
 * tells it, the timeline in `zone` (which it names), and the headings the review fills in. Written from the timeline
 * only, so the same timeline always gives the same draft.
 */
export function postmortemDraft(
  i: CloseoutIncident,
  entries: readonly CloseoutEntry[],
  now: Date,
  zone: string,
): string {
  const f = closeoutFigures(i, entries, now);
  const ordered = [...entries]
    .filter((e) => !BYSTANDER_KINDS.has(e.kind))
    .sort((a, b) => a.at.getTime() - b.at.getTime());
  const roles = (['commander', 'comms', 'scribe'] as const).map((r) => `${r}: ${i.roles[r]?.name ?? '—'}`).join(', ');
  const end = f.resolvedAt ? `resolved ${wallTime(f.resolvedAt, zone)}` : `still ${i.status} at ${wallTime(now, zone)}`;
  const said = ordered.filter((e) => e.kind === 'update' || e.kind === 'status').map((e) => e.text);
  return [
    `# Post-incident review: ${i.ticketId} ${i.title}`,
    '',
    `_A draft written by Switchboard from the incident's timeline (times in ${zone}). Edit it freely._`,
    '',
    '## Summary',
    '',
    `SEV${i.severity} major incident${i.service ? ` on ${i.service}` : ''}, declared ${wallTime(i.declaredAt, zone)} by ${i.declaredBy.name}, ${end}.`,
    `Roles: ${roles}.`,
    '',
    `- Duration: ${formatDuration(f.durationMs)}`,
    `- Time to acknowledge: ${ackText(f)}`,
    `- Time to mitigate: ${mitigateText(f)}`,
    `- Stakeholder updates: ${f.updates}`,
    `- People involved: ${f.people.map((p) => p.name).join(', ') || '—'}`,
    '',
    '## Impact',
    '',
    `${i.service ? `The ${i.service} service` : 'The service'} was affected for ${mitigateText(f)} before it was mitigated${f.resolvedAt ? `, and the incident was resolved after ${formatDuration(f.durationMs)}` : ''}.`,
    ...(said.length
      ? ['', 'What stakeholders were told, last first:', '', ...said.reverse().map((t) => `- ${cell(t)}`)]
      : []),
    '',
    `## Timeline (${zone})`,
    '',
    '| Time | Who | Kind | What |',
    '|---|---|---|---|',
    ...ordered.map((e) => `| ${wallTime(e.at, zone)} | ${cell(e.by.name)} | ${e.kind} | ${cell(e.text)} |`),
    '',
    '## Contributing factors',
    '',
    '## What went well',
    '',
    '## Follow-up actions',
    '',
  ].join('\n');
}
