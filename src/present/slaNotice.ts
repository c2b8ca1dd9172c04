// How an SLA threshold reached is told: a warning at 75%, a breach at 100%, to the assignee, the channel or the card
// threads. The SLA watch says which threshold of which ticket; this is how it looks.
import { formatDuration } from '../domain/duration.ts';
import type { Ticket } from '../domain/entities.ts';
import type { SlaThreshold } from '../domain/slaThresholds.ts';
import { registerNotices } from './notices.ts';
import type { Reply } from './reply.ts';
import { formatTime } from './time.ts';

export interface SlaNotice {
  ticket: Pick<Ticket, 'ticketId' | 'priority' | 'title' | 'assignee'>;
  threshold: SlaThreshold;
  now: Date;
  /** The reader's timezone (the assignee's, else the organisation's). */
  timezone: string;
}

export function slaReply(n: SlaNotice): Reply {
  const { ticket: t, threshold: th } = n;
  const span = formatDuration(th.spanMs);
  const due = `${formatTime(th.dueAt, n.now, n.timezone)} ${n.timezone}`;
  const what =
    th.pct === 100
      ? th.target === 'response'
        ? `SLA breached: no response within ${span} (due ${due})`
        : `SLA breached: not resolved within ${span} (due ${due})`
      : `SLA warning: ${th.pct}% of the ${span} ${th.target} time is used; ${th.target === 'response' ? 'respond' : 'resolve'} by ${due}`;
  const text = `${t.ticketId} (${t.priority}) "${t.title}": ${what}${t.assignee ? '' : ' — unassigned'}.`;
  return {
    text,
    visibility: 'channel',
    actions: [{ id: 'ticket.show', label: 'Show', value: t.ticketId }],
  };
}

/** This module's notice kinds, `sla.*` (src/present/notices.ts). */
export const SLA_NOTICES = registerNotices('sla', { threshold: slaReply });
