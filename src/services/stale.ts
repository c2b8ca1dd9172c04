// Stale tickets: the sweep a stale review posts, and the housekeeping that runs with it (nudge, auto-resolve, auto-close).
import type { Reply } from '../core/reply.ts';
import { formatDuration } from '../domain/duration.ts';
import type { TicketSummary } from '../domain/entities.ts';
import { UserError } from '../domain/errors.ts';
import type { Review } from '../domain/review.ts';
import { DAY_MS, housekeepingFor, pendingSince, type StaleRules, staleByAssignee } from '../domain/stale.ts';
import { OPEN_STATES } from '../domain/ticket.ts';
import type { NudgeRepository } from '../store/nudgeStore.ts';
import type { TicketRepository } from '../store/ticketStore.ts';
import type { Acting } from './acting.ts';
import type { Outbox } from './outbox.ts';
import type { TicketService } from './tickets.ts';

export const DEFAULT_STALE_DAYS = 3;
/** The hot set read at most (the same bound as the digest's counts). */
const HOT_LIMIT = 5000;

/** Who acts when the housekeeping changes a ticket: an admin, so the lifecycle rules are the only check. */
const systemActing = (tenant: string, now: Date, timezone: string): Acting => ({
  tenant,
  person: { id: 'switchboard', identity: 'system:switchboard', name: 'Switchboard' },
  role: 'admin',
  source: { platform: 'system', workspace: tenant },
  now,
  timezone,
});

const days = (n: number) => `${n} day${n === 1 ? '' : 's'}`;

export class StaleService {
  constructor(
    private readonly repo: TicketRepository,
    private readonly tickets: TicketService,
    private readonly outbox: Outbox,
    private readonly nudges: NudgeRepository,
    private readonly rules: StaleRules,
    /** A person's linked identities, so each assignee is mentioned on the platform the sweep posts to. */
    private readonly identitiesOf: (
      tenant: string,
      personId: string,
    ) => Promise<Array<{ identity: string }>> = async () => [],
  ) {}

  /** Runs the housekeeping, then lists the open tickets with no update for the review's days, by assignee. */
  async sweep(review: Review, now: Date): Promise<Reply> {
    const hot = await this.repo.list(review.tenant, { states: [...OPEN_STATES, 'resolved'], limit: HOT_LIMIT });
    const done = await this.housekeep(review.tenant, hot, now, review.timezone);
    const resolved = new Set(done.resolved);
    const n = review.days ?? DEFAULT_STALE_DAYS;
    const groups = staleByAssignee(
      hot.filter((t) => !resolved.has(t.ticketId)),
      now,
      n,
    );
    const count = groups.reduce((a, g) => a + g.tickets.length, 0);
    const header = `${review.name} · ${count ? `${count} stale ticket${count === 1 ? '' : 's'}` : 'nothing stale'}`;
    const list: string[] = [];
    const platform = review.channel.split(':')[0];
    const mentions: string[] = [];
    for (const g of groups) {
      if (g.assignee) {
        for (const { identity } of await this.identitiesOf(review.tenant, g.assignee.id)) {
          if (identity.startsWith(`${platform}:`)) mentions.push(identity);
        }
      }
      const who = g.assignee ? `@${g.assignee.name}` : 'Unassigned';
      list.push(`${who} · ${g.tickets.length} ticket${g.tickets.length === 1 ? '' : 's'}`);
      for (const t of g.tickets) {
        list.push(
          `  ${t.ticketId} · ${t.priority} · ${t.state} · ${t.title} · no update for ${formatDuration(now.getTime() - t.updatedAt.getTime())}`,
        );
      }
    }
    if (!count) list.push(`No open ticket has gone ${days(n)} without an update.`);
    const kept = [
      done.nudged.length ? `nudged the requesters of ${done.nudged.join(', ')}` : '',
      done.resolved.length ? `resolved ${done.resolved.join(', ')} (no answer)` : '',
      done.closed.length ? `closed ${done.closed.join(', ')}` : '',
    ].filter(Boolean);
    const context = kept.length ? `Switchboard ${kept.join('; ')}.` : undefined;
    return {
      text: [`${header} (no update for ${days(n)})`, ...list, ...(context ? [context] : [])].join('\n'),
      visibility: 'channel',
      header,
      list,
      ...(context ? { context } : {}),
      ...(mentions.length ? { mentions } : {}),
    };
  }

  /**
   * Pending tickets gone quiet: their requester is nudged once, then they are resolved; resolved ones are
   * closed. Through TicketService with a system actor, so the lifecycle rules hold; a ticket someone else
   * moved meanwhile (another process's run, a person) is left as it is.
   */
  private async housekeep(
    tenant: string,
    hot: readonly TicketSummary[],
    now: Date,
    timezone: string,
  ): Promise<{ nudged: string[]; resolved: string[]; closed: string[] }> {
    const done = { nudged: [] as string[], resolved: [] as string[], closed: [] as string[] };
    const acting = systemActing(tenant, now, timezone);
    for (const t of hot) {
      const spell = `nudge:${tenant}/${t.ticketId}@${pendingSince(t).toISOString()}`;
      const nudgedAt = t.state === 'pending' ? await this.nudges.nudgedAt(spell) : null;
      const step = housekeepingFor(t, now, this.rules, nudgedAt);
      try {
        if (step === 'nudge') {
          // The DM first, under the spell's key: a run cut short before the record nudges again, and sends once.
          await this.outbox.toPerson(tenant, t.requester.id, this.nudgeFor(t), { ticketId: t.ticketId }, spell);
          await this.nudges.record(spell, now);
          done.nudged.push(t.ticketId);
        } else if (step === 'resolve') {
          const quiet = formatDuration(this.rules.nudgeMs + this.rules.resolveMs);
          await this.tickets.resolveTicket(
            acting,
            t.ticketId,
            `Resolved automatically: no answer from the requester for ${quiet} while pending.`,
          );
          done.resolved.push(t.ticketId);
        } else if (step === 'close') {
          await this.tickets.closeTicket(acting, t.ticketId);
          done.closed.push(t.ticketId);
        }
      } catch (e) {
        if (!(e instanceof UserError)) throw e;
      }
    }
    return done;
  }

  private nudgeFor(t: TicketSummary): Reply {
    const wait = formatDuration(this.rules.resolveMs);
    const text = [
      `${t.ticketId} · ${t.title} is waiting for your answer.`,
      `Reply with /ticket comment ${t.ticketId} <your answer>; with no answer it is resolved automatically in ${wait}.`,
    ].join('\n');
    return {
      text,
      visibility: 'channel',
      header: `${t.ticketId} is waiting for you`,
      actions: [{ id: 'ticket.show', label: 'Show', value: t.ticketId }],
    };
  }
}

export const staleRulesFromDays = (o: { nudgeDays: number; resolveDays: number; autocloseDays: number }) => ({
  nudgeMs: o.nudgeDays * DAY_MS,
  resolveMs: o.resolveDays * DAY_MS,
  autocloseMs: o.autocloseDays * DAY_MS,
});
