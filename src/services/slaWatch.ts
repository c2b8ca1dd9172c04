// The SLA watch: every ticket change plans a job at each 75% / 100% threshold of its clock; the job warns the assignee.
import type { Logger } from 'pino';
import type { Ticket } from '../domain/entities.ts';
import { currentThreshold, type SlaTargetName, type SlaThreshold, slaThresholds } from '../domain/slaThresholds.ts';
import { OPEN_STATES } from '../domain/ticket.ts';
import { firstTimeZone } from '../domain/timezone.ts';
import { BoundedMap } from '../kit/boundedMap.ts';
import type { Reply } from '../present/reply.ts';
import { slaReply } from '../present/slaNotice.ts';
import type { Job, JobRepository } from '../store/jobStore.ts';
import type { NoticeRepository } from '../store/noticeStore.ts';
import type { TicketRepository } from '../store/ticketStore.ts';
import type { CardService } from './cards.ts';
import type { ChangeFeed } from './changeFeed.ts';
import type { JobKinds, OwnsJobKinds } from './jobKinds.ts';
import { cardThreadOf, parseChannelAddress, sourceAddress } from './messaging.ts';
import type { Outbox } from './outbox.ts';
import type { PeopleService } from './people.ts';

export const SLA_KIND = 'sla.threshold';

interface SlaPayload {
  tenant: string;
  ticketId: string;
  target: SlaTargetName;
  pct: number;
  dueAt: string;
}

const BREACH_IN_THREAD = new Set(['P1', 'P2']);

/** A threshold's job: its due time is in the id, so a moved due time is a new job and the old one finds it moved. */
export const slaJobId = (tenant: string, ticketId: string, t: Pick<SlaThreshold, 'target' | 'pct' | 'dueAt'>) =>
  `sla:${tenant}/${ticketId}:${t.target}:${t.pct}:${t.dueAt.toISOString()}`;
/** A notice's name, without the due time: however often the threshold is re-planned, it is sent once. */
const noticeKey = (tenant: string, ticketId: string, target: string, pct: number) =>
  `sla:${tenant}/${ticketId}:${target}:${pct}`;

export class SlaWatch implements OwnsJobKinds {
  /** The job kinds this service owns (the job engine runs them). */
  readonly jobKinds: JobKinds = { [SLA_KIND]: (job, run) => this.runJob(job, run.now) };

  /** Jobs this process planned already: a comment on a busy ticket does not try four inserts again. */
  private readonly planned = new BoundedMap<string, true>(10_000);

  constructor(
    private readonly jobs: JobRepository,
    private readonly told: NoticeRepository,
    private readonly tickets: TicketRepository,
    private readonly outbox: Outbox,
    private readonly cards: CardService,
    private readonly log: Logger,
    /** Times are shown in the assignee's zone, else the organisation's (a channel's, a card thread's). */
    private readonly zones: { people: Pick<PeopleService, 'settingsOf'>; timezone: string },
  ) {}

  /** Hears every ticket change (the feed wants listeners that never throw). */
  watch(feed: ChangeFeed): void {
    feed.subscribe(async (ev) => {
      try {
        await this.plan(ev.ticket, ev.ticket.updatedAt);
      } catch (err) {
        this.log.warn({ err, ticket: ev.ticket.ticketId }, 'sla: could not plan the thresholds');
      }
    });
  }

  /**
   * Files a job at the ticket's first threshold; each threshold's job plans the next, so a ticket costs one job
   * at a time. A change that moves the due times gives the first threshold a new id: the walk starts again from
   * it, passing over those told already (a threshold passed is due at once).
   */
  async plan(ticket: Ticket, now: Date): Promise<void> {
    if (!OPEN_STATES.includes(ticket.state)) return;
    const [first] = slaThresholds(ticket.sla, ticket.openedAt);
    // The opening (version 0) is heard once, by the process that wrote it, and its first threshold's id is new (the
    // ticket is): filed as a slot only, one insert not two. A later change may plan an id planned before (in another
    // process, or before a restart): recorded, so it is refused there and not filed again.
    if (first) await this.planOne(ticket, first, now, ticket.version !== 0);
  }

  /**
   * Files a threshold's job. Nothing reads an SLA job's record by id (no cancel: the run reads the ticket and
   * decides; no auditor): `recorded` only keeps an id planned before from being filed again. Filed twice, it still
   * runs once (its claim decides) and tells once (the notice's mark).
   */
  private async planOne(ticket: Ticket, t: SlaThreshold, now: Date, recorded = true): Promise<void> {
    const id = slaJobId(ticket.tenant, ticket.ticketId, t);
    if (this.planned.has(id)) return;
    const payload: SlaPayload = {
      tenant: ticket.tenant,
      ticketId: ticket.ticketId,
      target: t.target,
      pct: t.pct,
      dueAt: t.dueAt.toISOString(),
    };
    const job: Job = {
      _id: id,
      tenant: ticket.tenant,
      kind: SLA_KIND,
      // Passed already (a priority raised late, a walk started again): due now, so it is not counted missed.
      dueAt: new Date(Math.max(t.at.getTime(), now.getTime())),
      payload: { ...payload },
      createdAt: now,
      by: null,
      ticketId: ticket.ticketId,
    };
    await this.jobs.plan(job, recorded);
    this.planned.set(id, true);
  }

  /** The job: the ticket read again; the notice sent once per threshold, or a reason why not. */
  async runJob(job: Job, now: Date): Promise<string | undefined> {
    const p = job.payload as unknown as SlaPayload;
    const ticket = await this.tickets.find(p.tenant, p.ticketId);
    if (!ticket) return 'ticket gone';
    if (!OPEN_STATES.includes(ticket.state)) return ticket.state;
    if (ticket.sla.pausedAt) return 'paused';
    if (p.target === 'response' && ticket.sla.firstResponseAt) return 'responded';
    const t = currentThreshold(ticket.sla, ticket.openedAt, p.target, p.pct, new Date(p.dueAt));
    if (!t) return 'due time moved';
    if (now < t.at) return 'not reached';
    const all = slaThresholds(ticket.sla, ticket.openedAt);
    // A warning whose breach is reached too (a priority raised on a ticket already old, a job run late): the
    // breach, next, says it once.
    const passed = all.some((x) => x.target === t.target && x.pct > t.pct && now >= x.at);
    let reason: string | undefined;
    if (passed) {
      await this.told.markTold(noticeKey(ticket.tenant, ticket.ticketId, t.target, t.pct), now);
      reason = 'breached already';
    } else {
      reason = await this.tell(ticket, t, now);
    }
    const next = all[all.findIndex((x) => x.target === t.target && x.pct === t.pct) + 1];
    if (next) await this.planOne(ticket, next, now);
    return reason;
  }

  /** The notice, once per threshold: to the assignee or the channel, and a P1/P2 breach to the card threads. */
  private async tell(ticket: Ticket, t: SlaThreshold, now: Date): Promise<string | undefined> {
    const key = noticeKey(ticket.tenant, ticket.ticketId, t.target, t.pct);
    // The outbox forgets its keys after a week; this mark does not (a ticket pending for longer re-plans).
    if (await this.told.wasTold(key)) return 'notified already';
    const inChannel = slaReply({ ticket, threshold: t, now, timezone: this.zones.timezone });
    const about = { ticketId: ticket.ticketId };
    let sent = false;
    if (ticket.assignee) {
      const settings = await this.zones.people.settingsOf(ticket.tenant, ticket.assignee.id);
      const timezone = firstTimeZone([settings.timezone], this.zones.timezone);
      const reply = slaReply({ ticket, threshold: t, now, timezone });
      sent = (await this.outbox.toPerson(ticket.tenant, ticket.assignee.id, reply, about, key)).length > 0;
    } else {
      const address = sourceAddress(ticket.source);
      if (address) {
        await this.outbox.toChannel(address, inChannel, { tenant: ticket.tenant, ...about }, undefined, key);
        sent = true;
      }
    }
    if (t.pct === 100 && BREACH_IN_THREAD.has(ticket.priority)) {
      sent = (await this.toCardThreads(ticket, inChannel, key)) || sent;
    }
    await this.told.markTold(key, now);
    return sent ? undefined : 'nobody to tell';
  }

  /** Each card thread hears the breach once (cards sharing a thread, one line). */
  private async toCardThreads(ticket: Ticket, reply: Reply, key: string): Promise<boolean> {
    const seen = new Set<string>();
    for (const c of await this.cards.forTicket(ticket.tenant, ticket.ticketId)) {
      const where = cardThreadOf(c);
      if (!where || seen.has(`${c.platform}:${c.thread}`)) continue;
      seen.add(`${c.platform}:${c.thread}`);
      const address = `${c.platform}:${where.channel}`;
      if (!parseChannelAddress(address)) continue;
      await this.outbox.toChannel(
        address,
        { ...reply, visibility: 'thread' },
        { tenant: ticket.tenant, ticketId: ticket.ticketId },
        where.thread ?? undefined,
        `${key}:thread:${c.platform}:${c.thread}`,
      );
    }
    return seen.size > 0;
  }
}
