// /ticket pir: the post-incident reviews of P1/P2 incidents, listed, and marked done with the document's link.
import type { CommandDef } from '../src/core/command.ts';
import { UserError } from '../src/domain/errors.ts';
import { ephemeral } from '../src/present/reply.ts';
import { formatTime } from '../src/present/time.ts';
import { actingOf } from './acting.ts';
import { str } from './ticketShared.ts';

const usage = (what: string) =>
  new UserError(
    'USAGE.BAD_ARGS',
    what,
    'Try: /ticket pir list, or /ticket pir INC-12 done https://wiki.example.com/pir/INC-12',
    'action',
  );

export const ticketPir: CommandDef = {
  command: 'ticket',
  name: 'pir',
  summary: 'Post-incident reviews: list the open ones, or mark one done with the link to its document.',
  examples: ['/ticket pir list', '/ticket pir INC-12 done https://wiki.example.com/pir/INC-12'],
  minRole: 'requester',
  options: [
    {
      name: 'what',
      kind: 'text',
      description: '"list", or the incident, like INC-12',
      required: true,
      positional: true,
      maxLength: 20,
    },
    { name: 'action', kind: 'text', description: '"done"', positional: true, maxLength: 20 },
    {
      name: 'link',
      kind: 'text',
      description: 'The PIR document, https://…',
      positional: true,
      rest: true,
      maxLength: 600,
    },
  ],
  async run(ctx, o, s) {
    const what = (str(o.what) as string).trim();
    const action = str(o.action)?.toLowerCase();
    const acting = actingOf(ctx);
    if (what.toLowerCase() === 'list') {
      if (action !== undefined) throw usage('/ticket pir list takes nothing more.');
      await s.pirs.list(acting);
      const reply = await s.pirs.listReply(ctx.tenant, ctx.now, ctx.timezone);
      return { ...reply, visibility: 'ephemeral' };
    }
    if (action !== 'done') throw usage(`Say what to do with ${what}'s PIR: done <link>.`);
    const link = str(o.link);
    if (!link) throw usage(`Give the link to the PIR document: /ticket pir ${what} done <link>.`);
    const r = await s.pirs.markDone(acting, what, link);
    const lines = [
      `PIR for ${r.pir.ticketId} is done: ${r.pir.done?.link} (${formatTime(ctx.now, ctx.now, ctx.timezone)}).`,
      r.told ? `Told ${r.told}.` : 'The incident came from no channel I can post in, so no channel was told.',
      r.onHistory
        ? `It is on ${r.pir.ticketId}'s history.`
        : `${r.pir.ticketId}'s history is closed to it: the link is kept on the PIR.`,
    ];
    return ephemeral(lines.join('\n'));
  },
};
