// /ticket remind: a one-shot reminder about a ticket, by DM, at a time read in the asker's timezone.
import type { CommandDef } from '../src/core/command.ts';
import { ephemeral } from '../src/core/reply.ts';
import { formatTime } from '../src/core/ticketCard.ts';
import { actingOf } from './acting.ts';
import { ID, str } from './ticketShared.ts';

export const ticketRemind: CommandDef = {
  command: 'ticket',
  name: 'remind',
  summary: 'Remind yourself about a ticket by DM: "in 2h", "tomorrow 9am", "friday 16:00", or an ISO time.',
  examples: ['/ticket remind INC-12 in 2h', '/ticket remind INC-12 tomorrow 9am --note "call the vendor"'],
  minRole: 'requester',
  options: [
    ID,
    {
      name: 'when',
      kind: 'text',
      description: 'When, in your timezone',
      required: true,
      positional: true,
      rest: true,
      maxLength: 100,
    },
    { name: 'note', kind: 'text', description: 'What to remind you of', maxLength: 500 },
  ],
  async run(ctx, o, s) {
    const r = await s.reminders.remind(actingOf(ctx), o.id as string, str(o.when) as string, str(o.note));
    return ephemeral(
      `I will remind you about ${r.ticketId} at ${formatTime(r.dueAt, ctx.now, ctx.timezone)} (${ctx.timezone}), by DM.`,
    );
  },
};
