// /status: the summary for a period, from the rollups of its days and the open tickets, with on-call and the CAB queue.
import type { Logger } from 'pino';
import type { TicketSummary } from '../domain/entities.ts';
import { UserError } from '../domain/errors.ts';
import type { RollupFact } from '../domain/rollupFacts.ts';
import { buildSummary, type Period, parsePeriod, type StatusSummary } from '../domain/summary.ts';
import { OPEN_STATES } from '../domain/ticket.ts';
import type { Reply } from '../present/reply.ts';
import { statusChartReply } from '../present/reportFiles.ts';
import type { TicketRepository } from '../store/ticketStore.ts';
import type { ChangeService } from './changes.ts';
import type { Outbox } from './outbox.ts';
import type { RollupService } from './rollups.ts';
import type { OnCallNow, Team, TeamService } from './teams.ts';

/** The hot set is read whole for the open figures; more open tickets than this are left out (and said so). */
const OPEN_MAX = 5000;
/**
 * The chart waits in the file store while its message is in the outbox (src/store/fileStore.ts): a chart is
 * some 30 KB, and one far larger means something went wrong, so it is not sent.
 */
export const CHART_MAX_BYTES = 200_000;

export interface StatusReport {
  summary: StatusSummary;
  /** The team asked about, or every team (none when no team exists). */
  onCall: OnCallNow[];
  /** Change tickets still waiting for the CAB, in the scope. */
  awaitingApproval: TicketSummary[];
  /** True when the open tickets were more than could be read. */
  openCut: boolean;
  /** What was read for it, whole (every scope): a report on the same period takes it rather than read it again. */
  reads: StatusReads;
}

/** The tenant's open tickets and its facts in [from, to), as /status read them. */
export interface StatusReads {
  from: Date;
  to: Date;
  facts: readonly RollupFact[];
  open: readonly TicketSummary[];
  /** More tickets were open than were read. */
  openCut: boolean;
}

interface Scope {
  label: string | null;
  team: Team | null;
  service: string | null;
}

const lower = (s: string | null | undefined): string => (s ?? '').toLowerCase();

export class SummaryService {
  /** Whether the catalog declares this service: a declared one with no ticket yet is a scope, not a typo. */
  isService?: (tenant: string, name: string) => Promise<boolean>;

  constructor(
    private readonly rollups: RollupService,
    private readonly tickets: TicketRepository,
    private readonly teams: TeamService,
    private readonly cab: ChangeService,
    /** Where the chart goes out, and where a chart that could not be drawn is told of. */
    private readonly charts?: {
      outbox: Outbox;
      log: Logger;
      /** Draws the chart (tests give one that fails); default: chart.js on a native canvas. */
      render?: (summary: StatusSummary) => Buffer | Promise<Buffer>;
    },
  ) {}

  /**
   * The summary's chart as a message of its own: a PNG, with the figures as a text table for the terminal.
   * Null when it could not be drawn (logged): the summary is worth sending without it.
   */
  async chartReply(summary: StatusSummary): Promise<Reply | null> {
    try {
      // Loaded when first asked for: a native canvas that cannot load costs the chart, never the process.
      const { renderStatusChart, statusChartTable } = await import('./statusChart.ts');
      const png = await (this.charts?.render ?? renderStatusChart)(summary);
      if (png.length > CHART_MAX_BYTES) throw new Error(`the chart came out at ${png.length} bytes`);
      return statusChartReply({ summary, png, table: statusChartTable(summary) });
    } catch (err) {
      this.charts?.log.error({ err, scope: summary.scope }, 'status: the chart could not be drawn');
      return null;
    }
  }

  /** Posts the chart after the summary, through the outbox; never throws (the summary has its own way out). */
  async postChart(tenant: string, address: string | null, summary: StatusSummary, thread?: string): Promise<void> {
    if (!this.charts || !address) return;
    const reply = await this.chartReply(summary);
    if (!reply) return;
    try {
      await this.charts.outbox.toChannel(address, reply, { tenant }, thread);
    } catch (err) {
      this.charts.log.error({ err, address }, 'status: the chart could not be written to the outbox');
    }
  }

  async status(
    tenant: string,
    scopeText: string | undefined,
    periodText: string | undefined,
    now: Date,
    timezone: string,
    /** Read the facts on to this time too (the summary counts none past the period): what another report needs. */
    o: { factsTo?: (current: Period) => Date } = {},
  ): Promise<StatusReport> {
    const { current, previous } = parsePeriod(periodText, now, timezone);
    const factsTo = new Date(Math.max(current.to.getTime(), o.factsTo?.(current).getTime() ?? 0));
    const [teams, open, read] = await Promise.all([
      this.teams.list(tenant),
      this.tickets.list(tenant, { states: [...OPEN_STATES], limit: OPEN_MAX }),
      this.rollups.between(tenant, previous.from, factsTo),
    ]);
    const facts = factsTo > current.to ? read.filter((f) => f.at < current.to) : read;
    // The changes awaiting the CAB are among the open tickets just read, unless there were more than could be.
    const changes = open.length < OPEN_MAX ? this.cab.awaitingAmong(open) : await this.cab.awaitingApproval(tenant);
    const scope = scopeOf(scopeText, teams);
    // What a team owns is in the service catalog (kept in process): read only when a team or service is asked for.
    const owned = scope.team ? await this.teams.ownedServices(tenant, scope.team.name) : [];
    const inScope = (t: { team: string | null; service: string | null }): boolean => {
      if (scope.team) return lower(t.team) === lower(scope.team.name) || owned.includes(lower(t.service));
      if (scope.service) return lower(t.service) === scope.service;
      return true;
    };
    const scopedFacts = facts.filter(inScope);
    const scopedOpen = open.filter(inScope);
    if (
      scope.service &&
      !scope.team &&
      scopedFacts.length === 0 &&
      scopedOpen.length === 0 &&
      !(await this.isService?.(tenant, scope.service))
    ) {
      throw new UserError(
        'STATUS.UNKNOWN_SCOPE',
        `No team is called "${scope.service.slice(0, 40)}", and no ticket names it as a service.`,
        'For example: /status storage week (a team), or /status vpn today (a service); /team list shows the teams.',
        'scope',
      );
    }
    const ownerName = !scope.team && scope.service ? await this.teams.ownerNameOf(tenant, scope.service) : null;
    const owner = scope.team ?? (ownerName ? (teams.find((t) => lower(t.name) === lower(ownerName)) ?? null) : null);
    // From the teams just read: a team's or every team's on-call, as /oncall answers it.
    const onCall = owner
      ? [this.teams.onCallIn(owner, now)]
      : scope.service
        ? []
        : teams.map((t) => this.teams.onCallIn(t, now));
    return {
      summary: buildSummary({
        scope: scope.label,
        current,
        previous,
        facts: scopedFacts as RollupFact[],
        open: scopedOpen,
        now,
      }),
      onCall,
      awaitingApproval: changes.filter(inScope),
      openCut: open.length >= OPEN_MAX,
      reads: { from: previous.from, to: factsTo, facts: read, open, openCut: open.length >= OPEN_MAX },
    };
  }
}

/** A team by name (any case), else a service (services are kept in lower case). */
function scopeOf(text: string | undefined, teams: readonly Team[]): Scope {
  const asked = text?.trim();
  if (!asked) return { label: null, team: null, service: null };
  const team = teams.find((t) => lower(t.name) === lower(asked));
  if (team) return { label: team.name, team, service: null };
  return { label: lower(asked), team: null, service: lower(asked) };
}
