// The /oncall family, paging: the escalation policy, paging a team or a person, acknowledging, escalating now.
import type { CommandDef } from '../src/core/command.ts';
import { parseUserRef } from '../src/core/parser.ts';
import { formatDuration } from '../src/domain/duration.ts';
import { UserError } from '../src/domain/errors.ts';
import { formatPolicy, POLICY_EXAMPLES } from '../src/domain/escalation.ts';
import { ephemeral } from '../src/present/reply.ts';
import { formatTime } from '../src/present/time.ts';
import { actingOf } from './acting.ts';

const policy: CommandDef = {
  command: 'oncall',
  name: 'policy',
  summary: 'Set a team\'s escalation policy: who is paged at which level (each "after" counts from the first page).',
  examples: POLICY_EXAMPLES,
  minRole: 'manager',
  options: [
    { name: 'team', kind: 'text', description: 'Team name', required: true, positional: true, maxLength: 40 },
    {
      name: 'policy',
      kind: 'text',
      description: '"oncall; @carol after 5m; team, #C0123ABC after 15m"',
      required: true,
      positional: true,
      rest: true,
      maxLength: 1000,
    },
    { name: 'repeat', kind: 'text', description: 'Run the whole policy again N times (0-9)', maxLength: 2 },
  ],
  async run(ctx, o, s) {
    const read = (raw: string) => parseUserRef(raw, ctx.origin.platform, ctx.actor.id);
    const team = await s.teams.setPolicy(
      actingOf(ctx),
      o.team as string,
      o.policy as string,
      typeof o.repeat === 'string' ? o.repeat : undefined,
      read,
    );
    const p = s.teams.policyOf(team);
    const people = [...new Set(p.levels.flatMap((l) => l.targets.flatMap((t) => (t.kind === 'person' ? [t.id] : []))))];
    const names = new Map(
      await Promise.all(people.map(async (id) => [id, await s.people.nameOf(ctx.tenant, id)] as const)),
    );
    return ephemeral(`${team.name} pages: ${formatPolicy(p, (id) => names.get(id) ?? id)}.`);
  },
};

const page: CommandDef = {
  command: 'oncall',
  name: 'page',
  summary: 'Page a team (its escalation policy) or one person: opens a P2 incident to acknowledge.',
  examples: ['/oncall page storage "the backup disk is full"', '/oncall page @ada the VPN is down'],
  minRole: 'agent',
  options: [
    { name: 'who', kind: 'text', description: 'A team, or @person', required: true, positional: true, maxLength: 80 },
    {
      name: 'message',
      kind: 'text',
      description: 'What is wrong',
      required: true,
      positional: true,
      rest: true,
      maxLength: 500,
    },
  ],
  async run(ctx, o, s) {
    const who = (o.who as string).trim();
    let target = who;
    if (who.startsWith('@') || /^[a-z]+:/.test(who)) {
      const identity = parseUserRef(who, ctx.origin.platform, ctx.actor.id);
      if (!identity) {
        throw new UserError(
          'ONCALL.BAD_TARGET',
          `${who.slice(0, 40)} is not a person I know: mention them, or name a team.`,
          'Try: /oncall page storage "disk full", or /oncall page @ada disk full',
          'who',
        );
      }
      target = `@${identity}`;
    }
    const message = (o.message as string).replace(/^["']|["']$/g, '').trim();
    const r = await s.paging.page(actingOf(ctx), target, message);
    const whom = r.team ? `${r.team.name} (its escalation policy)` : (r.person?.name ?? target.replace(/^@/, ''));
    return ephemeral(
      `Paging ${whom} about ${r.ticket.ticketId}: ${r.ticket.title}. Acknowledge with /oncall ack ${r.ticket.ticketId}.`,
    );
  },
};

const ID = {
  name: 'id',
  kind: 'ticket',
  description: 'The paged incident, like INC-3',
  required: true,
  positional: true,
} as const;

const ack: CommandDef = {
  command: 'oncall',
  name: 'ack',
  summary: 'Acknowledge a page: its escalation stops, and every copy of it says who took it.',
  examples: ['/oncall ack INC-3'],
  minRole: 'agent',
  options: [ID],
  async run(ctx, o, s) {
    const r = await s.paging.ack(actingOf(ctx), o.id as string);
    if (!r.first) {
      return ephemeral(
        `${r.ack.ticketId} was acknowledged already by ${r.ack.by.name} at ${formatTime(r.ack.at, ctx.now, ctx.timezone)}.`,
      );
    }
    return ephemeral(`You acknowledged ${r.ack.ticketId} (MTTA ${formatDuration(r.ack.mttaMs)}); paging stopped.`);
  },
};

const escalate: CommandDef = {
  command: 'oncall',
  name: 'escalate',
  summary: 'Escalate a page now: its next level is paged at once, and the policy goes on from there.',
  examples: ['/oncall escalate INC-3'],
  minRole: 'agent',
  options: [ID],
  async run(ctx, o, s) {
    const r = await s.paging.escalate(actingOf(ctx), o.id as string);
    return ephemeral(`Escalated ${(o.id as string).toUpperCase()} to level ${r.level}: paging ${r.targets} now.`);
  },
};

export const oncallPagingCommands: readonly CommandDef[] = [policy, page, ack, escalate];
