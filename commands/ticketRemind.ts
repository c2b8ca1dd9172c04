// /ticket remind: a one-shot reminder about a ticket, by DM, at a time read in the asker's timezone; and the
// asker's own reminders, listed (`/ticket remind list`) and cancelled (`/ticket remind cancel RM-…`).
import type { CommandContext, CommandDef, CommandServices } from '../src/core/command.ts';
import { UserError } from '../src/domain/errors.ts';
import { ephemeral, type Reply } from '../src/present/reply.ts';
import { formatTime } from '../src/present/time.ts';
import type { PendingReminder } from '../src/services/reminders.ts';
import { actingOf } from './acting.ts';
import { str } from './ticketShared.ts';

const at = (d: Date, ctx: CommandContext) => formatTime(d, ctx.now, ctx.timezone);

/** One of a person's reminders as a line: when it is due, and when it will really come when quiet hours hold it. */
export function reminderLine(r: PendingReminder, ctx: CommandContext): string {
  const held = r.held || r.jobDueAt.getTime() !== r.dueAt.getTime();
  return `${r.reminderId} · ${r.ticketId} · ${at(r.dueAt, ctx)}${r.note ? ` · ${r.note}` : ''}${held ? ` · held for quiet hours, arrives ${at(r.jobDueAt, ctx)}` : ''}`;
}

async function list(ctx: CommandContext, s: CommandServices): Promise<Reply> {
  const mine = await s.reminders.mine(actingOf(ctx));
  if (mine.length === 0) return ephemeral('You have no reminders waiting. Set one with /ticket remind INC-12 in 2h.');
  const lines = mine.map((r) => reminderLine(r, ctx));
  const header = `Your reminders (${mine.length}, times in ${ctx.timezone})`;
  return ephemeral(
    [`${header}:`, ...lines.map((l) => `• ${l}`), 'Cancel one with /ticket remind cancel <id>.'].join('\n'),
    {
      header,
      list: lines,
    },
  );
}

async function cancel(ctx: CommandContext, id: string | undefined, s: CommandServices): Promise<Reply> {
  if (!id) {
    throw new UserError(
      'USAGE.MISSING',
      'Say which reminder to cancel.',
      'Try: /ticket remind cancel RM-4K2QX (see yours with /ticket remind list)',
      'when',
    );
  }
  const r = await s.reminders.cancel(actingOf(ctx), id);
  return ephemeral(`Cancelled ${r.reminderId}: no reminder about ${r.ticketId} at ${at(r.dueAt, ctx)}.`);
}

export const ticketRemind: CommandDef = {
  command: 'ticket',
  name: 'remind',
  summary:
    'Remind yourself about a ticket by DM ("in 2h", "tomorrow 9am", an ISO time); /ticket remind list and cancel <id> for yours.',
  examples: [
    '/ticket remind INC-12 in 2h',
    '/ticket remind INC-12 tomorrow 9am --note "call the vendor"',
    '/ticket remind list',
    '/ticket remind cancel RM-4K2QX',
  ],
  minRole: 'requester',
  options: [
    {
      name: 'id',
      kind: 'text',
      description: 'Ticket id, like INC-12; or list, or cancel',
      required: true,
      positional: true,
      autocomplete: true,
      maxLength: 20,
    },
    {
      name: 'when',
      kind: 'text',
      description: 'When, in your timezone (after cancel: the reminder id)',
      positional: true,
      rest: true,
      maxLength: 100,
    },
    { name: 'note', kind: 'text', description: 'What to remind you of', maxLength: 500 },
  ],
  async run(ctx, o, s) {
    const first = (str(o.id) as string).trim();
    const when = str(o.when)?.trim() || undefined;
    if (first.toLowerCase() === 'list' && !when) return list(ctx, s);
    if (first.toLowerCase() === 'cancel') return cancel(ctx, when, s);
    if (!when) {
      throw new UserError(
        'USAGE.MISSING',
        'Say when to remind you.',
        `Try: /ticket remind ${first.slice(0, 20)} in 2h, or /ticket remind ${first.slice(0, 20)} tomorrow 9am`,
        'when',
      );
    }
    const r = await s.reminders.remind(actingOf(ctx), first, when, str(o.note));
    const delayed = r.arrivesAt.getTime() !== r.dueAt.getTime();
    return ephemeral(
      [
        `I will remind you about ${r.ticketId} at ${at(r.dueAt, ctx)} (${ctx.timezone}), by DM.`,
        ...(delayed && r.quiet
          ? [
              `That is in your quiet hours (${r.quiet.from}-${r.quiet.to}), so it will arrive at ${at(r.arrivesAt, ctx)}, when they end.`,
            ]
          : []),
        `It is ${r.reminderId}: /ticket remind cancel ${r.reminderId} drops it.`,
      ].join(' '),
    );
  },
};
