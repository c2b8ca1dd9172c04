// The /status family: how the work is going, for a team, a service or everything, over a period of local days.
import type { CommandContext, CommandDef, CommandServices } from '../src/core/command.ts';
import { UserError } from '../src/domain/errors.ts';
import { isoDate } from '../src/domain/localTime.ts';
import { isOnePlace, threadMarkOn } from '../src/domain/platform.ts';
import { statusArgs } from '../src/domain/summary.ts';
import type { Reply } from '../src/present/reply.ts';
import { availabilityFields, servicesStatusReply } from '../src/present/serviceReport.ts';
import { statusReply } from '../src/present/statusReply.ts';
import { sourceAddress } from '../src/services/messaging.ts';
import { daysOf } from '../src/services/serviceStatus.ts';
import type { StatusReads } from '../src/services/summaries.ts';

/**
 * `/status export [period]`: "export" is read from the scope's place, since a family with a bare command takes
 * every line as its options (and Discord allows no bare command beside subcommands).
 */
async function exportReply(ctx: CommandContext, period: string | undefined, s: CommandServices): Promise<Reply> {
  const { origin } = ctx;
  const address = isOnePlace(origin.platform) ? null : sourceAddress(origin);
  if (!isOnePlace(origin.platform) && !address) {
    throw new UserError(
      'STATUS.EXPORT_NO_CHANNEL',
      'An export is uploaded to the channel it is asked in, and this conversation is not one the bot can post a file to.',
      'Ask in a channel the bot is in, for example: /status export week',
    );
  }
  const to = address ? { address, thread: threadMarkOn(origin.platform, origin.thread) } : undefined;
  const e = await s.exports.ticketsCsv(ctx.tenant, period, ctx.now, ctx.timezone, to);
  const days = `${isoDate(e.period.firstDay)}..${isoDate(e.period.lastDay)}`;
  const cut = e.cut ? `, the first ${e.rows} (the period has more: ask for a shorter one)` : '';
  const where = e.uploaded ? `${e.path}, uploaded to this channel` : e.path;
  return {
    text: `Exported ${e.rows} ticket${e.rows === 1 ? '' : 's'} opened ${days} (${ctx.timezone}) as CSV${cut}: ${where}`,
    visibility: 'channel',
  };
}

/** `/status services [period]`: availability and SLA attainment per service, against the targets. */
async function servicesReply(ctx: CommandContext, period: string | undefined, s: CommandServices): Promise<Reply> {
  const report = await s.serviceStatus.report(ctx.tenant, period, ctx.now, ctx.timezone);
  const reply = servicesStatusReply({
    rows: report.rows,
    days: daysOf(report.current),
    timezone: ctx.timezone,
    openCut: report.openCut,
  });
  const chart = await s.serviceStatus.chartReply(report);
  const address = sourceAddress(ctx.origin);
  if (chart && address) {
    await s.outbox.toChannel(
      address,
      chart,
      { tenant: ctx.tenant },
      threadMarkOn(ctx.origin.platform, ctx.origin.thread),
    );
  }
  return reply;
}

/** The declared service a /status scope names (the catalog is kept in process), else null. */
async function declaredService(ctx: CommandContext, scope: string | undefined, s: CommandServices) {
  const name = scope?.trim().toLowerCase();
  if (!name) return null;
  return (await s.catalog.list(ctx.tenant)).some((c) => c.name === name) ? name : null;
}

/**
 * `/status <service>` on a declared service: its availability and SLA attainment under the header, from what
 * /status read (its facts read on as far as the report needs them, its open tickets): nothing is read twice.
 */
async function withAvailability(
  ctx: CommandContext,
  reply: Reply,
  name: string,
  period: string | undefined,
  known: StatusReads,
  s: CommandServices,
) {
  const report = await s.serviceStatus.report(ctx.tenant, period, ctx.now, ctx.timezone, name, known);
  const row = report.rows[0];
  if (!row) return reply;
  const extra = availabilityFields(row, daysOf(report.current));
  const [first, ...rest] = reply.text.split('\n');
  return {
    ...reply,
    text: [first, ...extra.map((f) => `${f.label}: ${f.value}`), ...rest].join('\n'),
    fields: [...extra, ...(reply.fields ?? [])],
  };
}

const status: CommandDef = {
  command: 'status',
  name: '',
  summary:
    'Summary of the work: open, opened vs resolved, SLA, MTTA/MTTR, backlog, breaches, on call (in the channel).',
  examples: [
    '/status',
    '/status storage week',
    '/status vpn 2026-03-01..2026-03-07',
    '/status month',
    '/status services month',
    '/status export week --format csv',
  ],
  minRole: 'agent',
  forms: [
    {
      name: 'services',
      summary: 'Availability and SLA attainment per service against its targets, with the chart (in the channel).',
      usage: '/status services [<period>]',
      examples: ['/status services month', '/status services 2026-03-01..2026-03-31'],
    },
    {
      name: 'export',
      summary: "The period's tickets as CSV: uploaded to this channel (at the terminal, written to a file).",
      usage: '/status export [<period>] [--format csv]',
      examples: ['/status export week', '/status export 2026-03-01..2026-03-31 --format csv'],
    },
  ],
  options: [
    {
      name: 'scope',
      kind: 'text',
      description: 'A team or a service (default: everything), "services" for all of them, or "export" for CSV',
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
    { name: 'format', kind: 'choice', choices: ['csv'], description: 'Export format (csv, the only one)' },
  ],
  async run(ctx, o, s) {
    if (typeof o.scope === 'string' && o.scope.trim().toLowerCase() === 'export') {
      return exportReply(ctx, typeof o.period === 'string' ? o.period : undefined, s);
    }
    if (typeof o.scope === 'string' && o.scope.trim().toLowerCase() === 'services') {
      return servicesReply(ctx, typeof o.period === 'string' ? o.period : undefined, s);
    }
    const { scope, period } = statusArgs(
      typeof o.scope === 'string' ? o.scope : undefined,
      typeof o.period === 'string' ? o.period : undefined,
    );
    const service = await declaredService(ctx, scope, s);
    const report = await s.summaries.status(
      ctx.tenant,
      scope,
      period,
      ctx.now,
      ctx.timezone,
      service ? { factsTo: (current) => s.serviceStatus.readTo(current, ctx.now) } : {},
    );
    const { origin } = ctx;
    // The chart follows as a message of its own, through the outbox, which uploads it on each platform.
    await s.summaries.postChart(
      ctx.tenant,
      sourceAddress(origin),
      report.summary,
      threadMarkOn(origin.platform, origin.thread),
    );
    const reply = statusReply(report, ctx.timezone);
    return service ? withAvailability(ctx, reply, service, period, report.reads, s) : reply;
  },
};

export const statusCommands: readonly CommandDef[] = [status];
