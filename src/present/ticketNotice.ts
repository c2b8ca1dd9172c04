// What the bot tells a ticket's people by itself: a requester nudged for an answer, asked how it went (CSAT), a
// reminder someone set. The services say which ticket and why; this is how it looks.
import { CSAT_SCORES, type CsatScore } from '../domain/csat.ts';
import { formatDuration } from '../domain/duration.ts';
import type { TicketSummary } from '../domain/entities.ts';
import { registerNotices } from './notices.ts';
import type { Reply } from './reply.ts';

type Named = Pick<TicketSummary, 'ticketId' | 'title'>;

/** A ticket pending on its requester: answer, or it is resolved after `resolveMs`. */
export function nudgeReply(n: { ticket: Named; resolveMs: number }): Reply {
  const t = n.ticket;
  const wait = formatDuration(n.resolveMs);
  const text = [
    `${t.ticketId} · ${t.title} is waiting for your answer.`,
    `Reply with /ticket comment ${t.ticketId} <your answer>; with no answer it is resolved automatically in ${wait}.`,
  ].join('\n');
  return {
    text,
    visibility: 'channel',
    header: `${t.ticketId} is waiting for you`,
    actions: [{ id: 'ticket.show', label: 'Show', value: t.ticketId }],
  };
}

const SCORE_LABELS: Record<CsatScore, string> = { 1: '1 poor', 2: '2', 3: '3', 4: '4', 5: '5 great' };

/** A resolved ticket's requester asked to rate it, one button a score. */
export function csatAskReply(t: Named): Reply {
  const text = `How did we do on ${t.ticketId} "${t.title.slice(0, 80)}", now resolved? Press 1 (poor) to 5 (great), or type /ticket csat ${t.ticketId} <1-5> [comment].`;
  return {
    text,
    visibility: 'channel',
    header: `How did we do on ${t.ticketId}?`,
    context: `To add a comment: /ticket csat ${t.ticketId} <1-5> <comment>`,
    actions: CSAT_SCORES.map((n) => ({
      id: 'ticket.csat',
      label: SCORE_LABELS[n],
      value: `${t.ticketId}:${n}`,
      typed: `/ticket csat ${t.ticketId} ${n}`,
    })),
  };
}

/** A reminder set with /ticket remind, come due. */
export const reminderReply = (n: { ticketId: string; note?: string | null | undefined }): Reply => ({
  text: `Reminder: ${n.ticketId}${n.note ? ` — ${n.note}` : ''}`,
  visibility: 'channel',
  actions: [{ id: 'ticket.show', label: 'Show', value: n.ticketId }],
});

/** This module's notice kinds, `ticket.*` (src/present/notices.ts). */
export const TICKET_NOTICES = registerNotices('ticket', {
  nudge: nudgeReply,
  csatAsk: csatAskReply,
  reminder: reminderReply,
});
