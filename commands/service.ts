// The /service family: the service catalog (who runs and owns each service, its tier, objective, targets and
// dependencies), and what is open on a service now.
import type { CommandContext, CommandDef, OptionDef, OptionValues } from '../src/core/command.ts';
import { formatTargets, SERVICE_TIERS, type ServiceTier, TARGETS_EXAMPLE } from '../src/domain/service.ts';
import { shownThroughout } from '../src/kit/typedText.ts';
import { ephemeral, type Reply, type ReplyField } from '../src/present/reply.ts';
import { availabilityFields } from '../src/present/serviceReport.ts';
import { formatTime } from '../src/present/time.ts';
import { type CatalogService, MANAGE_SERVICES, type ServiceInput } from '../src/services/serviceCatalog.ts';
import { daysOf } from '../src/services/serviceStatus.ts';
import { actingOf } from './acting.ts';
import { str } from './ticketShared.ts';

const NAME: OptionDef = {
  name: 'name',
  kind: 'text',
  description: 'Service name, e.g. vpn',
  required: true,
  positional: true,
  maxLength: 60,
};

/** What add and set take: the same options, all optional to set. */
const FIELDS: readonly OptionDef[] = [
  { name: 'team', kind: 'text', description: 'The team that runs it (must exist)', maxLength: 40 },
  { name: 'owner', kind: 'user', description: 'The person who owns it (seen by the bot before)' },
  { name: 'tier', kind: 'choice', choices: SERVICE_TIERS, description: 'How critical: 1 (most) to 3' },
  { name: 'objective', kind: 'text', description: 'The business goal it serves', maxLength: 300 },
  {
    name: 'targets',
    kind: 'text',
    description: `Targets, e.g. "${TARGETS_EXAMPLE}" (none clears)`,
    maxLength: 200,
  },
  { name: 'depends-on', kind: 'text', description: 'Services it needs, comma-separated (none clears)', maxLength: 600 },
];

function inputOf(o: OptionValues): ServiceInput {
  const tier = str(o.tier);
  return {
    team: str(o.team),
    owner: str(o.owner),
    tier: tier === undefined ? undefined : (Number(tier) as ServiceTier),
    objective: str(o.objective),
    targets: str(o.targets),
    dependsOn: str(o['depends-on']),
  };
}

/** Open tickets a service card lists (as many as /ticket list shows on a page). */
const OPEN_SHOWN = 20;

const tierText = (s: CatalogService): string => (s.tier === null ? 'no tier' : `tier ${s.tier}`);

function serviceCard(s: CatalogService, open: readonly string[], ctx: CommandContext, extra: ReplyField[]): Reply {
  const fields = [
    { label: 'Owner', value: s.owner.name },
    { label: 'Team', value: s.team },
    { label: 'Tier', value: s.tier === null ? 'none' : String(s.tier) },
    { label: 'Objective', value: s.objective ?? 'none' },
    { label: 'Targets', value: `${formatTargets(s.targets)} (the rest: the global SLA)` },
    { label: 'Depends on', value: s.dependsOn.join(', ') || 'nothing' },
    {
      label: 'Open now',
      value: open.length ? `${open.length}${open.length >= OPEN_SHOWN ? ' or more' : ''}` : 'nothing',
    },
    ...extra,
    { label: 'Changed', value: `${formatTime(s.updatedAt, ctx.now, ctx.timezone)} (${ctx.timezone})` },
  ];
  return ephemeral([`Service ${s.name}`, ...fields.map((f) => `${f.label}: ${f.value}`), ...open].join('\n'), {
    header: `Service ${s.name}`,
    fields,
    ...(open.length ? { list: [...open] } : {}),
  });
}

const add: CommandDef = {
  command: 'service',
  name: 'add',
  summary: 'Declare a service: the team that runs it, its owner, tier, objective, targets and dependencies.',
  examples: [
    '/service add payroll --team hr-it --owner @ada --tier 1 --objective "Everyone paid on time" --targets "availability=99.9%,P1=15m/4h" --depends-on core-db',
  ],
  minRole: MANAGE_SERVICES.role,
  options: [NAME, ...FIELDS],
  async run(ctx, o, s) {
    const svc = await s.catalog.add(actingOf(ctx), o.name as string, inputOf(o));
    return shownThroughout(
      ephemeral(
        `Service ${svc.name} is in the catalog: run by ${svc.team}, owned by ${svc.owner.name}, ${tierText(svc)}. See it with /service show ${svc.name}.`,
      ),
    );
  },
};

const set: CommandDef = {
  command: 'service',
  name: 'set',
  summary: 'Change a service (the options of /service add; none clears objective, targets, dependencies).',
  examples: ['/service set payroll --targets "P1=10m/2h" --tier 1', '/service set payroll --depends-on none'],
  minRole: MANAGE_SERVICES.role,
  options: [NAME, ...FIELDS],
  async run(ctx, o, s) {
    const svc = await s.catalog.set(actingOf(ctx), o.name as string, inputOf(o));
    return shownThroughout(
      ephemeral(
        `Service ${svc.name} changed: ${svc.team}, ${svc.owner.name}, ${tierText(svc)}, targets ${formatTargets(svc.targets)}, depends on ${svc.dependsOn.join(', ') || 'nothing'}.`,
      ),
    );
  },
};

const remove: CommandDef = {
  command: 'service',
  name: 'remove',
  summary: 'Take a service out of the catalog (refused while open tickets or other services name it).',
  examples: ['/service remove payroll'],
  minRole: MANAGE_SERVICES.role,
  options: [NAME],
  async run(ctx, o, s) {
    const svc = await s.catalog.remove(actingOf(ctx), o.name as string);
    return shownThroughout(ephemeral(`Service ${svc.name} is out of the catalog.`));
  },
};

const list: CommandDef = {
  command: 'service',
  name: 'list',
  summary: 'The service catalog.',
  examples: ['/service list'],
  minRole: 'requester',
  options: [],
  async run(ctx, _o, s) {
    const services = await s.catalog.list(ctx.tenant);
    if (services.length === 0) {
      return ephemeral('No service is declared yet. A manager declares one: /service add <name> --team … --owner @…');
    }
    const lines = services.map(
      (v) => `${v.name} · ${tierText(v)} · ${v.team} · ${v.owner.name}${v.objective ? ` · ${v.objective}` : ''}`,
    );
    return shownThroughout(
      ephemeral([`Services (${services.length}):`, ...lines.map((l) => `• ${l}`)].join('\n'), {
        header: 'Services',
        list: lines,
      }),
    );
  },
};

const show: CommandDef = {
  command: 'service',
  name: 'show',
  summary: 'A service: owner, team, tier, objective, targets, dependencies, and what is open on it now.',
  examples: ['/service show payroll', '/service show payroll month'],
  minRole: 'requester',
  options: [
    NAME,
    {
      name: 'period',
      kind: 'text',
      description: 'Availability and SLA over: today, week (default), month, or YYYY-MM-DD..YYYY-MM-DD',
      positional: true,
      maxLength: 40,
    },
  ],
  async run(ctx, o, s) {
    const { service, open } = await s.catalog.show(ctx.tenant, o.name as string);
    const report = await s.serviceStatus.report(ctx.tenant, str(o.period), ctx.now, ctx.timezone, service.name);
    // Anyone may see what is open on a service; the titles are the agents' to read, as in /ticket list.
    const agent = s.people.isAtLeast(ctx.role, 'agent');
    const lines = open.map((t) => `${t.ticketId} · ${t.priority} · ${t.state}${agent ? ` · ${t.title}` : ''}`);
    const row = report.rows[0];
    const extra = row ? availabilityFields(row, daysOf(report.current)) : [];
    return shownThroughout(serviceCard(service, lines, ctx, extra));
  },
};

export const serviceCommands: readonly CommandDef[] = [add, set, remove, list, show];
