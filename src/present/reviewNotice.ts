// How a scheduled review's run is posted in its channel: a digest ready (the status report under the review's
// name), the open counts when no summary can be made, a reminder's text, a CAB agenda under the review's name.
import { OPEN_STATES, PRIORITIES } from '../domain/ticket.ts';
import { registerNotices } from './notices.ts';
import type { Reply } from './reply.ts';
import { type StatusView, statusReply } from './statusReply.ts';

/** A digest review's report, made: posted as /status shows it, under the review's name. */
export interface DigestReady {
  review: { name: string; timezone: string };
  report: StatusView;
}

export function digestReply(n: DigestReady): Reply {
  const reply = statusReply(n.report, n.review.timezone);
  return {
    ...reply,
    header: `${n.review.name} · ${reply.header ?? 'Status'}`,
    text: `${n.review.name}\n${reply.text}`,
  };
}

/** A digest whose text no longer reads (a team or service gone): the refusal, posted as it is. */
export const digestRefusedReply = (n: { review: { name: string }; reason: string }): Reply => ({
  text: `${n.review.name}: ${n.reason}`,
  visibility: 'channel',
  header: n.review.name,
});

/** A digest made without the summaries: the open tickets by priority. */
export function openCountsReply(n: { review: { name: string }; counts: Readonly<Record<string, number>> }): Reply {
  const lines = PRIORITIES.map((p) => `${p}: ${n.counts[p] ?? 0}`);
  const total = Object.values(n.counts).reduce((a, b) => a + b, 0);
  return {
    text: [`${n.review.name}: ${total} open ticket${total === 1 ? '' : 's'}`, ...lines].join('\n'),
    visibility: 'channel',
    header: n.review.name,
    list: [`${total} open (${OPEN_STATES.join(', ')})`, ...lines],
  };
}

/** A reminder review: its text, under its name. */
export const reminderReviewReply = (n: { review: { name: string; text: string | null } }): Reply => ({
  text: `${n.review.name}: ${n.review.text ?? ''}`,
  visibility: 'channel',
  header: n.review.name,
});

/** A change review: the CAB agenda, headed with the review's name. */
export const agendaReviewReply = (n: { review: { name: string }; agenda: Reply }): Reply => ({
  ...n.agenda,
  visibility: 'channel',
  header: `${n.review.name} · ${n.agenda.header ?? 'CAB agenda'}`,
});

/** This module's notice kinds, `review.*` (src/present/notices.ts). */
export const REVIEW_NOTICES = registerNotices('review', {
  digest: digestReply,
  digestRefused: digestRefusedReply,
  openCounts: openCountsReply,
  reminder: reminderReviewReply,
  agenda: agendaReviewReply,
});
