// /ticket show <id> --deliveries: the ledger of what was sent about a ticket, to whom, where, and what became of it.
import type { CommandContext, CommandServices } from '../src/core/command.ts';
import type { Ticket } from '../src/domain/entities.ts';
import { ephemeral, type Reply } from '../src/present/reply.ts';
import { formatTime } from '../src/present/time.ts';

/** The newest this many are shown: a long-lived ticket's whole ledger would not fit a message. */
const SHOWN = 25;

export async function deliveriesReply(t: Ticket, ctx: CommandContext, s: CommandServices): Promise<Reply> {
  const [all, reminders] = await Promise.all([
    s.outbox.deliveriesFor(ctx.tenant, t.ticketId),
    s.reminders.aboutTicket(ctx.tenant, t.ticketId),
  ]);
  const shown = all.slice(-SHOWN);
  // Reminders not sent yet are not in the outbox: they wait on their job (and on the asker's quiet hours).
  const waiting = reminders.map((r) => {
    const held = r.held || r.jobDueAt.getTime() !== r.dueAt.getTime();
    return `${formatTime(r.createdAt, ctx.now, ctx.timezone)} reminder ${r.reminderId} → ${r.personName}: waiting (${held ? `held for quiet hours, arrives ${formatTime(r.jobDueAt, ctx.now, ctx.timezone)}` : `due ${formatTime(r.dueAt, ctx.now, ctx.timezone)}`})`;
  });
  const sent = shown.map((d) => {
    const when = formatTime(d.finishedAt ?? d.createdAt, ctx.now, ctx.timezone);
    const tries = d.attempts > 1 ? `, ${d.attempts} attempts` : '';
    const state =
      d.outcome === 'waiting'
        ? `waiting${d.nextAttemptAt ? ` (next try ${formatTime(d.nextAttemptAt, ctx.now, ctx.timezone)})` : ''}${d.reason ? `: last ${d.reason}` : ''}`
        : `${d.outcome}${d.reason ? `: ${d.reason}` : ''}`;
    return `${when} ${d.what} → ${d.to}: ${state}${tries}`;
  });
  const lines = [...sent, ...waiting];
  const header =
    all.length === 0 && waiting.length === 0
      ? `Nothing has been sent about ${t.ticketId} yet`
      : `What was sent about ${t.ticketId}${all.length > SHOWN ? ` (the newest ${SHOWN} of ${all.length})` : ''}${waiting.length ? ', and what waits to be sent' : ''}`;
  return ephemeral([header, ...lines.map((l) => `  ${l}`)].join('\n'), { header, list: lines });
}
