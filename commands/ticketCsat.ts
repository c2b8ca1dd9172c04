// /ticket csat: the requester rates how a resolved ticket went (the 1-5 buttons of the DM run it too).
import type { CommandDef } from '../src/core/command.ts';
import { CSAT_COMMENT_MAX, csatTarget, parseCsatScore } from '../src/domain/csat.ts';
import { ephemeral } from '../src/present/reply.ts';
import { actingOf } from './acting.ts';
import { str } from './ticketShared.ts';

export const ticketCsat: CommandDef = {
  command: 'ticket',
  name: 'csat',
  summary: 'Rate how your resolved ticket went, 1 (poor) to 5 (great), with an optional comment.',
  examples: ['/ticket csat INC-12 5', '/ticket csat INC-12 2 took three days to hear back'],
  minRole: 'requester',
  options: [
    // Text, not a ticket id: a button sends `INC-12:5`, the ticket and the score in one value.
    {
      name: 'id',
      kind: 'text',
      description: 'Ticket id, like INC-12',
      required: true,
      positional: true,
      maxLength: 24,
    },
    { name: 'score', kind: 'text', description: '1 (poor) to 5 (great)', positional: true, maxLength: 8 },
    {
      name: 'comment',
      kind: 'text',
      description: 'What made it so (optional)',
      positional: true,
      rest: true,
      multiline: true,
      maxLength: CSAT_COMMENT_MAX,
    },
  ],
  async run(ctx, o, s) {
    const target = csatTarget(o.id as string, str(o.score));
    const score = parseCsatScore(target.score);
    const a = await s.csat.answer(actingOf(ctx), target.ticketId, score, str(o.comment));
    return ephemeral(
      `Thank you: ${a.ticketId} is rated ${a.score}/5${a.comment ? ' with your comment' : ''}. ${a.score >= 4 ? 'Glad it went well.' : 'The team will see it.'}`,
    );
  },
};
