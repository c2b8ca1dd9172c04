// Follow-up actions, the continual improvement register: recorded against an incident or a problem with an owner and
// a due time; the owner reminded by DM on the due day and each business day after it (quiet hours kept), on the job
// engine, until the action is done or deferred with a reason. A PIR is done only once its incident's actions are.
import type { Ticket } from '../domain/entities.ts';
import { UserError } from '../domain/errors.ts';
import { isOverdue, MAX_ACTION_TEXT, parseActionId, reminderAt, takesActions } from '../domain/followUp.ts';
import { isQuiet, quietEndsAt } from '../domain/quietHours.ts';
import { hasRole, type RoleNeed, refusalFor } from '../domain/roles.ts';
import { firstTimeZone } from '../domain/timezone.ts';
import { parseWhen } from '../domain/when.ts';
import { actionDueReply, actionListReply } from '../present/actionNotice.ts';
import type { Reply } from '../present/reply.ts';
import type { Action, ActionEnd, ActionRepository } from '../store/actionStore.ts';
import type { Job, JobRepository } from '../store/jobStore.ts';
import type { Acting } from './acting.ts';
import type { JobKinds, OwnsJobKinds } from './jobKinds.ts';
import type { Outbox } from './outbox.ts';
import type { PeopleService } from './people.ts';
import { looksLikeUrl } from './pirs.ts';
import type { TicketService } from './tickets.ts';

export type { Action } from '../store/actionStore.ts';

export const ACTION_REMIND_KIND = 'action.remind';
/** The history entry a recorded action leaves on its ticket (`to`: its id): what /ticket show reads them by. */
export const ACTION_HISTORY = 'action_recorded';

export const RECORD_ACTIONS: RoleNeed = { role: 'agent', denied: 'Recording a follow-up action is for agents.' };
export const DEFER_ACTIONS: RoleNeed = { role: 'agent', denied: 'Deferring a follow-up action is for agents.' };
export const LIST_ACTIONS: RoleNeed = {
  role: 'agent',
  denied: 'The register of actions is for agents; see your own with /ticket action list --mine.',
};

interface RemindPayload {
  tenant: string;
  actionId: string;
  /** Business days after the due day: 0 is the due day. */
  step: number;
  /** A reminder held for quiet hours: the job it was held from (whose key the DM is sent under). */
  heldFrom?: string;
}

const jobIdOf = (tenant: string, actionId: string, step: number) => `action:${tenant}/${actionId}#${step}`;
const EXAMPLE = '/ticket action INC-4 "Alert on disk usage" --owner @ada --due "friday 9am"';

export interface ListFilter {
  mine?: boolean;
  overdue?: boolean;
  service?: string;
}

export class ActionService implements OwnsJobKinds {
  /** The job kinds this service owns (the job engine runs them). */
  readonly jobKinds: JobKinds = { [ACTION_REMIND_KIND]: (job, run) => this.runJob(job, run.now) };

  constructor(
    private readonly repo: ActionRepository,
    private readonly jobs: JobRepository,
    private readonly tickets: TicketService,
    private readonly outbox: Outbox,
    private readonly people: PeopleService,
    /** The organisation's timezone: an owner's business days, unless they set a zone of their own. */
    private readonly o: { timezone: string },
  ) {}

  /** `/ticket action <INC-n|PRB-n> "<what>" --owner @p --due <when>`; nothing is written when anything is refused. */
  async record(
    acting: Acting,
    input: { ticketId: string; what: string | undefined; owner: string | undefined; due: string | undefined },
  ): Promise<{ action: Action; firstReminder: Date; ownerZone: string }> {
    const refused = refusalFor(acting.role, RECORD_ACTIONS);
    if (refused) throw refused;
    const what = (input.what ?? '').trim();
    if (what === '') throw missing('Say what is to be done, in quotes.', 'what');
    if (what.length > MAX_ACTION_TEXT) {
      throw new UserError('USAGE.TOO_LONG', `Say what is to be done in at most ${MAX_ACTION_TEXT} characters.`);
    }
    if (!input.owner) throw missing('Say who owns it: --owner @person.', 'owner');
    if (!input.due?.trim()) throw missing('Say when it is due: --due "friday 9am", or --due 2026-12-24.', 'due');
    // As this process knows it: its type, title and service never change, and closed is final, so only a close
    // elsewhere meanwhile can make it wrong; the note below is written on the ticket as the database holds it and
    // refuses a closed one, and then nothing stands.
    const t = await this.tickets.knownTicket(acting, input.ticketId);
    refuseTicket(t);
    const at = parseWhen(input.due, acting.now, acting.timezone);
    if (!at.ok) {
      throw new UserError(
        'USAGE.BAD_TIME',
        `--due: ${at.error} (read in ${acting.timezone}).`,
        `For example: ${at.examples.map((e) => `--due "${e}"`).join(' or ')}, or --due "2026-12-24 09:00".`,
        'due',
      );
    }
    // The one acting is known already: no read of who they are.
    const owner =
      input.owner === acting.person.identity ? acting.person : await this.people.seen(acting.tenant, input.owner);
    if (!owner) {
      throw new UserError(
        'PERSON.UNKNOWN',
        `Switchboard has never seen ${input.owner} here, so no action was recorded.`,
        'An owner needs to use Switchboard once (any command, e.g. /help) before they can own an action.',
        'owner',
      );
    }
    const action = await this.repo.insertNew({
      tenant: acting.tenant,
      ticketId: t.ticketId,
      ticketTitle: t.title,
      service: t.service,
      what,
      owner,
      dueAt: at.value,
      timezone: this.o.timezone,
      state: 'open',
      createdAt: acting.now,
      createdBy: acting.person,
      ended: null,
    });
    await this.noteOnTicket(acting, action);
    const zone = (await this.ownerSettings(action)).zone;
    // Its first reminder's id is new (the action's number was just claimed), so it is filed as a slot only: nothing
    // reads a reminder's record by id, and the run reads the action.
    const firstReminder = await this.plan(action, 0, zone, acting.now, false);
    return { action, firstReminder, ownerZone: zone };
  }

  /** `/ticket action done <ACT-n> [link]`: its owner, or any agent. */
  async done(acting: Acting, id: string, link: string | undefined): Promise<Action> {
    const url = link?.trim() || null;
    if (url !== null && !looksLikeUrl(url)) {
      throw new UserError(
        'USAGE.BAD_LINK',
        `"${url.slice(0, 60)}" does not look like a link; give the address of what was done, or nothing.`,
        `Try: /ticket action done ${id.slice(0, 20)} https://git.example.com/infra/pull/42`,
        'link',
      );
    }
    return this.end(acting, id, { state: 'done', link: url, reason: null });
  }

  /** `/ticket action defer <ACT-n> "<reason>"`: an agent decides it waits, and says why. */
  async defer(acting: Acting, id: string, reason: string | undefined): Promise<Action> {
    const refused = refusalFor(acting.role, DEFER_ACTIONS);
    if (refused) throw refused;
    const why = (reason ?? '').trim();
    if (why === '') {
      throw new UserError(
        'ACTION.NO_REASON',
        'Say why the action is deferred: the register keeps the reason.',
        `Try: /ticket action defer ${id.slice(0, 20)} "replaced by the new monitoring project"`,
        'reason',
      );
    }
    if (why.length > MAX_ACTION_TEXT) {
      throw new UserError('USAGE.TOO_LONG', `Say why in at most ${MAX_ACTION_TEXT} characters.`, undefined, 'reason');
    }
    return this.end(acting, id, { state: 'deferred', link: null, reason: why });
  }

  /** The open actions asked for (the whole register for agents, `--mine` for anyone), as a reply. */
  async list(acting: Acting, f: ListFilter): Promise<Reply> {
    if (!f.mine) {
      const refused = refusalFor(acting.role, LIST_ACTIONS);
      if (refused) throw refused;
    }
    const service = f.service?.trim().toLowerCase() || undefined;
    let open = f.mine
      ? await this.repo.ofOwner(acting.tenant, acting.person.id, 'open')
      : await this.repo.inState(acting.tenant, 'open', service ? { service } : {});
    if (f.mine && service) open = open.filter((a) => a.service === service);
    if (f.overdue) open = open.filter((a) => isOverdue(a, acting.now));
    const header = [
      f.overdue ? 'Overdue actions' : 'Open actions',
      f.mine ? 'of yours' : '',
      service ? `on ${service}` : '',
    ]
      .filter(Boolean)
      .join(' ');
    return actionListReply({ actions: open, header, now: acting.now, timezone: acting.timezone });
  }

  /** An incident's actions not done nor deferred: what keeps its PIR from being marked done. */
  openOnTicket(tenant: string, ticketId: string): Promise<Action[]> {
    return this.repo.inState(tenant, 'open', { ticketId });
  }

  /** A ticket's actions, read by the ids its history names: no round trip for a ticket that has none. */
  ofTicket(ticket: Pick<Ticket, 'tenant' | 'history'>): Promise<Action[]> {
    const ids = ticket.history.filter((h) => h.action === ACTION_HISTORY && h.to).map((h) => h.to as string);
    return ids.length === 0 ? Promise.resolve([]) : this.repo.findMany(ticket.tenant, [...new Set(ids)]);
  }

  /** One business day's reminder: the next day's job first, then the DM (once), held while the owner is quiet. */
  async runJob(job: Job, now: Date): Promise<string | undefined> {
    const p = job.payload as unknown as RemindPayload;
    const a = await this.repo.find(p.tenant, p.actionId);
    if (!a) return 'no such action';
    if (a.state !== 'open') return a.state;
    const { zone, quiet } = await this.ownerSettings(a);
    if (!p.heldFrom) await this.plan(a, p.step + 1, zone, now);
    const from = p.heldFrom ?? job._id;
    if (isQuiet(quiet, now, zone)) {
      const until = quietEndsAt(quiet, now, zone);
      // Its id names the reminder and the end of quiet hours: held twice (a job taken over), it is held once.
      await this.jobs.schedule({
        ...job,
        _id: `${from}@${until.toISOString()}`,
        dueAt: until,
        payload: { ...p, heldFrom: from } satisfies RemindPayload,
      });
      return 'held for quiet hours';
    }
    const reply = actionDueReply({ action: a, step: p.step, now, timezone: zone });
    await this.outbox.toPerson(a.tenant, a.owner.id, reply, { ticketId: a.ticketId }, `job:${from}`);
    return undefined;
  }

  /**
   * Files the reminder of business day `step` after the due day; recorded, its id makes planning it twice plan it
   * once (a later step, planned by a run that may be taken over); a slot only for the first, planned once.
   */
  private async plan(a: Action, step: number, zone: string, now: Date, recorded = true): Promise<Date> {
    const dueAt = reminderAt(a.dueAt, step, zone);
    await this.jobs.plan(
      {
        _id: jobIdOf(a.tenant, a.actionId, step),
        tenant: a.tenant,
        kind: ACTION_REMIND_KIND,
        dueAt,
        payload: { tenant: a.tenant, actionId: a.actionId, step } satisfies RemindPayload,
        createdAt: now,
        by: null,
        ticketId: a.ticketId,
      },
      recorded,
    );
    return dueAt;
  }

  /** Where the owner's business days and quiet hours are read: their zone, else the organisation's. */
  private async ownerSettings(a: Action) {
    const settings = await this.people.settingsOf(a.tenant, a.owner.id);
    return { zone: firstTimeZone([settings.timezone], a.timezone), quiet: settings.quiet };
  }

  private async end(acting: Acting, id: string, how: Pick<ActionEnd, 'state' | 'link' | 'reason'>): Promise<Action> {
    const n = parseActionId(id);
    if (n === null) {
      throw new UserError(
        'ACTION.BAD_ID',
        `"${id.slice(0, 20)}" is not an action id.`,
        'Actions are numbered like ACT-3: see them with /ticket action list.',
        'id',
      );
    }
    const actionId = `ACT-${n}`;
    const a = await this.repo.find(acting.tenant, actionId);
    if (!a)
      throw UserError.of('ACTION.NOT_FOUND', { id: actionId }, 'See the open ones with /ticket action list.', 'id');
    if (a.owner.id !== acting.person.id && !hasRole(acting.role, 'agent')) {
      throw new UserError('PERMISSION.DENIED', `Only ${a.owner.name} (its owner) or an agent can close ${actionId}.`);
    }
    const end: ActionEnd = { ...how, by: acting.person, at: acting.now };
    const stands = a.ended ?? (await this.repo.end(acting.tenant, actionId, end));
    if (stands) {
      throw new UserError(
        'ACTION.ENDED',
        `${actionId} was ${stands.state} by ${stands.by.name} already${stands.reason ? `: ${stands.reason}` : stands.link ? `: ${stands.link}` : ''}.`,
      );
    }
    return { ...a, state: end.state, ended: end };
  }

  /**
   * The action on its ticket's history, so /ticket show finds it by id. A ticket closed meanwhile (elsewhere, after
   * the copy the check was made on) refuses it: the action is taken back, no reminder is filed, and the person is
   * told, as when the check itself refused. Any other refusal (a ticket too busy to note it) leaves the action in
   * the register.
   */
  private async noteOnTicket(acting: Acting, a: Action): Promise<void> {
    try {
      await this.tickets.noteAction(acting, a.ticketId, a.actionId, a.what);
    } catch (e) {
      if (!(e instanceof UserError)) throw e;
      if (e.code === 'ACTION.CLOSED_TICKET') {
        await this.repo.withdraw(a.tenant, a.actionId);
        throw e;
      }
    }
  }
}

function missing(what: string, field: string): UserError {
  return new UserError('USAGE.MISSING', what, `Try: ${EXAMPLE}`, field);
}

function refuseTicket(t: Ticket): void {
  if (!takesActions(t.type)) {
    throw new UserError(
      'ACTION.WRONG_TICKET',
      `${t.ticketId} is a ${t.type}: follow-up actions are recorded against an incident or a problem.`,
      `Try: ${EXAMPLE}`,
      'id',
    );
  }
  if (t.state === 'closed') {
    throw UserError.of(
      'ACTION.CLOSED_TICKET',
      { id: t.ticketId },
      'Record it on the problem it belongs to (or open one: /ticket new --type problem).',
      'id',
    );
  }
}
