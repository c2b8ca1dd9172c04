// Personal follow-ups: "/ticket remind INC-4 tomorrow 9am" becomes a durable job that DMs the asker at that time.
import { randomBytes } from 'node:crypto';
import type { Reply } from '../core/reply.ts';
import { UserError } from '../domain/errors.ts';
import { parseWhen } from '../domain/when.ts';
import type { Job, JobRepository } from '../store/jobStore.ts';
import type { Acting } from './acting.ts';
import type { Outbox } from './outbox.ts';
import type { TicketService } from './tickets.ts';

export const REMIND_KIND = 'ticket.remind';

interface RemindPayload {
  personId: string;
  ticketId: string;
  note: string | null;
}

export class ReminderService {
  constructor(
    private readonly jobs: JobRepository,
    private readonly tickets: TicketService,
    private readonly outbox: Outbox,
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
      payload: { personId: acting.person.id, ticketId: t.ticketId, note: note ?? null } satisfies RemindPayload,
      createdAt: acting.now,
      by: acting.person.identity,
      ticketId: t.ticketId,
    };
    await this.jobs.add(job);
    return { ticketId: t.ticketId, dueAt: at.value };
  }

  /** The job's work: the DM, sent once however often the job runs. */
  async run(job: Job): Promise<void> {
    const p = job.payload as unknown as RemindPayload;
    const reply: Reply = {
      text: `Reminder: ${p.ticketId}${p.note ? ` — ${p.note}` : ''}`,
      visibility: 'channel',
      actions: [{ id: 'ticket.show', label: 'Show', value: p.ticketId }],
    };
    await this.outbox.toPerson(job.tenant, p.personId, reply, { ticketId: p.ticketId }, `job:${job._id}`);
  }
}
