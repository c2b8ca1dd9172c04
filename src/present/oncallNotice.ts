// How on-call speaks by itself: a handoff and a coverage check in a team's channel, a shift swap asked and answered
// in a DM. The services say what happened; this is how it looks.

import { registerNotices } from './notices.ts';
import type { Reply } from './reply.ts';
import { formatTime } from './time.ts';

/** The person on call changed: who is on (and until when), who is off. */
export interface HandoffNotice {
  team: string;
  /** Who is on call now, by name; null: nobody. */
  on: string | null;
  /** Who was, by name; null: nobody. */
  off: string | null;
  until: Date | null;
  at: Date;
  timezone: string;
}

export function handoffReply(n: HandoffNotice): Reply {
  const until = n.until ? ` until ${formatTime(n.until, n.at, n.timezone)} (${n.timezone})` : '';
  const text = n.on
    ? `${n.team}: ${n.on} is on call now${until}${n.off ? `; ${n.off} is off` : ''}.`
    : `${n.team}: nobody is on call now${n.off ? `; ${n.off} is off` : ''}. Pages will reach nobody until someone is.`;
  return { text, visibility: 'channel', header: `${n.team} on-call handoff` };
}

/** The daily coverage check found gaps: each problem's `{<ms>}` is an instant, shown in the team's zone. */
export interface CoverageNotice {
  team: string;
  problems: readonly string[];
  days: number;
  at: Date;
  timezone: string;
}

export function coverageReply(n: CoverageNotice): Reply {
  const lines = n.problems.map((p) =>
    p.replace(/\{(\d+)\}/g, (_, ms) => formatTime(new Date(Number(ms)), n.at, n.timezone)),
  );
  const header = `${n.team} on-call coverage: ${lines.length} problem${lines.length === 1 ? '' : 's'} in the next ${n.days} days`;
  return { text: [header, ...lines.map((l) => `• ${l}`)].join('\n'), visibility: 'channel', header, list: lines };
}

interface Span {
  from: Date;
  to: Date;
}

/** A shift swap, as its two people see it: the proposer gives one shift and takes the target's next one. */
export interface SwapNotice {
  swap: {
    _id: string;
    team: string;
    proposer: { name: string };
    target: { name: string };
    give: Span;
    take: Span;
    expiresAt: Date;
  };
  now: Date;
  /** The reader's timezone. */
  timezone: string;
}

const spanText = (s: Span, now: Date, zone: string) =>
  `${formatTime(s.from, now, zone)} → ${formatTime(s.to, now, zone)}`;

/** The question, in the target's DM, with Accept and Decline. */
export function swapAskedReply(n: SwapNotice): Reply {
  const { swap, now, timezone: zone } = n;
  const span = (s: Span) => spanText(s, now, zone);
  const text = `${swap.proposer.name} asks to swap on-call shifts in ${swap.team}: you cover their shift ${span(swap.give)}, they cover your next one ${span(swap.take)} (${zone}). Answer by ${formatTime(swap.expiresAt, now, zone)}.`;
  return {
    text,
    visibility: 'ephemeral',
    header: `Shift swap · ${swap.team}`,
    fields: [
      { label: 'You cover', value: span(swap.give) },
      { label: `${swap.proposer.name} covers`, value: span(swap.take) },
    ],
    actions: [
      { id: 'oncall.swap-accept', label: 'Accept', value: swap._id, style: 'primary' },
      { id: 'oncall.swap-decline', label: 'Decline', value: swap._id },
    ],
  };
}

/** The answer, in the proposer's DM. */
export function swapAnsweredReply(n: SwapNotice & { accepted: boolean }): Reply {
  const { swap, now, timezone: zone } = n;
  const span = (s: Span) => spanText(s, now, zone);
  const text = n.accepted
    ? `${swap.target.name} accepted your swap in ${swap.team}: they cover your shift ${span(swap.give)}, you cover theirs ${span(swap.take)} (${zone}).`
    : `${swap.target.name} declined your swap in ${swap.team} (your shift ${span(swap.give)} for theirs ${span(swap.take)}, ${zone}).`;
  return { text, visibility: 'ephemeral' };
}

/** This module's notice kinds, `oncall.*` (src/present/notices.ts). */
export const ONCALL_NOTICES = registerNotices('oncall', {
  handoff: handoffReply,
  coverage: coverageReply,
  swapAsked: swapAskedReply,
  swapAnswered: swapAnsweredReply,
});
