// The /oncall family, schedules: who is on call, rotations, overrides, the coming shifts, taking a shift, gaps.
import type { CommandContext, CommandDef } from '../src/core/command.ts';
import type { PersonRef } from '../src/domain/entities.ts';
import { UserError } from '../src/domain/errors.ts';
import { ROTATION_EXAMPLES } from '../src/domain/oncall.ts';
import { parseWhen } from '../src/domain/when.ts';
import { shownThroughout } from '../src/kit/typedText.ts';
import { ephemeral } from '../src/present/reply.ts';
import { formatTime } from '../src/present/time.ts';
import type { Team } from '../src/services/teams.ts';
import { actingOf } from './acting.ts';
import { onCallLine, peopleIn, TEAM } from './team.ts';

const OVERRIDE_EXAMPLE = '/oncall override storage @ada "today 18:00" "tomorrow 09:00"';

function timeOf(option: string, text: string, ctx: CommandContext, example: string): Date {
  const r = parseWhen(text, ctx.now, ctx.timezone);
  if (r.ok) return r.value;
  throw new UserError(
    'ONCALL.BAD_TIME',
    `<${option}>: ${r.error}.`,
    `For example: ${r.examples.map((e) => `"${e}"`).join(' or ')}; the whole command: ${example}`,
    option,
  );
}

const at = (d: Date, ctx: CommandContext) => formatTime(d, ctx.now, ctx.timezone);
const nameOf = (team: Team, personId: string) => team.members.find((m) => m.id === personId)?.name ?? personId;

/** Who a rotation or an override brought into the team, said in the reply: joining is never silent. */
const joinedNote = (joined: readonly PersonRef[], team: string) =>
  joined.length ? ` ${joined.map((p) => p.name).join(', ')} joined ${team}.` : '';

const now: CommandDef = {
  command: 'oncall',
  name: 'now',
  fallback: true,
  summary: 'Who is on call now: every team, or the one named (a team or a service it owns).',
  examples: ['/oncall', '/oncall storage', '/oncall db'],
  minRole: 'requester',
  options: [{ name: 'team', kind: 'text', description: 'A team, or a service', positional: true, maxLength: 60 }],
  async run(ctx, o, s) {
    const answers = await s.teams.onCall(ctx.tenant, typeof o.team === 'string' ? o.team : undefined, ctx.now);
    if (answers.length === 0) return ephemeral('No team yet. A manager creates one with /team create <name>.');
    const lines = answers.map((a) => `${a.team.name}: ${onCallLine(a.team, s, ctx)}`);
    return shownThroughout(
      ephemeral(['On call now:', ...lines.map((l) => `• ${l}`)].join('\n'), { header: 'On call now', list: lines }),
    );
  },
};

const rotation: CommandDef = {
  command: 'oncall',
  name: 'rotation',
  summary: 'Create or replace a rotation layer of a team (default: weekly, Monday 09:00 your time, from now, layer 1).',
  examples: ROTATION_EXAMPLES.slice(0, 3),
  minRole: 'manager',
  options: [
    TEAM,
    {
      name: 'people',
      kind: 'text',
      description: 'Who takes turns, in order',
      required: true,
      positional: true,
      rest: true,
      maxLength: 2000,
    },
    { name: 'every', kind: 'text', description: '12h, 1d, 1w …', maxLength: 10 },
    { name: 'handoff', kind: 'text', description: '"09:00", or "Mon 09:00" for weekly', maxLength: 20 },
    { name: 'tz', kind: 'text', description: 'Timezone (Area/City)', maxLength: 60 },
    { name: 'start', kind: 'text', description: 'When the first shift starts', maxLength: 100 },
    { name: 'layer', kind: 'text', description: 'Layer number (higher wins)', maxLength: 3 },
  ],
  async run(ctx, o, s) {
    const who = peopleIn(o.people as string, ctx, 'people', ROTATION_EXAMPLES[0] as string);
    const opt = (k: string) => (typeof o[k] === 'string' ? { [k]: o[k] as string } : {});
    const { team, joined } = await s.teams.setRotation(actingOf(ctx), o.team as string, who, {
      ...opt('every'),
      ...opt('handoff'),
      ...opt('tz'),
      ...opt('start'),
      ...opt('layer'),
    });
    const coming = s.teams.coming(team, ctx.now, 14).slice(0, 3);
    const lines = coming.map((c) => `${nameOf(team, c.person)} ${at(c.from, ctx)} → ${at(c.to, ctx)}`);
    return shownThroughout(
      ephemeral(
        [
          `${team.name}'s rotation is set.${joinedNote(joined, team.name)} Coming shifts (${ctx.timezone}):`,
          ...lines.map((l) => `• ${l}`),
        ].join('\n'),
      ),
    );
  },
};

const override: CommandDef = {
  command: 'oncall',
  name: 'override',
  summary: 'Someone covers a span (times in your timezone).',
  examples: [OVERRIDE_EXAMPLE],
  minRole: 'manager',
  options: [
    TEAM,
    { name: 'person', kind: 'user', description: 'Who covers', required: true, positional: true },
    { name: 'from', kind: 'text', description: 'From', required: true, positional: true, maxLength: 100 },
    { name: 'to', kind: 'text', description: 'To', required: true, positional: true, maxLength: 100 },
  ],
  async run(ctx, o, s) {
    const from = timeOf('from', o.from as string, ctx, OVERRIDE_EXAMPLE);
    const to = timeOf('to', o.to as string, ctx, OVERRIDE_EXAMPLE);
    const { team, joined } = await s.teams.addOverride(actingOf(ctx), o.team as string, o.person as string, from, to);
    const person = team.members.find((m) => m.identity === o.person)?.name ?? (o.person as string);
    return shownThroughout(
      ephemeral(
        `${person} covers ${team.name} ${at(from, ctx)} → ${at(to, ctx)} (${ctx.timezone}).${joinedNote(joined, team.name)}`,
      ),
    );
  },
};

const take: CommandDef = {
  command: 'oncall',
  name: 'take',
  summary: 'Cover the current shift yourself (until its end, or until the time you say).',
  examples: ['/oncall take storage', '/oncall take storage until 18:00'],
  minRole: 'agent',
  options: [
    TEAM,
    { name: 'until', kind: 'text', description: '"until <time>"', positional: true, rest: true, maxLength: 100 },
  ],
  async run(ctx, o, s) {
    const team = await s.teams.get(ctx.tenant, o.team as string);
    const raw = typeof o.until === 'string' ? o.until.trim().replace(/^until\s+/i, '') : '';
    const current = s.teams.onCallIn(team, ctx.now).answer;
    const to = raw ? timeOf('until', raw, ctx, '/oncall take storage until 18:00') : current?.until;
    if (!to) {
      throw new UserError(
        'ONCALL.NO_SHIFT',
        `Nobody is on call for ${team.name} now, so there is no shift to take.`,
        'Say until when: /oncall take storage until 18:00',
      );
    }
    const { team: changed, joined } = await s.teams.addOverride(
      actingOf(ctx),
      team.name,
      ctx.person.identity,
      ctx.now,
      to,
      // The team just read: the change writes over it (no second read).
      team,
    );
    return shownThroughout(
      ephemeral(
        `You are on call for ${changed.name} until ${at(to, ctx)} (${ctx.timezone})${current ? `, covering ${nameOf(team, current.person)}` : ''}.${joined.length ? ` You joined ${changed.name}.` : ''}`,
      ),
    );
  },
};

const schedule: CommandDef = {
  command: 'oncall',
  name: 'schedule',
  summary: "A team's coming shifts (default: the next 7 days).",
  examples: ['/oncall schedule storage', '/oncall schedule storage --days 14'],
  minRole: 'requester',
  options: [TEAM, { name: 'days', kind: 'text', description: 'How many days ahead (1-60)', maxLength: 3 }],
  async run(ctx, o, s) {
    const days = daysOf(o.days, 7);
    const team = await s.teams.get(ctx.tenant, o.team as string);
    const coming = s.teams.coming(team, ctx.now, days);
    const gaps = s.teams.gapsOf(team, ctx.now, days);
    const lines = [
      ...coming.map((c) => ({
        at: c.from,
        line: `${at(c.from, ctx)} → ${at(c.to, ctx)} · ${nameOf(team, c.person)}${c.source === 'override' ? ' (override)' : ''}`,
      })),
      ...gaps.map((g) => ({ at: g.from, line: `${at(g.from, ctx)} → ${at(g.to, ctx)} · nobody` })),
    ]
      .sort((a, b) => a.at.getTime() - b.at.getTime())
      .map((l) => l.line);
    const header = `${team.name}: the next ${days} day${days === 1 ? '' : 's'} (${ctx.timezone})`;
    return shownThroughout(
      ephemeral([header, ...lines.map((l) => `• ${l}`)].join('\n'), {
        header,
        list: lines.length ? lines : ['nobody is on call'],
      }),
    );
  },
};

const gapsCmd: CommandDef = {
  command: 'oncall',
  name: 'gaps',
  summary: 'Coverage check: hours with nobody on call, members the bot cannot DM, policies pointing at nobody.',
  examples: ['/oncall gaps', '/oncall gaps storage --days 14'],
  minRole: 'requester',
  options: [
    { name: 'team', kind: 'text', description: 'Team name (default: every team)', positional: true, maxLength: 40 },
    { name: 'days', kind: 'text', description: 'How many days ahead (1-60, default 14)', maxLength: 3 },
  ],
  async run(ctx, o, s) {
    const days = daysOf(o.days, 14);
    const teams = typeof o.team === 'string' ? [await s.teams.get(ctx.tenant, o.team)] : await s.teams.list(ctx.tenant);
    const lines: string[] = [];
    for (const team of teams) {
      for (const p of await s.teams.coverageProblems(team, ctx.now, days))
        lines.push(`${team.name}: ${p.replace(/\{(\d+)\}/g, (_, ms) => at(new Date(Number(ms)), ctx))}`);
    }
    const header = lines.length
      ? `Coverage: ${lines.length} problem${lines.length === 1 ? '' : 's'} in the next ${days} days`
      : `Coverage: no problems in the next ${days} days`;
    return shownThroughout(
      ephemeral([header, ...lines.map((l) => `• ${l}`)].join('\n'), {
        header,
        list: lines.length ? lines : ['every hour has someone on call'],
      }),
    );
  },
};

function daysOf(raw: unknown, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = typeof raw === 'string' && /^\d{1,2}$/.test(raw.trim()) ? Number(raw) : Number.NaN;
  if (!(n >= 1 && n <= 60)) {
    throw new UserError(
      'USAGE.BAD_NUMBER',
      `--days must be a whole number of days from 1 to 60; got "${String(raw).slice(0, 10)}".`,
      'Try: --days 7, or --days 14',
      'days',
    );
  }
  return n;
}

export const oncallCommands: readonly CommandDef[] = [now, rotation, override, take, schedule, gapsCmd];
