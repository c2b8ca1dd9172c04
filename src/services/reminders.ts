// Personal follow-ups: "/ticket remind INC-4 tomorrow 9am" becomes a durable job that DMs the asker at that time.
import { randomBytes } from 'node:crypto';
import { UserError } from '../domain/errors.ts';
import { isQuiet, type QuietHours, quietEndsAt } from '../domain/quietHours.ts';
import { firstTimeZone } from '../domain/timezone.ts';
import { parseWhen } from '../domain/when.ts';
import { reminderReply } from '../present/ticketNotice.ts';
import type { Job, JobRepository } from '../store/jobStore.ts';
import type { PendingReminder, ReminderRepository } from '../store/reminderStore.ts';
import type { Acting } from './acting.ts';
import type { JobKinds, OwnsJobKinds } from './jobKinds.ts';
import type { Outbox } from './outbox.ts';
import type { PeopleService } from './people.ts';
import type { TicketService } from './tickets.ts';

export type { PendingReminder } from '../store/reminderStore.ts';

export const REMIND_KIND = 'ticket.remind';

interface RemindPayload {
  /** Absent on jobs written before reminders could be listed and cancelled: those simply run. */
  reminderId?: string;
  personId: string;
  ticketId: string;
  note: string | null;
  /** The asker's timezone when they asked: quiet hours are read in it unless they set one since. */
  timezone: string;
}

const REMINDER_ID = /^RM-[0-9A-Z]{5}$/;
const newReminderId = () =>
  `RM-${randomBytes(4).readUInt32BE(0).toString(36).toUpperCase().padStart(5, '0').slice(-5)}`;
const jobIdOf = (tenant: string, reminderId: string, move: number) => `remind:${tenant}/${reminderId}#${move}`;
/** The move a reminder's job id names (its `#n`); -1 for an id of another form. */
const moveOf = (jobId: string): number => {
  const m = /#(\d+)$/.exec(jobId);
  return m ? Number(m[1]) : -1;
};

/** The job that sends a reminder at `at` (what `/ticket remind` files; the bench seeds the same). */
export const reminderJob = (r: PendingReminder, jobId: string, at: Date, now: Date): Job => ({
  _id: jobId,
  tenant: r.tenant,
  kind: REMIND_KIND,
  dueAt: at,
  payload: {
    reminderId: r.reminderId,
    personId: r.personId,
    ticketId: r.ticketId,
    note: r.note,
    timezone: r.timezone,
  } satisfies RemindPayload,
  createdAt: now,
  by: r.by,
  ticketId: r.ticketId,
});

export class ReminderService implements OwnsJobKinds {
  /** The job kinds this service owns (the job engine runs them). */
  readonly jobKinds: JobKinds = { [REMIND_KIND]: (job, run) => this.run(job, run.now) };

  constructor(
    private readonly jobs: JobRepository,
    private readonly tickets: TicketService,
    private readonly outbox: Outbox,
    private readonly people: PeopleService,
    private readonly pending: ReminderRepository,
  ) {}

  /**
   * Schedules a DM to the asker about a ticket they may see; nothing is stored when the time is not understood.
   * `arrivesAt` is when it will really arrive: later than `dueAt` when it falls in the asker's quiet hours.
   */
  async remind(
    acting: Acting,
    ticketId: string,
    when: string,
    note?: string,
  ): Promise<{ ticketId: string; reminderId: string; dueAt: Date; arrivesAt: Date; quiet: QuietHours | null }> {
    const t = await this.tickets.getTicket(acting, ticketId);
    const at = parseWhen(when, acting.now, acting.timezone);
    if (!at.ok) {
      throw new UserError(
        'USAGE.BAD_TIME',
        `${at.error}.`,
        `Try: /ticket remind ${t.ticketId} ${at.examples.join(', or ')}`,
        'when',
      );
    }
    const settings = await this.people.settingsOf(acting.tenant, acting.person.id);
    const zone = firstTimeZone([settings.timezone, acting.timezone], 'UTC');
    const arrivesAt = isQuiet(settings.quiet, at.value, zone) ? quietEndsAt(settings.quiet, at.value, zone) : at.value;
    let reminder: PendingReminder | null = null;
    for (let attempt = 0; attempt < 5 && !reminder; attempt++) {
      const reminderId = newReminderId();
      const r: PendingReminder = {
        tenant: acting.tenant,
        reminderId,
        personId: acting.person.id,
        personName: acting.person.name,
        by: acting.person.identity,
        ticketId: t.ticketId,
        note: note ?? null,
        timezone: acting.timezone,
        dueAt: at.value,
        jobId: jobIdOf(acting.tenant, reminderId, 0),
        jobDueAt: at.value,
        held: false,
        moves: 0,
        createdAt: acting.now,
      };
      if (await this.pending.add(r)) reminder = r;
    }
    if (!reminder) throw new Error('could not draw a free reminder id after 5 attempts');
    await this.jobs.add(reminderJob(reminder, reminder.jobId, at.value, acting.now));
    return { ticketId: t.ticketId, reminderId: reminder.reminderId, dueAt: at.value, arrivesAt, quiet: settings.quiet };
  }

  /** The asker's reminders still to come, soonest first. */
  async mine(acting: Acting): Promise<PendingReminder[]> {
    return (await this.pending.ofPerson(acting.tenant, acting.person.id)).sort(
      (a, b) => a.jobDueAt.getTime() - b.jobDueAt.getTime(),
    );
  }

  /** The reminders still to come about a ticket (its ledger shows them as waiting). */
  async aboutTicket(tenant: string, ticketId: string): Promise<PendingReminder[]> {
    return (await this.pending.ofTicket(tenant, ticketId)).sort((a, b) => a.jobDueAt.getTime() - b.jobDueAt.getTime());
  }

  /** Cancels one of the asker's own reminders; its job, when it comes, finds it gone and sends nothing. */
  async cancel(acting: Acting, reminderId: string): Promise<PendingReminder> {
    const id = reminderId.trim().toUpperCase();
    const r = REMINDER_ID.test(id) ? await this.pending.get(acting.tenant, id) : null;
    if (!r || r.personId !== acting.person.id) {
      throw new UserError(
        'REMINDER.NOT_FOUND',
        `You have no reminder ${JSON.stringify(reminderId.slice(0, 20))} waiting.`,
        'See yours with /ticket remind list.',
        'id',
      );
    }
    await this.pending.remove(acting.tenant, r.reminderId);
    return r;
  }

  /**
   * A person's quiet hours or timezone changed: each reminder their quiet hours held is released now (quiet no
   * longer), or put off to the new end of quiet hours. The job it waited on finds it moved and sends nothing.
   */
  async quietChanged(tenant: string, personId: string, now: Date): Promise<void> {
    const held = (await this.pending.ofPerson(tenant, personId)).filter((r) => r.held);
    if (held.length === 0) return;
    const settings = await this.people.settingsOf(tenant, personId);
    for (const r of held) {
      const zone = firstTimeZone([settings.timezone, r.timezone], 'UTC');
      const quiet = isQuiet(settings.quiet, now, zone);
      const at = quiet ? quietEndsAt(settings.quiet, now, zone) : now;
      if (at.getTime() === r.jobDueAt.getTime()) continue;
      await this.moveTo(r, at, quiet, now);
    }
  }

  /**
   * The job's work: the DM, sent once however often the job runs. A reminder is not urgent: in the person's
   * quiet hours it waits for them to end (a job of its own). One cancelled, or moved to another job, is not sent.
   */
  async run(job: Job, now: Date): Promise<string | undefined> {
    const p = job.payload as unknown as RemindPayload;
    const r = p.reminderId ? await this.pending.get(job.tenant, p.reminderId) : null;
    if (p.reminderId && !r) return 'cancelled';
    if (r && r.jobId !== job._id) {
      // This job moved it and stopped before filing the job it now points at (a crash, taken over): filed here.
      if (moveOf(r.jobId) === moveOf(job._id) + 1) await this.jobs.schedule(reminderJob(r, r.jobId, r.jobDueAt, now));
      return 'moved to another time';
    }
    const settings = await this.people.settingsOf(job.tenant, p.personId);
    const zone = firstTimeZone([settings.timezone, p.timezone], 'UTC');
    if (isQuiet(settings.quiet, now, zone)) {
      const until = quietEndsAt(settings.quiet, now, zone);
      if (r) {
        await this.moveTo(r, until, true, now);
        return 'held for quiet hours';
      }
      // Put off already by an earlier run of this job (one taken over after a crash): `exists`.
      await this.jobs.schedule({ ...job, _id: `${job._id}-after-quiet`, dueAt: until });
      return 'held for quiet hours';
    }
    await this.outbox.toPerson(job.tenant, p.personId, reminderReply(p), { ticketId: p.ticketId }, `job:${job._id}`);
    if (r) await this.pending.sent(job.tenant, r.reminderId, job._id);
    return undefined;
  }

  /**
   * The reminder pointed at a new job for `at` (over the job it had), then that job filed. In this order: a job due
   * at once, filed first, could run before the reminder pointed at it, find it "moved" and send nothing, and the
   * reminder would then wait on a job that had ended. A move that lost to another (the job and a change of quiet
   * hours at once) files nothing; a crash between the two is mended by the old job's rerun (`run`).
   */
  private async moveTo(r: PendingReminder, at: Date, held: boolean, now: Date): Promise<void> {
    const moves = r.moves + 1;
    const jobId = jobIdOf(r.tenant, r.reminderId, moves);
    if (!(await this.pending.move(r, { jobId, jobDueAt: at, held, moves }))) return;
    await this.jobs.schedule(reminderJob(r, jobId, at, now));
  }
}
