// Alert intake: an Alertmanager group or an event opens its incident once, notes what is new on it, acks and resolves it.
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import {
  type AlertEvent,
  type AlertmanagerAlert,
  type AlertmanagerGroup,
  cleanText,
  type IncidentDraft,
  incidentFromEvent,
  incidentFromGroup,
  noteForAlerts,
  noteForEvent,
  type SeverityMap,
} from '../domain/alerts.ts';
import type { PersonRef, Ticket } from '../domain/entities.ts';
import { isUserError } from '../domain/errors.ts';
import { isOnePlace } from '../domain/platform.ts';
import { KeyedQueue } from '../kit/keyedQueue.ts';
import { ticketCard } from '../present/ticketCard.ts';
import type { AlertKeyRepository } from '../store/alertKeyStore.ts';
import { type Acting, systemActing } from './acting.ts';
import { parseChannelAddress } from './messaging.ts';
import type { Outbox } from './outbox.ts';
import type { TicketService } from './tickets.ts';

export type AlertSource = 'alertmanager' | 'events';

/** Where a service's incidents go: its owning team's channel (the teams lookup plugs in here). */
export type ResolveOwner = (
  tenant: string,
  service: string | null,
) => Promise<{ channel: string; team?: string } | null>;

export interface AlertOptions {
  /** The organisation alerts land in; undefined until `useTenant` names it (the one workspace the bot is in). */
  tenant: string | undefined;
  severityMap: SeverityMap;
  /** ALERT_AUTORESOLVE: a wholly resolved group resolves its incident. */
  autoresolve: boolean;
  /** INCIDENT_CHANNEL: where an incident is posted when no owner is found; unset: not posted. */
  incidentChannel?: string | undefined;
  resolveOwner?: ResolveOwner | undefined;
  timezone: string;
  now: () => Date;
  log: Logger;
  /** A claimed generation still without its incident after this long was abandoned (its claimer died). */
  claimLeaseMs?: number;
  /** This process's token (a beating one), stamped on its claims. */
  owner?: string;
  /** How long a second sender waits for the incident the first is opening. */
  waitMs?: number;
}

export interface AlertIncident {
  tenant: string;
  ticket: Ticket;
  source: AlertSource;
  /** The groupKey or dedup_key, as sent. */
  key: string;
  /** Where its card was posted, or null. */
  channel: string | null;
}

export interface AlertAcknowledged {
  tenant: string;
  ticketId: string;
  key: string;
  at: Date;
  /** Who acknowledged, as the incident's history names them (the alerts' system person). */
  by: PersonRef;
}

export interface IntakeResult {
  outcome: 'opened' | 'noted' | 'resolved' | 'acknowledged' | 'duplicate' | 'ignored';
  ticketId: string | null;
}

type Current =
  | { kind: 'none' }
  | { kind: 'open'; gen: number; ticket: Ticket }
  | { kind: 'pending'; gen: number }
  | { kind: 'done'; gen: number };

const sha = (parts: readonly string[]): string => createHash('sha256').update(parts.join('\u0000')).digest('hex');
const ROUNDS = 6;
/** The longest a note waits for incidents being opened (`opensFirst`). */
const NOTE_WAIT_MS = 5000;

/** What an Alertmanager alert is, across retries and repeats: its fingerprint (else its labels) and this status's times. */
function alertMark(tenant: string, groupKey: string, a: AlertmanagerAlert): string {
  const id = a.fingerprint || sha(Object.entries(a.labels).sort().flat());
  // A firing alert's endsAt moves on each re-send (now + resolve_timeout); only a resolve fixes it.
  return sha(['am', tenant, groupKey, id, a.status, a.startsAt, a.status === 'resolved' ? a.endsAt : '']);
}

export class AlertService {
  private readonly watching = new Map<string, Promise<Current>>();
  /**
   * Notifications of one key run one after another in this process: under a burst the first opens the
   * incident and the rest note on it, rather than all polling for an incident that is still being opened and
   * giving up (503) when opening takes longer than the wait. Another process's opener is still waited for.
   */
  private readonly perKey = new KeyedQueue();
  /** Alertmanager notifications waiting for their key's turn, taken in together (see `alertmanager`). */
  private readonly amWaiting = new Map<
    string,
    Array<{ group: AlertmanagerGroup; resolve: (r: IntakeResult) => void; reject: (e: unknown) => void }>
  >();
  private readonly incidentListeners: Array<(e: AlertIncident) => void | Promise<void>> = [];
  private readonly ackListeners: Array<(e: AlertAcknowledged) => void | Promise<void>> = [];

  private named: string | undefined;
  /** Incidents being opened in this process now, and the notes waiting for them (`opensFirst`). */
  private opening = 0;
  private readonly opened: Array<() => void> = [];
  /** Keys whose incident this process opened (their later notifications are notes, most likely). */
  private readonly openedHere = new Set<string>();
  /** Keys this process has heard of (their first generation is claimed without a read only the first time). */
  private readonly heard = new Set<string>();

  constructor(
    private readonly repo: AlertKeyRepository,
    private readonly tickets: TicketService,
    private readonly outbox: Outbox,
    private readonly o: AlertOptions,
  ) {
    this.named = o.tenant;
  }

  /** The organisation alerts land in, once known at start-up (ALERT_TENANT unset, the bot in one workspace). */
  useTenant(tenant: string): void {
    this.named = tenant;
  }

  /** Before start-up names it, an alert is refused as a failure on our side (503): the sender retries. */
  private get tenant(): string {
    if (this.named === undefined) throw new Error('alerts: the organisation alerts belong to is not known yet');
    return this.named;
  }

  /** Hears each incident an alert opened, once, in the process that opened it (paging starts here). */
  onAlertIncident(listener: (e: AlertIncident) => void | Promise<void>): void {
    this.incidentListeners.push(listener);
  }

  /** Hears each acknowledgement an event recorded, once (paging stops here). */
  onAlertAcknowledged(listener: (e: AlertAcknowledged) => void | Promise<void>): void {
    this.ackListeners.push(listener);
  }

  /**
   * Notifications of one group that arrive while the one before is being taken in wait together, and are then
   * taken in as one: their new alerts make one note (a burst of twenty is a few ticket changes, not twenty).
   */
  alertmanager(group: AlertmanagerGroup): Promise<IntakeResult> {
    const key = this.keyOf('am', group.groupKey);
    return new Promise<IntakeResult>((resolve, reject) => {
      const waiting = this.amWaiting.get(key);
      if (waiting) {
        waiting.push({ group, resolve, reject });
        return;
      }
      this.amWaiting.set(key, [{ group, resolve, reject }]);
      void this.perKey.run(key, async () => {
        // A group whose incident this process opened is noted: that waits while other groups' incidents are being
        // opened (at most NOTE_WAIT_MS), and its notifications arriving meanwhile join the batch.
        if (this.openedHere.has(key)) await this.opensFirst();
        const batch = this.amWaiting.get(key) ?? [];
        this.amWaiting.delete(key);
        try {
          const results = await this.alertmanagerNow(
            key,
            batch.map((b) => b.group),
          );
          for (const [n, b] of batch.entries()) b.resolve(results[n] as IntakeResult);
        } catch (err) {
          for (const b of batch) b.reject(err);
        }
      });
    });
  }

  event(ev: AlertEvent): Promise<IntakeResult> {
    const key = this.keyOf('ev', ev.dedup_key);
    return this.perKey.run(key, () => this.eventNow(key, ev));
  }

  /** Some notifications of one group, oldest first: one answer each. */
  private async alertmanagerNow(key: string, groups: AlertmanagerGroup[]): Promise<IntakeResult[]> {
    const now = this.o.now();
    const latest = groups[groups.length - 1] as AlertmanagerGroup;
    // Each alert once (the same alert may be in several of them), with the first notification that carries it.
    const alerts = new Map<string, { alert: AlertmanagerAlert; from: number }>();
    groups.forEach((g, n) => {
      for (const a of g.alerts) {
        const mark = alertMark(this.tenant, g.groupKey, a);
        if (!alerts.has(mark)) alerts.set(mark, { alert: a, from: n });
      }
    });
    const marks = [...alerts.keys()];
    const first = await this.repo.firstSeen(marks, now);
    const freshMarks = marks.filter((_, n) => first[n]);
    const fresh = freshMarks.map((m) => alerts.get(m) as { alert: AlertmanagerAlert; from: number });
    const told = new Set(fresh.map((f) => f.from));
    if (fresh.length === 0) return groups.map(() => ({ outcome: 'duplicate', ticketId: null }));
    const freshAlerts = fresh.map((f) => f.alert);
    let result: IntakeResult;
    try {
      // Alertmanager sends the whole group each time: the latest notification says where the group stands.
      const wholeGroupResolved = latest.status === 'resolved' && latest.alerts.every((a) => a.status === 'resolved');
      const opener = groups[fresh.find((f) => f.alert.status === 'firing')?.from ?? groups.length - 1] ?? latest;
      result = await this.intake(key, latest.groupKey, 'alertmanager', {
        opens: freshAlerts.some((a) => a.status === 'firing'),
        draft: () => incidentFromGroup(opener, this.o.severityMap),
        onOpen: async (t, acting) => {
          if (!(wholeGroupResolved && this.o.autoresolve)) return { outcome: 'noted', ticketId: t.ticketId };
          await this.tickets.commentTicket(acting, t.ticketId, noteForAlerts(freshAlerts), false);
          await this.resolve(acting, t.ticketId, 'Every alert of the group is resolved (Alertmanager).');
          return { outcome: 'resolved', ticketId: t.ticketId };
        },
        note: () => noteForAlerts(freshAlerts),
      });
    } catch (err) {
      await this.repo.unsee(freshMarks, now).catch(() => {});
      throw err;
    }
    // The first that told something has the outcome; the others that told something were noted with it.
    const lead = Math.min(...told);
    return groups.map((_, n): IntakeResult => {
      if (!told.has(n)) return { outcome: 'duplicate', ticketId: null };
      if (n === lead || result.outcome !== 'opened') return result;
      return { outcome: 'noted', ticketId: result.ticketId };
    });
  }

  private async eventNow(key: string, ev: AlertEvent): Promise<IntakeResult> {
    const content = JSON.stringify([ev.event_action, ev.payload ?? null]);
    if (ev.event_action === 'trigger') {
      return this.intake(key, ev.dedup_key, 'events', {
        opens: true,
        draft: () => incidentFromEvent(ev, this.o.severityMap),
        // Per generation: the same trigger after a resolve is a new incident, a retry of it is not a note.
        mark: (gen) => sha(['ev', key, String(gen), content]),
        onOpen: async (t) => ({ outcome: 'noted', ticketId: t.ticketId }),
        note: () => noteForEvent(ev),
      });
    }
    const now = this.o.now();
    const cur = await this.settled(key);
    if (cur.kind !== 'open') return { outcome: 'ignored', ticketId: null };
    const acting = this.acting(now, null);
    const id = cur.ticket.ticketId;
    if (ev.event_action === 'resolve') {
      await this.resolve(acting, id, cleanResolution(ev));
      return { outcome: 'resolved', ticketId: id };
    }
    // Two acks are one ack.
    const mark = sha(['ev', key, String(cur.gen), 'ack']);
    if (!(await this.repo.firstSeen([mark], now))[0]) return { outcome: 'duplicate', ticketId: id };
    try {
      await this.tickets.commentTicket(acting, id, noteForEvent(ev), false);
    } catch (err) {
      await this.repo.unsee([mark], now).catch(() => {});
      throw err;
    }
    await this.emit(this.ackListeners, {
      tenant: this.tenant,
      ticketId: id,
      key: ev.dedup_key,
      at: now,
      by: acting.person,
    });
    return { outcome: 'acknowledged', ticketId: id };
  }

  /**
   * Work that goes ahead of notes as an opening does (an alert incident's first page, while it is being sent): notes
   * wait for it too, at most NOTE_WAIT_MS. Called by a listener of `onAlertIncident`, before that listener returns.
   */
  goesFirst(work: Promise<unknown>): void {
    this.opening++;
    void work.then(
      () => this.openingDone(),
      () => this.openingDone(),
    );
  }

  private openingDone(): void {
    if (--this.opening === 0) for (const done of this.opened.splice(0)) done();
  }

  /** Resolves once no incident is being opened in this process, or after NOTE_WAIT_MS (a note is never held longer). */
  private async opensFirst(): Promise<void> {
    if (this.opening === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      this.opened.push(resolve);
      timer = setTimeout(resolve, NOTE_WAIT_MS);
    });
    clearTimeout(timer);
  }

  /**
   * The incident of `key` now: its open one gets the note; with none (or only finished ones) the caller that
   * claims the next generation opens one, and every other caller waits for it and notes on it.
   */
  private async intake(
    key: string,
    sentKey: string,
    source: AlertSource,
    w: {
      opens: boolean;
      draft: () => IncidentDraft;
      /** A notification mark per generation (events); claimed before the incident is told. */
      mark?: (gen: number) => string;
      onOpen: (t: Ticket, acting: Acting) => Promise<IntakeResult>;
      note: () => string;
    },
  ): Promise<IntakeResult> {
    for (let round = 0; round < ROUNDS; round++) {
      const now = this.o.now();
      let gen: number;
      // A key this process hears of for the first time claims its first generation at once: taken, the key had no
      // generation (what the read would have said, one round trip later); refused, it is read as any other.
      if (round === 0 && w.opens && this.firstHeard(key) && (await this.repo.claim(key, 0, now, this.o.owner))) {
        gen = 0;
      } else {
        const cur = await this.settled(key);
        if (cur.kind === 'open') {
          if (w.mark && !(await this.repo.firstSeen([w.mark(cur.gen)], now))[0]) {
            return { outcome: 'duplicate', ticketId: cur.ticket.ticketId };
          }
          const acting = this.acting(now, null);
          // A note waits while other groups' incidents are being opened here (at most NOTE_WAIT_MS): under a burst
          // the opens and their first pages go first, and this group's notifications arriving meanwhile join its note.
          await this.opensFirst();
          const result = await w.onOpen(cur.ticket, acting);
          if (result.outcome === 'noted')
            await this.tickets.commentTicket(acting, cur.ticket.ticketId, w.note(), false);
          return result;
        }
        if (cur.kind === 'pending') break;
        // Resolved alerts of an incident already finished (or never opened) have nothing to note on.
        if (!w.opens) return { outcome: 'ignored', ticketId: null };
        gen = cur.kind === 'none' ? 0 : cur.gen + 1;
        if (!(await this.repo.claim(key, gen, now, this.o.owner))) continue;
      }
      let ticket: Ticket;
      try {
        if (w.mark) await this.repo.firstSeen([w.mark(gen)], now);
        this.opening++;
        try {
          ticket = await this.open(key, gen, sentKey, source, w.draft(), now);
          if (this.openedHere.size >= 10_000) this.openedHere.clear();
          this.openedHere.add(key);
        } finally {
          this.openingDone();
        }
      } catch (err) {
        // Our process lives on, so nobody would take its claim as abandoned: it says so (the retry claims anew).
        await this.repo.abandon(key, gen, this.o.now()).catch(() => {});
        throw err;
      }
      return { outcome: 'opened', ticketId: ticket.ticketId };
    }
    throw new Error(`alert key ${sentKey.slice(0, 80)}: its incident is still being opened elsewhere`);
  }

  private async open(
    key: string,
    gen: number,
    sentKey: string,
    source: AlertSource,
    draft: IncidentDraft,
    now: Date,
  ): Promise<Ticket> {
    const owner = await this.ownerOf(draft.service);
    const acting = this.acting(now, owner?.channel ?? null);
    const ticket = await this.tickets.openTicket(acting, {
      title: draft.title,
      description: draft.description,
      type: 'incident',
      priority: draft.priority,
      service: draft.service ?? undefined,
      anyService: true,
      team: owner?.team,
      tags: ['alert', source],
    });
    await this.repo.bind(key, gen, ticket.ticketId, now);
    const channel = owner?.channel ?? null;
    if (channel) {
      // Keyed: the card is posted once, whoever opens the incident.
      await this.outbox.toChannel(
        channel,
        ticketCard(ticket, now, this.o.timezone),
        { tenant: ticket.tenant, ticketId: ticket.ticketId },
        undefined,
        `alert:${key}#${gen}`,
      );
    } else {
      this.o.log.warn(
        { ticketId: ticket.ticketId },
        'alerts: no channel to post the incident in (set INCIDENT_CHANNEL)',
      );
    }
    await this.emit(this.incidentListeners, { tenant: this.tenant, ticket, source, key: sentKey, channel });
    return ticket;
  }

  /** True the first time this process hears of `key` (a bounded memory: a key forgotten is only heard anew). */
  private firstHeard(key: string): boolean {
    if (this.heard.has(key)) return false;
    if (this.heard.size >= 10_000) this.heard.clear();
    this.heard.add(key);
    return true;
  }

  /** The key's incident, once any incident being opened by another sender is open (or abandoned). */
  private settled(key: string): Promise<Current> {
    // Senders of one group waiting at once in this process share one watch: a burst of a thousand would
    // otherwise read the database a thousand times every few milliseconds, and slow the one opening it.
    let watch = this.watching.get(key);
    if (!watch) {
      watch = this.watch(key).finally(() => this.watching.delete(key));
      this.watching.set(key, watch);
    }
    return watch;
  }

  private async watch(key: string): Promise<Current> {
    const deadline = performance.now() + (this.o.waitMs ?? 10_000);
    for (let pause = 20; ; pause = Math.min(pause * 2, 250)) {
      const cur = await this.current(key);
      if (cur.kind !== 'pending' || performance.now() > deadline) return cur;
      await new Promise((r) => setTimeout(r, pause));
    }
  }

  private async current(key: string): Promise<Current> {
    const gen = await this.repo.latestGeneration(key);
    if (gen === null) return { kind: 'none' };
    const ticketId = await this.repo.boundTo(key, gen);
    if (!ticketId) {
      if (await this.repo.abandoned(key, gen)) return { kind: 'done', gen };
      // Past the lease, but its claimer still beats: slow under a burst, not dead; its incident is coming.
      const gone = await this.repo.claimAbandoned(key, gen, this.o.now(), this.o.claimLeaseMs ?? 30_000);
      return gone ? { kind: 'done', gen } : { kind: 'pending', gen };
    }
    try {
      const ticket = await this.tickets.getTicket(this.acting(this.o.now(), null), ticketId);
      return ticket.state === 'resolved' || ticket.state === 'closed'
        ? { kind: 'done', gen }
        : { kind: 'open', gen, ticket };
    } catch (err) {
      if (isUserError(err)) return { kind: 'done', gen };
      throw err;
    }
  }

  private async resolve(acting: Acting, ticketId: string, resolution: string): Promise<void> {
    try {
      await this.tickets.resolveTicket(acting, ticketId, resolution);
    } catch (err) {
      // Resolved by someone in the meantime: what the sender asked for holds.
      if (!(isUserError(err) && err.code === 'TICKET.INVALID_TRANSITION')) throw err;
    }
  }

  private async ownerOf(service: string | null): Promise<{ channel: string; team?: string } | null> {
    const owner = this.o.resolveOwner ? await this.o.resolveOwner(this.tenant, service) : null;
    if (owner && parseChannelAddress(owner.channel)) return owner;
    return this.o.incidentChannel ? { channel: this.o.incidentChannel } : null;
  }

  private keyOf(kind: 'am' | 'ev', sent: string): string {
    return `${kind}/${this.tenant}/${sha([kind, this.tenant, sent]).slice(0, 40)}`;
  }

  /** Alerts act as the system: an admin, so the ticket lifecycle rules are the only check. */
  private acting(now: Date, channel: string | null): Acting {
    const where = channel ? parseChannelAddress(channel) : null;
    return systemActing(
      this.tenant,
      { id: 'switchboard-alerts', identity: 'system:alerts', name: 'Alerts' },
      now,
      this.o.timezone,
      where && !isOnePlace(where.platform)
        ? { platform: where.platform, workspace: this.tenant, channel: where.channel }
        : { platform: where ? where.platform : 'system', workspace: this.tenant },
    );
  }

  private async emit<E>(listeners: Array<(e: E) => void | Promise<void>>, e: E): Promise<void> {
    for (const l of listeners) {
      try {
        await l(e);
      } catch (err) {
        this.o.log.error({ err }, 'alerts: a listener failed');
      }
    }
  }
}

function cleanResolution(ev: AlertEvent): string {
  return `Resolved by an event${ev.payload?.summary ? `: ${cleanText(ev.payload.summary, 900)}` : ''}`;
}
