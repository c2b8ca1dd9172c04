// The status summary as a platform-neutral Reply: a header, one field per figure, breaches as a list.
import { formatDuration } from '../domain/duration.ts';
import { isoDate } from '../domain/localTime.ts';
import {
  BACKLOG_BUCKETS,
  type Figure,
  type OpenTicketLine,
  type Period,
  type StatusSummary,
} from '../domain/summary.ts';
import { PRIORITIES } from '../domain/ticket.ts';
import { shownThroughout } from '../kit/typedText.ts';
import type { Reply, ReplyField } from './reply.ts';
import { formatTime } from './time.ts';

const BREACHES_SHOWN = 10;

/** What a status reply shows: the summaries service's report is one (its teams and people carry more). */
export interface StatusView {
  summary: StatusSummary;
  /** Who is on call in each team asked about. */
  onCall: ReadonlyArray<{
    team: { name: string };
    answer: { person: string; until: Date } | null;
    person: { name: string } | null;
  }>;
  /** Change tickets still waiting for the CAB, in the scope. */
  awaitingApproval: ReadonlyArray<{ ticketId: string }>;
  /** True when the open tickets were more than could be read. */
  openCut: boolean;
}

const signed = (n: number, text: (abs: number) => string): string =>
  `${n === 0 ? '±' : n > 0 ? '+' : '−'}${text(Math.abs(n))}`;

/** "20 (+4)": the value and its change against the previous period; "–" for a figure with nothing to measure. */
function shownFigure(f: Figure, unit: 'count' | 'percent' | 'ms'): string {
  const value = (n: number) => (unit === 'percent' ? `${n}%` : unit === 'ms' ? formatDuration(n) : String(n));
  if (f.value === null) return '–';
  if (f.change === null) return `${value(f.value)} (new)`;
  const change =
    unit === 'percent'
      ? signed(Math.round(f.change * 10) / 10, (a) => `${a} pts`)
      : unit === 'ms'
        ? signed(f.change, formatDuration)
        : signed(f.change, String);
  return `${value(f.value)} (${change})`;
}

const days = (p: Period): string =>
  p.days === 1 ? isoDate(p.firstDay) : `${isoDate(p.firstDay)}..${isoDate(p.lastDay)}`;

const oldestLine = (t: OpenTicketLine | null): string =>
  t ? `${t.ticketId} ${t.title.slice(0, 60)} (open ${formatDuration(t.ageMs)})` : 'none';

export function statusReply(report: StatusView, timezone: string): Reply {
  const s = report.summary;
  const scope = s.scope ?? 'everything';
  const header = `Status · ${scope} · ${days(s.period)} (${timezone})`;
  const byState = Object.entries(s.open.byState)
    .map(([state, n]) => `${state.replace('_', ' ')} ${n}`)
    .join(' · ');
  const byPriority = PRIORITIES.map((p) => `${p} ${s.open.byPriority[p]}`).join(' · ');
  const times = (key: 'mtta' | 'mttr') =>
    [`all ${shownFigure(s[key].all, 'ms')}`, ...PRIORITIES.map((p) => `${p} ${shownFigure(s[key][p], 'ms')}`)].join(
      ' · ',
    );
  const breaches = s.breaches
    .slice(0, BREACHES_SHOWN)
    .map(
      (b) =>
        `${b.ticketId} · ${b.priority} · ${b.standing === 'response_breached' ? 'no response in time' : 'not resolved in time'} · ${b.title.slice(0, 60)}`,
    );
  if (s.breaches.length > breaches.length) breaches.push(`…and ${s.breaches.length - breaches.length} more`);
  const onCall = report.onCall.map(
    (o) =>
      `${o.team.name}: ${o.answer ? `${o.person?.name ?? o.answer.person} until ${formatTime(o.answer.until, s.now, timezone)}` : 'nobody'}`,
  );
  const fields: ReplyField[] = [
    { label: 'Open now', value: `${s.open.total}${report.openCut ? '+' : ''} · ${byState} · ${byPriority}` },
    {
      label: 'Opened / resolved',
      value: `${shownFigure(s.opened, 'count')} / ${shownFigure(s.resolved, 'count')} · reopened ${shownFigure(s.reopened, 'count')}`,
    },
    {
      label: 'SLA within target',
      value: `responded ${shownFigure(s.respondedInTarget, 'percent')} · resolved ${shownFigure(s.resolvedInTarget, 'percent')}`,
    },
    { label: 'MTTA', value: times('mtta') },
    { label: 'MTTR', value: times('mttr') },
    { label: 'Backlog age', value: BACKLOG_BUCKETS.map((b) => `${b} ${s.backlog[b]}`).join(' · ') },
    { label: 'Oldest open', value: `P1 ${oldestLine(s.oldest.P1)} · P2 ${oldestLine(s.oldest.P2)}` },
    { label: 'Breaches now', value: String(s.breaches.length) },
    {
      label: 'Top services (incidents opened)',
      value: s.topServices.map((t) => `${t.service} ${shownFigure(t, 'count')}`).join(' · ') || 'none',
    },
    { label: 'On call now', value: onCall.join(' · ') || 'no team' },
    {
      label: 'Changes awaiting approval',
      value:
        report.awaitingApproval.length === 0
          ? 'none'
          : `${report.awaitingApproval.length}: ${report.awaitingApproval
              .slice(0, 5)
              .map((t) => t.ticketId)
              .join(', ')}`,
    },
    {
      label: 'CSAT',
      value: `${shownFigure(s.csat.percent, 'percent')} · ${shownFigure(s.csat.count, 'count')} answers`,
    },
    // Only where there was one, in the period or the one before: most periods have none to speak of.
    ...(s.major.count.value || s.major.count.previous
      ? [
          {
            label: 'Major incidents resolved',
            value: `${shownFigure(s.major.count, 'count')} · mean time to mitigate ${shownFigure(s.major.mttm, 'ms')} · ${s.major.updatesEach.value ?? '–'} updates each`,
          },
        ]
      : []),
  ];
  const context = `Changes against the ${s.previous.days} day${s.previous.days === 1 ? '' : 's'} before (${days(s.previous)}); open figures are as of now.`;
  const text = [
    header,
    ...fields.map((f) => `${f.label}: ${f.value}`),
    ...(breaches.length ? ['Breaches:', ...breaches.map((b) => `• ${b}`)] : []),
    context,
  ].join('\n');
  return shownThroughout({
    text,
    visibility: 'channel',
    header,
    fields,
    ...(breaches.length ? { list: breaches } : {}),
    context,
  });
}
