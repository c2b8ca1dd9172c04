// How problems are told: a link made or undone, a known error marked, its workaround in a new incident's thread,
// and the lines a ticket's card gains (a problem's incidents and known error, an incident's problem).
import type { Ticket } from '../domain/entities.ts';
import { registerNotices } from './notices.ts';
import { ephemeral, type Reply } from './reply.ts';

/** Incidents a card names before "and n more". */
const SHOWN = 10;

const listed = (ids: readonly string[]): string =>
  ids.length <= SHOWN ? ids.join(', ') : `${ids.slice(0, SHOWN).join(', ')} and ${ids.length - SHOWN} more`;

/** The card's fields: a problem's incidents and known error, an incident's problem; nothing for other tickets. */
export function problemFields(t: Ticket): Array<{ label: string; value: string; inline?: boolean }> {
  if (t.type === 'incident' && t.problemId) return [{ label: 'Problem', value: t.problemId, inline: true }];
  if (t.type !== 'problem') return [];
  const incidents = t.problem?.incidents ?? [];
  const known = t.problem?.knownError;
  return [
    { label: 'Incidents', value: incidents.length ? listed(incidents) : 'none linked yet', inline: true },
    ...(known ? [{ label: 'Known error', value: `Workaround: ${known.workaround}` }] : []),
  ];
}

/** The same as lines under the card's first line (the terminal shows only the text). */
export function problemLines(t: Ticket): string[] {
  return problemFields(t).map((f) => `${f.label}: ${f.value}`);
}

export interface LinkNotice {
  incidentId: string;
  problemId: string;
  /** Linked before: nothing was changed. */
  already: boolean;
  /** The incident is closed: only the problem lists it (a closed ticket's record is final). */
  incidentClosed: boolean;
}

export const linkedReply = (n: LinkNotice): Reply =>
  ephemeral(
    n.already
      ? `${n.incidentId} is already linked to ${n.problemId}; nothing changed.`
      : `Linked ${n.incidentId} to problem ${n.problemId}.${
          n.incidentClosed ? ` ${n.incidentId} is closed, so only ${n.problemId} lists it.` : ''
        }`,
  );

export const unlinkedReply = (n: { incidentId: string; problemId: string }): Reply =>
  ephemeral(`Unlinked ${n.incidentId} from problem ${n.problemId}.`);

export interface OpenedFromNotice {
  problemId: string;
  linked: readonly string[];
  /** Linked to another problem meanwhile (by someone else, at the same moment): left out. */
  skipped: ReadonlyArray<{ incidentId: string; reason: string }>;
}

/** Said under the new problem's card. */
export const openedFromText = (n: OpenedFromNotice): string =>
  [
    `${n.problemId} links ${listed(n.linked)}.`,
    ...n.skipped.map((s) => `${s.incidentId} was not linked: ${s.reason}`),
  ].join(' ');

export const knownErrorReply = (n: { problemId: string; service: string; already: boolean }): Reply =>
  ephemeral(
    n.already
      ? `${n.problemId} is a known error with that workaround already; nothing changed.`
      : `${n.problemId} is a known error. New incidents on ${n.service} get its workaround in their thread.`,
  );

export interface WorkaroundNotice {
  incidentId: string;
  problems: ReadonlyArray<{ problemId: string; title: string; workaround: string }>;
}

/** Posted once in a new incident's thread: the known errors of its service, and how to link to one. */
export function workaroundReply(n: WorkaroundNotice): Reply {
  const lines = n.problems.map((p) => `${p.problemId} (${p.title}): ${p.workaround}`);
  const first = n.problems[0]?.problemId ?? 'PRB-1';
  const hint = `If this is the same, link it: /ticket link ${n.incidentId} ${first}`;
  return {
    text: [`Known error on this service. Workaround: ${lines.join(' · ')}`, hint].join('\n'),
    visibility: 'thread',
    header: 'Known error',
    list: lines,
    context: hint,
  };
}

/** This module's notice kinds, `problem.*` (src/present/notices.ts). */
export const PROBLEM_NOTICES = registerNotices('problem', {
  linked: linkedReply,
  unlinked: unlinkedReply,
  knownError: knownErrorReply,
  workaround: workaroundReply,
});
