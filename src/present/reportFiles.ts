// Reports sent as files: the /status chart (a PNG, its figures as a text table for the terminal) and the /status
// export (a CSV of a period's tickets).
import { isoDate } from '../domain/localTime.ts';
import type { StatusSummary } from '../domain/summary.ts';
import type { Reply } from './reply.ts';

/** The summary's chart, drawn: `table` is the same figures as text. */
export function statusChartReply(n: { summary: StatusSummary; png: Buffer; table: string }): Reply {
  const { summary } = n;
  const days = `${isoDate(summary.period.firstDay)}..${isoDate(summary.period.lastDay)}`;
  const scope = (summary.scope ?? 'everything').replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 40);
  const header = `Chart · ${summary.scope ?? 'everything'} · ${days}: opened vs resolved per day, open by priority`;
  return {
    text: `${header}\n${n.table}`,
    header,
    visibility: 'channel',
    file: {
      name: `status-${scope}-${days}.png`,
      mime: 'image/png',
      alt: `Opened vs resolved per day ${days}, and open tickets by priority`,
      base64: n.png.toString('base64'),
    },
  };
}

/** A period's tickets as a CSV file named `name`; `days` is the period as typed back (`2026-03-01..2026-03-07`). */
export const exportReply = (n: { days: string; timezone: string; rows: number; name: string; csv: string }): Reply => ({
  text: `Tickets opened ${n.days} (${n.timezone}): ${n.rows} row${n.rows === 1 ? '' : 's'}, CSV`,
  visibility: 'channel',
  file: {
    name: n.name,
    mime: 'text/csv',
    alt: `Tickets opened ${n.days}, as CSV`,
    base64: Buffer.from(n.csv, 'utf8').toString('base64'),
  },
});
