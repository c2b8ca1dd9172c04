// The CAB's view of change tickets: the agenda of changes awaiting approval, with their freezes and tallies.
import type { Reply, ReplyAction } from '../core/reply.ts';
import { windowText } from '../core/ticketCard.ts';
import { shownThroughout } from '../core/typedText.ts';
import { approvalsOf, changeRecordOf, type Freeze, freezesOver } from '../domain/change.ts';
import type { TicketSummary } from '../domain/entities.ts';
import { OPEN_STATES } from '../domain/ticket.ts';
import type { TicketRepository } from '../store/ticketStore.ts';
import type { CabRules } from './tickets.ts';

/** Two buttons a change, within the 25 a message may carry on Slack and Discord. */
const AGENDA_MAX = 12;
/** Open changes read per agenda, newest first: far more than a CAB gets through in one sitting. */
const READ_MAX = 200;

export const rejectForm = (id: string) => ({
  id: 'ticket.reject',
  title: `Reject ${id}`,
  submitLabel: 'Reject',
  fields: [{ name: 'reason', label: 'Why it is rejected', kind: 'long' as const, required: true }],
  hidden: { id },
});

export class ChangeService {
  constructor(
    private readonly repo: TicketRepository,
    private readonly cab: CabRules,
  ) {}

  /** Open changes still awaiting approval (the hot set only), soonest window first, unplanned last. */
  async awaitingApproval(tenant: string): Promise<TicketSummary[]> {
    return this.awaitingAmong(
      await this.repo.list(tenant, { type: 'change', states: [...OPEN_STATES], limit: READ_MAX }),
    );
  }

  /**
   * The same, picked from open tickets read already, newest first (every open ticket of the tenant, or at least its
   * newest changes): what /status shows without reading them again.
   */
  awaitingAmong(openNewestFirst: readonly TicketSummary[]): TicketSummary[] {
    const open = openNewestFirst.filter((t) => t.type === 'change').slice(0, READ_MAX);
    const start = (t: TicketSummary) => t.change?.window?.from.getTime() ?? Number.POSITIVE_INFINITY;
    return open
      .filter((t) => changeRecordOf(t.change).approval === 'pending')
      .sort((a, b) => start(a) - start(b) || a.number - b.number);
  }

  /** What a change review posts: each change awaiting approval with its window, freeze flag, tally and buttons. */
  async cabAgenda(tenant: string, now: Date, timezone: string): Promise<Reply> {
    const [changes, freezes] = await Promise.all([
      this.awaitingApproval(tenant),
      this.cab.freezes.listFreezes(tenant, now),
    ]);
    const quorum = this.cab.quorum;
    if (changes.length === 0) {
      return { text: 'CAB agenda: no change awaits approval.', visibility: 'channel', header: 'CAB agenda' };
    }
    const shown = changes.slice(0, AGENDA_MAX);
    const lines = shown.map((t) => this.agendaLine(t, freezes, now, timezone, quorum));
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

  private agendaLine(t: TicketSummary, freezes: readonly Freeze[], now: Date, timezone: string, quorum: number) {
    const record = changeRecordOf(t.change);
    const parts = [t.ticketId, t.title];
    parts.push(record.window ? `window ${windowText(record.window, now, timezone)}` : 'no window planned');
    for (const f of freezesOver(record.window, freezes))
      parts.push(`FREEZE ${f.freezeId} (${f.reason}): admin approval`);
    parts.push(`${approvalsOf(record)} of ${quorum} approvals`);
    return parts.join(' · ');
  }
}
