// The bot core: invocation in, permission check, command run, reply out; and the change feed to adapters.
import { randomBytes } from 'node:crypto';
import mongoose from 'mongoose';
import type { Logger } from 'pino';
import { isUserError, UserError } from '../domain/errors.ts';
import type { PriorityMatrix } from '../domain/priority.ts';
import { hasRole } from '../domain/roles.ts';
import type { SlaTargets } from '../domain/sla.ts';
import { OPEN_STATES, type TicketState } from '../domain/ticket.ts';
import { firstTimeZone } from '../domain/timezone.ts';
import { KeyedQueue } from '../services/keyedQueue.ts';
import type { Notifier, TicketChanged } from '../services/notifier.ts';
import { PeopleService } from '../services/people.ts';
import { TicketService } from '../services/tickets.ts';
import { CardRepository } from '../store/cardStore.ts';
import { isDatabaseUnavailable } from '../store/connection.ts';
import { ClaimRepository } from '../store/deliveryStore.ts';
import { PersonRepository } from '../store/personStore.ts';
import { TicketRepository } from '../store/ticketStore.ts';
import type { BotCore, CardRef, ChangeListener } from './bot.ts';
import { type CommandDef, type CommandServices, usageOf } from './command.ts';
import type { Invocation, Platform } from './invocation.ts';
import { CommandRegistry, userErrorReply } from './registry.ts';
import { ephemeral, type Reply } from './reply.ts';
import { ticketCard } from './ticketCard.ts';

export interface BotOptions {
  connection: mongoose.Connection;
  definitions: readonly CommandDef[];
  log: Logger;
  admins: readonly string[];
  /** workspace identity (`slack:T1`) -> organisation */
  orgs: Readonly<Record<string, string>>;
  timezone: string;
  sla: SlaTargets;
  matrix: PriorityMatrix;
  now?: () => Date;
}

export interface Bot extends BotCore {
  readonly services: CommandServices;
  /** Resolves when every change notification started so far has been delivered (tests, shutdown). */
  settled(): Promise<void>;
  /** Forgets delivery claims made before `before` (scheduled maintenance); resolves with how many. */
  pruneClaims(before: Date): Promise<number>;
}

const DB_UNAVAILABLE = 'Database unavailable, nothing was changed, try again.';

export async function createBot(o: BotOptions): Promise<Bot> {
  const now = o.now ?? (() => new Date());
  const tickets = new TicketRepository(o.connection);
  const people = new PersonRepository(o.connection);
  const cards = new CardRepository(o.connection);
  const claims = new ClaimRepository(o.connection);
  await Promise.all([tickets.init(), people.init(), cards.init(), claims.init()]);

  const listeners: ChangeListener[] = [];
  const deliveries = new KeyedQueue();
  const pending = new Set<Promise<unknown>>();

  // Changes reach adapters in order per ticket, without holding up the person who made them.
  const notifier: Notifier = {
    async ticketChanged(ev: TicketChanged) {
      if (listeners.length === 0) return;
      const change = {
        tenant: ev.ticket.tenant,
        ticketId: ev.ticket.ticketId,
        card: ticketCard(ev.ticket, now(), o.timezone),
        summary: ev.summary,
        actor: { id: ev.actorIdentity, platform: ev.platform as Platform, displayName: ev.actorName },
        platform: ev.platform as Platform,
      };
      const p = deliveries.run(`${change.tenant}:${change.ticketId}`, async () => {
        for (const l of listeners) {
          try {
            await l(change);
          } catch (err) {
            o.log.error({ err, ticketId: change.ticketId }, 'a ticket change could not be delivered');
          }
        }
      });
      pending.add(p);
      void p.finally(() => pending.delete(p));
    },
  };

  const peopleService = new PeopleService(people, new Set(o.admins));
  const registry = new CommandRegistry(o.definitions);
  const services: CommandServices = {
    tickets: new TicketService(tickets, notifier, o.sla, o.matrix),
    people: peopleService,
    definitions: () => registry.definitions,
  };

  const tenantOf = (platform: Platform, workspace: string): string => {
    const key = `${platform}:${workspace}`;
    return o.orgs[key] ?? key;
  };

  async function handle(inv: Invocation): Promise<Reply> {
    const ref = randomBytes(4).toString('hex');
    const started = performance.now();
    let outcome = 'success';
    let def: CommandDef | undefined;
    try {
      const resolved = registry.resolve(inv);
      if ('reply' in resolved) {
        outcome = 'usage';
        return resolved.reply;
      }
      def = resolved.def;
      const { options } = resolved;
      const tenant = tenantOf(inv.origin.platform, inv.origin.workspace);
      const at = now();
      const known = await peopleService.recognise(
        tenant,
        {
          identity: inv.actor.id,
          displayName: inv.actor.displayName,
          timezone: inv.actor.timezone,
          email: inv.actor.email,
        },
        at,
      );
      if (!hasRole(known.role, def.minRole)) {
        outcome = 'denied';
        const an = (r: string) => (r === 'admin' || r === 'agent' ? 'an' : 'a');
        return ephemeral(
          `/${def.command}${def.name ? ` ${def.name}` : ''} needs the ${def.minRole} role; you are ${an(known.role)} ${known.role}. Ask an admin: /role grant @you ${def.minRole}`,
          { error: 'PERMISSION.DENIED' },
        );
      }
      return await def.run(
        {
          invocation: inv,
          actor: inv.actor,
          origin: inv.origin,
          tenant,
          role: known.role,
          person: known.person,
          // A platform can send a timezone this runtime does not know: formatting would throw after the change.
          timezone: firstTimeZone([inv.actor.timezone, known.timezone], o.timezone),
          now: at,
        },
        options,
        services,
      );
    } catch (err) {
      if (isUserError(err)) {
        outcome = 'refused';
        // An error about one option (a ticket id that is not there) also shows the right form.
        const hint = err.hint ?? (err.field && def ? `Usage: ${usageOf(def)}` : undefined);
        return userErrorReply(new UserError(err.code, err.message, hint, err.field));
      }
      if (err instanceof mongoose.Error.ValidationError) {
        outcome = 'invalid';
        const msgs = Object.values(err.errors).map((e) => `${e.path}: ${e.message}`);
        return ephemeral(`That was not saved: ${msgs.join('; ')}`, { error: 'VALIDATION' });
      }
      if (isDatabaseUnavailable(err)) {
        outcome = 'db_unavailable';
        o.log.warn({ ref, err: (err as Error).message }, 'database unavailable');
        return ephemeral(`${DB_UNAVAILABLE} (ref ${ref})`, { error: 'SYSTEM.DB_UNAVAILABLE' });
      }
      outcome = 'error';
      o.log.error(
        { err, ref, command: inv.command, subcommand: inv.subcommand, actor: inv.actor.id },
        'command failed',
      );
      return ephemeral(`Sorry, something went wrong on our side. Nothing more was changed. (ref ${ref})`, {
        error: 'SYSTEM.ERROR',
      });
    } finally {
      o.log.debug(
        { ref, command: inv.command, actor: inv.actor.id, outcome, ms: Math.round(performance.now() - started) },
        'invocation',
      );
    }
  }

  const toRef = (c: {
    tenant: string;
    ticketId: string;
    platform: string;
    channel: string;
    messageId: string;
    thread: string | null;
  }): CardRef => ({
    tenant: c.tenant,
    ticketId: c.ticketId,
    platform: c.platform as Platform,
    channel: c.channel,
    messageId: c.messageId,
    thread: c.thread ?? undefined,
  });

  return {
    services,
    handle,
    check(inv) {
      try {
        const r = registry.resolve(inv);
        return 'reply' in r ? r.reply : null;
      } catch {
        return null;
      }
    },
    definitions: () => registry.definitions,
    tenantOf,
    claimDelivery: (key) => claims.claim(key, now()),
    releaseDelivery: (key) => claims.release(key),
    async recordCard(c) {
      await cards.record({ ...c, thread: c.thread ?? null, at: now() });
    },
    async forgetCard(c) {
      await cards.forget(c);
    },
    async cardsFor(tenant, ticketId) {
      return (await cards.forTicket(tenant, ticketId)).map(toRef);
    },
    async ticketForThread(platform, channel, thread) {
      const c = await cards.byThread(platform, channel, thread);
      return c ? { tenant: c.tenant, ticketId: c.ticketId } : null;
    },
    async rememberPerson(actor, workspace) {
      if (workspace) {
        await peopleService.recognise(
          tenantOf(actor.platform, workspace),
          { identity: actor.id, displayName: actor.displayName, timezone: actor.timezone, email: actor.email },
          now(),
        );
      } else {
        await people.refreshProfile(actor.id, {
          displayName: actor.displayName,
          timezone: actor.timezone ?? null,
          email: actor.email ?? null,
        });
      }
    },
    async suggestTickets(platform, workspace, query, actor) {
      const tenant = tenantOf(platform, workspace);
      const q = query.trim().slice(0, 100);
      const scope: { states: TicketState[]; requesterId?: string } = { states: [...OPEN_STATES] };
      // A requester completes only their own tickets: titles are not for everyone's eyes.
      const known = await peopleService.recognise(
        tenant,
        { identity: actor.id, displayName: actor.displayName, timezone: actor.timezone, email: actor.email },
        now(),
      );
      if (!hasRole(known.role, 'agent')) scope.requesterId = known.person.id;
      // One query either way (each is a scan on FerretDB): an id prefix is matched among the newest
      // open tickets, ahead of titles that contain it; other words search titles.
      const idLike = /^[a-z]{3}-?\d*$/i.test(q);
      const found = await tickets.list(tenant, {
        ...scope,
        limit: idLike ? 100 : 25,
        ...(q && !idLike ? { text: q } : {}),
      });
      const needle = q.toLowerCase();
      const ranked = idLike
        ? [
            ...found.filter((t) => t.ticketId.toLowerCase().startsWith(needle)),
            ...found.filter(
              (t) => !t.ticketId.toLowerCase().startsWith(needle) && t.title.toLowerCase().includes(needle),
            ),
          ]
        : found;
      return ranked.slice(0, 25).map((t) => ({ id: t.ticketId, title: t.title }));
    },
    onTicketChanged(listener) {
      listeners.push(listener);
    },
    pruneClaims: (before) => claims.prune(before),
    async settled() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}
