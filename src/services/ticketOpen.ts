// Opening a ticket: its priority from impact and urgency (or an agent's word), its SLA clock on the targets of its
// service, and its number claimed by a unique insert (the cache of next numbers only saves reading the counter).

import type { Window } from '../domain/change.ts';
import { UserError } from '../domain/errors.ts';
import { priorityFor } from '../domain/priority.ts';
import { hasRole } from '../domain/roles.ts';
import { startClock } from '../domain/sla.ts';
import { formatTicketId, type Level, type Priority, type TicketType } from '../domain/ticket.ts';
import { SharedReads } from '../kit/sharedReads.ts';
import type { Ticket } from '../store/ticketStore.ts';
import type { Acting } from './acting.ts';
import type { TicketCore } from './ticketCore.ts';

export interface OpenTicketInput {
  title: string;
  description?: string | undefined;
  type?: TicketType | undefined;
  impact?: Level | undefined;
  urgency?: Level | undefined;
  priority?: Priority | undefined;
  service?: string | undefined;
  /** Monitoring names services the catalog may not know: an alert's ticket is never refused for its service. */
  anyService?: boolean | undefined;
  team?: string | undefined;
  tags?: string[] | undefined;
  /** Changes only: when the change is planned to happen. */
  window?: Window | undefined;
  /** Problems only: the incidents it is opened from (src/services/problems.ts checks them first). */
  incidents?: string[] | undefined;
  /**
   * The opener's own effect of the opening, run beside its listeners (`/oncall page` files its page's start job: one
   * slot in the insert the opening's jobs make).
   */
  opened?: ((ticket: Ticket) => Promise<unknown>) | undefined;
}

export class TicketOpening {
  /** Next number per tenant:type, learnt from the database and kept while this process owns it. */
  private readonly nextNumber = new Map<string, number>();

  /** The counter being read for a tenant:type, shared by the openings that wait for it. */
  private readonly reading = new SharedReads();

  constructor(private readonly c: TicketCore) {}

  /** The next number to try, taken at once from what this process knows (the counter read once, when it knows none). */
  private async reserve(key: string, tenant: string, type: TicketType): Promise<number> {
    for (;;) {
      const next = this.nextNumber.get(key);
      if (next !== undefined) {
        this.nextNumber.set(key, next + 1);
        return next;
      }
      const top = await this.reading.run(key, () => this.c.repo.maxNumber(tenant, type));
      if (!this.nextNumber.has(key)) this.nextNumber.set(key, top + 1);
    }
  }

  async openTicket(acting: Acting, input: OpenTicketInput): Promise<Ticket> {
    // Requesters describe impact and urgency; choosing the priority outright is triage, an agent's call.
    if (input.priority !== undefined && !hasRole(acting.role, 'agent')) {
      throw new UserError(
        'PERMISSION.DENIED',
        'Setting --priority directly needs the agent role. Say how bad it is with --impact and --urgency instead (high, medium, low).',
        '',
        'priority',
      );
    }
    const type = input.type ?? 'incident';
    if (input.window && type !== 'change') {
      throw new UserError(
        'TICKET.WINDOW_NOT_CHANGE',
        `Only a change has a planned window; this would be ${type === 'incident' ? 'an' : 'a'} ${type}. Add --type change, or drop --window.`,
        '',
        'window',
      );
    }
    const impact = input.impact ?? 'medium';
    const urgency = input.urgency ?? 'medium';
    const priority = input.priority ?? priorityFor(this.c.matrix, impact, urgency);
    const now = acting.now;
    const sla = await this.c.targetsOf(acting.tenant, input.service ?? null, input.anyService);
    const key = `${acting.tenant}:${type}`;
    const ticket = await (async () => {
      // The number claim (a unique insert) is the guarantee; the cache only saves reading the counter. Openings
      // in this process each take the next number at once and write side by side (a burst of alerts opens fifty
      // incidents: one after the other, their three writes each made the fiftieth wait for 150 writes).
      for (let attempt = 0; attempt < 50; attempt++) {
        const from = await this.reserve(key, acting.tenant, type);
        let number: number;
        try {
          number = await this.c.repo.claimNumber(acting.tenant, type, from);
        } catch (err) {
          // Not claimed: the number goes back when no opening took one after it (no gap for a failed open).
          if (this.nextNumber.get(key) === from + 1) this.nextNumber.set(key, from);
          throw err;
        }
        // Another process took numbers: this process goes on above the last one it passed over.
        if (number > from) this.nextNumber.set(key, Math.max(this.nextNumber.get(key) ?? 0, number + 1));
        const t: Ticket = {
          tenant: acting.tenant,
          type,
          number,
          ticketId: formatTicketId(type, number),
          title: input.title,
          description: input.description ?? '',
          impact,
          urgency,
          priority,
          state: 'new',
          service: input.service ?? null,
          team: input.team ?? null,
          requester: acting.person,
          assignee: null,
          watchers: [acting.person.id],
          source: acting.source,
          tags: input.tags ?? [],
          sla: startClock(sla, priority, now),
          openedAt: now,
          updatedAt: now,
          resolvedAt: null,
          closedAt: null,
          resolution: null,
          comments: [],
          history: [{ at: now, actor: acting.person, platform: acting.source.platform, action: 'opened', to: 'new' }],
          version: 0,
          ...(type === 'change'
            ? { change: { window: input.window ?? null, approval: 'pending' as const, decisions: [] } }
            : {}),
          ...(type === 'problem' ? { problem: { incidents: input.incidents ?? [], knownError: null } } : {}),
        };
        const saved = await this.c.repo.insertNew(t);
        if (saved !== 'taken') return saved;
        // Another process took this number: learn the real maximum and try again.
        this.nextNumber.delete(key);
        await new Promise((r) => setTimeout(r, Math.random() * 5 * (attempt + 1)));
      }
      throw new Error(`could not allocate a ${type} number for ${acting.tenant} after 50 attempts`);
    })();
    await Promise.all([
      this.c.notify(acting, ticket, `${acting.person.name} opened ${ticket.ticketId}: ${ticket.title}`),
      input.opened?.(ticket),
    ]);
    return ticket;
  }
}
