// The /team family: on-call teams, who is in them and the services they own.
import type { CommandContext, CommandDef } from '../src/core/command.ts';
import { broadcastOf, parseUserRef } from '../src/core/parser.ts';
import { UserError } from '../src/domain/errors.ts';
import { formatPolicy } from '../src/domain/escalation.ts';
import { shownThroughout } from '../src/kit/typedText.ts';
import { ephemeral, type Reply } from '../src/present/reply.ts';
import { formatTime } from '../src/present/time.ts';
import type { Team } from '../src/services/teams.ts';
import { actingOf } from './acting.ts';

/** The team a command is about: its first word. */
export const TEAM = {
  name: 'team',
  kind: 'text',
  description: 'Team name',
  required: true,
  positional: true,
  maxLength: 40,
} as const;

/** `@a @b, @c` → identities; a word that is not one person is refused with what it was. */
export function peopleIn(text: string, ctx: CommandContext, option: string, example: string): string[] {
  const words = text.split(/[\s,]+/).filter(Boolean);
  const out: string[] = [];
  for (const w of words) {
    const crowd = broadcastOf(w);
    const who = crowd ? null : parseUserRef(w, ctx.origin.platform, ctx.actor.id);
    if (!who) {
      throw new UserError(
        'USAGE.BAD_USER',
        crowd
          ? `${crowd} is not a person: mention each person.`
          : `"${w.slice(0, 40).replace(/[^\p{L}\p{N}@:._-]/gu, '?')}" is not a mention of a person.`,
        `Try: ${example}`,
        option,
      );
    }
    if (!out.includes(who)) out.push(who);
  }
  if (out.length === 0) throw new UserError('USAGE.MISSING', 'Mention at least one person.', `Try: ${example}`, option);
  return out;
}

export function teamCard(team: Team, ctx: CommandContext, onCall: string, services: readonly string[]): Reply {
  const fields = [
    { label: 'Channel', value: team.channel ?? `none (set one with /team set ${team.name} --channel …)` },
    { label: 'Services', value: services.join(', ') || 'none' },
    { label: 'Members', value: team.members.map((m) => m.name).join(', ') || 'none yet' },
    {
      label: 'Rotations',
      value:
        team.layers
          .map(
            (l) =>
              `layer ${l.layer}: ${l.members.map((id) => team.members.find((m) => m.id === id)?.name ?? id).join(' → ')} every ${l.every}, handoff ${l.handoff.weekday === undefined ? '' : `${['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'][l.handoff.weekday]} `}${l.handoff.time} ${l.timezone}`,
          )
          .join('; ') || 'none yet',
    },
    { label: 'On call now', value: onCall },
    {
      label: 'Escalation',
      value: team.policy
        ? formatPolicy(team.policy.read, (id) => team.members.find((m) => m.identity === id)?.name ?? id)
        : 'the default: oncall; team after 5m; #team-channel after 15m',
    },
  ];
  const overrides = team.overrides.filter((o) => o.to.getTime() > ctx.now.getTime());
  if (overrides.length) {
    fields.push({
      label: 'Overrides',
      value: overrides
        .map(
          (o) =>
            `${team.members.find((m) => m.id === o.person)?.name ?? o.person} ${formatTime(o.from, ctx.now, ctx.timezone)} → ${formatTime(o.to, ctx.now, ctx.timezone)}`,
        )
        .join('; '),
    });
  }
  return ephemeral([`Team ${team.name}`, ...fields.map((f) => `${f.label}: ${f.value}`)].join('\n'), {
    header: `Team ${team.name}`,
    fields,
  });
}

export function onCallLine(team: Team, s: Parameters<CommandDef['run']>[2], ctx: CommandContext): string {
  const now = s.teams.onCallIn(team, ctx.now);
  if (!now.answer) return 'nobody';
  return `${now.person?.name ?? now.answer.person} until ${formatTime(now.answer.until, ctx.now, ctx.timezone)} (${ctx.timezone})${now.answer.covering ? `, covering ${team.members.find((m) => m.id === now.answer?.covering)?.name ?? now.answer.covering}` : ''}`;
}

const create: CommandDef = {
  command: 'team',
  name: 'create',
  summary: 'Create an on-call team, with its channel and the services it owns.',
  examples: ['/team create storage --channel #C0123ABC --services db,backup'],
  minRole: 'manager',
  options: [
    { ...TEAM, name: 'name', description: 'Team name (letters, digits, - and _)' },
    { name: 'channel', kind: 'text', description: 'Where the team is told things (a channel id)', maxLength: 60 },
    {
      name: 'services',
      kind: 'text',
      description: 'Services it runs, comma-separated (declared in the service catalog if new)',
      maxLength: 1000,
    },
  ],
  async run(ctx, o, s) {
    const team = await s.teams.create(actingOf(ctx), o.name as string, {
      ...(typeof o.channel === 'string' ? { channel: o.channel } : {}),
      ...(typeof o.services === 'string' ? { services: o.services } : {}),
    });
    const owns = await s.teams.ownedServices(ctx.tenant, team.name);
    return shownThroughout(
      ephemeral(
        `Team ${team.name} is created${team.channel ? `, telling ${team.channel}` : ''}${owns.length ? `, owning ${owns.join(', ')}` : ''}. Add people with /team add ${team.name} @person.`,
      ),
    );
  },
};

const add: CommandDef = {
  command: 'team',
  name: 'add',
  summary: 'Add people to a team.',
  examples: ['/team add storage @ada @bob'],
  minRole: 'manager',
  options: [
    TEAM,
    {
      name: 'people',
      kind: 'text',
      description: 'The people, mentioned',
      required: true,
      positional: true,
      rest: true,
      maxLength: 2000,
    },
  ],
  async run(ctx, o, s) {
    const who = peopleIn(o.people as string, ctx, 'people', '/team add storage @ada @bob');
    const { team, added } = await s.teams.addMembers(actingOf(ctx), o.team as string, who);
    const text = added.length
      ? `${added.map((p) => p.name).join(', ')} joined ${team.name} (${team.members.length} member${team.members.length === 1 ? '' : 's'}).`
      : `They are all in ${team.name} already.`;
    return shownThroughout(ephemeral(text));
  },
};

const remove: CommandDef = {
  command: 'team',
  name: 'remove',
  summary: 'Take someone out of a team (and its rotations and overrides).',
  examples: ['/team remove storage @bob'],
  minRole: 'manager',
  options: [TEAM, { name: 'person', kind: 'user', description: 'Who leaves', required: true, positional: true }],
  async run(ctx, o, s) {
    const { team, removed } = await s.teams.removeMember(actingOf(ctx), o.team as string, o.person as string);
    return shownThroughout(ephemeral(`${removed.name} left ${team.name}.`));
  },
};

const show: CommandDef = {
  command: 'team',
  name: 'show',
  summary: 'A team: channel, services, members, rotations, who is on call, escalation.',
  examples: ['/team show storage'],
  minRole: 'requester',
  options: [TEAM],
  async run(ctx, o, s) {
    const team = await s.teams.get(ctx.tenant, o.team as string);
    const services = await s.teams.ownedServices(ctx.tenant, team.name);
    return shownThroughout(teamCard(team, ctx, onCallLine(team, s, ctx), services));
  },
};

const list: CommandDef = {
  command: 'team',
  name: 'list',
  summary: 'Every team, with who is on call now.',
  examples: ['/team list'],
  minRole: 'requester',
  options: [],
  async run(ctx, _o, s) {
    const teams = await s.teams.list(ctx.tenant);
    if (teams.length === 0) return ephemeral('No team yet. A manager creates one with /team create <name>.');
    const owned = await Promise.all(teams.map((t) => s.teams.ownedServices(ctx.tenant, t.name)));
    const lines = teams.map(
      (t, i) =>
        `${t.name} · ${t.members.length} member${t.members.length === 1 ? '' : 's'} · ${owned[i]?.join(', ') || 'no services'} · on call: ${onCallLine(t, s, ctx)}`,
    );
    return shownThroughout(
      ephemeral([`Teams (${teams.length}):`, ...lines.map((l) => `• ${l}`)].join('\n'), {
        header: 'Teams',
        list: lines,
      }),
    );
  },
};

const set: CommandDef = {
  command: 'team',
  name: 'set',
  summary: "Change a team's channel (none clears it), or claim services for it; not while it is paged or on duty.",
  examples: ['/team set storage --channel #C0123ABC --services db,backup', '/team set storage --channel none'],
  minRole: 'manager',
  options: [
    TEAM,
    {
      name: 'channel',
      kind: 'text',
      description: 'Where the team is told things (a channel id), or none',
      maxLength: 60,
    },
    {
      name: 'services',
      kind: 'text',
      description: 'Services it takes on, comma-separated (declared in the catalog if new)',
      maxLength: 1000,
    },
  ],
  async run(ctx, o, s) {
    const team = await s.teams.update(actingOf(ctx), o.team as string, {
      ...(typeof o.channel === 'string' ? { channel: o.channel } : {}),
      ...(typeof o.services === 'string' ? { services: o.services } : {}),
    });
    const said = [
      ...(typeof o.channel === 'string' ? [team.channel ? `tells ${team.channel}` : 'has no channel'] : []),
      ...(typeof o.services === 'string'
        ? [`owns ${(await s.teams.ownedServices(ctx.tenant, team.name)).join(', ') || 'no services'}`]
        : []),
    ];
    return shownThroughout(ephemeral(`${team.name} now ${said.join(' and ')}.`));
  },
};

const rename: CommandDef = {
  command: 'team',
  name: 'rename',
  summary: 'Give a team a new name; not while it is paged or on duty.',
  examples: ['/team rename storage storage-eu'],
  minRole: 'manager',
  options: [TEAM, { ...TEAM, name: 'new', description: 'The new name (letters, digits, - and _)' }],
  async run(ctx, o, s) {
    const { from, team } = await s.teams.rename(actingOf(ctx), o.team as string, o.new as string);
    return shownThroughout(
      ephemeral(`${from} is now called ${team.name}. Tickets opened for ${from} keep the name they were opened with.`),
    );
  },
};

const deleteTeam: CommandDef = {
  command: 'team',
  name: 'delete',
  summary: 'Delete a team for good (its rotations, overrides and policy too); not while it is paged or on duty.',
  examples: ['/team delete storage'],
  minRole: 'manager',
  options: [TEAM],
  async run(ctx, o, s) {
    const team = await s.teams.remove(actingOf(ctx), o.team as string);
    return shownThroughout(ephemeral(`Team ${team.name} is deleted.`));
  },
};

export const teamCommands: readonly CommandDef[] = [create, add, remove, set, rename, deleteTeam, show, list];
