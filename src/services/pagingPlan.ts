// Paging's pure parts: the step job's kind, id and payload, the timeline of one generation, and the words for a target.
import type { PersonRef, Ticket, TicketSource } from '../domain/entities.ts';
import type { EscalationPolicy, EscalationTarget, PlannedPolicy } from '../domain/escalation.ts';
import type { LiveEscalation } from '../store/pageStore.ts';

export const PAGE_KIND = 'oncall.step';
/** An episode's start: the start, the live record and the first step's page, run after the reply (pagingFirst.ts). */
export const PAGE_START_KIND = 'oncall.start';
/** A resolve's (or a close's) teardown: the episode's end and the live record's delete, run after the reply. */
export const PAGE_END_KIND = 'oncall.end';
/**
 * A line on the ticket's history written right after a command's reply (an ack's comment that redraws every card and
 * so is the incident's first response; escalate now's line): what the reply must say is done in the command.
 */
export const PAGE_LINE_KIND = 'oncall.line';
/** A step more than this late is reported by the auditor. */
export const OVERDUE_MS = 120_000;
/**
 * A page start that failed on our side is tried again after each of these, as a job due that much later on the job
 * engine's clock, then after the last one again and again while the incident is still owed a page (`stillPaged`).
 */
export const START_RETRY_MS = [1_000, 5_000, 25_000, 60_000];
/** How long to wait before try `attempt` (1 the first retry): the back-off, capped at its last step. */
export const startRetryWait = (attempt: number): number =>
  START_RETRY_MS[Math.min(Math.max(attempt, 1), START_RETRY_MS.length) - 1] as number;
/**
 * The quick retries (those before the back-off reaches its cap): a start still failing after them is said in the team's
 * channel, and a listener's retry of work no page is owed for (an ack, a teardown) gives up.
 */
export const QUICK_RETRIES = START_RETRY_MS.length - 1;
/**
 * A listener's work that failed on our side (the change or alert that starts a page, monitoring's acknowledge), heard
 * again as a job on the engine's clock (pagingStarts.ts).
 */
export const PAGE_RETRY_KIND = 'oncall.retry';

export const PAGED = new Set(['P1', 'P2']);
export const FINISHED = new Set(['resolved', 'closed']);

export interface StepPayload {
  tenant: string;
  ticketId: string;
  gen: number;
  index: number;
  /** Absent on steps planned before episodes existed: episode 0. */
  episode?: number;
}

/**
 * The step job of one generation of one episode: a restarted escalation's steps have other ids, and the old ones
 * find a new gen (or a new episode). Episode 0 keeps the form it had before episodes.
 */
export const pageJobId = (tenant: string, ticketId: string, gen: number, index: number, episode = 0) =>
  `page:${tenant}/${ticketId}${episode ? `~${episode}` : ''}@${gen}#${index}`;

/** What an episode's start job carries: enough to start and page it with no other read than the ticket and team. */
export interface StartPayload {
  tenant: string;
  ticketId: string;
  episode: number;
  /** The team whose policy, schedule and channel it uses (read as the job runs); null for a page of one person. */
  team: string | null;
  /** A policy of its own (`/oncall page @person`); null: the team's, as the job finds it. */
  policy: EscalationPolicy | null;
  message: string | null;
  /** When the change that started it happened (ISO): the escalation's start, its steps' times count from it. */
  startedAt: string;
  /** Which try this is (absent: the first, 0): a start that failed is filed again with the next (`pageStartRetryId`). */
  attempt?: number;
}

/** What a listener's retry carries: the work (`what`), its ticket, its try, and an ack's person and time. */
export interface RetryPayload {
  tenant: string;
  ticketId: string;
  what: 'change' | 'alert' | 'ack';
  /** What names the work heard: a change's ticket version, an ack's time (ISO). */
  key: string;
  /** 1 for the first retry. */
  attempt: number;
  /** When the work was heard (ISO). */
  at: string;
  /** Monitoring's acknowledge: who acknowledged. */
  by?: PersonRef;
}

/** What a teardown job carries: the ticket, when it was resolved or closed (ISO), and whether it was closed. */
export interface EndPayload {
  tenant: string;
  ticketId: string;
  at: string;
  closed: boolean;
}

/** One start job per episode: a change heard twice, an alert and its incident's change, two processes file one id. */
export const pageStartJobId = (tenant: string, ticketId: string, episode: number) =>
  `page-start:${tenant}/${ticketId}${episode ? `~${episode}` : ''}`;

/**
 * Try `attempt` of an episode's start job that failed on our side: one id per try, so a try filed twice (a run taken
 * over after its process died) runs once; the start in it is a unique insert besides.
 */
export const pageStartRetryId = (tenant: string, ticketId: string, episode: number, attempt: number) =>
  `${pageStartJobId(tenant, ticketId, episode)}/retry${attempt}`;

/** Try `attempt` of a listener's work that failed (one id per work heard and try: heard twice, it runs once). */
export const pageRetryJobId = (p: Pick<RetryPayload, 'tenant' | 'ticketId' | 'what' | 'key' | 'attempt'>) =>
  `page-retry:${p.tenant}/${p.ticketId}/${p.what}@${p.key}/retry${p.attempt}`;

/** What a line after the reply carries: who gave the command, when (its time is the line's), and the line. */
export interface LinePayload {
  tenant: string;
  ticketId: string;
  by: PersonRef;
  /** When the command was given (ISO): the line's time (an ack's: the incident's first response). */
  at: string;
  source: TicketSource;
  timezone: string;
  action: string;
  note: string;
  /** A public comment with it (the ack's): it redraws every card of the ticket. */
  comment?: string;
}

/**
 * One line per acknowledged episode (`#ack`: filed by the ack, or again by a step that found the ack) and per
 * escalation generation (`@<gen>`): filed twice, it runs once.
 */
export const pageLineJobId = (tenant: string, ticketId: string, episode: number, what: string) =>
  `page-line:${tenant}/${ticketId}${episode ? `~${episode}` : ''}${what}`;

/** One teardown per ticket change that finished it: the resolve heard twice tears down once. */
export const pageEndJobId = (tenant: string, ticketId: string, version: number) =>
  `page-end:${tenant}/${ticketId}@${version}`;

/**
 * Whether anything could ever have paged for the ticket, read from the ticket alone. A page starts only for an
 * incident: one `/oncall page` opened (tagged `page`, a P2); or, for the team owning its service or the team it
 * names, one an alert opened (tagged `alert`) or one while it is P1 or P2 (its change, `teamPages.ts`). Its
 * priorities are the one it has and each side of every priority change on its history, so one raised to P1 and
 * lowered again still counts. Its service, team and tags are set as it opens and never change after, so an incident
 * with neither a service nor a team was never paged but by `/oncall page`. False: no episode start can exist, and a
 * resolve reads none.
 */
export const mayHaveBeenPaged = (
  t: Pick<Ticket, 'type' | 'tags' | 'priority' | 'history' | 'service' | 'team'>,
): boolean =>
  t.type === 'incident' &&
  (t.tags.includes('page') ||
    (Boolean(t.service || t.team) &&
      (t.tags.includes('alert') ||
        PAGED.has(t.priority) ||
        t.history.some((h) => h.action === 'priority' && (PAGED.has(String(h.from)) || PAGED.has(String(h.to)))))));

/**
 * Whether an open incident is still owed the page its start job is for: P1 or P2 now; or, opened to be paged (by
 * `/oncall page`, tagged `page`, or by an alert, tagged `alert`, whatever its priority) and never given another
 * priority since. Downgraded by a person (to P3 or below), it is not: a start, or its retry, pages no more.
 */
export const stillPaged = (t: Pick<Ticket, 'priority' | 'tags' | 'history'>): boolean =>
  PAGED.has(t.priority) ||
  ((t.tags.includes('page') || t.tags.includes('alert')) && !t.history.some((h) => h.action === 'priority'));

/** The change that closed the ticket took it from resolved. */
export const closedFromResolved = (t: Ticket): boolean =>
  [...t.history].reverse().find((h) => h.action === 'state' && h.to === 'closed')?.from === 'resolved';

/** The timeline of one generation: the policy from the level it starts at, `after`s counted from that level. */
export function planOf(e: LiveEscalation): PlannedPolicy {
  const levels = e.policy.levels.slice(e.fromLevel);
  const base = levels[0]?.after ?? 0;
  return { levels: levels.map((l) => ({ after: l.after - base })), repeat: e.policy.repeat };
}

export const oneLevel = (target: EscalationTarget): EscalationPolicy => ({
  levels: [{ after: 0, targets: [target] }],
  repeat: 0,
});

export function describeTarget(t: EscalationTarget): string {
  switch (t.kind) {
    case 'oncall':
      return 'the on-call person';
    case 'team':
      return 'every member';
    case 'teamChannel':
      return "the team's channel";
    case 'person':
      return t.id;
    case 'channel':
      return t.address;
  }
}
