// /role and /link: who may do what, and one person across Slack, Discord and the terminal.

import type { CommandDef } from '../src/core/command.ts';
import { ROLES, type Role } from '../src/domain/roles.ts';
import { ephemeral } from '../src/present/reply.ts';

const USER = {
  name: 'user',
  kind: 'user' as const,
  description: 'A mention, or "me"',
  required: true,
  positional: true,
};

const roleGrant: CommandDef = {
  command: 'role',
  name: 'grant',
  summary: 'Give someone a role: agent, manager or admin.',
  examples: ['/role grant @ada agent'],
  minRole: 'admin',
  options: [
    USER,
    { name: 'role', kind: 'choice', choices: ROLES, description: 'The role', required: true, positional: true },
  ],
  async run(ctx, o, s) {
    const who = await s.people.grantRole(ctx.tenant, ctx.person, o.user as string, o.role as Role, ctx.now);
    return ephemeral(`${who.name} is now ${o.role === 'admin' || o.role === 'agent' ? 'an' : 'a'} ${o.role}.`);
  },
};

const roleRevoke: CommandDef = {
  command: 'role',
  name: 'revoke',
  summary: 'Take a granted role away (back to requester).',
  examples: ['/role revoke @ada'],
  minRole: 'admin',
  options: [USER],
  async run(ctx, o, s) {
    const who = await s.people.revokeRole(ctx.tenant, o.user as string);
    return ephemeral(`${who.name} is a requester again.`);
  },
};

const roleShow: CommandDef = {
  command: 'role',
  name: 'show',
  summary: "Show your role, someone else's, or (admins) everyone with a role.",
  examples: ['/role show', '/role show @ada', '/role show --all'],
  minRole: 'requester',
  options: [
    { ...USER, required: false },
    { name: 'all', kind: 'flag', description: 'Everyone with a role (admins)' },
  ],
  async run(ctx, o, s) {
    if (o.all === true) {
      if (!s.people.isAtLeast(ctx.role, 'admin')) {
        return ephemeral("Listing everyone's roles needs the admin role.", { error: 'PERMISSION.DENIED' });
      }
      const rows = await s.people.describeRoles(ctx.tenant);
      // People are named by their display names; the identity only tells apart two who share one.
      const shared = (r: (typeof rows)[number]) => rows.some((o) => o.name === r.name && o.identity !== r.identity);
      const lines = rows.map(
        (r) => `${r.name}${shared(r) ? ` (${r.identity})` : ''}: ${r.role}${r.configured ? ' (configured)' : ''}`,
      );
      return ephemeral(['Roles:', ...lines].join('\n'), { list: lines });
    }
    const who = typeof o.user === 'string' ? o.user : ctx.actor.id;
    const role = who === ctx.actor.id ? ctx.role : await s.people.roleFor(ctx.tenant, who);
    const subject = who === ctx.actor.id ? 'You are' : `${await s.people.nameOf(ctx.tenant, who)} is`;
    return ephemeral(`${subject} ${role === 'admin' || role === 'agent' ? 'an' : 'a'} ${role}.`);
  },
};

const link: CommandDef = {
  command: 'link',
  name: '',
  summary: 'Link your Slack, Discord and terminal identities: run it once for a code, then with the code elsewhere.',
  examples: ['/link', '/link 482913'],
  minRole: 'requester',
  options: [
    { name: 'code', kind: 'text', description: 'The code from your other platform', positional: true, maxLength: 20 },
  ],
  async run(ctx, o, s) {
    if (typeof o.code !== 'string') {
      const code = await s.people.startLink(ctx.tenant, ctx.actor.id, ctx.now);
      return ephemeral(`Your link code is ${code}. Within 10 minutes, run /link ${code} on your other platform.`);
    }
    if (!/^\d{6}$/.test(o.code)) {
      return ephemeral(`"${o.code.slice(0, 20)}" is not a link code: codes are 6 digits. Run /link alone to get one.`, {
        error: 'USAGE.BAD_VALUE',
        errorField: 'code',
      });
    }
    const person = await s.people.finishLink(ctx.tenant, ctx.actor.id, o.code, ctx.now);
    const where = person.identity.slice(0, person.identity.indexOf(':'));
    return ephemeral(`Linked: you and ${person.name} (${where}) are now one person.`);
  },
};

export const adminCommands: readonly CommandDef[] = [roleGrant, roleRevoke, roleShow, link];
