// The /status family: how the work is going, for a team, a service or everything, over a period of local days.
import type { CommandDef } from '../src/core/command.ts';
import { statusReply } from '../src/core/statusReply.ts';
import { statusArgs } from '../src/domain/summary.ts';
import { sourceAddress } from '../src/services/messaging.ts';

const status: CommandDef = {
  command: 'status',
  name: '',
  summary:
    'Summary of the work: open, opened vs resolved, SLA, MTTA/MTTR, backlog, breaches, on call (in the channel).',
  examples: ['/status', '/status storage week', '/status vpn 2026-03-01..2026-03-07', '/status month'],
  minRole: 'agent',
  options: [
    {
      name: 'scope',
      kind: 'text',
      description: 'A team or a service (default: everything)',
      positional: true,
      maxLength: 60,
    },
    {
      name: 'period',
      kind: 'text',
      description: 'today, week (default), month, or YYYY-MM-DD..YYYY-MM-DD',
      positional: true,
      maxLength: 40,
    },
  ],
  async run(ctx, o, s) {
    const { scope, period } = statusArgs(
      typeof o.scope === 'string' ? o.scope : undefined,
      typeof o.period === 'string' ? o.period : undefined,
    );
    const report = await s.summaries.status(ctx.tenant, scope, period, ctx.now, ctx.timezone);
    const { origin } = ctx;
    // The chart follows as a message of its own, through the outbox, which uploads it on each platform.
    await s.summaries.postChart(
      ctx.tenant,
      sourceAddress(origin),
      report.summary,
      origin.platform === 'slack' ? origin.thread : undefined,
    );
    return statusReply(report, ctx.timezone);
  },
};

export const statusCommands: readonly CommandDef[] = [status];
