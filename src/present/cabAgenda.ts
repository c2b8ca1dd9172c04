// The CAB agenda as a change review posts it: each change awaiting approval with its window, the freezes it falls
// in, its tally, and Approve / Reject buttons.
import { approvalsOf, changeRecordOf, type Freeze, freezesOver } from '../domain/change.ts';
import type { TicketSummary } from '../domain/entities.ts';
import { shownThroughout } from '../kit/typedText.ts';
import { registerNotices } from './notices.ts';
import type { Reply, ReplyAction } from './reply.ts';
import { windowText } from './time.ts';

/** Two buttons a change, within the 25 a message may carry on Slack and Discord. */
const AGENDA_MAX = 12;

export const rejectForm = (id: string) => ({
  id: 'ticket.reject',
  title: `Reject ${id}`,
  submitLabel: 'Reject',
  fields: [{ name: 'reason', label: 'Why it is rejected', kind: 'long' as const, required: true }],
  hidden: { id },
});

/** The changes awaiting approval, soonest window first, with the freezes and the quorum they are decided under. */
export interface CabAgenda {
  changes: readonly TicketSummary[];
  freezes: readonly Freeze[];
  quorum: number;
  now: Date;
  timezone: string;
}

export function cabAgendaReply(a: CabAgenda): Reply {
  const { changes, quorum } = a;
  if (changes.length === 0) {
    return { text: 'CAB agenda: no change awaits approval.', visibility: 'channel', header: 'CAB agenda' };
  }
  const shown = changes.slice(0, AGENDA_MAX);
  const lines = shown.map((t) => agendaLine(t, a));
  if (changes.length > shown.length) {
    lines.push(`…and ${changes.length - shown.length} more: /ticket list --type change`);
  }
  const actions: ReplyAction[] = shown.flatMap((t) => [
    { id: 'ticket.approve', label: `Approve ${t.ticketId}`, value: t.ticketId, style: 'primary' as const },
    {
      id: 'ticket.reject',
      label: `Reject ${t.ticketId}`,
      value: t.ticketId,
      style: 'danger' as const,
      form: rejectForm(t.ticketId),
    },
  ]);
  const count = `${changes.length} change${changes.length === 1 ? '' : 's'} awaiting approval`;
  return shownThroughout({
    text: [`CAB agenda: ${count}`, ...lines.map((l) => `• ${l}`)].join('\n'),
    visibility: 'channel',
    header: 'CAB agenda',
    context: `${count} · ${quorum} approval${quorum === 1 ? '' : 's'} needed · a change inside a freeze needs an admin`,
    list: lines,
    actions,
  });
}

function agendaLine(t: TicketSummary, a: CabAgenda): string {
  const record = changeRecordOf(t.change);
  const parts = [t.ticketId, t.title];
  parts.push(record.window ? `window ${windowText(record.window, a.now, a.timezone)}` : 'no window planned');
  for (const f of freezesOver(record.window, a.freezes))
    parts.push(`FREEZE ${f.freezeId} (${f.reason}): admin approval`);
  parts.push(`${approvalsOf(record)} of ${a.quorum} approvals`);
  return parts.join(' · ');
}

/** This module's notice kinds, `change.*` (src/present/notices.ts). */
export const CHANGE_NOTICES = registerNotices('change', { agenda: cabAgendaReply });
