// Availability and SLA attainment per service, against its targets: read from the rollups (incident open, priority
// and resolve facts per service) and the open incidents, never from a scan of the tickets; with the chart and CSV
// the service review posts.
import { stringify } from 'csv-stringify/sync';
import type { Logger } from 'pino';
import { type ServiceFigures, serviceFiguresOf } from '../domain/availability.ts';
import { neutralised } from '../domain/exportRows.ts';
import { isoDate } from '../domain/localTime.ts';
import { formatShare } from '../domain/service.ts';
import { type CountedAction, lastCalendarMonth } from '../domain/serviceReview.ts';
import { type Period, parsePeriod } from '../domain/summary.ts';
import { OPEN_STATES } from '../domain/ticket.ts';
import type { Reply } from '../present/reply.ts';
import { serviceChartReply, serviceCsvReply } from '../present/serviceReport.ts';
import type { TicketRepository } from '../store/ticketStore.ts';
import type { RollupService } from './rollups.ts';
import type { CatalogService, ServiceCatalog } from './serviceCatalog.ts';
import type { StatusReads } from './summaries.ts';

/** Open incidents read for those open across a whole period (the hot set's open incidents, a bounded read). */
const OPEN_MAX = 5000;
/**
 * A period that ended in the past is read this much further (up to now): an incident open across all of it, with
 * no event inside it, is found by its resolve after. One resolved later than this is not seen (docs/services.md).
 */
const LOOK_AFTER_MS = 31 * 86_400_000;
/** A chart far larger than this means something went wrong; it is not sent. */
const CHART_MAX_BYTES = 300_000;

export interface ServiceReport {
  current: Period;
  previous: Period;
  /** One row per service, in the catalog's order (by name). */
  rows: ServiceFigures[];
  /** More incidents were open than could be read (the figures may miss some). */
  openCut: boolean;
}

export class ServiceStatusService {
  constructor(
    private readonly catalog: ServiceCatalog,
    private readonly rollups: RollupService,
    private readonly tickets: TicketRepository,
    private readonly charts?: { log: Logger; render?: (rows: readonly ServiceFigures[], title: string) => Buffer },
    /** The tenant's follow-up actions, every state (a small collection: a few per incident reviewed). */
    private readonly actions?: (tenant: string) => Promise<CountedAction[]>,
  ) {}

  /**
   * `/status services [period]`, `/status <service>`, `/service show <name> [period]`: the period as /status reads it.
   * `known`: what /status read for the same period, taken instead of read again where it covers what is needed.
   */
  report(
    tenant: string,
    periodText: string | undefined,
    now: Date,
    timezone: string,
    only?: string,
    known?: StatusReads,
  ) {
    return this.reportFor(tenant, parsePeriod(periodText, now, timezone), now, only, known);
  }

  /** How far the facts are read for a period: on past its end (up to now) when it ended, to find what ended later. */
  readTo(current: Period, now: Date): Date {
    const ended = current.to.getTime() <= now.getTime();
    const readTo = ended ? new Date(Math.min(now.getTime(), current.to.getTime() + LOOK_AFTER_MS)) : current.to;
    return new Date(Math.max(readTo.getTime(), current.to.getTime()));
  }

  /** The service review: the last calendar month against the one before. */
  monthly(tenant: string, now: Date, timezone: string): Promise<ServiceReport> {
    return this.reportFor(tenant, lastCalendarMonth(now, timezone), now);
  }

  async reportFor(
    tenant: string,
    periods: { current: Period; previous: Period },
    now: Date,
    only?: string,
    known?: StatusReads,
  ): Promise<ServiceReport> {
    const { current, previous } = periods;
    const readTo = this.readTo(current, now);
    // What /status read is taken when it covers the span (its facts filtered to it) and every open ticket was read
    // (its open incidents are then all of them, in the order a read of them alone gives).
    const knownFacts = known && known.from <= previous.from && known.to >= readTo ? known.facts : null;
    const knownOpen = known && !known.openCut ? known.open.filter((t) => t.type === 'incident') : null;
    const [catalog, facts, open, actions] = await Promise.all([
      this.catalog.list(tenant),
      knownFacts
        ? knownFacts.filter((f) => f.at >= previous.from && f.at < readTo)
        : this.rollups.between(tenant, previous.from, readTo),
      knownOpen ?? this.tickets.list(tenant, { states: [...OPEN_STATES], type: 'incident', limit: OPEN_MAX }),
      this.actions?.(tenant),
    ]);
    const wanted = only === undefined ? catalog : catalog.filter((s) => s.name === only);
    const rows = serviceFiguresOf({
      // Every service's dependencies are known to the roll-up, whichever are reported.
      services: catalog.map(reportedOf),
      facts,
      openNow: open,
      current,
      previous,
      readTo,
      now,
      actions,
    }).filter((r) => wanted.some((s) => s.name === r.service));
    return { current, previous, rows, openCut: open.length >= OPEN_MAX };
  }

  /** The chart (availability per service against target) as a message of its own; null when it could not be drawn. */
  async chartReply(report: ServiceReport): Promise<Reply | null> {
    if (report.rows.length === 0) return null;
    try {
      const { renderServiceChart, serviceChartTable } = await import('./serviceChart.ts');
      const title = `Availability per service vs target, ${daysOf(report.current)} (${report.current.timeZone})`;
      const png = (this.charts?.render ?? renderServiceChart)(report.rows, title);
      if (png.length > CHART_MAX_BYTES) throw new Error(`the chart came out at ${png.length} bytes`);
      return serviceChartReply({ days: daysOf(report.current), png, table: serviceChartTable(report.rows) });
    } catch (err) {
      this.charts?.log.error({ err }, 'services: the availability chart could not be drawn');
      return null;
    }
  }

  /** The report's figures as an attached CSV, one row per service. */
  csvReply(report: ServiceReport): Reply {
    return serviceCsvReply({ days: daysOf(report.current), rows: report.rows.length, csv: serviceCsv(report) });
  }
}

const reportedOf = (s: CatalogService) => ({
  name: s.name,
  objective: s.objective,
  tier: s.tier,
  dependsOn: s.dependsOn,
  availabilityTarget: s.targets.availability,
});

export const daysOf = (p: Period): string => `${isoDate(p.firstDay)}..${isoDate(p.lastDay)}`;

export const SERVICE_CSV_COLUMNS = [
  'service',
  'tier',
  'objective',
  'availability',
  'availability_previous',
  'availability_target',
  'target_met',
  'downtime_minutes',
  'sla_attainment',
  'sla_attainment_previous',
  'responses_in_target',
  'responses',
  'resolutions_in_target',
  'resolutions',
  'incidents',
  'incidents_previous',
  'p1_p2_incidents',
  'problems',
  'problems_previous',
  'actions_opened',
  'actions_done',
  'actions_overdue',
] as const;

const share = (v: number | null): string => (v === null ? '' : formatShare(v));

/** RFC 4180 with CRLF, cells that a spreadsheet would read as a formula neutralised, as /status export does. */
export function serviceCsv(report: ServiceReport): string {
  const rows = report.rows.map((r) => [
    r.service,
    r.tier === null ? '' : String(r.tier),
    neutralised(r.objective ?? ''),
    share(r.availability.value),
    share(r.availability.previous),
    share(r.availabilityTarget),
    r.meetsTarget === null ? '' : r.meetsTarget ? 'yes' : 'no',
    String(Math.round(r.downMs / 60_000)),
    share(r.sla.value),
    share(r.sla.previous),
    String(r.response.met),
    String(r.response.all),
    String(r.resolution.met),
    String(r.resolution.all),
    String(r.incidents.value ?? 0),
    String(r.incidents.previous ?? 0),
    String(r.majorIncidents),
    String(r.problems.value ?? 0),
    String(r.problems.previous ?? 0),
    r.actions ? String(r.actions.opened) : '',
    r.actions ? String(r.actions.done) : '',
    r.actions ? String(r.actions.overdue) : '',
  ]);
  return stringify([[...SERVICE_CSV_COLUMNS], ...rows], { record_delimiter: 'windows' });
}
