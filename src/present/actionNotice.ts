// How follow-up actions are told: an owner's business-day reminder, an action as one line (lists, /ticket show, a
// PIR refused for the open ones) and the register as a list.
import { TZDate } from '@date-fns/tz';
import { format, isSameYear } from 'date-fns';
import { registerNotices } from './notices.ts';
import type { Reply } from './reply.ts';

/** "Tue 15 Dec 09:00", with the year when it is not `now`'s, in the reader's zone: actions count business days. */
const when = (at: Date, timezone: string, now: Date) => {
  const t = new TZDate(at, timezone);
  return format(t, isSameYear(t, new TZDate(now, timezone)) ? 'EEE d MMM HH:mm' : 'EEE d MMM yyyy HH:mm');
};

/** What a line or a reminder needs of an action. */
export interface ActionView {
  actionId: string;
  ticketId: string;
  ticketTitle: string;
  what: string;
  owner: { name: string };
  dueAt: Date;
  state: 'open' | 'done' | 'deferred';
  ended: { by: { name: string }; at: Date; link: string | null; reason: string | null } | null;
}

/** The owner's reminder: `step` business days after the due day (0: the due day itself). */
export interface ActionDueNotice {
  action: ActionView;
  step: number;
  now: Date;
  timezone: string;
}

export function actionDueReply(n: ActionDueNotice): Reply {
  const a = n.action;
  const due = when(a.dueAt, n.timezone, n.now);
  const status =
    n.step === 0
      ? `is due today, ${due}`
      : `is overdue by ${n.step} business day${n.step === 1 ? '' : 's'} (was due ${due})`;
  return {
    text: `Action ${a.actionId} on ${a.ticketId} (${a.ticketTitle}) ${status}: ${a.what}. When it is done: /ticket action done ${a.actionId} [link]`,
    visibility: 'channel',
    actions: [{ id: 'ticket.show', label: 'Show', value: a.ticketId }],
  };
}

/** One action as a line: `ACT-3 · INC-4 · Add disk alerts · ada · due Tue 15 Dec 09:00`. */
export function actionLine(a: ActionView, now: Date, timezone: string, withTicket = true): string {
  const state =
    a.state === 'done'
      ? `done by ${a.ended?.by.name ?? '?'}${a.ended?.link ? ` (${a.ended.link})` : ''}`
      : a.state === 'deferred'
        ? `deferred by ${a.ended?.by.name ?? '?'}: ${a.ended?.reason ?? ''}`
        : `${a.dueAt.getTime() <= now.getTime() ? 'OVERDUE since' : 'due'} ${when(a.dueAt, timezone, now)}`;
  return [a.actionId, ...(withTicket ? [a.ticketId] : []), a.what, a.owner.name, state].join(' · ');
}

export interface ActionList {
  actions: readonly ActionView[];
  /** What was asked for: `Open actions`, `Your open actions`, `Overdue actions`, `Open actions on vpn`. */
  header: string;
  now: Date;
  timezone: string;
}

/** The register, soonest due first. */
export function actionListReply(n: ActionList): Reply {
  const { actions, header, now, timezone } = n;
  if (actions.length === 0) return { text: `${header}: none.`, visibility: 'ephemeral', header };
  const sorted = [...actions].sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
  const overdue = sorted.filter((a) => a.state === 'open' && a.dueAt.getTime() <= now.getTime()).length;
  const lines = sorted.map((a) => actionLine(a, now, timezone));
  const count = `${sorted.length} open, ${overdue} overdue (times in ${timezone})`;
  return {
    text: [`${header}: ${count}`, ...lines.map((l) => `• ${l}`)].join('\n'),
    visibility: 'ephemeral',
    header,
    context: count,
    list: lines,
  };
}

/** This module's notice kinds, `action.*` (src/present/notices.ts). */
export const ACTION_NOTICES = registerNotices('action', { due: actionDueReply, list: actionListReply });
