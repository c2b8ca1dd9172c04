// How availability and SLA attainment per service are told: /status services, the lines /service show and
// /status <service> add, the monthly service review, and its chart and CSV files.
import type { ServiceFigures } from '../domain/availability.ts';
import { formatDuration } from '../domain/duration.ts';
import type { Review } from '../domain/review.ts';
import { formatShare } from '../domain/service.ts';
import type { Figure } from '../domain/summary.ts';
import type { Reply, ReplyField } from './reply.ts';

/** What the service review leaves out, and why. */
export const REVIEW_LEFT_OUT =
  'Problems are counted as problem tickets opened on the service (their links to incidents are not counted yet).';

const actionsText = (r: ServiceFigures): string =>
  r.actions ? `${r.actions.opened} opened, ${r.actions.done} done, ${r.actions.overdue} overdue` : 'not counted';

const share = (v: number | null): string => (v === null ? 'n/a' : formatShare(v));

/** `+0.12 pts`, `-1.5 pts`, `same`; nothing to compare: `no previous figure`. */
export function trendText(f: Figure): string {
  if (f.change === null) return 'no previous figure';
  const pts = Number((f.change * 100).toFixed(3));
  return pts === 0 ? 'same as before' : `${pts > 0 ? '+' : ''}${pts} pts vs before`;
}

/** `99.86% (target 99.9%: missed; -0.1 pts vs before), down 1 h 0 min` */
export function availabilityText(r: ServiceFigures): string {
  const target =
    r.availabilityTarget === null
      ? 'no target'
      : `target ${formatShare(r.availabilityTarget)}: ${r.meetsTarget ? 'met' : 'missed'}`;
  const down = r.downMs > 0 ? `, down ${formatDuration(r.downMs)}` : '';
  return `${share(r.availability.value)} (${target}; ${trendText(r.availability)})${down}`;
}

/** `92.5% in target (responses 9/10, resolutions 8/9; +2 pts vs before)`; `nothing measured` without any. */
export function slaText(r: ServiceFigures): string {
  if (r.response.all + r.resolution.all === 0) return 'nothing to measure in the period';
  return `${share(r.sla.value)} in target (responses ${r.response.met}/${r.response.all}, resolutions ${r.resolution.met}/${r.resolution.all}; ${trendText(r.sla)})`;
}

const countText = (f: Figure): string => `${f.value ?? 0} (before: ${f.previous ?? 0})`;

/** The fields /service show and /status <service> add for the period. */
export function availabilityFields(r: ServiceFigures, days: string): ReplyField[] {
  return [
    { label: `Availability ${days}`, value: availabilityText(r) },
    { label: 'SLA attainment', value: slaText(r) },
    { label: 'Incidents', value: `${countText(r.incidents)}, P1/P2: ${r.majorIncidents}` },
  ];
}

/** One service as a line of /status services and of the review. */
export const serviceLine = (r: ServiceFigures): string =>
  `${r.service}: availability ${availabilityText(r)} · SLA ${slaText(r)} · incidents ${countText(r.incidents)} · problems ${countText(r.problems)}`;

/** `/status services [period]`. */
export function servicesStatusReply(n: {
  rows: readonly ServiceFigures[];
  days: string;
  timezone: string;
  openCut: boolean;
}): Reply {
  const header = `Services · ${n.days} (${n.timezone})`;
  if (n.rows.length === 0) {
    return {
      text: `${header}\nNo service is declared yet. A manager declares one: /service add <name> --team … --owner @…`,
      header,
      visibility: 'channel',
    };
  }
  const met = n.rows.filter((r) => r.meetsTarget === true).length;
  const withTarget = n.rows.filter((r) => r.meetsTarget !== null).length;
  const context = `${met} of ${withTarget} services with an availability target met it.${n.openCut ? ' More incidents were open than could be read: some outages may be missing.' : ''}`;
  const list = n.rows.map(serviceLine);
  return {
    text: [header, context, ...list.map((l) => `• ${l}`)].join('\n'),
    header,
    context,
    list,
    visibility: 'channel',
  };
}

/** The monthly service review: per service its objective, availability and SLA against targets, incidents, problems. */
export function serviceReviewReply(n: { review: Review; rows: readonly ServiceFigures[]; days: string }): Reply {
  const header = `${n.review.name} · services ${n.days} (${n.review.timezone})`;
  const blocks = n.rows.map((r) =>
    [
      `${r.service}${r.tier === null ? '' : ` (tier ${r.tier})`}: ${r.objective ?? 'no objective set'}`,
      `  Availability: ${availabilityText(r)}`,
      `  SLA attainment: ${slaText(r)}`,
      `  Incidents: ${countText(r.incidents)}, P1/P2: ${r.majorIncidents} · Problems opened: ${countText(r.problems)}`,
      `  Follow-up actions: ${actionsText(r)}`,
    ].join('\n'),
  );
  const body = blocks.length ? blocks : ['No service is declared yet: /service add declares one.'];
  const context = `${REVIEW_LEFT_OUT} The chart and the CSV follow.`;
  return { text: [header, ...body, context].join('\n'), header, context, visibility: 'channel' };
}

const fileDays = (days: string): string => days.replace(/[^0-9.-]+/g, '_');

/** The availability chart as a message of its own: a PNG, with the figures as text for the terminal. */
export function serviceChartReply(n: { days: string; png: Buffer; table: string }): Reply {
  const header = `Chart · services · ${n.days}: availability per service against target`;
  return {
    text: `${header}\n${n.table}`,
    header,
    visibility: 'channel',
    file: {
      name: `services-${fileDays(n.days)}.png`,
      mime: 'image/png',
      alt: `Availability per service against its target, ${n.days}`,
      base64: n.png.toString('base64'),
    },
  };
}

/** The review's figures as an attached CSV. */
export const serviceCsvReply = (n: { days: string; rows: number; csv: string }): Reply => ({
  text: `Service review ${n.days}: ${n.rows} service${n.rows === 1 ? '' : 's'}, CSV`,
  visibility: 'channel',
  file: {
    name: `services-${fileDays(n.days)}.csv`,
    mime: 'text/csv',
    alt: `Availability and SLA attainment per service, ${n.days}, as CSV`,
    base64: Buffer.from(n.csv, 'utf8').toString('base64'),
  },
});
