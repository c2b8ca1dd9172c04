// Builds the repositories and the use cases over one database connection: what src/main.ts hands to the core.
import { join } from 'node:path';
import type { Connection } from 'mongoose';
import pino from 'pino';
import { DEFAULT_ROOM_ARCHIVE_DAYS } from '../../config/defaults.ts';
import { DEFAULT_SEVERITY_MAP, type SeverityMap } from '../domain/alerts.ts';
import { DEFAULT_UPDATE_CADENCE, type UpdateCadence } from '../domain/incident.ts';
import type { PriorityMatrix } from '../domain/priority.ts';
import type { SlaTargets } from '../domain/sla.ts';
import { staleRulesFromDays } from '../domain/stale.ts';
import type { StatusSummary } from '../domain/summary.ts';
import { AlertKeyRepository } from '../store/alertKeyStore.ts';
import { CardRepository } from '../store/cardStore.ts';
import { isDatabaseUnavailable, mayHaveReachedDatabase } from '../store/connection.ts';
import { CsatRepository } from '../store/csatStore.ts';
import { ClaimRepository } from '../store/deliveryStore.ts';
import { declareExpiry, sweepExpired } from '../store/expiry.ts';
import { FileRepository } from '../store/fileStore.ts';
import { FreezeRepository } from '../store/freezeStore.ts';
import { IncidentRepository } from '../store/incidentStore.ts';
import { declareIndexes } from '../store/indexes.ts';
import { JobRepository } from '../store/jobStore.ts';
import { migrateLayout } from '../store/layoutMigration.ts';
import { MessageTicketRepository } from '../store/messageTicketStore.ts';
import { NoticeRepository } from '../store/noticeStore.ts';
import { NudgeRepository } from '../store/nudgeStore.ts';
import { OutboxRepository } from '../store/outboxStore.ts';
import { PageRepository } from '../store/pageStore.ts';
import { PersonRepository } from '../store/personStore.ts';
import { PirRepository } from '../store/pirStore.ts';
import { ReminderRepository } from '../store/reminderStore.ts';
import { ReviewRepository } from '../store/reviewStore.ts';
import { RollupRepository } from '../store/rollupStore.ts';
import { SwapRepository } from '../store/swapStore.ts';
import { TeamRepository } from '../store/teamStore.ts';
import { migrateTickets } from '../store/ticketMigration.ts';
import { TicketRepository } from '../store/ticketStore.ts';
import { AlertService, type ResolveOwner } from './alerts.ts';
import { CardService } from './cards.ts';
import { ChangeFeed } from './changeFeed.ts';
import { ChangeService } from './changes.ts';
import { DeliveryClaims } from './claims.ts';
import { CsatService } from './csat.ts';
import { ExportService } from './exports.ts';
import type { FailureReading } from './failures.ts';
import { FreezeService } from './freezes.ts';
import { Housekeeping } from './housekeeping.ts';
import { IncidentReminders } from './incidentReminders.ts';
import { IncidentRooms } from './incidentRooms.ts';
import { IncidentService } from './incidents.ts';
import { MessageTicketLinks } from './messageTickets.ts';
import { OnCallNotices } from './oncallNotices.ts';
import { Outbox, type OutboxOptions } from './outbox.ts';
import { PagingService } from './paging.ts';
import { PeopleService } from './people.ts';
import { PirService } from './pirs.ts';
import { ReminderService } from './reminders.ts';
import { ReviewService } from './reviews.ts';
import { RollupService } from './rollups.ts';
import { SlaWatch } from './slaWatch.ts';
import { StaleService } from './stale.ts';
import { SummaryService } from './summaries.ts';
import { SwapService } from './swaps.ts';
import { pageNamedTeams } from './teamPages.ts';
import { TeamService } from './teams.ts';
import { TicketService } from './tickets.ts';

export interface Services {
  tickets: TicketService;
  /** Files waiting in the outbox (charts, exports), by day. */
  files: FileRepository;
  people: PeopleService;
  cards: CardService;
  claims: DeliveryClaims;
  /** Which ticket each chat message was opened as, for good. */
  messageTickets: MessageTicketLinks;
  /** Every ticket change, as it happens. */
  changes: ChangeFeed;
  /** Every message the bot sends first: written, delivered once, recorded. */
  outbox: Outbox;
  /** Pending requesters nudged, then their tickets resolved; resolved tickets closed: jobs, always on. */
  housekeeping: Housekeeping;
  /** Whether a failure was the database out of reach (the core's apology says so). */
  failures: FailureReading;
  /** Nightly housekeeping of expired documents, where the server has no TTL index (src/store/expiry.ts). */
  storage: { sweepExpired(now: Date): Promise<number> };
  /** Durable one-shot jobs (src/scheduler/jobs.ts runs them). */
  jobs: JobRepository;
  reminders: ReminderService;
  reviews: ReviewService;
  /** The reviews themselves: node-cron tasks are made from the active ones (src/scheduler/cronTasks.ts). */
  reviewStore: ReviewRepository;
  /** Post-incident reviews of P1/P2 incidents. */
  pirs: PirService;
  /** Major incidents over incident tickets (update-due reminders are jobs of kind incident.update_due). */
  incidents: IncidentService;
  /** Update-due reminders of major incidents (jobs of kind incident.update_due). */
  incidentReminders: IncidentReminders;
  /** Major incidents' rooms on their platforms (their archiving: jobs of kind incident.room_archive). */
  incidentRooms: IncidentRooms;
  /** SLA thresholds of every open ticket, planned from the change feed as jobs. */
  slaWatch: SlaWatch;
  /** Change approvals as the CAB sees them: the agenda a scheduled review posts. */
  cab: ChangeService;
  /** Alert intake: what the webhooks call. */
  alerts: AlertService;
  /** On-call teams: members, services, rotations, overrides, escalation policies. */
  teams: TeamService;
  /** Handoffs and the daily coverage check, told in each team's channel. */
  oncallNotices: OnCallNotices;
  /** Pages and their escalations (steps are jobs of kind oncall.step). */
  paging: PagingService;
  /** Shift swaps between two people of a team. */
  swaps: SwapService;
  /** Daily rollups of ticket events, kept from the change feed: what /status counts from. */
  rollups: RollupService;
  /** Requester satisfaction: asked once on resolve, answered once, counted in the rollups. */
  csat: CsatService;
  /** /status export: a period's tickets as a CSV file. */
  exports: ExportService;
  /** /status: a period's figures from the rollups, with the open work, on-call and the CAB queue. */
  summaries: SummaryService;
}

export interface ServiceOptions {
  /** Identities that are admins whatever is granted in chat (SWITCHBOARD_ADMINS). */
  admins: readonly string[];
  /** The terminal's user (`console:<user>`), an admin too when Switchboard runs at the terminal alone. */
  terminalUser?: string;
  sla: SlaTargets;
  matrix: PriorityMatrix;
  /** Distinct approvers that approve a change (default 1). */
  cabQuorum?: number;
  /** Business days to a PIR's due time (default 5). */
  pirDays?: number;
  /** Minutes between a major incident's stakeholder updates, by severity (SWITCHBOARD_UPDATE_CADENCE). */
  updateCadence?: UpdateCadence;
  /** SWITCHBOARD_ROOM_ARCHIVE_DAYS: a major incident's channel room is archived this long after its ticket closes. */
  roomArchiveDays?: number;
  /** The organisation's timezone (default UTC): where a PIR's weekends are. */
  timezone?: string;
  /** Stale-ticket housekeeping waits, in days (default 3, 3 more, 7). */
  stale?: { nudgeDays: number; resolveDays: number; autocloseDays: number };
  /** The outbox's clock, log and pacing (default: the wall clock, nothing logged). */
  outbox?: OutboxOptions;
  /** Alert intake (config.alerts); default: console:local, the default severities, autoresolve on, not posted. */
  alerts?: {
    /** Undefined: the one workspace the bot is in, named at start-up (`alerts.useTenant`). */
    tenant: string | undefined;
    incidentChannel?: string | undefined;
    severityMap?: SeverityMap;
    autoresolve?: boolean;
    /** Where a service's incidents go (the teams lookup); default: incidentChannel. */
    resolveOwner?: ResolveOwner;
  };
  /** SWITCHBOARD_PAGE_REPEAT: an unanswered level is paged again this often (default 2m). */
  pageRepeatMs?: number;
  /** Each audit's count of overdue escalation steps (metrics). */
  onOverdueSteps?: (count: number) => void;
  /** Draws the /status chart; tests give one that fails. Default: chart.js on @napi-rs/canvas. */
  renderChart?: (summary: StatusSummary) => Buffer;
  /** Where the embedded database and export files live (default .data). */
  dataDir?: string;
  /** Start-up progress lines (the storage migration); default: stderr. */
  progress?: (line: string) => void;
}

export async function buildServices(connection: Connection, o: ServiceOptions): Promise<Services> {
  const tickets = new TicketRepository(connection);
  const people = new PersonRepository(connection);
  const cards = new CardRepository(connection);
  const claims = new ClaimRepository(connection);
  const outbox = new OutboxRepository(connection);
  await Promise.all([tickets.init(), people.init(), cards.init(), claims.init(), outbox.init()]);
  const progress = o.progress ?? ((line: string) => process.stderr.write(`${line}\n`));
  await migrateTickets(connection, { log: progress });
  await migrateLayout(connection, progress);
  await declareIndexes(connection);
  const changes = new ChangeFeed();
  const peopleService = new PeopleService(people, new Set(o.admins), o.terminalUser);
  const cardService = new CardService(cards);
  const files = new FileRepository(connection);
  const outboxService = new Outbox(
    outbox,
    peopleService,
    { ...(o.outbox ?? { log: pino({ level: 'silent' }) }), files },
    cardService,
  );
  const jobs = new JobRepository(connection, o.outbox?.now ?? (() => new Date()));
  const reviewStore = new ReviewRepository(connection);
  const cab = { quorum: o.cabQuorum ?? 1, freezes: new FreezeService(new FreezeRepository(connection)) };
  const ticketService = new TicketService(tickets, changes, o.sla, o.matrix, peopleService, cab);
  const changeService = new ChangeService(tickets, cab);
  const pirs = new PirService(new PirRepository(connection), jobs, outboxService, peopleService, ticketService, {
    days: o.pirDays ?? 5,
    timezone: o.timezone ?? 'UTC',
    onError: (err, ticketId) => o.outbox?.log?.error({ err, ticketId }, 'pirs: could not open the PIR'),
  });
  pirs.listen(changes);
  const incidentRepo = new IncidentRepository(connection);
  const cadence = o.updateCadence ?? DEFAULT_UPDATE_CADENCE;
  const incidentReminders: IncidentReminders = new IncidentReminders(
    incidentRepo,
    jobs,
    (i, reply, key): Promise<void> => incidents.toRoom(i, reply, key),
    {
      cadence,
      timezone: o.timezone ?? 'UTC',
    },
  );
  const incidentRooms: IncidentRooms = new IncidentRooms(
    incidentRepo,
    outboxService,
    peopleService,
    jobs,
    (acting, ticketId, decide) => incidents.change(acting, ticketId, decide),
    { get: (acting, ref) => incidents.get(acting, ref) },
    {
      archiveDays: o.roomArchiveDays ?? DEFAULT_ROOM_ARCHIVE_DAYS,
      log: o.outbox?.log ?? pino({ level: 'silent' }),
      // Read when an incident is declared, long after the teams below are built.
      teamOf: async (tenant, service, at) => {
        const team = await teams.teamFor(tenant, service);
        return team ? { channel: team.channel ?? null, onCall: teams.onCallIn(team, at).person } : null;
      },
    },
  );
  incidentRooms.listen(changes);
  const incidents: IncidentService = new IncidentService(incidentRepo, ticketService, peopleService, outboxService, {
    cadence,
    onChanged: async (i): Promise<void> => {
      await incidentReminders.plan(i);
      await incidentRooms.changed(i);
    },
    openRoom: (acting, i) => incidentRooms.open(acting, i),
    onError: (err, ticketId) =>
      o.outbox?.log?.error({ err, ticketId }, 'incidents: a page line is not on the timeline'),
    // Read when an incident is declared, long after the teams below are built.
    teamChannelOf: async (tenant, service) => (await teams.teamFor(tenant, service))?.channel ?? null,
  });
  incidents.listen(changes);
  const slaWatch = new SlaWatch(
    jobs,
    new NoticeRepository(connection),
    tickets,
    outboxService,
    cardService,
    o.outbox?.log ?? pino({ level: 'silent' }),
    { people: peopleService, timezone: o.timezone ?? 'UTC' },
  );
  slaWatch.watch(changes);
  const teams = new TeamService(new TeamRepository(connection), peopleService);
  const alerts = new AlertService(new AlertKeyRepository(connection), ticketService, outboxService, {
    tenant: o.alerts ? o.alerts.tenant : 'console:local',
    severityMap: o.alerts?.severityMap ?? DEFAULT_SEVERITY_MAP,
    autoresolve: o.alerts?.autoresolve ?? true,
    incidentChannel: o.alerts?.incidentChannel,
    // A service's team posts its alert incidents in its channel (set late: the teams are built below).
    resolveOwner:
      o.alerts?.resolveOwner ??
      (async (tenant, service) => {
        const team = await teams.teamFor(tenant, service);
        return team?.channel ? { channel: team.channel, team: team.name } : null;
      }),
    timezone: o.timezone ?? 'UTC',
    now: o.outbox?.now ?? (() => new Date()),
    log: o.outbox?.log ?? pino({ level: 'silent' }),
    owner: outboxService.owner,
  });
  const oncallNotices = new OnCallNotices(teams, jobs, outboxService, o.timezone ?? 'UTC');
  // A team saved whose handoff or coverage jobs could not be planned is logged (the team change stands).
  teams.onChanged = (team, now) =>
    oncallNotices
      .planFor(team, now)
      .catch((err) =>
        o.outbox?.log?.error({ err, team: team.name }, 'teams: the handoff and coverage jobs could not be planned'),
      );
  teams.cannotPostTo = (address) => outboxService.cannotPostTo(address);
  const pages = new PageRepository(connection);
  // A team being paged is not changed or removed under the page (/team set, rename, delete).
  teams.livePagesOf = async (tenant, team) =>
    (await pages.allLive())
      .filter((e) => e.tenant === tenant && e.team?.toLowerCase() === team.toLowerCase())
      .map((e) => e.ticketId);
  const paging = new PagingService(pages, jobs, ticketService, teams, peopleService, outboxService, {
    repeatMs: o.pageRepeatMs ?? 120_000,
    timezone: o.timezone ?? 'UTC',
    log: o.outbox?.log ?? pino({ level: 'silent' }),
    ...(o.onOverdueSteps ? { onOverdue: o.onOverdueSteps } : {}),
  });
  paging.listen(changes, alerts);
  pageNamedTeams(changes, teams, paging, o.outbox?.log ?? pino({ level: 'silent' }));
  const csatRepo = new CsatRepository(connection);
  const rollupRepo = new RollupRepository(connection, o.outbox?.now);
  const rollups = new RollupService(rollupRepo, tickets, o.sla, o.outbox?.log, () => csatRepo.every());
  rollups.listen(changes);
  const csat = new CsatService(csatRepo, outboxService, ticketService, rollups, o.outbox?.log);
  csat.listen(changes);
  const summaries = new SummaryService(rollups, tickets, teams, changeService, {
    outbox: outboxService,
    log: o.outbox?.log ?? pino({ level: 'silent' }),
    ...(o.renderChart ? { render: o.renderChart } : {}),
  });
  const housekeeping = new Housekeeping(
    tickets,
    ticketService,
    jobs,
    outboxService,
    new NudgeRepository(connection),
    staleRulesFromDays(o.stale ?? { nudgeDays: 3, resolveDays: 3, autocloseDays: 7 }),
    o.timezone ?? 'UTC',
    o.outbox?.log ?? pino({ level: 'silent' }),
  );
  housekeeping.listen(changes);
  await declareExpiry(connection);
  const reminders = new ReminderService(
    jobs,
    ticketService,
    outboxService,
    peopleService,
    new ReminderRepository(connection),
  );
  // Quiet hours (or the zone they are read in) changed: the reminders they held are released, or held anew.
  peopleService.onQuietChanged = (tenant, personId, now) => reminders.quietChanged(tenant, personId, now);
  return {
    housekeeping,
    storage: { sweepExpired: (now: Date) => sweepExpired(connection, now) },
    failures: { isDatabaseUnavailable, mayHaveReachedDatabase },
    files,
    alerts,
    paging,
    swaps: new SwapService(new SwapRepository(connection), teams, peopleService, outboxService, o.timezone ?? 'UTC'),
    rollups,
    csat,
    exports: new ExportService(tickets, csat, join(o.dataDir ?? '.data', 'exports'), outboxService),
    summaries,
    tickets: ticketService,
    cab: changeService,
    teams,
    oncallNotices,
    people: peopleService,
    cards: cardService,
    claims: new DeliveryClaims(claims),
    messageTickets: new MessageTicketLinks(new MessageTicketRepository(connection)),
    changes,
    outbox: outboxService,
    jobs,
    reminders,
    reviewStore,
    reviews: new ReviewService(
      reviewStore,
      jobs,
      outboxService,
      changeService,
      ticketService,
      pirs,
      new StaleService(tickets, (tenant, personId) => peopleService.identitiesOf(tenant, personId)),
      summaries,
    ),
    pirs,
    incidents,
    incidentReminders,
    incidentRooms,
    slaWatch,
  };
}
