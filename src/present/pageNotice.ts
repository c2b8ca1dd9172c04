// How paging speaks: the page itself (a DM to each person paged, a post in each channel), a late page, a page nobody
// acknowledged. The paging service says what happened; this is the one home of how it looks.
import { formatDuration } from '../domain/duration.ts';
import type { Ticket } from '../domain/entities.ts';
import { registerNotices } from './notices.ts';
import type { Reply, ReplyAction } from './reply.ts';
import { cardActions, ticketCard } from './ticketCard.ts';

/** A level of an incident's escalation paged (again, when `repeat` > 0). */
export interface PageNotice {
  ticket: Ticket;
  /** The level paged, from 0. */
  level: number;
  /** How many times this level was paged before without an answer (0: the first time). */
  repeat: number;
  /** The team whose escalation it is, if any. */
  team: string | null | undefined;
  /** What the page said (/oncall page), shown when it says more than the ticket's title. */
  message: string | null | undefined;
  now: Date;
  timezone: string;
}

/** The page as every target sees it: the ticket's card, headed PAGE, with Acknowledge, Resolve and Escalate now. */
export function pageReply(n: PageNotice): Reply {
  const { ticket } = n;
  const card = ticketCard(ticket, n.now, n.timezone);
  const resolve = cardActions(ticket).find((a) => a.id === 'ticket.resolve');
  const actions: ReplyAction[] = [
    { id: 'oncall.ack', label: 'Acknowledge', value: ticket.ticketId, style: 'primary' },
    ...(resolve ? [resolve] : []),
    { id: 'oncall.escalate', label: 'Escalate now', value: ticket.ticketId, style: 'danger' },
  ];
  const who = n.team ? `${n.team} on-call` : 'on-call';
  // A page's message is its incident's title (/oncall page): said once, unless it says more than the title.
  const said = n.message && n.message.trim() !== ticket.title.trim() ? n.message : null;
  const line = `PAGE (${who}, level ${n.level + 1}${n.repeat ? `, again ${n.repeat}` : ''}): ${ticket.ticketId} ${ticket.priority} ${ticket.title}`;
  return {
    ...card,
    text: `${line}${said ? ` — ${said}` : ''}. Acknowledge with /oncall ack ${ticket.ticketId}.`,
    header: `PAGE · ${card.header ?? ticket.ticketId}`,
    actions,
  };
}

/** An escalation step overdue, told in its team's channel. */
export interface PageLateNotice {
  ticketId: string;
  lateMs: number;
}

export const pageLateReply = (n: PageLateNotice): Reply => ({
  text: `Paging is late: ${n.ticketId}'s next page was due ${formatDuration(n.lateMs)} ago and has not gone out. Check the bot, and page by hand if need be.`,
  visibility: 'channel',
});

/** A page that could not start (a fault on our side) and is being tried again, told in its team's channel. */
export interface PageRetryingNotice {
  ticketId: string;
  /** How often it is tried again from now on. */
  everyMs: number;
}

export const pageRetryingReply = (n: PageRetryingNotice): Reply => ({
  text: `Paging for ${n.ticketId} could not start (a fault on our side): nobody has been paged yet. It is tried again every ${formatDuration(n.everyMs)} until it pages or the incident is resolved. Page by hand if need be.`,
  visibility: 'channel',
});

/** Every level of a policy paged, and nobody acknowledged. */
export interface PageExhaustedNotice {
  ticket: Pick<Ticket, 'ticketId' | 'priority' | 'title'>;
  team: string | null | undefined;
}

/** The line said in the team's channel and written on the ticket as a comment. */
export const pageExhaustedText = (n: PageExhaustedNotice): string =>
  `Nobody acknowledged the page for ${n.ticket.ticketId} (${n.ticket.priority} ${n.ticket.title}) after every level of ${n.team ? `${n.team}'s` : 'its'} policy.`;

export const pageExhaustedReply = (n: PageExhaustedNotice): Reply => ({
  text: pageExhaustedText(n),
  visibility: 'channel',
  actions: [{ id: 'ticket.show', label: 'Show', value: n.ticket.ticketId }],
});

/** This module's notice kinds, `page.*` (src/present/notices.ts). */
export const PAGE_NOTICES = registerNotices('page', {
  step: pageReply,
  late: pageLateReply,
  retrying: pageRetryingReply,
  exhausted: pageExhaustedReply,
});
