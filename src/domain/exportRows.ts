// The period's tickets as export rows: the columns, one row per ticket (a major incident's close-out figures too), and
// cells a spreadsheet never runs as formulas.
import type { TicketSummary } from './entities.ts';

export const EXPORT_COLUMNS = [
  'id',
  'type',
  'title',
  'state',
  'priority',
  'service',
  'team',
  'requester',
  'assignee',
  'opened',
  'responded',
  'resolved',
  'closed',
  'sla response met',
  'sla resolution met',
  'csat',
  'major incident',
  'minutes to mitigate',
  'stakeholder updates',
] as const;

/** A major incident's close-out figures, as the rollups keep them (a `major` fact). */
export interface MajorFigures {
  mitigateMs: number;
  updates: number;
}

/**
 * A cell a spreadsheet would read as a formula (`=`, `+`, `-`, `@`, or a leading tab or carriage return, which
 * some strip before looking) gets a leading `'`, so it shows as the text it is (OWASP's CSV injection advice).
 */
export const neutralised = (cell: string): string => (/^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell);

const instant = (d: Date | null | undefined): string => (d ? d.toISOString() : '');
const yesNo = (v: boolean | null): string => (v === null ? '' : v ? 'yes' : 'no');

/** One ticket's row; times are UTC instants (ISO 8601), and a figure not known yet is an empty cell. */
export function exportRow(t: TicketSummary, csat: number | null, major: MajorFigures | null = null): string[] {
  const responded = t.sla.firstResponseAt;
  const cells = [
    t.ticketId,
    t.type,
    t.title,
    t.state,
    t.priority,
    t.service ?? '',
    t.team ?? '',
    t.requester.name,
    t.assignee?.name ?? '',
    instant(t.openedAt),
    instant(responded),
    instant(t.resolvedAt),
    instant(t.closedAt),
    yesNo(responded ? responded.getTime() <= t.sla.responseDueAt.getTime() : null),
    yesNo(t.resolvedAt ? t.resolvedAt.getTime() <= t.sla.resolutionDueAt.getTime() : null),
    csat === null ? '' : String(csat),
    major ? 'yes' : '',
    major ? String(Math.round(major.mitigateMs / 60_000)) : '',
    major ? String(major.updates) : '',
  ];
  return cells.map(neutralised);
}
