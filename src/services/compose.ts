// Builds the repositories and the use cases over one database connection: what src/main.ts hands to the core.
import { join } from 'node:path';
import type { Connection } from 'mongoose';
import type { Logger } from 'pino';
import { ACTION_STATES } from '../domain/followUp.ts';
import type { PriorityMatrix } from '../domain/priority.ts';
import type { SlaTargets } from '../domain/sla.ts';
import { staleRulesFromDays } from '../domain/stale.ts';
import type { StatusSummary } from '../domain/summary.ts';
import type { Priority } from '../domain/ticket.ts';
import { actionLine } from '../present/actionNotice.ts';
import { ActionRepository } from '../store/actionStore.ts';
import { CardRepository } from '../store/cardStore.ts';
import { isDatabaseUnavailable, mayHaveReachedDatabase } from '../store/connection.ts';
import { CsatRepository } from '../store/csatStore.ts';
import { ClaimRepository } from '../store/deliveryStore.ts';
import { declareExpiry, sweepExpired } from '../store/expiry.ts';
import { FileRepository } from '../store/fileStore.ts';
import { FreezeRepository } from '../store/freezeStore.ts';
import { declareIndexes } from '../store/indexes.ts';
import { JobRepository } from '../store/jobStore.ts';
import { KnownErrorRepository } from '../store/knownErrorStore.ts';
import { migrateLayout } from '../store/layoutMigration.ts';
import { MessageTicketRepository } from '../store/messageTicketStore.ts';
import { NoticeRepository } from '../store/noticeStore.ts';
import { NudgeRepository } from '../store/nudgeStore.ts';
import { OutboxRepository } from '../store/outboxStore.ts';
import { PersonRepository } from '../store/personStore.ts';
import { PirRepository } from '../store/pirStore.ts';
import { ReminderRepository } from '../store/reminderStore.ts';
import { ReviewRepository } from '../store/reviewStore.ts';
import { RollupRepository } from '../store/rollupStore.ts';
import { ServiceRepository } from '../store/serviceStore.ts';
import { migrateTickets } from '../store/ticketMigration.ts';
import { TicketRepository } from '../store/ticketStore.ts';
import { ActionService } from './actions.ts';
import { CardService } from './cards.ts';
import { ChangeFeed } from './changeFeed.ts';
import { ChangeService } from './changes.ts';
import { DeliveryClaims } from './claims.ts';
import { buildOnCall, type OnCallOptions, type OnCallServices } from './composeOnCall.ts';
import { CsatService } from './csat.ts';
import { ExportService } from './exports.ts';
import type { FailureReading } from './failures.ts';
import { FreezeService } from './freezes.ts';
import { Housekeeping } from './housekeeping.ts';
import { KnownErrors } from './knownErrors.ts';
import { MessageTicketLinks } from './messageTickets.ts';
import { Outbox, type OutboxOptions } from './outbox.ts';
import { PeopleService } from './people.ts';
import { PirService } from './pirs.ts';
import { ProblemService } from './problems.ts';
import { ReminderService } from './reminders.ts';
import { ReviewService } from './reviews.ts';
import { RollupService } from './rollups.ts';
import { ServiceCatalog, type ServicesMode } from './serviceCatalog.ts';
import { CatalogOwnership } from './serviceOwnership.ts';
import { ServiceStatusService } from './serviceStatus.ts';
import { SlaWatch } from './slaWatch.ts';
import { StaleService } from './stale.ts';
import { SummaryService } from './summaries.ts';
import { TicketService } from './tickets.ts';

export interface Services extends OnCallServices {
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
  /** Problems: incidents linked to them, known errors told to new incidents. */
  problems: ProblemService;
  /** Follow-up actions: the continual improvement register, owners reminded each business day until done. */
  actions: ActionService;
  /** SLA thresholds of every open ticket, planned from the change feed as jobs. */
  slaWatch: SlaWatch;
  /** Change approvals as the CAB sees them: the agenda a scheduled review posts. */
  cab: ChangeService;
  /** Daily rollups of ticket events, kept from the change feed: what /status counts from. */
  rollups: RollupService;
  /** Requester satisfaction: asked once on resolve, answered once, counted in the rollups. */
  csat: CsatService;
  /** /status export: a period's tickets as a CSV file. */
  exports: ExportService;
  /** The service catalog: services, their owners, targets and dependencies. */
  catalog: ServiceCatalog;
  /** /status: a period's figures from the rollups, with the open work, on-call and the CAB queue. */
  summaries: SummaryService;
  /** Availability and SLA attainment per service, from the rollups: /status services, the service review. */
  serviceStatus: ServiceStatusService;
}

export interface ServiceOptions extends OnCallOptions {
  /** The one clock of the house: repositories, the outbox and the services read the time here and nowhere else. */
  now: () => Date;
  /** The one log of the house. */
  log: Logger;
  /** Identities that are admins whatever is granted in chat (SWITCHBOARD_ADMINS). */
  admins: readonly string[];
  /** The terminal's user (`console:<user>`), an admin too when Switchboard runs at the terminal alone. */
  terminalUser?: string;
  /** Times what is kept of people in process (default `Date.now`; see SwitchboardOptions.cacheClock). */
  cacheClock?: () => number;
  sla: SlaTargets;
  matrix: PriorityMatrix;
  /** SWITCHBOARD_CAB_QUORUM: distinct approvers that approve a change. */
  cabQuorum: number;
  /** SWITCHBOARD_PIR_DAYS: business days to a PIR's due time. */
  pirDays: number;
  /** SWITCHBOARD_TIMEZONE: the organisation's timezone (where a PIR's weekends are). */
  timezone: string;
  /** Stale-ticket housekeeping waits, in days (SWITCHBOARD_PENDING_NUDGE_DAYS, …_RESOLVE_DAYS, AUTOCLOSE_DAYS). */
  stale: { nudgeDays: number; resolveDays: number; autocloseDays: number };
  /** SWITCHBOARD_DATA_DIR: where the export files live. */
  dataDir: string;
  /** Start-up progress lines (the storage migration). */
  progress: (line: string) => void;
  /** The outbox's pacing and its delivery hook (metrics); its clock and log are the house's. */
  outbox?: Omit<OutboxOptions, 'now' | 'log' | 'files'>;
  /** Draws the /status chart; tests give one that fails. Default: chart.js on @napi-rs/canvas. */
  renderChart?: (summary: StatusSummary) => Buffer;
  /** SWITCHBOARD_MAJOR_AUTO: alert incidents of these priorities declare themselves major (none: off). */
  majorAuto: readonly Priority[];
  /** SWITCHBOARD_SERVICES: `open` lets a ticket name any service; `auto` only a declared one, once one is. */
  services: ServicesMode;
  /** SWITCHBOARD_POSTMORTEM_DIR: where `/incident postmortem` writes drafts at the terminal. */
  postmortemDir: string;
}

export async function buildServices(connection: Connection, o: ServiceOptions): Promise<Services> {
  const { now, log, timezone } = o;
  const tickets = new TicketRepository(connection);
  const people = new PersonRepository(connection);
  const cards = new CardRepository(connection);
  const claims = new ClaimRepository(connection);
  const outbox = new OutboxRepository(connection);
  await Promise.all([tickets.init(), people.init(), cards.init(), claims.init(), outbox.init()]);
  await migrateTickets(connection, { log: o.progress });
  await migrateLayout(connection, o.progress);
  await declareIndexes(connection);
  const changes = new ChangeFeed();
  const peopleService = new PeopleService(people, new Set(o.admins), o.terminalUser, o.cacheClock);
  const cardService = new CardService(cards);
  const files = new FileRepository(connection);
  const outboxService = new Outbox(outbox, peopleService, { ...o.outbox, now, log, files }, cardService);
  const jobs = new JobRepository(connection, now);
  const reviewStore = new ReviewRepository(connection);
  const cab = { quorum: o.cabQuorum, freezes: new FreezeService(new FreezeRepository(connection)) };
  const ticketService = new TicketService(tickets, changes, o.sla, o.matrix, peopleService, cab);
  const changeService = new ChangeService(tickets, cab);
  const knownErrors = new KnownErrors(
    ticketService,
    tickets,
    new KnownErrorRepository(connection),
    peopleService,
    outboxService,
    { onError: (err, ticketId) => log.error({ err, ticketId }, 'known errors: could not keep or tell one') },
  );
  knownErrors.listen(changes, cardService);
  const problems = new ProblemService(ticketService, tickets, knownErrors);
  const pirs = new PirService(new PirRepository(connection), jobs, outboxService, peopleService, ticketService, {
    days: o.pirDays,
    timezone,
    onError: (err, ticketId) => log.error({ err, ticketId }, 'pirs: could not open the PIR'),
    // A major incident's PIR opens with the draft written from its timeline (the close-out is built below).
    draftOf: (t) => onCall.incidentCloseout.draftForPir(t),
    // A repeated incident's PIR names the problem behind it.
    problemOf: (t) => problems.problemForPir(t),
    openActionsOf: async (tenant, ticketId, at, zone) =>
      (await actions.openOnTicket(tenant, ticketId)).map((a) => actionLine(a, at, zone, false)),
  });
  pirs.listen(changes);
  const actionRepo = new ActionRepository(connection);
  const actions = new ActionService(actionRepo, jobs, ticketService, outboxService, peopleService, { timezone });
  const onCall = buildOnCall(
    connection,
    {
      changes,
      jobs,
      tickets: ticketService,
      people: peopleService,
      outbox: outboxService,
      recordMajor: (fact) => rollups.recordMajor(fact),
      recordAhead: (fact) => rollups.recordAhead(fact),
    },
    o,
  );
  const serviceRepo = new ServiceRepository(connection);
  const catalog = new ServiceCatalog(serviceRepo, tickets, peopleService, onCall.teams, o.services);
  ticketService.catalog = catalog;
  // The team that owns a service is the one the catalog names; the teams' own lists move into it (once, safely).
  const ownership = new CatalogOwnership(catalog, serviceRepo, onCall.teams);
  onCall.teams.ownership = ownership;
  const moved = await ownership.migrateTeamServices(now());
  if (moved.declared.length > 0) o.progress(`services: ${moved.declared.length} moved from teams into the catalog`);
  for (const k of moved.kept) log.warn({ service: k }, 'services: a team listed a service the catalog gives another');
  const slaWatch = new SlaWatch(jobs, new NoticeRepository(connection), tickets, outboxService, cardService, log, {
    people: peopleService,
    timezone,
  });
  slaWatch.watch(changes);
  const csatRepo = new CsatRepository(connection);
  const rollupRepo = new RollupRepository(connection, now);
  // Tenants folded before the recent window was kept get theirs, once (src/store/rollupStore.ts).
  await rollupRepo.ensureWindows(o.progress);
  const rollups = new RollupService(
    rollupRepo,
    tickets,
    o.sla,
    log,
    () => csatRepo.every(),
    () => onCall.incidentCloseout.majorFacts(),
  );
  rollups.serviceTargets = (tenant, service) => catalog.ticketTargets(tenant, service, o.sla, true);
  rollups.listen(changes);
  const csat = new CsatService(csatRepo, outboxService, ticketService, rollups, jobs, log);
  csat.listen(changes);
  const summaries = new SummaryService(rollups, tickets, onCall.teams, changeService, {
    outbox: outboxService,
    log,
    ...(o.renderChart ? { render: o.renderChart } : {}),
  });
  const serviceStatus = new ServiceStatusService(catalog, rollups, tickets, { log }, (tenant) =>
    actionRepo.inStates(tenant, ACTION_STATES),
  );
  summaries.isService = async (tenant, name) => (await catalog.list(tenant)).some((c) => c.name === name);
  const housekeeping = new Housekeeping(
    tickets,
    ticketService,
    jobs,
    outboxService,
    new NudgeRepository(connection),
    staleRulesFromDays(o.stale),
    timezone,
    log,
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
  peopleService.onQuietChanged = (tenant, personId, at) => reminders.quietChanged(tenant, personId, at);
  return {
    ...onCall,
    housekeeping,
    storage: { sweepExpired: (at: Date) => sweepExpired(connection, at) },
    failures: { isDatabaseUnavailable, mayHaveReachedDatabase },
    files,
    rollups,
    csat,
    exports: new ExportService(
      tickets,
      csat,
      join(o.dataDir, 'exports'),
      outboxService,
      undefined,
      (tenant, from, to) => rollups.between(tenant, from, to),
    ),
    summaries,
    catalog,
    serviceStatus,
    tickets: ticketService,
    cab: changeService,
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
      serviceStatus,
    ),
    pirs,
    problems,
    actions,
    slaWatch,
  };
}
