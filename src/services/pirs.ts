// Post-incident reviews: opened when a P1/P2 incident is resolved, due N business days on, the assignee reminded each business day until done.
import type { Ticket } from '../domain/entities.ts';
import { UserError } from '../domain/errors.ts';
import { hasRole, type RoleNeed, refusalFor } from '../domain/roles.ts';
import { parseTicketId } from '../domain/ticket.ts';
import { firstTimeZone } from '../domain/timezone.ts';
import { addBusinessDays } from '../domain/when.ts';
import { pirDoneReply, pirDueReply, pirListReply, pirProblemLine } from '../present/pirNotice.ts';
import type { Reply } from '../present/reply.ts';
import type { Job, JobRepository } from '../store/jobStore.ts';
import type { Pir, PirProblem, PirRepository } from '../store/pirStore.ts';
import type { Acting } from './acting.ts';
import type { ChangeFeed } from './changeFeed.ts';
import type { JobKinds, OwnsJobKinds } from './jobKinds.ts';
import { sourceAddress } from './messaging.ts';
import type { TicketChanged } from './notifier.ts';
import type { Outbox } from './outbox.ts';
import type { PeopleService } from './people.ts';
import type { TicketService } from './tickets.ts';

export const PIR_REMIND_KIND = 'pir.remind';
/** The PIR's opening, filed with the resolve and run by the job engine right after it. */
export const PIR_OPEN_KIND = 'pir.open';

export interface PirOptions {
  /** SWITCHBOARD_PIR_DAYS: business days from the resolve to the PIR's due time. */
  days: number;
  /** The organisation's timezone: where weekends are. */
  timezone: string;
  /** A PIR that could not be opened (the database down at the resolve): the resolve itself stands. */
  onError?: (err: unknown, ticketId: string) => void;
  /** The PIR's first draft, as it opens (a major incident's, written from its timeline); null for none. */
  draftOf?: (ticket: Ticket) => Promise<string | null>;
  /** The problem behind the incident (src/services/problems.ts): a repeated incident's PIR names it. */
  problemOf?: (ticket: ProblemOfIncident) => Promise<PirProblem | null>;
  /** The incident's follow-up actions neither done nor deferred, as lines: a PIR is not done while there are any. */
  openActionsOf?: (tenant: string, ticketId: string, now: Date, timezone: string) => Promise<string[]>;
}

/** A resolved P1/P2 incident has a post-incident review. */
export const opensPir = (t: Pick<Ticket, 'type' | 'state' | 'priority'>): boolean =>
  t.type === 'incident' && t.state === 'resolved' && (t.priority === 'P1' || t.priority === 'P2');

interface RemindPayload {
  tenant: string;
  ticketId: string;
  /** The business day after the resolve this reminder is for: 1, 2, … */
  day: number;
}

const jobIdOf = (tenant: string, ticketId: string, day: number) => `pir:${tenant}/${ticketId}#${day}`;

/** What finds the problem behind an incident: the one it is linked to, or one open on its service. */
export type ProblemOfIncident = Pick<Ticket, 'tenant' | 'type' | 'service' | 'problemId'>;

/** The PIR an opening job inserts, as the resolve wrote it down: its instants as ISO strings (a payload is JSON-safe). */
type OpenPayload = {
  pir: Omit<Pir, 'openedAt' | 'dueAt' | 'done'> & { openedAt: string; dueAt: string };
  /**
   * The incident's link and service, when the opening names the problem behind it as it runs (a read of the hot
   * set, off the resolve's path); absent on openings filed before, which carry the problem in `pir`.
   */
  problemOf?: { service: string | null; problemId: string | null };
};

/** One opening per resolve (a reopened incident resolved again files another, which finds the first PIR standing). */
const openJobIdOf = (pir: Pick<Pir, 'tenant' | 'ticketId' | 'openedAt'>) =>
  `pir-open:${pir.tenant}/${pir.ticketId}@${pir.openedAt.toISOString()}`;

const pirOf = (p: OpenPayload): Pir => ({
  ...p.pir,
  openedAt: new Date(p.pir.openedAt),
  dueAt: new Date(p.pir.dueAt),
  done: null,
});

/** "Tue 3 Dec 14:05", with the year when it is not `now`'s, in the reader's zone. */
const MAX_LINK = 500;

/** A link as people paste one: http(s), a host with a dot (or localhost), no spaces. */
export function looksLikeUrl(text: string): boolean {
  if (text.length > MAX_LINK || /\s/.test(text)) return false;
  try {
    const u = new URL(text);
    return (
      (u.protocol === 'https:' || u.protocol === 'http:') && (u.hostname.includes('.') || u.hostname === 'localhost')
    );
  } catch {
    return false;
  }
}

/** A draft names the problem too, as a section of its own at the end. */
const withProblem = (draft: string | null, p: PirProblem | null): string | null =>
  draft && p ? `${draft.trimEnd()}\n\n## Problem\n\n${pirProblemLine(p)}\n` : draft;

/** The open PIRs, listed. */
export const LIST_PIRS: RoleNeed = { role: 'agent', denied: 'The PIR list is for agents.' };

export class PirService implements OwnsJobKinds {
  /** The job kinds this service owns (the job engine runs them). */
  readonly jobKinds: JobKinds = {
    [PIR_REMIND_KIND]: (job) => this.runJob(job),
    [PIR_OPEN_KIND]: (job) => this.runOpen(job),
  };

  constructor(
    private readonly repo: PirRepository,
    private readonly jobs: JobRepository,
    private readonly outbox: Outbox,
    private readonly people: PeopleService,
    private readonly tickets: TicketService,
    private readonly o: PirOptions,
  ) {}

  /** Listens for resolves; a listener never throws (the resolve is written already). */
  listen(feed: ChangeFeed): void {
    feed.subscribe(async (ev) => {
      try {
        await this.onChange(ev);
      } catch (err) {
        this.o.onError?.(err, ev.ticket.ticketId);
      }
    });
  }

  /**
   * Opens the PIR of a P1/P2 incident once resolved: once per incident, whatever process hears it, however often.
   *
   * On the resolving change nothing is written here but two job slots, in the same insert into `job_slots` as the
   * other steps the resolve files (its autoclose): the first business day's reminder, then the PIR's opening, due at
   * once and run by the job engine right after (it inserts the PIR by its `_id`, so a job run twice, or a resolve
   * heard twice, opens one). A crash before the insert leaves neither; a crash between the two leaves a reminder that
   * finds no PIR and does nothing, never a PIR nobody is reminded of; a crash in the opening job leaves it to the
   * engine's takeover. A later change of a resolved one (raised to P1 while resolved) opens it here and now.
   */
  async onChange(ev: TicketChanged): Promise<void> {
    const t = ev.ticket;
    if (!opensPir(t)) return;
    const openedAt = t.resolvedAt ?? t.updatedAt;
    const resolving = t.resolvedAt?.getTime() === t.updatedAt.getTime();
    const first = { tenant: t.tenant, ticketId: t.ticketId, openedAt, timezone: this.o.timezone };
    // Filed first, so it goes in the same write as the other steps the resolve files (they file in this turn).
    const reminded = resolving ? this.plan(first, 1, false) : null;
    // Awaited below; a failure meanwhile is not an unhandled one.
    reminded?.catch(() => {});
    // Drafted on the change that resolved it only (a later change of a resolved ticket finds its PIR open already).
    // The problem behind it is named by the opening job as it runs (right after the reply): its read (the hot set)
    // is off the resolve's path, and the opening goes in the same insert as the resolve's other slots.
    const draft = resolving ? await this.draftOf(t) : null;
    const pir: Pir = {
      tenant: t.tenant,
      ticketId: t.ticketId,
      title: t.title,
      priority: t.priority,
      assignee: t.assignee,
      channel: sourceAddress(t.source),
      openedAt,
      dueAt: addBusinessDays(openedAt, this.o.days, this.o.timezone),
      timezone: this.o.timezone,
      done: null,
      draft,
    };
    if (reminded) {
      await Promise.all([reminded, this.fileOpening(pir, { service: t.service, problemId: t.problemId ?? null })]);
      return;
    }
    if (!(await this.repo.open(pir))) return;
    await this.plan(pir, 1);
  }

  /** Files the PIR's opening (without a `jobs` record: nothing reads it by id, and its insert is the "once"). */
  private fileOpening(pir: Pir, problemOf: OpenPayload['problemOf']): Promise<void> {
    const { openedAt, dueAt, done: _, ...rest } = pir;
    return this.jobs.fileWithoutRecord({
      _id: openJobIdOf(pir),
      tenant: pir.tenant,
      kind: PIR_OPEN_KIND,
      dueAt: openedAt,
      payload: {
        pir: { ...rest, openedAt: openedAt.toISOString(), dueAt: dueAt.toISOString() },
        ...(problemOf ? { problemOf } : {}),
      } satisfies OpenPayload,
      createdAt: openedAt,
      by: null,
      ticketId: pir.ticketId,
    });
  }

  /**
   * The opening job: the PIR as the resolve wrote it down, naming the problem behind the incident as it stands now,
   * inserted once (an incident keeps its first PIR; a run again names the problem again, and is refused).
   */
  async runOpen(job: Job): Promise<string | undefined> {
    const p = job.payload as unknown as OpenPayload;
    const pir = pirOf(p);
    if (p.problemOf) {
      const problem = await this.problemOf({ tenant: pir.tenant, type: 'incident', ...p.problemOf }, pir.ticketId);
      if (problem) {
        pir.problem = problem;
        pir.draft = withProblem(pir.draft ?? null, problem);
      }
    }
    return (await this.repo.open(pir)) ? undefined : 'open already';
  }

  /** The draft the PIR opens with, if any; one that could not be written is logged, and the PIR opens without. */
  private async draftOf(t: Ticket): Promise<string | null> {
    try {
      return (await this.o.draftOf?.(t)) ?? null;
    } catch (err) {
      this.o.onError?.(err, t.ticketId);
      return null;
    }
  }

  /** The problem the PIR names, if any; one that could not be read is logged, and the PIR opens without. */
  private async problemOf(t: ProblemOfIncident, ticketId: string): Promise<PirProblem | null> {
    try {
      return (await this.o.problemOf?.(t)) ?? null;
    } catch (err) {
      this.o.onError?.(err, ticketId);
      return null;
    }
  }

  /** `/ticket pir <INC-n> done <link>`: the assignee, or any agent. The team channel is told once. */
  async markDone(
    acting: Acting,
    id: string,
    link: string,
  ): Promise<{ pir: Pir; told: string | null; onHistory: boolean }> {
    const pir = await this.get(acting, id);
    if (pir.assignee?.id !== acting.person.id && !hasRole(acting.role, 'agent')) {
      throw new UserError(
        'PERMISSION.DENIED',
        `Only ${pir.assignee?.name ?? 'the assignee'} or an agent can mark the PIR for ${pir.ticketId} done.`,
      );
    }
    const url = link.trim();
    if (!looksLikeUrl(url)) {
      throw new UserError(
        'USAGE.BAD_LINK',
        `"${url.slice(0, 60)}" does not look like a link; give the PIR document's address.`,
        `Try: /ticket pir ${pir.ticketId} done https://wiki.example.com/pir/${pir.ticketId}`,
        'link',
      );
    }
    const open = (await this.o.openActionsOf?.(acting.tenant, pir.ticketId, acting.now, acting.timezone)) ?? [];
    if (open.length > 0 && !pir.done) {
      throw new UserError(
        'PIR.OPEN_ACTIONS',
        [
          `The PIR for ${pir.ticketId} cannot be done while ${open.length === 1 ? 'an action is' : `${open.length} actions are`} open:`,
          ...open.map((line) => `• ${line}`),
        ].join('\n'),
        'Mark each done (/ticket action done ACT-n [link]) or defer it with a reason (/ticket action defer ACT-n "<reason>").',
      );
    }
    const done = { by: acting.person, at: acting.now, link: url };
    const stands = await this.repo.markDone(acting.tenant, pir.ticketId, done);
    if (stands) {
      throw new UserError(
        'PIR.ALREADY_DONE',
        `The PIR for ${pir.ticketId} was marked done by ${stands.by.name}: ${stands.link}`,
      );
    }
    const onHistory = await this.noteOnTicket(acting, pir.ticketId, url);
    if (pir.channel) {
      await this.outbox.toChannel(
        pir.channel,
        pirDoneReply({ ticketId: pir.ticketId, link: url }),
        { tenant: pir.tenant, ticketId: pir.ticketId },
        undefined,
        `pir-done:${pir.tenant}/${pir.ticketId}`,
      );
    }
    return { pir: { ...pir, done }, told: pir.channel, onHistory };
  }

  /** The open PIRs, soonest due first. */
  list(acting: Acting): Promise<Pir[]> {
    const refused = refusalFor(acting.role, LIST_PIRS);
    if (refused) return Promise.reject(refused);
    return this.repo.listOpen(acting.tenant);
  }

  /** The open PIRs as a message: what `/ticket pir list` answers and a `--kind pir` review posts. */
  async listReply(tenant: string, now: Date, timezone: string, header = 'PIRs'): Promise<Reply> {
    return pirListReply({ open: await this.repo.listOpen(tenant), header, now, timezone });
  }

  /** One business day's reminder: the DM (once, however often the job runs), then the next day's job. */
  async runJob(job: Job): Promise<string | undefined> {
    const p = job.payload as unknown as RemindPayload;
    const pir = await this.repo.find(p.tenant, p.ticketId);
    if (!pir) return 'no such PIR';
    if (pir.done) return 'done';
    await this.plan(pir, p.day + 1);
    if (!pir.assignee) return 'unassigned';
    const settings = await this.people.settingsOf(pir.tenant, pir.assignee.id);
    const zone = firstTimeZone([settings.timezone], pir.timezone);
    const reply = pirDueReply({ pir, daysLeft: this.o.days - p.day, now: job.dueAt, timezone: zone });
    await this.outbox.toPerson(pir.tenant, pir.assignee.id, reply, { ticketId: pir.ticketId }, `job:${job._id}`);
    return undefined;
  }

  /**
   * Files the reminder of business day `day` after the resolve; its id makes planning it twice plan it once. The
   * first, filed with the resolve, goes without its `jobs` record (`recorded` false): the resolve is heard once, by
   * the process that wrote it, and a reminder filed twice (a reopened incident resolved again) runs once, as the
   * engine's claim on its id decides; the later ones, planned by a reminder's run, are recorded.
   */
  private async plan(
    pir: Pick<Pir, 'tenant' | 'ticketId' | 'openedAt' | 'timezone'>,
    day: number,
    recorded = true,
  ): Promise<void> {
    const job: Job = {
      _id: jobIdOf(pir.tenant, pir.ticketId, day),
      tenant: pir.tenant,
      kind: PIR_REMIND_KIND,
      dueAt: addBusinessDays(pir.openedAt, day, pir.timezone),
      payload: { tenant: pir.tenant, ticketId: pir.ticketId, day } satisfies RemindPayload,
      createdAt: pir.openedAt,
      by: null,
      ticketId: pir.ticketId,
    };
    await this.jobs.plan(job, recorded);
  }

  /** The link on the incident's history too, unless the incident is closed (its history is final then). */
  private async noteOnTicket(acting: Acting, ticketId: string, link: string): Promise<boolean> {
    try {
      const t = await this.tickets.getTicket(acting, ticketId);
      if (t.state === 'closed') return false;
      await this.tickets.notePirDone(acting, ticketId, link);
      return true;
    } catch (e) {
      // The PIR is done either way; the history line is a courtesy (someone without sight of the ticket, a race).
      if (e instanceof UserError) return false;
      throw e;
    }
  }

  private async get(acting: Acting, id: string): Promise<Pir> {
    const parsed = parseTicketId(id);
    if (!parsed) {
      throw new UserError(
        'TICKET.BAD_ID',
        `"${id.slice(0, 20)}" is not a ticket id.`,
        'PIRs are for incidents, like INC-12.',
        'id',
      );
    }
    const pir = await this.repo.find(acting.tenant, parsed.id);
    if (!pir) {
      throw UserError.of('PIR.NOT_FOUND', { id: parsed.id }, 'See the open ones with /ticket pir list.', 'id');
    }
    return pir;
  }
}
