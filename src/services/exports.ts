// /status export: a period's tickets (opened in it, local days) as an RFC 4180 CSV file, with each one's CSAT score.
import { stringify } from 'csv-stringify/sync';
import { UserError } from '../domain/errors.ts';
import { EXPORT_COLUMNS, exportRow, type MajorFigures } from '../domain/exportRows.ts';
import { isoDate } from '../domain/localTime.ts';
import { platformNamed } from '../domain/platform.ts';
import type { RollupFact } from '../domain/rollupFacts.ts';
import { type Period, parsePeriod } from '../domain/summary.ts';
import { exportReply } from '../present/reportFiles.ts';
import { writeExportFile } from '../store/exportFiles.ts';
import type { TicketRepository } from '../store/ticketStore.ts';
import type { CsatService } from './csat.ts';
import { parseChannelAddress } from './messaging.ts';
import type { Outbox } from './outbox.ts';

/** A year of a busy tenant fits; more is cut, and the reply says so. */
export const EXPORT_MAX_ROWS = 50_000;
/** What a chat upload takes: under Discord's 10 MiB attachment limit for a bot in any server (Slack takes more). */
export const EXPORT_UPLOAD_MAX_BYTES = 8 * 1024 * 1024;

export interface TicketExport {
  period: Period;
  /** The file name (uploaded) or the path it was written to (the terminal). */
  path: string;
  rows: number;
  bytes: number;
  /** True when the period had more tickets than an export takes. */
  cut: boolean;
  /** True when it went to a channel as an upload, through the outbox. */
  uploaded: boolean;
}

/** Where an upload goes: a channel address (`slack:C0123ABC`, `discord:<id>`) and a Slack thread. */
export interface ExportPlace {
  address: string;
  thread?: string | undefined;
}

const megabytes = (n: number): string => `${(n / (1024 * 1024)).toFixed(1)} MB`;

export class ExportService {
  constructor(
    private readonly tickets: TicketRepository,
    private readonly csat: CsatService,
    private readonly dir: string,
    /** Uploads go out through it; without one, every export is written to `dir`. */
    private readonly outbox?: Outbox,
    private readonly uploadMaxBytes = EXPORT_UPLOAD_MAX_BYTES,
    /** The rollups' facts of [from, to): the major incidents closed out among the period's tickets. */
    private readonly factsBetween?: (tenant: string, from: Date, to: Date) => Promise<RollupFact[]>,
  ) {}

  /**
   * The period's tickets as CSV. In the terminal (no `to`) the file is written under the data directory; in a
   * Slack or Discord channel it is uploaded there through the outbox, which retries it and records it in the
   * ledger. An upload larger than chat takes is refused before anything is sent.
   */
  async ticketsCsv(
    tenant: string,
    periodText: string | undefined,
    now: Date,
    timezone: string,
    to?: ExportPlace,
  ): Promise<TicketExport> {
    const { current: period } = parsePeriod(periodText, now, timezone);
    const found = await this.tickets.openedBetween(tenant, period.from, period.to, EXPORT_MAX_ROWS + 1);
    const tickets = found.slice(0, EXPORT_MAX_ROWS);
    const scores = await this.csat.findMany(
      tenant,
      tickets.map((t) => t.ticketId),
    );
    // A ticket opened in the period may be closed out after it: the facts up to now, of major incidents only.
    const majors = new Map<string, MajorFigures>();
    if (this.factsBetween && tickets.some((t) => t.type === 'incident')) {
      for (const f of await this.factsBetween(
        tenant,
        period.from,
        new Date(Math.max(now.getTime(), period.to.getTime())),
      )) {
        if (f.kind === 'major') majors.set(f.ticketId, { mitigateMs: f.ms ?? 0, updates: f.updates ?? 0 });
      }
    }
    // CRLF and quotes only where a cell needs them (a comma, a quote, a line break): RFC 4180.
    const csv = stringify(
      [
        [...EXPORT_COLUMNS],
        ...tickets.map((t) => exportRow(t, scores.get(t.ticketId)?.score ?? null, majors.get(t.ticketId) ?? null)),
      ],
      {
        record_delimiter: 'windows',
      },
    );
    const days = `${isoDate(period.firstDay)}..${isoDate(period.lastDay)}`;
    const rows = tickets.length;
    const cut = found.length > EXPORT_MAX_ROWS;
    const bytes = Buffer.byteLength(csv, 'utf8');
    if (!to || !this.outbox) {
      const path = await writeExportFile(this.dir, tenant, days, csv);
      return { period, path, rows, bytes, cut, uploaded: false };
    }
    // The house's cap, or the platform's own where it takes less.
    const platform = parseChannelAddress(to.address)?.platform ?? '';
    const maxBytes = Math.min(
      this.uploadMaxBytes,
      platformNamed(platform)?.limits.fileBytes ?? Number.POSITIVE_INFINITY,
    );
    if (bytes > maxBytes) {
      throw new UserError(
        'STATUS.EXPORT_TOO_BIG',
        `The export of ${days} comes to ${megabytes(bytes)} (${rows} tickets), more than a chat upload takes (${megabytes(maxBytes)}).`,
        'Ask for a shorter period, for example: /status export week, or /status export 2026-03-01..2026-03-07',
        'period',
      );
    }
    const name = `tickets-${days}.csv`;
    await this.outbox.toChannel(to.address, exportReply({ days, timezone, rows, name, csv }), { tenant }, to.thread);
    return { period, path: name, rows, bytes, cut, uploaded: true };
  }
}
