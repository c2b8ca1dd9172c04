// /ticket action: follow-up actions on an incident or a problem (the continual improvement register): recorded with an
// owner and a due time, listed, marked done (with a link) or deferred (with a reason).
import type { CommandContext, CommandDef, CommandServices, OptionValues } from '../src/core/command.ts';
import { UserError } from '../src/domain/errors.ts';
import { ephemeral, type Reply } from '../src/present/reply.ts';
import { formatTime } from '../src/present/time.ts';
import { actingOf } from './acting.ts';
import { str } from './ticketShared.ts';

const FORMS = [
  '/ticket action INC-4 "Alert on disk usage" --owner @ada --due "friday 9am"',
  '/ticket action list [--mine] [--overdue] [--service vpn]',
  '/ticket action done ACT-3 [https://git.example.com/infra/pull/42]',
  '/ticket action defer ACT-3 "replaced by the monitoring project"',
];

const usage = (code: 'USAGE.BAD_OPTION' | 'USAGE.MISSING', what: string, field?: string) =>
  new UserError(code, what, `The forms: ${FORMS.join(' · ')}`, field);

/** Options that belong to another form of the command than the one typed. */
function refuseOptions(o: OptionValues, names: readonly string[], form: string): void {
  const given = names.filter((n) => o[n] !== undefined && o[n] !== false);
  if (given.length > 0) {
    throw usage('USAGE.BAD_OPTION', `${form} takes no ${given.map((n) => `--${n}`).join(', ')}.`, given[0]);
  }
}

/** `ACT-3 the rest…` as the id and the rest. */
function idAndRest(text: string | undefined, verb: string): { id: string; rest: string | undefined } {
  const t = text?.trim() ?? '';
  if (t === '') throw usage('USAGE.MISSING', `Say which action: /ticket action ${verb} ACT-3 …`, 'what');
  const space = t.search(/\s/);
  return space === -1 ? { id: t, rest: undefined } : { id: t.slice(0, space), rest: t.slice(space + 1).trim() };
}

async function ended(ctx: CommandContext, o: OptionValues, s: CommandServices, verb: 'done' | 'defer') {
  refuseOptions(o, ['owner', 'due', 'mine', 'overdue', 'service'], `/ticket action ${verb}`);
  const { id, rest } = idAndRest(str(o.what), verb);
  const acting = actingOf(ctx);
  const a = verb === 'done' ? await s.actions.done(acting, id, rest) : await s.actions.defer(acting, id, rest);
  const how =
    a.state === 'done' ? `done${a.ended?.link ? `: ${a.ended.link}` : ''}` : `deferred: ${a.ended?.reason ?? ''}`;
  return ephemeral(
    `${a.actionId} on ${a.ticketId} (${a.what}) is ${how}. ${a.owner.name} is not reminded of it any more.`,
  );
}

async function record(ctx: CommandContext, o: OptionValues, s: CommandServices, ticketId: string): Promise<Reply> {
  refuseOptions(o, ['mine', 'overdue', 'service'], '/ticket action <INC-n|PRB-n>');
  const r = await s.actions.record(actingOf(ctx), {
    ticketId,
    what: str(o.what),
    owner: str(o.owner),
    due: str(o.due),
  });
  const a = r.action;
  return ephemeral(
    [
      `Recorded ${a.actionId} on ${a.ticketId}: ${a.what}.`,
      `Owner ${a.owner.name}, due ${formatTime(a.dueAt, ctx.now, ctx.timezone)} (${ctx.timezone}).`,
      `${a.owner.name} is reminded by DM from ${formatTime(r.firstReminder, ctx.now, ctx.timezone)}, then each business day (Mon–Fri, ${r.ownerZone}) until /ticket action done ${a.actionId}.`,
    ].join(' '),
  );
}

export const ticketAction: CommandDef = {
  command: 'ticket',
  name: 'action',
  summary: 'Follow-up actions on an incident or problem: record; list; done <ACT-n> [link]; defer <ACT-n> <why>.',
  examples: FORMS.map((f) =>
    f.replace(' [--mine] [--overdue] [--service vpn]', ' --overdue').replace(/\[(https[^\]]+)\]/, '$1'),
  ),
  minRole: 'requester',
  options: [
    {
      name: 'first',
      kind: 'text',
      description: 'The incident or problem (INC-4, PRB-2); or list, done, defer',
      placeholder: 'INC-n|PRB-n|list|done|defer',
      required: true,
      positional: true,
      autocomplete: true,
      maxLength: 20,
    },
    {
      name: 'what',
      kind: 'text',
      description: 'What is to be done (after done: ACT-n and a link; after defer: ACT-n and the reason)',
      positional: true,
      rest: true,
      maxLength: 400,
    },
    { name: 'owner', kind: 'user', description: 'Who owns it (someone the bot has seen)' },
    {
      name: 'due',
      kind: 'text',
      description: 'When it is due, in your timezone: "friday 9am", 2026-12-24',
      maxLength: 100,
    },
    { name: 'mine', kind: 'flag', description: 'list: only the actions I own' },
    { name: 'overdue', kind: 'flag', description: 'list: only those past their due time' },
    { name: 'service', kind: 'text', description: 'list: only those on this service', maxLength: 100 },
  ],
  async run(ctx, o, s) {
    const first = (str(o.first) as string).trim();
    const word = first.toLowerCase();
    if (word === 'list') {
      refuseOptions(o, ['owner', 'due'], '/ticket action list');
      if (str(o.what)) throw usage('USAGE.BAD_OPTION', '/ticket action list takes only --mine, --overdue, --service.');
      return s.actions.list(actingOf(ctx), {
        mine: o.mine === true,
        overdue: o.overdue === true,
        ...(str(o.service) ? { service: str(o.service) as string } : {}),
      });
    }
    if (word === 'done' || word === 'defer') return ended(ctx, o, s, word);
    return record(ctx, o, s, first);
  },
};
