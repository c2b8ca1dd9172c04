// A ticket as a platform-neutral card: the reply every platform renders and keeps updated.

import { changeRecordOf } from '../domain/change.ts';
import { formatDuration } from '../domain/duration.ts';
import type { Ticket, TicketSummary } from '../domain/entities.ts';
import { PAGE_HISTORY } from '../domain/escalation.ts';
import { slaStanding } from '../domain/sla.ts';
import { shownThroughout } from '../kit/typedText.ts';
import { problemFields, problemLines } from './problemNotice.ts';
import type { Reply, ReplyAction } from './reply.ts';
import { formatTime, windowText } from './time.ts';

/** A change's approval as a card shows it: the state, and who decided so far. */
function approvalText(t: Ticket): string {
  const c = changeRecordOf(t.change);
  const who = c.decisions.map((d) => `${d.decision === 'approve' ? 'approved' : 'rejected'} by ${d.by.name}`);
  return who.length ? `${c.approval} (${who.join(', ')})` : c.approval;
}

/** What only a change's card shows: when it is planned and where its approval stands. */
function changeFields(t: Ticket, now: Date, timezone: string) {
  if (t.type !== 'change') return [];
  const c = changeRecordOf(t.change);
  return [
    { label: 'Window', value: c.window ? windowText(c.window, now, timezone) : 'not planned', inline: true },
    { label: 'Approval', value: approvalText(t), inline: true },
  ];
}

export function slaLine(t: TicketSummary, now: Date, timezone: string): string {
  const standing = slaStanding(t.sla, t.state === 'resolved' || t.state === 'closed', now);
  switch (standing) {
    case 'met':
      return t.sla.ttrMs !== null ? `resolved in ${formatDuration(t.sla.ttrMs)}` : 'resolved';
    case 'paused':
      return 'paused while pending';
    case 'resolution_breached':
      return `BREACHED: resolution was due ${formatTime(t.sla.resolutionDueAt, now, timezone)}`;
    case 'response_breached':
      return `BREACHED: response was due ${formatTime(t.sla.responseDueAt, now, timezone)}`;
    default:
      return t.sla.firstResponseAt
        ? `resolve by ${formatTime(t.sla.resolutionDueAt, now, timezone)}`
        : `respond by ${formatTime(t.sla.responseDueAt, now, timezone)}, resolve by ${formatTime(t.sla.resolutionDueAt, now, timezone)}`;
  }
}

/** A change's window and who decided, as a line of its own under the card's first line (the terminal shows only
 * the text, and a notification's text is all some readers see). */
function changeLine(t: Ticket, now: Date, timezone: string): string[] {
  const fields = changeFields(t, now, timezone);
  return fields.length ? [fields.map((f) => `${f.label}: ${f.value}`).join(' · ')] : [];
}

/** One line for lists and the terminal: `INC-1 · P1 · new · VPN drops · service vpn · SLA: respond by 12:45`. */
export function ticketLine(t: TicketSummary, now: Date, timezone: string): string {
  const parts = [t.ticketId, t.priority, t.state, t.title];
  if (t.service) parts.push(`service ${t.service}`);
  if (t.team) parts.push(`team ${t.team}`);
  if (t.assignee) parts.push(`→ ${t.assignee.name}`);
  if (t.type === 'change') parts.push(`approval ${changeRecordOf(t.change).approval}`);
  parts.push(`SLA: ${slaLine(t, now, timezone)}`);
  return parts.join(' · ');
}

const RESOLVE_FORM = (id: string) => ({
  id: 'ticket.resolve',
  title: `Resolve ${id}`,
  submitLabel: 'Resolve',
  fields: [{ name: 'resolution', label: 'Resolution note', kind: 'long' as const, required: true }],
  hidden: { id },
});

/** The buttons a card offers in the ticket's current state. */
export function cardActions(t: Ticket): ReplyAction[] {
  const id = t.ticketId;
  const a: ReplyAction[] = [];
  // Paged and not yet acknowledged: every copy of the card (the page DMs too) keeps its Acknowledge button,
  // whatever else changes on the ticket meanwhile.
  if (awaitingAck(t)) a.push({ id: 'oncall.ack', label: 'Acknowledge', value: id, style: 'primary' });
  if (t.state === 'new' || t.state === 'assigned' || t.state === 'in_progress' || t.state === 'pending') {
    a.push({ id: 'ticket.assign', label: 'Assign to me', value: id });
  }
  if (t.state === 'new' || t.state === 'assigned' || t.state === 'pending') {
    a.push({ id: 'ticket.start', label: 'Start', value: id, style: 'primary' });
  }
  if (t.state !== 'resolved' && t.state !== 'closed') {
    a.push({ id: 'ticket.resolve', label: 'Resolve', value: id, style: 'primary', form: RESOLVE_FORM(id) });
  }
  // A P1/P2 incident may become a major incident (declared once: a second press is told where its room is).
  if (
    t.type === 'incident' &&
    (t.priority === 'P1' || t.priority === 'P2') &&
    t.state !== 'resolved' &&
    t.state !== 'closed'
  ) {
    a.push({
      id: 'incident.declare',
      label: 'Declare major incident',
      value: id,
      style: 'danger',
    });
  }
  if (t.state === 'resolved') {
    a.push({ id: 'ticket.close', label: 'Close', value: id });
    a.push({ id: 'ticket.reopen', label: 'Reopen', value: id, style: 'danger' });
  }
  return a;
}

/** An open ticket that was paged, with no acknowledgement since (its history says). */
export function awaitingAck(t: Pick<Ticket, 'state' | 'history'>): boolean {
  if (t.state === 'resolved' || t.state === 'closed') return false;
  let paged = false;
  for (const h of t.history ?? []) {
    if (h.action === PAGE_HISTORY.paged) paged = true;
    if (h.action === PAGE_HISTORY.acknowledged) paged = false;
  }
  return paged;
}

export function ticketCard(t: Ticket, now: Date, timezone: string): Reply {
  const source = [t.source.platform, t.source.channel ? `#${t.source.channel}` : null].filter(Boolean).join(' ');
  const lastComment = [...t.comments].reverse().find((c) => !c.internal);
  // Cards are also posted on their own (a change made elsewhere), outside any command's reply.
  return shownThroughout({
    text: [ticketLine(t, now, timezone), ...changeLine(t, now, timezone), ...problemLines(t)].join('\n'),
    visibility: 'channel',
    header: `${t.ticketId} · ${t.title}`,
    fields: [
      { label: 'Priority', value: t.priority, inline: true },
      { label: 'State', value: t.state, inline: true },
      { label: 'Assignee', value: t.assignee?.name ?? 'unassigned', inline: true },
      { label: 'Service', value: t.service ?? '—', inline: true },
      ...(t.team ? [{ label: 'Team', value: t.team, inline: true }] : []),
      { label: 'Type', value: t.type, inline: true },
      { label: 'SLA', value: slaLine(t, now, timezone), inline: true },
      ...changeFields(t, now, timezone),
      ...problemFields(t),
      ...(t.description ? [{ label: 'Description', value: t.description.slice(0, 1000) }] : []),
      ...(t.resolution ? [{ label: 'Resolution', value: t.resolution }] : []),
      ...(lastComment
        ? [{ label: `Latest from ${lastComment.author.name}`, value: lastComment.text.slice(0, 500) }]
        : []),
    ],
    context: `Requested by ${t.requester.name} via ${source}${t.source.messageLink ? ` · ${t.source.messageLink}` : ''} · opened ${formatTime(t.openedAt, now, timezone)}`,
    actions: cardActions(t),
    card: { tenant: t.tenant, ticketId: t.ticketId },
  });
}
