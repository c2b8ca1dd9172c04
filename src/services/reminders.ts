// Personal follow-ups: "/ticket remind INC-4 tomorrow 9am" becomes a durable job that DMs the asker at that time.
import { randomBytes } from 'node:crypto';
import type { Reply } from '../core/reply.ts';
import { UserError } from '../domain/errors.ts';
import { isQuiet, quietEndsAt } from '../domain/quietHours.ts';
import { firstTimeZone } from '../domain/timezone.ts';
import { parseWhen } from '../domain/when.ts';
import type { Job, JobRepository } from '../store/jobStore.ts';
import type { Acting } from './acting.ts';
import type { Outbox } from './outbox.ts';
import type { PeopleService } from './people.ts';
import type { TicketService } from './tickets.ts';

export const REMIND_KIND = 'ticket.remind';

interface RemindPayload {
  personId: string;
  ticketId: string;
  note: string | null;
  /** The asker's timezone when they asked: quiet hours are read in it unless they set one since. */
  timezone: string;
}

export class ReminderService {
  constructor(
    private readonly jobs: JobRepository,
    private readonly tickets: TicketService,
    private readonly outbox: Outbox,
    private readonly people: PeopleService,
  ) {}

  /** Schedules a DM to the asker about a ticket they may see; nothing is stored when the time is not understood. */
  async remind(
    acting: Acting,
    ticketId: string,
    when: string,
    note?: string,
  ): Promise<{ ticketId: string; dueAt: Date }> {
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
    const job: Job = {
      _id: `${acting.now.getTime().toString(36)}-${randomBytes(6).toString('hex')}`,
      tenant: acting.tenant,
      kind: REMIND_KIND,
      dueAt: at.value,
      payload: {
        personId: acting.person.id,
        ticketId: t.ticketId,
        note: note ?? null,
        timezone: acting.timezone,
      } satisfies RemindPayload,
      createdAt: acting.now,
      by: acting.person.identity,
      ticketId: t.ticketId,
    };
    await this.jobs.add(job);
    return { ticketId: t.ticketId, dueAt: at.value };
  }

  /**
   * The job's work: the DM, sent once however often the job runs. A reminder is not urgent: in the person's
   * quiet hours it waits for them to end (a job of its own).
   */
  async run(job: Job, now: Date): Promise<void> {
    const p = job.payload as unknown as RemindPayload;
    const settings = await this.people.settingsOf(job.tenant, p.personId);
    const zone = firstTimeZone([settings.timezone, p.timezone], 'UTC');
    if (isQuiet(settings.quiet, now, zone)) {
      // Put off already by an earlier run of this job (one taken over after a crash).
      await this.jobs.schedule({
        ...job,
        _id: `${job._id}-after-quiet`,
        dueAt: quietEndsAt(settings.quiet, now, zone),
      });
      return;
    }
    const reply: Reply = {
      text: `Reminder: ${p.ticketId}${p.note ? ` — ${p.note}` : ''}`,
      visibility: 'channel',
      actions: [{ id: 'ticket.show', label: 'Show', value: p.ticketId }],
    };
    await this.outbox.toPerson(job.tenant, p.personId, reply, { ticketId: p.ticketId }, `job:${job._id}`);
  }
}
