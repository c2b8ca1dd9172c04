// Builds the on-call and incident use cases over the connection (teams, swaps, handoff notices, paging, alert intake,
// major incidents and their update reminders): the part of the composition (compose.ts) they share their wiring in.
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import type { SeverityMap } from '../domain/alerts.ts';
import type { UpdateCadence } from '../domain/incident.ts';
import type { RollupFact } from '../domain/rollupFacts.ts';
import type { Priority } from '../domain/ticket.ts';
import { AlertKeyRepository } from '../store/alertKeyStore.ts';
import { IncidentRepository } from '../store/incidentStore.ts';
import type { JobRepository } from '../store/jobStore.ts';
import { PageRepository } from '../store/pageStore.ts';
import { SwapRepository } from '../store/swapStore.ts';
import { TeamRepository } from '../store/teamStore.ts';
import { AlertService } from './alerts.ts';
import type { ChangeFeed } from './changeFeed.ts';
import { declareAlertIncidents } from './incidentAuto.ts';
import { IncidentCloseout } from './incidentCloseout.ts';
import { IncidentReminders } from './incidentReminders.ts';
import { IncidentRooms } from './incidentRooms.ts';
import { IncidentService } from './incidents.ts';
import { OnCallNotices } from './oncallNotices.ts';
import type { Outbox } from './outbox.ts';
import { PagingService } from './paging.ts';
import type { PeopleService } from './people.ts';
import { SwapService } from './swaps.ts';
import { pageNamedTeams } from './teamPages.ts';
import { TeamService } from './teams.ts';
import type { TicketService } from './tickets.ts';

export interface OnCallOptions {
  /** The one clock of the house. */
  now: () => Date;
  /** The one log of the house. */
  log: Logger;
  /** The organisation's timezone (SWITCHBOARD_TIMEZONE). */
  timezone: string;
  /** SWITCHBOARD_UPDATE_CADENCE: minutes between a major incident's stakeholder updates, by severity. */
  updateCadence: UpdateCadence;
  /** SWITCHBOARD_PAGE_REPEAT: an unanswered level is paged again this often. */
  pageRepeatMs: number;
  /** Alert intake (config.alerts). */
  alerts: {
    /** Undefined: the one workspace the bot is in, named at start-up (`alerts.useTenant`). */
    tenant: string | undefined;
    incidentChannel: string | undefined;
    severityMap: SeverityMap;
    autoresolve: boolean;
  };
  /** Each audit's count of overdue escalation steps (metrics). */
  onOverdueSteps?: (count: number) => void;
  /** SWITCHBOARD_MAJOR_AUTO: alert incidents of these priorities declare themselves major (none: off). */
  majorAuto: readonly Priority[];
  /** SWITCHBOARD_POSTMORTEM_DIR: where `/incident postmortem` writes drafts at the terminal. */
  postmortemDir: string;
  /** SWITCHBOARD_ROOM_ARCHIVE_DAYS: a major incident's channel room is archived this long after its ticket closes. */
  roomArchiveDays: number;
  /** Times what is kept in process (the teams, as people are; default `Date.now`). */
  cacheClock?: () => number;
}

/** What the on-call and incident use cases are built on: the rest of the house, built first. */
export interface OnCallParts {
  changes: ChangeFeed;
  jobs: JobRepository;
  tickets: TicketService;
  people: PeopleService;
  outbox: Outbox;
  /** A close-out counted in the rollups (built after this part: called only once the house runs). */
  recordMajor: (fact: RollupFact) => Promise<boolean>;
  /** An ack's first response counted ahead of its history line (built after this part, as above). */
  recordAhead: (fact: RollupFact) => Promise<boolean>;
}

export interface OnCallServices {
  /** On-call teams: members, services, rotations, overrides, escalation policies. */
  teams: TeamService;
  /** Shift swaps between two people of a team. */
  swaps: SwapService;
  /** Handoffs and the daily coverage check, told in each team's channel. */
  oncallNotices: OnCallNotices;
  /** Pages and their escalations (steps are jobs of kind oncall.step). */
  paging: PagingService;
  /** Alert intake: what the webhooks call. */
  alerts: AlertService;
  /** Major incidents over incident tickets. */
  incidents: IncidentService;
  /** Update-due reminders of major incidents (jobs of kind incident.update_due). */
  incidentReminders: IncidentReminders;
  /** Major incidents closed out: the room's summary (jobs of kind incident.closeout), the post-incident draft. */
  incidentCloseout: IncidentCloseout;
  /** Major incidents' rooms on their platforms (their archiving: jobs of kind incident.room_archive). */
  incidentRooms: IncidentRooms;
}

export function buildOnCall(connection: Connection, p: OnCallParts, o: OnCallOptions): OnCallServices {
  const { changes, jobs, people, outbox } = p;
  const { log } = o;
  const teams = new TeamService(new TeamRepository(connection), people, o.cacheClock);
  const incidentRepo = new IncidentRepository(connection);
  const incidentReminders: IncidentReminders = new IncidentReminders(
    incidentRepo,
    jobs,
    (i, reply, key): Promise<void> => incidents.toRoom(i, reply, key),
    { cadence: o.updateCadence, timezone: o.timezone },
  );
  const incidentRooms: IncidentRooms = new IncidentRooms(
    incidentRepo,
    outbox,
    people,
    jobs,
    (acting, ticketId, decide) => incidents.change(acting, ticketId, decide),
    { get: (acting, ref) => incidents.get(acting, ref) },
    {
      archiveDays: o.roomArchiveDays,
      timezone: o.timezone,
      log,
      // Read when an incident is declared, long after the teams are built.
      teamOf: async (tenant, service, at) => {
        const team = await teams.teamFor(tenant, service);
        return team ? { channel: team.channel ?? null, onCall: teams.onCallIn(team, at).person } : null;
      },
    },
  );
  incidentRooms.listen(changes);
  const incidents: IncidentService = new IncidentService(incidentRepo, p.tickets, people, outbox, {
    cadence: o.updateCadence,
    onChanged: async (i, how): Promise<void> => {
      await incidentReminders.plan(i);
      await incidentRooms.changed(i);
      await closeout.onChanged(i, how);
    },
    planRoom: (acting, ticketId) => incidentRooms.planOpening(acting, ticketId),
    openRoom: (acting, i) => incidentRooms.open(acting, i),
    onError: (err, ticketId) => log.error({ err, ticketId }, 'incidents: a page line is not on the timeline'),
    teamChannelOf: async (tenant, service) => (await teams.teamFor(tenant, service))?.channel ?? null,
  });
  incidents.listen(changes);
  const closeout: IncidentCloseout = new IncidentCloseout(incidentRepo, jobs, incidents, p.tickets, outbox, {
    timezone: o.timezone,
    postmortemDir: o.postmortemDir,
    now: o.now,
    recordMajor: (fact) => p.recordMajor(fact),
    onError: (err, ticketId) =>
      log.error({ err, ticketId }, 'incidents: the close-out could not mark or follow the ticket'),
  });
  closeout.listen(changes);
  const alerts = new AlertService(new AlertKeyRepository(connection), p.tickets, outbox, {
    tenant: o.alerts.tenant,
    severityMap: o.alerts.severityMap,
    autoresolve: o.alerts.autoresolve,
    incidentChannel: o.alerts.incidentChannel,
    // A service's team posts its alert incidents in its channel.
    resolveOwner: async (tenant, service) => {
      const team = await teams.teamFor(tenant, service);
      return team?.channel ? { channel: team.channel, team: team.name } : null;
    },
    timezone: o.timezone,
    now: o.now,
    log,
    owner: outbox.owner,
  });
  declareAlertIncidents(alerts, incidents, {
    priorities: o.majorAuto,
    timezone: o.timezone,
    onError: (err, ticketId) =>
      log.error({ err, ticketId }, 'incidents: an alert incident could not declare itself major'),
  });
  const oncallNotices = new OnCallNotices(teams, jobs, outbox, o.timezone);
  // A team saved whose handoff or coverage jobs could not be planned is logged (the team change stands).
  teams.onChanged = (team, now) =>
    oncallNotices
      .planFor(team, now)
      .catch((err) => log.error({ err, team: team.name }, 'teams: the handoff and coverage jobs could not be planned'));
  teams.cannotPostTo = (address) => outbox.cannotPostTo(address);
  const pages = new PageRepository(connection);
  // A team being paged is not changed or removed under the page (/team set, rename, delete).
  // A page started here a moment ago whose start job has not run yet (`/oncall page`) is waited for: it is live then.
  teams.livePagesOf = async (tenant, team) =>
    (await paging.firstPagesOf(tenant).then(() => pages.allLive()))
      .filter((e) => e.tenant === tenant && e.team?.toLowerCase() === team.toLowerCase())
      .map((e) => e.ticketId);
  const paging = new PagingService(pages, jobs, p.tickets, teams, people, outbox, {
    repeatMs: o.pageRepeatMs,
    timezone: o.timezone,
    log,
    ...(o.onOverdueSteps ? { onOverdue: o.onOverdueSteps } : {}),
    recordFact: p.recordAhead,
  });
  paging.listen(changes, alerts);
  pageNamedTeams(changes, teams, paging, log);
  const swaps = new SwapService(new SwapRepository(connection), teams, people, outbox, o.timezone);
  return {
    teams,
    swaps,
    oncallNotices,
    paging,
    alerts,
    incidents,
    incidentReminders,
    incidentCloseout: closeout,
    incidentRooms,
  };
}
