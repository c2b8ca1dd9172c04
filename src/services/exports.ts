// /status export: a period's tickets (opened in it, local days) as an RFC 4180 CSV file, with each one's CSAT score.
import { stringify } from 'csv-stringify/sync';
import { EXPORT_COLUMNS, exportRow } from '../domain/exportRows.ts';
import { isoDate } from '../domain/localTime.ts';
import { type Period, parsePeriod } from '../domain/summary.ts';
import { writeExportFile } from '../store/exportFiles.ts';
import type { TicketRepository } from '../store/ticketStore.ts';
import type { CsatService } from './csat.ts';

/** A year of a busy tenant fits; more is cut, and the reply says so. */
export const EXPORT_MAX_ROWS = 50_000;

export interface TicketExport {
  period: Period;
  path: string;
  rows: number;
  /** True when the period had more tickets than an export takes. */
  cut: boolean;
}

export class ExportService {
  constructor(
    private readonly tickets: TicketRepository,
    private readonly csat: CsatService,
    private readonly dir: string,
  ) {}

  async ticketsCsv(tenant: string, periodText: string | undefined, now: Date, timezone: string): Promise<TicketExport> {
    const { current: period } = parsePeriod(periodText, now, timezone);
    const found = await this.tickets.openedBetween(tenant, period.from, period.to, EXPORT_MAX_ROWS + 1);
    const tickets = found.slice(0, EXPORT_MAX_ROWS);
    const scores = await this.csat.findMany(
      tenant,
      tickets.map((t) => t.ticketId),
    );
    // CRLF and quotes only where a cell needs them (a comma, a quote, a line break): RFC 4180.
    const csv = stringify(
      [[...EXPORT_COLUMNS], ...tickets.map((t) => exportRow(t, scores.get(t.ticketId)?.score ?? null))],
      {
        record_delimiter: 'windows',
      },
    );
    const days = `${isoDate(period.firstDay)}..${isoDate(period.lastDay)}`;
    const path = await writeExportFile(this.dir, tenant, days, csv);
    return { period, path, rows: tickets.length, cut: found.length > EXPORT_MAX_ROWS };
  }
}
