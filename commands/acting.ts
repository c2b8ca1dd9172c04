// The bridge from a command's context to a use case's Acting.
import type { CommandContext } from '../src/core/command.ts';
import type { Acting } from '../src/services/acting.ts';

export function actingOf(ctx: CommandContext): Acting {
  return {
    tenant: ctx.tenant,
    person: ctx.person,
    role: ctx.role,
    now: ctx.now,
    timezone: ctx.timezone,
    source: {
      platform: ctx.origin.platform,
      workspace: ctx.origin.workspace,
      ...(ctx.origin.channel ? { channel: ctx.origin.channel } : {}),
      ...(ctx.origin.messageLink ? { messageLink: ctx.origin.messageLink } : {}),
    },
    ...(ctx.origin.thread ? { thread: ctx.origin.thread } : {}),
    ...(ctx.origin.saidInThread && ctx.origin.channel && ctx.origin.thread
      ? { saidIn: { channel: ctx.origin.channel, thread: ctx.origin.thread } }
      : {}),
  };
}
