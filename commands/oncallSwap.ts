// The /oncall family, swaps: propose a shift swap to a teammate, and their Accept / Decline.
import type { CommandContext, CommandDef } from '../src/core/command.ts';
import { UserError } from '../src/domain/errors.ts';
import { parseWhen } from '../src/domain/when.ts';
import { ephemeral } from '../src/present/reply.ts';
import { formatTime } from '../src/present/time.ts';
import { actingOf } from './acting.ts';
import { TEAM } from './team.ts';

const EXAMPLE = '/oncall swap storage @ada "tomorrow 10:00"';

function whenOf(text: string, ctx: CommandContext): Date {
  const t = text.replace(/^["']|["']$/g, '').trim();
  // "now" names the shift running at this moment, which parseWhen (future times only) would refuse.
  if (t.toLowerCase() === 'now') return ctx.now;
  const r = parseWhen(t, ctx.now, ctx.timezone);
  if (r.ok) return r.value;
  throw new UserError(
    'ONCALL.BAD_TIME',
    `<when>: ${r.error}.`,
    `Give a time inside your shift, e.g. ${r.examples.map((e) => `"${e}"`).join(' or ')}; the whole command: ${EXAMPLE}`,
    'when',
  );
}

const swap: CommandDef = {
  command: 'oncall',
  name: 'swap',
  summary: 'Propose a swap: the teammate covers your shift containing <when>, you cover their next one.',
  examples: [EXAMPLE, '/oncall swap storage @ada now'],
  minRole: 'agent',
  options: [
    TEAM,
    { name: 'person', kind: 'user', description: 'Who to swap with', required: true, positional: true },
    {
      name: 'when',
      kind: 'text',
      description: 'A time inside your shift (your timezone)',
      required: true,
      positional: true,
      rest: true,
      maxLength: 100,
    },
  ],
  async run(ctx, o, s) {
    const when = whenOf(o.when as string, ctx);
    const p = await s.swaps.propose(actingOf(ctx), o.team as string, o.person as string, when);
    const at = (d: Date) => formatTime(d, ctx.now, ctx.timezone);
    return ephemeral(
      `Asked ${p.target.name} to swap in ${p.team}: they cover your shift ${at(p.give.from)} → ${at(p.give.to)}, you cover theirs ${at(p.take.from)} → ${at(p.take.to)} (${ctx.timezone}). You will be told their answer.`,
    );
  },
};

const ID = {
  name: 'id',
  kind: 'text',
  description: 'The swap, as on its buttons',
  required: true,
  positional: true,
  maxLength: 20,
} as const;

const accept: CommandDef = {
  command: 'oncall',
  name: 'swap-accept',
  summary: 'Accept a shift swap you were asked (the Accept button).',
  examples: ['/oncall swap-accept sw-0123456789'],
  minRole: 'agent',
  options: [ID],
  async run(ctx, o, s) {
    const { swap: p } = await s.swaps.answer(actingOf(ctx), o.id as string, true);
    const at = (d: Date) => formatTime(d, ctx.now, ctx.timezone);
    return ephemeral(
      `Swapped in ${p.team}: you cover ${at(p.give.from)} → ${at(p.give.to)}, ${p.proposer.name} covers ${at(p.take.from)} → ${at(p.take.to)} (${ctx.timezone}).`,
    );
  },
};

const decline: CommandDef = {
  command: 'oncall',
  name: 'swap-decline',
  summary: 'Decline a shift swap you were asked (the Decline button).',
  examples: ['/oncall swap-decline sw-0123456789'],
  minRole: 'agent',
  options: [ID],
  async run(ctx, o, s) {
    const { swap: p } = await s.swaps.answer(actingOf(ctx), o.id as string, false);
    return ephemeral(`Declined ${p.proposer.name}'s swap in ${p.team}; ${p.proposer.name} is told.`);
  },
};

export const oncallSwapCommands: readonly CommandDef[] = [swap, accept, decline];
