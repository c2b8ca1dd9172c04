// A ticket's --team is paged as a service's owner is: a P1/P2 incident for a team pages that team's policy.
import type { Logger } from 'pino';
import type { Ticket } from '../domain/entities.ts';
import type { ChangeFeed } from './changeFeed.ts';
import type { PagingService } from './paging.ts';
import type { TeamService } from './teams.ts';

const PAGED = new Set(['P1', 'P2']);
const FINISHED = new Set(['resolved', 'closed']);

/**
 * Pages the team a ticket names (`/ticket new … --team storage`), once per episode, as paging does for the team
 * owning its service. When a team owns the ticket's service, that team is paged (by paging itself) and the named
 * team is not: one escalation per ticket, and the two listeners never race for it. A ticket `/oncall page` opened
 * starts its own escalation, with its message, and is left to it.
 */
export function pageNamedTeams(feed: ChangeFeed, teams: TeamService, paging: PagingService, log: Logger): void {
  feed.subscribe(async ({ ticket }) => {
    try {
      await pageNamedTeam(ticket, teams, paging);
    } catch (err) {
      log.error({ err, ticketId: ticket.ticketId }, 'paging: could not page the team a ticket names');
    }
  });
}

async function pageNamedTeam(t: Ticket, teams: TeamService, paging: PagingService): Promise<void> {
  if (!t.team || t.type !== 'incident' || FINISHED.has(t.state) || !PAGED.has(t.priority)) return;
  if (t.tags.includes('page')) return;
  if (await teams.teamFor(t.tenant, t.service)) return;
  const team = (await teams.list(t.tenant)).find((x) => x.name.toLowerCase() === t.team?.toLowerCase());
  if (team) await paging.startFor(t, team, null, null, t.updatedAt);
}
