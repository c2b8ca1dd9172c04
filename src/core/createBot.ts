// The bot core: invocation in, permission check, command run, reply out; and the change feed to adapters.
import type { Logger } from 'pino';
import type { Platform } from '../domain/platform.ts';
import { suggestionLabel } from '../domain/serviceSuggest.ts';
import { firstTimeZone } from '../domain/timezone.ts';
import { KeyedQueue } from '../kit/keyedQueue.ts';
import { shownThroughout } from '../kit/typedText.ts';
import type { Reply } from '../present/reply.ts';
import { ticketCard } from '../present/ticketCard.ts';
import type { Services } from '../services/compose.ts';
import type { TicketChanged } from '../services/notifier.ts';
import type { BotCore, CardRef, ChangeListener } from './bot.ts';
import type { CommandDef, CommandServices } from './command.ts';
import type { Invocation } from './invocation.ts';
import { messageTickets } from './messageTickets.ts';
import { loggingObserver, observers, type PipelineObserver } from './observer.ts';
import { MAX_TEXT } from './parser.ts';
import { invocationPipeline } from './pipeline.ts';
import { CommandRegistry } from './registry.ts';
import { echoes, threadCommentOf } from './threadComment.ts';

export interface BotOptions {
  /** The use cases, built over the database by src/main.ts (buildServices). */
  services: Services;
  definitions: readonly CommandDef[];
  log: Logger;
  /** workspace identity (`slack:T1`) -> organisation */
  orgs: Readonly<Record<string, string>>;
  timezone: string;
  now?: () => Date;
  /** Hear every invocation: run, denied, success, error, finish (metrics); the log hears them first. */
  observers?: readonly PipelineObserver[];
}

export interface Bot extends BotCore {
  readonly services: CommandServices;
  /** Resolves when every change notification started so far has been delivered (tests, shutdown). */
  settled(): Promise<void>;
  /** Forgets delivery claims made before `before` (scheduled maintenance); resolves with how many. */
  pruneClaims(before: Date): Promise<number>;
}

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
          // The thread the change was written in already holds the person's own words: no line repeats them.
          thread: echoes(c, ev.origin) ? undefined : (c.thread ?? undefined),
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
  const services: CommandServices = {
    tickets: o.services.tickets,
    people: peopleService,
    outbox: o.services.outbox,
    reminders: o.services.reminders,
    reviews: o.services.reviews,
    pirs: o.services.pirs,
    problems: o.services.problems,
    actions: o.services.actions,
    incidents: o.services.incidents,
    incidentCloseout: o.services.incidentCloseout,
    incidentRooms: o.services.incidentRooms,
    teams: o.services.teams,
    paging: o.services.paging,
    swaps: o.services.swaps,
    summaries: o.services.summaries,
    csat: o.services.csat,
    exports: o.services.exports,
    catalog: o.services.catalog,
    serviceStatus: o.services.serviceStatus,
    definitions: () => registry.definitions,
  };

  const tenantOf = (platform: Platform, workspace: string): string => {
    const key = `${platform}:${workspace}`;
    return o.orgs[key] ?? key;
  };

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

  const handle = invocationPipeline({
    registry,
    services,
    people: peopleService,
    failures: o.services.failures,
    tenantOf,
    now,
    timezone: o.timezone,
    emit: observers([loggingObserver(o.log), ...(o.observers ?? [])], o.log),
  });
  const shownHandle = async (inv: Invocation): Promise<Reply> => shownThroughout(await handle(inv));
  const ticketNew = o.definitions.find((d) => d.command === 'ticket' && d.name === 'new');
  const limitOf = (name: string) => ticketNew?.options.find((x) => x.name === name)?.maxLength ?? MAX_TEXT;
  const openOnce = messageTickets({
    records: o.services.messageTickets,
    claim: (key) => claims.claim(key, now()),
    release: (key) => claims.release(key),
    limits: () => ({ title: limitOf('title'), description: limitOf('description') }),
    tenantOf,
    now,
    log: o.log,
  });

  return {
    services,
    // Whatever a reply quotes (a name, a title stored long ago), no raw control reaches a platform.
    handle: shownHandle,
    // Through `this`, as dispatch: a core wrapped around this one runs the commands.
    ticketFromMessage(this: BotCore, message, read) {
      return openOnce(message, read, (inv) => this.handle(inv));
    },
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
    commentInThread: (ticketId, reply) => threadCommentOf(registry.definitions, ticketId, reply),
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
    async suggestServices(platform, workspace, typed) {
      const tenant = tenantOf(platform, workspace);
      const catalog = o.services.catalog;
      const [found, anyName] = await Promise.all([catalog.suggest(tenant, typed), catalog.takesAnyName(tenant)]);
      return { services: found.map((s) => ({ name: s.name, label: suggestionLabel(s) })), anyName };
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
