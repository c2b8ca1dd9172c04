// How post-incident reviews are told: one marked done (in the incident's channel), a business day's reminder to its
// assignee, and the open ones as a list (/ticket pir list, a `--kind pir` review).
import { TZDate } from '@date-fns/tz';
import { format, isSameYear } from 'date-fns';
import { registerNotices } from './notices.ts';
import type { Reply } from './reply.ts';

/** "Tue 3 Mar 17:00": a PIR's due time, weekday first (PIRs count business days). */
const when = (at: Date, timezone: string, now: Date) => {
  const t = new TZDate(at, timezone);
  return format(t, isSameYear(t, new TZDate(now, timezone)) ? 'EEE d MMM HH:mm' : 'EEE d MMM yyyy HH:mm');
};

/** The problem a repeated incident's PIR names (src/store/pirStore.ts `PirProblem`). */
export interface PirProblemNotice {
  ticketId: string;
  title: string;
  linked: boolean;
}

/** "A repeated incident: problem PRB-2 (Logins fail after deploys), linked." */
export const pirProblemLine = (p: PirProblemNotice): string =>
  `A repeated incident: problem ${p.ticketId}${p.title ? ` (${p.title})` : ''}${
    p.linked ? ', linked' : ' is open on this service (link it with /ticket link)'
  }.`;

export const pirDoneReply = (n: { ticketId: string; link: string }): Reply => ({
  text: `PIR for ${n.ticketId} is done: ${n.link}`,
  visibility: 'channel',
});

/** A PIR's reminder: `daysLeft` business days to its due time (0: today; below 0: overdue by that many). */
export interface PirDueNotice {
  /** `draft`: a major incident's PIR opened with one (written from its timeline). */
  pir: {
    ticketId: string;
    title: string;
    dueAt: Date;
    draft?: string | null | undefined;
    problem?: PirProblemNotice | null | undefined;
  };
  daysLeft: number;
  now: Date;
  timezone: string;
}

export function pirDueReply(n: PirDueNotice): Reply {
  const { pir, daysLeft: left } = n;
  const due = when(pir.dueAt, n.timezone, n.now);
  const status =
    left > 0
      ? `is due ${due} (${left} business day${left === 1 ? '' : 's'} left)`
      : left === 0
        ? `is due today, ${due}`
        : `is overdue by ${-left} business day${left === -1 ? '' : 's'} (was due ${due})`;
  return {
    text: `PIR for ${pir.ticketId} (${pir.title}) ${status}.${pir.problem ? ` ${pirProblemLine(pir.problem)}` : ''}${pir.draft ? ` Start from its draft: /incident postmortem ${pir.ticketId}.` : ''} When it is written: /ticket pir ${pir.ticketId} done <link>`,
    visibility: 'channel',
    actions: [{ id: 'ticket.show', label: 'Show', value: pir.ticketId }],
  };
}

/** The open PIRs, soonest due first, under `header`. */
export interface PirList {
  open: ReadonlyArray<{
    ticketId: string;
    priority: string;
    title: string;
    assignee?: { name: string } | null | undefined;
    dueAt: Date;
    problem?: PirProblemNotice | null | undefined;
  }>;
  header: string;
  now: Date;
  timezone: string;
}

export function pirListReply(n: PirList): Reply {
  const { open, header, now, timezone } = n;
  if (open.length === 0) return { text: `${header}: no PIR is open.`, visibility: 'channel', header };
  const overdue = open.filter((p) => p.dueAt.getTime() < now.getTime()).length;
  const lines = open.map((p) =>
    [
      p.ticketId,
      p.priority,
      p.title,
      p.assignee?.name ?? 'unassigned',
      `${p.dueAt.getTime() < now.getTime() ? 'OVERDUE since' : 'due'} ${when(p.dueAt, timezone, now)}`,
      ...(p.problem ? [`problem ${p.problem.ticketId}`] : []),
    ].join(' · '),
  );
  const count = `${open.length} open, ${overdue} overdue`;
  return {
    text: [`${header}: ${count}`, ...lines.map((l) => `• ${l}`)].join('\n'),
    visibility: 'channel',
    header,
    context: count,
    list: lines,
  };
}

/** This module's notice kinds, `pir.*` (src/present/notices.ts). */
export const PIR_NOTICES = registerNotices('pir', { done: pirDoneReply, due: pirDueReply, list: pirListReply });
