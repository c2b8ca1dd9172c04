// Paging's lines on a major incident's ticket (paged, acknowledged, escalated) go on the incident's timeline too.
import { PAGE_HISTORY } from '../domain/escalation.ts';
import type { Incident, IncidentRepository, TimelineKind } from '../store/incidentStore.ts';
import { type Acting, systemActing } from './acting.ts';
import type { ChangeFeed } from './changeFeed.ts';

/** The ticket history lines paging writes, as timeline kinds. */
const PAGE_KINDS: Readonly<Record<string, TimelineKind>> = {
  [PAGE_HISTORY.paged]: 'page',
  [PAGE_HISTORY.acknowledged]: 'ack',
  page_escalated: 'escalation',
};

/**
 * Paging writes each line once (its own claims) and the feed tells the process that wrote it, once. Only a change
 * whose last history line is paging's reads the incident: other ticket changes cost nothing here.
 */
export function listenForPages(
  feed: ChangeFeed,
  repo: IncidentRepository,
  append: (acting: Acting, ticketId: string, kind: TimelineKind, text: string) => Promise<Incident>,
  onError?: (err: unknown, ticketId: string) => void,
): void {
  feed.subscribe(async (ev) => {
    const t = ev.ticket;
    const last = t.history.at(-1);
    const kind = last ? PAGE_KINDS[last.action] : undefined;
    if (!last || !kind || t.type !== 'incident') return;
    try {
      if (!(await repo.find(t.tenant, t.ticketId))) return;
      await append(
        systemActing(t.tenant, last.actor, last.at, 'UTC', t.source),
        t.ticketId,
        kind,
        last.note ?? last.action,
      );
    } catch (err) {
      onError?.(err, t.ticketId);
    }
  });
}
