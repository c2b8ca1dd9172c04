// The /freeze family: periods when changes should not happen; a change planned inside one needs an admin's approval.
import type { CommandDef } from '../src/core/command.ts';
import { UserError } from '../src/domain/errors.ts';
import { parseWhen } from '../src/domain/when.ts';
import { shownThroughout } from '../src/kit/typedText.ts';
import { ephemeral } from '../src/present/reply.ts';
import { formatTime } from '../src/present/time.ts';
import { MANAGE_FREEZES } from '../src/services/freezes.ts';
import { actingOf } from './acting.ts';

const EXAMPLES = '/freeze add "2026-12-20 00:00" "2027-01-04 00:00" year-end freeze';

function timeOf(option: 'from' | 'to', text: string, now: Date, timezone: string): Date {
  const r = parseWhen(text, now, timezone);
  if (r.ok) return r.value;
  throw new UserError(
    'FREEZE.BAD_TIME',
    `<${option}>: ${r.error}.`,
    `For example: ${r.examples.map((e) => `"${e}"`).join(' or ')}; the whole command: ${EXAMPLES}`,
    option,
  );
}

const freezeAdd: CommandDef = {
  command: 'freeze',
  name: 'add',
  summary: 'Declare a change freeze (times in your timezone; quote times with spaces).',
  examples: [EXAMPLES, '/freeze add "friday 18:00" "monday 08:00" release weekend'],
  minRole: MANAGE_FREEZES.role,
  options: [
    { name: 'from', kind: 'text', description: 'When it starts', required: true, positional: true, maxLength: 100 },
    { name: 'to', kind: 'text', description: 'When it ends', required: true, positional: true, maxLength: 100 },
    {
      name: 'reason',
      kind: 'text',
      description: 'Why changes are frozen',
      required: true,
      positional: true,
      rest: true,
      maxLength: 500,
    },
  ],
  async run(ctx, o, s) {
    const from = timeOf('from', o.from as string, ctx.now, ctx.timezone);
    const to = timeOf('to', o.to as string, ctx.now, ctx.timezone);
    if (to.getTime() <= from.getTime()) {
      throw UserError.of('FREEZE.BAD_WINDOW', {}, `For example: ${EXAMPLES}`, 'to');
    }
    const f = await s.tickets.cab.freezes.addFreeze(actingOf(ctx), { from, to }, o.reason as string);
    return shownThroughout(ephemeral(`${f.freezeId} added: changes frozen ${span(f, ctx)}: ${f.reason}`));
  },
};

const span = (f: { from: Date; to: Date }, ctx: { now: Date; timezone: string }): string =>
  `${formatTime(f.from, ctx.now, ctx.timezone)} → ${formatTime(f.to, ctx.now, ctx.timezone)} (${ctx.timezone})`;

const freezeList: CommandDef = {
  command: 'freeze',
  name: 'list',
  summary: 'List the change freezes not yet over.',
  examples: ['/freeze list'],
  minRole: 'requester',
  options: [],
  async run(ctx, _o, s) {
    const freezes = await s.tickets.cab.freezes.listFreezes(ctx.tenant, ctx.now);
    if (freezes.length === 0) return ephemeral('No change freeze is planned.');
    const lines = freezes.map((f) => `${f.freezeId} · ${span(f, ctx)} · ${f.reason} · by ${f.by.name}`);
    return shownThroughout(
      ephemeral([`Change freezes (${freezes.length}):`, ...lines.map((l) => `• ${l}`)].join('\n'), {
        header: 'Change freezes',
        list: lines,
      }),
    );
  },
};

const freezeRemove: CommandDef = {
  command: 'freeze',
  name: 'remove',
  summary: 'Lift a change freeze.',
  examples: ['/freeze remove FRZ-1'],
  minRole: MANAGE_FREEZES.role,
  options: [
    { name: 'id', kind: 'text', description: 'Freeze id, like FRZ-1', required: true, positional: true, maxLength: 20 },
  ],
  async run(ctx, o, s) {
    const f = await s.tickets.cab.freezes.removeFreeze(actingOf(ctx), o.id as string);
    return shownThroughout(ephemeral(`${f.freezeId} removed (${f.reason}).`));
  },
};

export const freezeCommands: readonly CommandDef[] = [freezeAdd, freezeList, freezeRemove];
