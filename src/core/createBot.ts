// The bot core: invocation in, permission check, command run, reply out; and the change feed to adapters.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { isUserError, UserError } from '../domain/errors.ts';
import type { Platform } from '../domain/platform.ts';
import { hasRole } from '../domain/roles.ts';
import { firstTimeZone } from '../domain/timezone.ts';
import { KeyedQueue } from '../kit/keyedQueue.ts';
import { shownThroughout } from '../kit/typedText.ts';
import { ephemeral, type Reply } from '../present/reply.ts';
import { ticketCard } from '../present/ticketCard.ts';
import type { Services } from '../services/compose.ts';
import type { TicketChanged } from '../services/notifier.ts';
import { actorNamedBy } from './actingAs.ts';
import type { BotCore, CardRef, ChangeListener } from './bot.ts';
import { type CommandDef, type CommandServices, usageOf } from './command.ts';
import type { Actor, Invocation } from './invocation.ts';
import { messageTickets } from './messageTickets.ts';
import { CommandRegistry, userErrorReply } from './registry.ts';

export interface BotOptions {
  /** The use cases, built over the database by src/main.ts (buildServices). */
  services: Services;
  definitions: readonly CommandDef[];
  log: Logger;
  /** workspace identity (`slack:T1`) -> organisation */
  orgs: Readonly<Record<string, string>>;
  timezone: string;
  now?: () => Date;
  /** Hears every invocation once it is answered (metrics); `command` is a declared name, or "unknown". */
  onCommand?: (e: { command: string; outcome: string; platform: string; ms: number }) => void;
}

export interface Bot extends BotCore {
  readonly services: CommandServices;
  /** Resolves when every change notification started so far has been delivered (tests, shutdown). */
  settled(): Promise<void>;
  /** Forgets delivery claims made before `before` (scheduled maintenance); resolves with how many. */
  pruneClaims(before: Date): Promise<number>;
}

const an = (role: string) => (role === 'admin' || role === 'agent' ? 'an' : 'a');

const DB_UNAVAILABLE = 'Database unavailable, nothing was changed, try again.';
const DB_NO_ANSWER =
  'Database unavailable: it did not answer in time. A change may not have been saved: check before trying again.';

export async function createBot(o: BotOptions): Promise<Bot> {
  const now = o.now ?? (() => new Date());
  const { people: peopleService, cards, claims } = o.services;

  const listeners: ChangeListener[] = [];
  const deliveries = new KeyedQueue();
  const pending = new Set<Promise<unknown>>();

  // Every card of the changed ticket is shown anew and its threads hear one line: written to the outbox
  // before the person is answered, so a restart cannot lose them.
  o.services.changes.subscribe(async (ev: TicketChanged) => {
    try {
      const { tenant, ticketId } = ev.ticket;
      // Just opened: no card of it can exist yet (its first is recorded once posted), so nothing is read.
      if (ev.ticket.version === 0) {
        cards.opened(tenant, ticketId);
        return;
      }
      const places = await cards.forTicket(tenant, ticketId);
      if (places.length === 0) return;
      await o.services.outbox.ticketChanged(
        { tenant, ticketId, actorId: ev.actorIdentity },
        ev.ticket.version,
        ticketCard(ev.ticket, now(), o.timezone),
        ev.summary,
        places.map((c) => ({
          platform: c.platform as Platform,
          channel: c.channel,
          messageId: c.messageId,
          thread: c.thread ?? undefined,
        })),
      );
    } catch (err) {
      o.log.error({ err, ticketId: ev.ticket.ticketId }, 'card updates could not be written to the outbox');
    }
  });

  // Changes reach listeners (the terminal's "· Ada resolved INC-1") in order per ticket, without holding up the person.
  o.services.changes.subscribe((ev: TicketChanged) => {
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
  });

  const registry = new CommandRegistry(o.definitions);
  const families = new Set(o.definitions.map((d) => d.command));
  const services: CommandServices = {
    tickets: o.services.tickets,
    people: peopleService,
    outbox: o.services.outbox,
    reminders: o.services.reminders,
    reviews: o.services.reviews,
    pirs: o.services.pirs,
    incidents: o.services.incidents,
    teams: o.services.teams,
    paging: o.services.paging,
    swaps: o.services.swaps,
    summaries: o.services.summaries,
    csat: o.services.csat,
    exports: o.services.exports,
    definitions: () => registry.definitions,
  };

  const tenantOf = (platform: Platform, workspace: string): string => {
    const key = `${platform}:${workspace}`;
    return o.orgs[key] ?? key;
  };

  /** Tells onCommand; typed text never becomes its `command` (a metric label per misspelling grows unbounded). */
  function observe(inv: Invocation, def: CommandDef | undefined, outcome: string, ms: number): void {
    if (!o.onCommand) return;
    const family = inv.command.toLowerCase();
    const command = def ? `${def.command}${def.name ? ` ${def.name}` : ''}` : families.has(family) ? family : 'unknown';
    try {
      o.onCommand({ command, outcome, platform: inv.origin.platform, ms });
    } catch (err) {
      o.log.error({ err }, 'the command observer failed');
    }
  }

  /**
   * The profile `/as` runs under: as the person was last seen (nothing of theirs is overwritten), or, for a
   * terminal name never seen, a new local person; someone of another platform must have been seen.
   */
  async function asPerson(tenant: string, asked: Invocation) {
    const seen = await peopleService.profileOf(tenant, asked.actor.id);
    if (seen) return seen;
    if (asked.actor.platform !== asked.origin.platform) {
      throw new UserError('PERSON.UNKNOWN', `Switchboard has never seen ${asked.actor.id} here.`);
    }
    return { identity: asked.actor.id, displayName: asked.actor.displayName };
  }

  async function handle(inv: Invocation): Promise<Reply> {
    const ref = randomBytes(4).toString('hex');
    const started = performance.now();
    let outcome = 'success';
    let def: CommandDef | undefined;
    try {
      // Under `/as`, the command is read (`me` included) and run as the person named; the admin only asks.
      const asked: Invocation = inv.as === undefined ? inv : { ...inv, actor: actorNamedBy(inv, inv.as) };
      const resolved = registry.resolve(asked);
      if ('reply' in resolved) {
        outcome = 'usage';
        return resolved.reply;
      }
      def = resolved.def;
      const { options } = resolved;
      const tenant = tenantOf(inv.origin.platform, inv.origin.workspace);
      const at = now();
      const profileOf = (a: Actor) => ({
        identity: a.id,
        displayName: a.displayName,
        timezone: a.timezone,
        email: a.email,
      });
      let known = await peopleService.recognise(tenant, profileOf(inv.actor), at);
      if (asked !== inv) {
        if (!hasRole(known.role, 'admin')) {
          outcome = 'denied';
          return ephemeral(`/as needs the admin role; you are ${an(known.role)} ${known.role}.`, {
            error: 'PERMISSION.DENIED',
          });
        }
        known = await peopleService.recognise(tenant, await asPerson(tenant, asked), at);
        asked.actor = { ...asked.actor, displayName: known.person.name };
      }
      if (!hasRole(known.role, def.minRole)) {
        outcome = 'denied';
        return ephemeral(
          `/${def.command}${def.name ? ` ${def.name}` : ''} needs the ${def.minRole} role; you are ${an(known.role)} ${known.role}. Ask an admin: /role grant @you ${def.minRole}`,
          { error: 'PERMISSION.DENIED' },
        );
      }
      return await def.run(
        {
          invocation: asked,
          actor: asked.actor,
          origin: inv.origin,
          tenant,
          role: known.role,
          person: known.person,
          // The zone set with /profile first, then the platform's, then the organisation's. A platform can send a
          // timezone this runtime does not know: formatting would throw after the change.
          timezone: firstTimeZone([known.settings.timezone, asked.actor.timezone, known.timezone], o.timezone),
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
      if (o.services.failures.isDatabaseUnavailable(err)) {
        outcome = 'db_unavailable';
        o.log.warn({ ref, err: (err as Error).message }, 'database unavailable');
        const text = o.services.failures.mayHaveReachedDatabase(err) ? DB_NO_ANSWER : DB_UNAVAILABLE;
        return ephemeral(`${text} (ref ${ref})`, { error: 'SYSTEM.DB_UNAVAILABLE' });
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
      observe(inv, def, outcome, performance.now() - started);
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

  const shownHandle = async (inv: Invocation): Promise<Reply> => shownThroughout(await handle(inv));
  const ticketFromMessage = messageTickets({
    records: o.services.messageTickets,
    claim: (key) => claims.claim(key, now()),
    release: (key) => claims.release(key),
    handle: shownHandle,
    tenantOf,
    now,
    log: o.log,
  });

  return {
    services,
    // Whatever a reply quotes (a name, a title stored long ago), no raw control reaches a platform.
    handle: shownHandle,
    ticketFromMessage,
    check(inv) {
      try {
        const r = registry.resolve(inv);
        return 'reply' in r ? shownThroughout(r.reply) : null;
      } catch {
        return null;
      }
    },
    definitions: () => registry.definitions,
    tenantOf,
    claimDelivery: (key) => claims.claim(key, now()),
    // Through `this`: a core wrapped around this one (tests hold or fail `handle`) is the one that runs.
    async dispatch(this: BotCore, deliveryKey, build, run) {
      if (deliveryKey !== undefined && !(await this.claimDelivery(deliveryKey))) return null;
      const invocation = await build();
      return run ? run(invocation) : this.handle(invocation);
    },
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
    ticketForThread: (platform, channel, thread) => cards.ticketForThread(platform, channel, thread),
    async rememberPerson(actor, workspace) {
      if (workspace) {
        await peopleService.recognise(
          tenantOf(actor.platform, workspace),
          { identity: actor.id, displayName: actor.displayName, timezone: actor.timezone, email: actor.email },
          now(),
        );
      } else {
        await peopleService.refreshProfile(actor.id, {
          displayName: actor.displayName,
          timezone: actor.timezone ?? null,
          email: actor.email ?? null,
        });
      }
    },
    async suggestTickets(platform, workspace, query, actor) {
      const tenant = tenantOf(platform, workspace);
      const at = now();
      const known = await peopleService.recognise(
        tenant,
        { identity: actor.id, displayName: actor.displayName, timezone: actor.timezone, email: actor.email },
        at,
      );
      return o.services.tickets.suggestTickets(
        {
          tenant,
          person: known.person,
          role: known.role,
          source: { platform, workspace },
          now: at,
          timezone: firstTimeZone([known.settings.timezone, actor.timezone, known.timezone], o.timezone),
        },
        query,
      );
    },
    onTicketChanged(listener) {
      listeners.push(listener);
    },
    pruneClaims: async (before) => (await claims.prune(before)) + (await o.services.outbox.pruneClaims(before)),
    async settled() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
      await o.services.outbox.drained();
    },
    registerSender: (sender) => o.services.outbox.register(sender),
  };
}
