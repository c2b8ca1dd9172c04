// The outbox: every message the bot sends first is written here, delivered by one process, and recorded in the ledger.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { isOnePlace, type Platform } from '../domain/platform.ts';
import { PacedLoop } from '../kit/pacedLoop.ts';
import type { Reply } from '../present/reply.ts';
import type { RoomSender } from '../present/rooms.ts';
import { DeliveryFailure, type MessageContext, type PlatformSender, type Sent } from '../present/sender.ts';
import type { FileRepository } from '../store/fileStore.ts';
import type { DeliveryOutcome, LedgerEntry, OutboxMessage, OutboxRepository } from '../store/outboxStore.ts';
import type { CardService } from './cards.ts';
import { cardThreadOf, parseChannelAddress } from './messaging.ts';
import type { PeopleService } from './people.ts';

export interface OutboxOptions {
  now?: () => Date;
  log: Logger;
  /** How often waiting messages are looked for when nothing wakes the worker sooner. */
  pollMs?: number;
  /**
   * A claim still held after this long (as this process measures it) belongs to a process that died
   * mid-delivery: the message is taken over. Longer than `sendTimeoutMs`, so a live holder is never overtaken.
   */
  leaseMs?: number;
  /** One platform call may take this long before it counts as a transient failure. */
  sendTimeoutMs?: number;
  /** Transient failures are retried this many times in all, with back-off. */
  maxAttempts?: number;
  /** First back-off; doubles per attempt up to `maxBackoffMs`. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** Lanes (channels, DMs) delivering at once in this process (default 32: each is one platform call in flight). */
  concurrency?: number;
  /** Each finished delivery (metrics). */
  onDelivery?: (platform: string, outcome: DeliveryOutcome | 'retried' | 'rate_limited') => void;
  /**
   * Where a message's file waits (src/store/fileStore.ts): the message carries its ref, so the outbox stays lean.
   * Without one, a file's bytes stay in the message.
   */
  files?: FileRepository;
}

/** A card of a ticket, as recorded where it was posted. */
export interface CardPlace {
  platform: Platform;
  channel: string;
  messageId: string;
  thread?: string | undefined;
}

export interface TicketAbout {
  tenant: string;
  ticketId?: string | undefined;
  actorId?: string | undefined;
}

export interface DeliveryView extends Omit<LedgerEntry, 'finishedAt' | 'outcome'> {
  outcome: DeliveryOutcome | 'waiting';
  /** Unset while the message still waits. */
  finishedAt: Date | null;
  nextAttemptAt: Date | null;
}

const platformOf = (p: string): Platform => p as Platform;
/** Delivered messages leave the outbox in batches: at most this long after delivery, or this many at once. */
const FLUSH_MS = 250;
const FLUSH_AT = 500;
/** How long what this process read of another writer's heartbeat holds. */
const WRITER_RECHECK_MS = 5000;
const asData = (r: Reply): Record<string, unknown> => JSON.parse(JSON.stringify(r)) as Record<string, unknown>;

export class Outbox {
  private readonly senders = new Map<string, PlatformSender>();
  private stopBeating: (() => void) | undefined;
  private readonly now: () => Date;
  /** This process's token in claims and heartbeats (it beats while the outbox runs). */
  readonly owner = randomBytes(6).toString('hex');
  private readonly inFlight = new Map<string, Promise<void>>();
  /** Lanes a platform told us to leave alone for a while (a 429 on that channel). */
  private readonly blockedUntil = new Map<string, number>();
  /** Claims seen held by someone else: when this process first saw each, to tell a dead holder. */
  private readonly heldSince = new Map<string, number>();
  private lastSeq = 0;
  /** The next read of the outbox for others' messages waits until then (performance.now()). */
  private nextReadAt = 0;
  /** The last read of the outbox, by lane, in order: where a lane goes on from after a delivery. */
  private snapshot = new Map<string, OutboxMessage[]>();
  /** Lanes whose head was rescheduled (a retry, a 429): the next look reads the database. */
  private readonly retried = new Set<string>();
  /**
   * Messages this process wrote and holds (it claimed their attempt when it wrote them), by lane, in order: it
   * delivers them from here, never reading them back. The database copy is for another process to take over.
   */
  private readonly local = new Map<string, OutboxMessage[]>();
  private readonly localIds = new Set<string>();
  /** Attempts of local messages this process holds the claim of. */
  private readonly held = new Set<string>();
  /** Local lanes with work ready while every lane slot was busy: started as slots free up. */
  private readonly readyLanes = new Set<string>();
  private readonly laneTimers = new Map<string, NodeJS.Timeout>();
  /** Other writers found alive (their messages are theirs to deliver), and when that was read. */
  private readonly writersSeen = new Map<string, { alive: boolean; at: number }>();
  /** Records of finished messages on their way to the database. */
  private readonly recording = new Set<Promise<void>>();
  /** Finished here, recorded in the ledger, and about to be deleted from the outbox in one batch. */
  private readonly leaving = new Set<string>();
  private flushing: Promise<void> | null = null;
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly loop: PacedLoop;
  private readonly o: Required<Omit<OutboxOptions, 'onDelivery' | 'now' | 'files'>> &
    Pick<OutboxOptions, 'onDelivery' | 'files'>;

  constructor(
    private readonly repo: OutboxRepository,
    private readonly people: PeopleService,
    opts: OutboxOptions,
    /** Where posted ticket cards are recorded, so a card sent by DM or posted in a channel stays current. */
    private readonly cards?: CardService,
  ) {
    this.now = opts.now ?? (() => new Date());
    this.o = {
      log: opts.log,
      pollMs: opts.pollMs ?? 1000,
      leaseMs: opts.leaseMs ?? 60_000,
      sendTimeoutMs: opts.sendTimeoutMs ?? 30_000,
      maxAttempts: opts.maxAttempts ?? 8,
      backoffMs: opts.backoffMs ?? 1000,
      maxBackoffMs: opts.maxBackoffMs ?? 300_000,
      concurrency: opts.concurrency ?? 32,
      onDelivery: opts.onDelivery,
      files: opts.files,
    };
    this.loop = new PacedLoop(
      () => this.tick(),
      (err) => this.o.log.warn({ err }, 'outbox: could not look for waiting messages'),
      this.o.pollMs,
    );
  }

  private get running(): boolean {
    return this.loop.running;
  }

  /** An adapter offers its part of the port; messages for its platform are delivered from now on. */
  register(sender: PlatformSender): void {
    this.senders.set(sender.platform, sender);
    this.kick();
  }

  /** The rooms a platform opens (major incidents), when its sender offers them in this process. */
  roomsOn(platform: string): RoomSender | undefined {
    return this.senders.get(platform)?.rooms;
  }

  /** Posts a Reply in a channel: `slack:C0123ABC`, `discord:<channel id>`, `console`. Resolves with the message id. */
  async toChannel(
    address: string,
    reply: Reply,
    about: TicketAbout,
    thread?: string,
    /** Work that may run twice (a job taken over after a crash) names its message: it is posted once. */
    key?: string,
  ): Promise<string> {
    const where = parseChannelAddress(address);
    if (!where) throw new Error(`not a channel address: ${JSON.stringify(address)}`);
    reply = await this.fileAside(reply);
    const m = this.message(
      about,
      {
        op: 'post',
        platform: where.platform,
        channel: where.channel,
        thread: thread ?? null,
        reply,
        what: thread ? 'thread line' : 'post',
        to: `${where.platform} ${isOnePlace(where.platform) ? 'terminal' : `#${where.channel}`}${thread ? ' (thread)' : ''}`,
      },
      key ? `k:${key}` : undefined,
    );
    if (key) this.hold(await this.repo.addOnce([m]));
    else await this.enqueue([m]);
    return m._id;
  }

  /**
   * Sends a Reply to a person: a DM on every platform identity they have linked. Resolves with one
   * message id per identity (none when they have no identity on a platform this bot runs).
   */
  async toPerson(
    tenant: string,
    personId: string,
    reply: Reply,
    about: Omit<TicketAbout, 'tenant'> = {},
    /** Work that may run twice (a job taken over after a crash) names its message: it is sent once. */
    key?: string,
  ): Promise<string[]> {
    const identities = await this.people.identitiesOf(tenant, personId);
    if (identities.length > 0) reply = await this.fileAside(reply);
    const messages = identities.map((id) => {
      const [platform, user] = splitIdentity(id.identity);
      return this.message(
        { ...about, tenant },
        {
          op: 'dm',
          platform,
          channel: user,
          thread: null,
          reply,
          what: 'DM',
          to: `${platform} DM to ${id.displayName}`,
          lane: `${platform}:dm:${user}`,
        },
        key ? `k:${key}:${id.identity}` : undefined,
      );
    });
    if (key) {
      const added = await this.repo.addOnce(messages);
      this.hold(added);
      return added.map((a) => a.m._id);
    }
    return (await this.enqueue(messages)).map((m) => m._id);
  }

  /**
   * A ticket changed: each of its cards is shown anew, and each card thread (once, however many cards share
   * it) hears one line about the change.
   */
  async ticketChanged(
    about: TicketAbout & { ticketId: string },
    version: number,
    card: Reply,
    summary: string,
    cards: readonly CardPlace[],
  ): Promise<void> {
    const messages: OutboxMessage[] = [];
    const threads = new Set<string>();
    for (const c of cards) {
      messages.push(
        this.message(about, {
          op: 'edit',
          platform: c.platform,
          channel: c.channel,
          thread: null,
          messageId: c.messageId,
          reply: card,
          version,
          what: 'card update',
          to: `${c.platform} #${c.channel}`,
        }),
      );
      // A card without a thread (one sent by DM) is only shown anew.
      const where = cardThreadOf(c);
      if (!where || !summary || threads.has(`${c.platform}:${c.thread}`)) continue;
      threads.add(`${c.platform}:${c.thread}`);
      messages.push(
        this.message(about, {
          op: 'post',
          platform: c.platform,
          channel: where.channel,
          thread: where.thread,
          reply: { text: summary, visibility: 'thread' },
          what: 'thread line',
          to: `${c.platform} #${where.channel} (thread)`,
        }),
      );
    }
    await this.enqueue(messages);
  }

  /** What was sent about a ticket (and what still waits), oldest first. */
  async deliveriesFor(tenant: string, ticketId: string): Promise<DeliveryView[]> {
    const done = await this.repo.ledgerFor(tenant, ticketId);
    const waiting = (await this.repo.waiting())
      .filter((m) => m.tenant === tenant && m.ticketId === ticketId && !this.leaving.has(m._id))
      .sort((a, b) => a.seq - b.seq)
      .map(
        (m): DeliveryView => ({
          ...describedBy(m),
          outcome: 'waiting',
          reason: m.lastError,
          attempts: m.attempt,
          createdAt: m.createdAt,
          finishedAt: null,
          platformMessageId: null,
          nextAttemptAt: m.dueAt,
        }),
      );
    return [...done.map((d) => ({ ...d, nextAttemptAt: null })), ...waiting];
  }

  /** How much waits, and for how long the oldest has (metrics). */
  async stats(): Promise<{ depth: number; oldestAgeSeconds: number }> {
    const waiting = (await this.repo.waiting()).filter((m) => !this.leaving.has(m._id));
    const oldest = waiting.reduce((min, m) => Math.min(min, m.createdAt.getTime()), Number.POSITIVE_INFINITY);
    return {
      depth: waiting.length,
      oldestAgeSeconds: waiting.length ? Math.max(0, (this.now().getTime() - oldest) / 1000) : 0,
    };
  }

  /** Forgets delivery claims older than `before` (nightly; FerretDB has no TTL indexes). */
  pruneClaims(before: Date): Promise<number> {
    return this.repo.pruneClaims(before);
  }

  start(): void {
    if (!this.stopBeating) {
      this.stopBeating = this.repo.heartbeats.keepBeating(this.owner, this.now, (err) =>
        this.o.log.warn({ err }, 'outbox: could not say this process is alive'),
      );
    }
    this.loop.start();
  }

  /** Stops taking new work; waits (at most `graceMs`) for deliveries in flight. */
  async stop(graceMs = 5000): Promise<void> {
    this.loop.stop();
    for (const t of this.laneTimers.values()) clearTimeout(t);
    this.laneTimers.clear();
    const beating = this.stopBeating;
    this.stopBeating = undefined;
    beating?.();
    const all = Promise.allSettled([...this.inFlight.values(), this.loop.pending])
      .then(() => Promise.allSettled([...this.recording]))
      // What this process wrote and did not get to goes to whichever process runs next: claims given back,
      // and the process says it has gone, so nobody waits out a lease for it.
      .then(() => Promise.allSettled([...this.local.keys()].map((lane) => this.handBack(lane))))
      .then(() => this.flush())
      .then(() => (beating ? this.repo.heartbeats.gone(this.owner) : undefined))
      .catch((err) => this.o.log.warn({ err }, 'outbox: could not hand back what waits'));
    await Promise.race([all, new Promise((r) => setTimeout(r, graceMs).unref())]);
  }

  /** Looks for work now (after an enqueue, a finished delivery, or a test moving the clock). */
  kick(): void {
    // Asked for: the next pass reads the outbox whatever the pace (see tick).
    this.nextReadAt = 0;
    this.loop.kick();
    // Local lanes waiting on a time (a retry, a 429) look again: the clock may have moved (tests move it).
    const waiting = [...this.laneTimers];
    for (const [lane, t] of waiting) {
      clearTimeout(t);
      this.laneTimers.delete(lane);
    }
    for (const [lane] of waiting) this.pump(lane);
    this.pumpLocal();
  }

  /**
   * Every local lane that is neither running nor waiting on a timer starts its head: a lane whose turn was passed
   * over (its slot went to a delivery of others' messages, which does not pump local lanes) is not left behind.
   */
  private pumpLocal(): void {
    for (const lane of [...this.local.keys()]) {
      if (!this.inFlight.has(lane) && !this.laneTimers.has(lane)) this.pump(lane);
    }
  }

  /** Resolves once nothing this process could deliver now is waiting or in flight (tests, benchmarks). */
  async drained(): Promise<void> {
    for (;;) {
      await this.loop.pending;
      await Promise.allSettled([...this.inFlight.values()]);
      await Promise.allSettled([...this.recording]);
      // A stopped outbox delivers nothing more here: what waits is for the next start.
      if (!this.running) return;
      const now = this.now().getTime();
      const localReady = [...this.local.entries()].some(
        ([lane, q]) => q[0] && q[0].dueAt.getTime() <= now && (this.blockedUntil.get(lane) ?? 0) <= now,
      );
      // Only a lane's head can go: one behind a head another process holds waits with it.
      const heads = new Map<string, OutboxMessage>();
      for (const m of await this.theirs(await this.repo.waitingForOthers(this.owner), now)) {
        const h = heads.get(m.lane);
        if (!h || m.seq < h.seq) heads.set(m.lane, m);
      }
      const ready = [...heads.values()].filter(
        (m) =>
          this.senders.has(m.platform) &&
          m.dueAt.getTime() <= now &&
          (this.blockedUntil.get(m.lane) ?? 0) <= now &&
          !this.heldSince.has(`${m._id}#${m.attempt}`),
      );
      if (!localReady && ready.length === 0 && this.inFlight.size === 0 && !this.loop.pending) {
        await this.flush();
        return;
      }
      this.kick();
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  private message(
    about: TicketAbout,
    m: Pick<OutboxMessage, 'op' | 'platform' | 'channel' | 'thread' | 'what' | 'to'> & {
      reply: Reply;
      messageId?: string;
      version?: number;
      lane?: string;
    },
    id?: string,
  ): OutboxMessage {
    const at = this.now();
    return {
      _id: id ?? `${at.getTime().toString(36)}-${randomBytes(6).toString('hex')}`,
      tenant: about.tenant,
      ticketId: about.ticketId ?? null,
      lane: m.lane ?? `${m.platform}:${m.channel}`,
      seq: this.nextSeq(at),
      op: m.op,
      platform: m.platform,
      channel: m.channel,
      thread: m.thread,
      messageId: m.messageId ?? null,
      reply: asData(m.reply),
      actorId: about.actorId ?? null,
      version: m.version ?? null,
      what: m.what,
      to: m.to,
      attempt: 0,
      dueAt: at,
      createdAt: at,
      lastError: null,
      waited: 0,
      writer: this.writerFor(m.platform),
    };
  }

  /** Increasing within this process, whatever the clock does; across processes, roughly by time written. */
  private nextSeq(at: Date): number {
    this.lastSeq = Math.max(this.lastSeq + 1, at.getTime() * 1000);
    return this.lastSeq;
  }

  private async enqueue(messages: OutboxMessage[]): Promise<OutboxMessage[]> {
    const held = await this.repo.add(messages);
    this.hold(messages.map((m, i) => ({ m, held: held[i] === true })));
    return messages;
  }

  /**
   * Messages just written: those this process holds go straight to their lanes here, from memory; the rest
   * (no sender here for their platform, the outbox stopped) wait in the database for any process.
   */
  private hold(written: ReadonlyArray<{ m: OutboxMessage; held: boolean }>): void {
    let others = false;
    const lanes = new Set<string>();
    const unheld: OutboxMessage[] = [];
    for (const { m, held } of written) {
      if (!held || !this.running) {
        // Written to be delivered here but not held after all (its claim was taken, the outbox stopped): anyone's.
        if (m.writer) unheld.push(m);
        others = true;
        continue;
      }
      const queue = this.local.get(m.lane);
      if (queue) queue.push(m);
      else this.local.set(m.lane, [m]);
      this.localIds.add(m._id);
      this.held.add(`${m._id}#${m.attempt}`);
      lanes.add(m.lane);
    }
    for (const lane of lanes) this.pump(lane);
    if (unheld.length > 0) {
      void this.repo
        .handBack(unheld, this.owner)
        .catch((err) => this.o.log.warn({ err }, 'outbox: could not hand back messages'))
        .finally(() => this.kick());
    } else if (others) this.kick();
  }

  /** Whether this process will deliver what it writes for `platform` itself, from memory. */
  private writerFor(platform: string): string | null {
    return this.running && this.senders.has(platform) ? this.owner : null;
  }

  /** Starts the head of a local lane, if it is due, not held back, and a lane slot is free. */
  private pump(lane: string): void {
    if (!this.running || this.inFlight.has(lane)) return;
    const queue = this.local.get(lane);
    const head = queue?.[0];
    if (!queue || !head) {
      this.local.delete(lane);
      return;
    }
    if (this.inFlight.size >= this.o.concurrency) {
      this.readyLanes.add(lane);
      return;
    }
    const now = this.now().getTime();
    const at = Math.max(this.blockedUntil.get(lane) ?? 0, head.dueAt.getTime());
    if (at > now) {
      if (!this.laneTimers.has(lane)) {
        const t = setTimeout(() => {
          this.laneTimers.delete(lane);
          this.pump(lane);
        }, at - now);
        t.unref();
        this.laneTimers.set(lane, t);
      }
      return;
    }
    const p = this.runLocal(lane, head, queue, now)
      .catch((err) => this.o.log.error({ err, message: head._id }, 'outbox: delivery bookkeeping failed'))
      .finally(() => {
        this.inFlight.delete(lane);
        this.pump(lane);
        this.pumpReady();
      });
    this.inFlight.set(lane, p);
  }

  /** Lanes that waited for a free slot. */
  private pumpReady(): void {
    for (const lane of this.readyLanes) {
      if (this.inFlight.size >= this.o.concurrency) return;
      this.readyLanes.delete(lane);
      this.pump(lane);
    }
  }

  /** Delivers a local lane's head from memory: no read of it, or of the outbox, on the way. */
  private async runLocal(lane: string, head: OutboxMessage, queue: OutboxMessage[], now: number): Promise<void> {
    const sender = this.senders.get(head.platform);
    const key = `${head._id}#${head.attempt}`;
    // A retry's attempt is claimed when it is due; lost, another process took the message over (it thought this
    // one dead): the lane is left to the database, where that process's delivery orders it.
    if (
      !sender ||
      (!this.held.has(key) && !(await this.repo.claim(head._id, head.attempt, new Date(now), this.owner)))
    ) {
      await this.handBack(lane);
      return;
    }
    this.held.add(key);
    const newer = head.op === 'edit' && supersededIn(queue, head);
    const retry = newer
      ? await this.finish(head, 'skipped', 'superseded by a newer update', {}).then(() => null)
      : await this.deliver(head, sender, true);
    this.held.delete(key);
    if (retry) {
      Object.assign(head, retry);
      return;
    }
    if (queue[0] === head) queue.shift();
    this.localIds.delete(head._id);
    if (queue.length === 0 && this.local.get(lane) === queue) this.local.delete(lane);
  }

  /** A local lane goes to the database path: this process's claims on it go, and any process may deliver it. */
  private async handBack(lane: string): Promise<void> {
    const queue = this.local.get(lane) ?? [];
    this.local.delete(lane);
    this.readyLanes.delete(lane);
    for (const m of queue) this.localIds.delete(m._id);
    for (const m of queue) this.held.delete(`${m._id}#${m.attempt}`);
    await this.repo.handBack(queue, this.owner);
    this.kick();
  }

  private async tick(): Promise<void> {
    if (!this.running) return;
    // On FerretDB a read of the outbox scans all of it, this process's own burst too: while it drains, the read
    // for others' messages (rare: a writer gone, a platform only another process runs) keeps to a fifth of the time.
    if (performance.now() < this.nextReadAt) return;
    const t0 = performance.now();
    const read = await this.repo.waitingForOthers(this.owner);
    this.nextReadAt = performance.now() + 4 * (performance.now() - t0);
    const now = this.now().getTime();
    const waiting = await this.theirs(read, now);
    const lanes = new Map<string, OutboxMessage[]>();
    for (const m of waiting) {
      const lane = lanes.get(m.lane);
      if (lane) lane.push(m);
      else lanes.set(m.lane, [m]);
    }
    for (const queue of lanes.values()) queue.sort((a, b) => a.seq - b.seq);
    this.snapshot = lanes;
    const live = new Set(waiting.map((m) => `${m._id}#${m.attempt}`));
    for (const k of this.heldSince.keys()) if (!live.has(k)) this.heldSince.delete(k);
    let soonest = Number.POSITIVE_INFINITY;
    for (const [lane, queue] of lanes) {
      if (this.inFlight.size >= this.o.concurrency) break;
      if (this.inFlight.has(lane)) continue;
      soonest = Math.min(soonest, await this.tryLane(lane, queue, now));
    }
    if (Number.isFinite(soonest) && this.running) {
      const wait = Math.max(5, soonest - now);
      if (wait < this.o.pollMs) {
        const t = setTimeout(() => this.kick(), wait);
        t.unref();
      }
    }
    this.pumpLocal();
  }

  /**
   * What this process may deliver of what others wrote: a message whose writer still beats is that writer's to
   * deliver, from its memory; one whose writer is gone (it died, or stopped) or that has none is anyone's.
   */
  private async theirs(read: OutboxMessage[], now: number): Promise<OutboxMessage[]> {
    const out: OutboxMessage[] = [];
    for (const m of read) {
      if (this.leaving.has(m._id) || this.localIds.has(m._id)) continue;
      if (m.writer && m.writer !== this.owner && (await this.writerAlive(m.writer, now))) continue;
      out.push(m);
    }
    return out;
  }

  /** Read at most once a beat per writer. */
  private async writerAlive(writer: string, now: number): Promise<boolean> {
    const seen = this.writersSeen.get(writer);
    if (seen && Math.abs(now - seen.at) < WRITER_RECHECK_MS) return seen.alive;
    const alive = await this.repo.alive(writer, now, this.o.leaseMs);
    this.writersSeen.set(writer, { alive, at: now });
    if (this.writersSeen.size > 1000) this.writersSeen.delete(this.writersSeen.keys().next().value as string);
    return alive;
  }

  /**
   * Starts delivering the head of a lane if it is due and this process wins its claim. Resolves with when to
   * look at the lane again (Infinity when there is nothing to wait for).
   */
  private async tryLane(lane: string, queue: OutboxMessage[], now: number): Promise<number> {
    const blocked = this.blockedUntil.get(lane) ?? 0;
    if (blocked > now) return blocked;
    const head = queue[0];
    if (!head) return Number.POSITIVE_INFINITY;
    const sender = this.senders.get(head.platform);
    // Another process may run that platform: its message waits for it.
    if (!sender) return Number.POSITIVE_INFINITY;
    if (head.dueAt.getTime() > now) return head.dueAt.getTime();
    const key = `${head._id}#${head.attempt}`;
    if (!(await this.repo.claim(head._id, head.attempt, new Date(now), this.owner))) {
      const since = this.heldSince.get(key);
      if (since === undefined) this.heldSince.set(key, now);
      else if (now - since >= this.o.leaseMs) {
        if (await this.repo.finished(head._id)) {
          // Delivered by its holder; only its delete is still to come.
          this.heldSince.delete(key);
          this.leaving.add(head._id);
          this.flushTimer ??= setTimeout(() => void this.flush(), FLUSH_MS);
          return Number.POSITIVE_INFINITY;
        }
        // Held past the lease by a process still alive (beating): slow, not dead. Taking it over would send twice.
        if (!(await this.repo.abandoned(head._id, head.attempt, since, now, this.o.leaseMs))) {
          return Number.POSITIVE_INFINITY;
        }
        // The holder has had far longer than any delivery takes, and has stopped beating: it died. Next attempt.
        this.o.log.warn({ message: head._id, lane }, 'outbox: taking over a delivery whose process stopped');
        this.heldSince.delete(key);
        await this.repo.reschedule(head._id, head.attempt, { attempt: head.attempt + 1, dueAt: new Date(now) });
        this.loop.soon();
      }
      return Number.POSITIVE_INFINITY;
    }
    this.heldSince.delete(key);
    // A newer card update of the same message is waiting behind this one: this one would only be overwritten.
    const newer = head.op === 'edit' && supersededIn(queue, head);
    const p = (
      newer
        ? this.finish(head, 'skipped', 'superseded by a newer update', {})
        : this.deliver(head, sender, false).then(() => {})
    )
      .catch((err) => this.o.log.error({ err, message: head._id }, 'outbox: delivery bookkeeping failed'))
      .finally(() => {
        this.inFlight.delete(lane);
        this.continueLane(lane, head);
      });
    this.inFlight.set(lane, p);
    return Number.POSITIVE_INFINITY;
  }

  /** Why the bot cannot post at a channel address, as its platform says; null when it can or cannot tell. */
  async cannotPostTo(address: string): Promise<string | null> {
    const at = parseChannelAddress(address);
    if (!at) return 'it is not a channel address';
    if (isOnePlace(at.platform)) return null;
    const sender = this.senders.get(at.platform);
    if (!sender?.cannotPost) return null;
    return sender.cannotPost(at.channel).catch(() => null);
  }

  /**
   * After a delivery, the lane's next message is taken from the last read of the outbox, without reading it
   * again (on FerretDB a read of the outbox costs in proportion to what waits). A retried message, or the end
   * of what was read, sends the worker back to the database.
   */
  private continueLane(lane: string, done: OutboxMessage): void {
    if (!this.running) return;
    const queue = this.snapshot.get(lane);
    // A read made while `done` was on its way still holds it (and maybe others finished since).
    while (queue?.[0] && (queue[0]._id === done._id || this.leaving.has(queue[0]._id))) queue.shift();
    if (!queue || queue.length === 0 || this.retried.delete(lane) || this.inFlight.size >= this.o.concurrency) {
      this.kick();
      return;
    }
    void this.tryLane(lane, queue, this.now().getTime())
      .then((next) => {
        if (Number.isFinite(next)) this.kick();
      })
      .catch((err) => {
        this.o.log.warn({ err, lane }, 'outbox: could not go on with a channel');
        this.kick();
      });
  }

  /** A file's bytes go to the file store, and the message keeps its ref (see ReplyFile). */
  private async fileAside(reply: Reply): Promise<Reply> {
    const { file } = reply;
    if (!file || file.ref || !this.o.files) return reply;
    const ref = await this.o.files.put(Buffer.from(file.base64, 'base64'), this.now());
    return { ...reply, file: { ...file, base64: '', ref } };
  }

  /** The message as a platform sends it: its file's bytes read back from the file store. */
  private async withFile(reply: Reply): Promise<Reply> {
    const { file } = reply;
    if (!file?.ref || file.base64) return reply;
    const bytes = this.o.files ? await this.o.files.get(file.ref) : null;
    if (!bytes) throw new DeliveryFailure('permanent', `its file (${file.name}) is no longer stored`);
    return { ...reply, file: { name: file.name, mime: file.mime, alt: file.alt, base64: bytes.toString('base64') } };
  }

  /** Resolves with the message's next attempt when it is to be tried again, else null (it is finished). */
  private async deliver(m: OutboxMessage, sender: PlatformSender, local: boolean): Promise<Retry | null> {
    let reply = m.reply as unknown as Reply;
    const ctx: MessageContext = {
      tenant: m.tenant,
      ticketId: m.ticketId ?? undefined,
      actorId: m.actorId ?? undefined,
    };
    let sent: Sent;
    try {
      reply = await this.withFile(reply);
      sent = await this.withTimeout(
        m.op === 'edit'
          ? sender.edit(m.channel, m.messageId as string, reply, ctx)
          : m.op === 'dm'
            ? sender.dm(m.channel, reply, ctx)
            : sender.post(m.channel, reply, m.thread ?? undefined, ctx),
      );
    } catch (err) {
      return this.failed(m, sender, err, local);
    }
    if (reply.card && m.op !== 'edit' && sent.messageId && sent.channel && this.cards) {
      await this.cards
        .record({
          tenant: reply.card.tenant,
          ticketId: reply.card.ticketId,
          platform: m.platform,
          channel: sent.channel,
          messageId: sent.messageId,
          thread: null,
          at: this.now(),
        })
        .catch((err) => this.o.log.warn({ err, message: m._id }, 'outbox: a sent card could not be recorded'));
    }
    const reason =
      sent.skipped ??
      (m.waited ? `after waiting out ${m.waited}× 429` : m.attempt ? `on attempt ${m.attempt + 1}` : null);
    const recorded = this.finish(m, sent.skipped ? 'skipped' : 'delivered', reason, sent);
    // From memory, the lane goes on while its record is written (with others finishing at once); see `finish`.
    if (local)
      recorded.catch((err) => this.o.log.error({ err, message: m._id }, 'outbox: could not record a delivery'));
    else await recorded;
    return null;
  }

  private async failed(m: OutboxMessage, sender: PlatformSender, err: unknown, local: boolean): Promise<Retry | null> {
    const f =
      err instanceof DeliveryFailure ? err : new DeliveryFailure('transient', (err as Error)?.message ?? String(err));
    const now = this.now().getTime();
    if (f.kind === 'rate_limited') {
      const wait = Math.max(1, f.retryAfterMs ?? 1000);
      // Only this lane waits: other channels keep going.
      this.blockedUntil.set(m.lane, now + wait);
      this.o.onDelivery?.(m.platform, 'rate_limited');
      this.o.log.info({ lane: m.lane, waitMs: wait }, 'outbox: rate limited on one channel; waiting it out');
      const retry = { attempt: m.attempt + 1, dueAt: new Date(now + wait), lastError: f.reason, waited: m.waited + 1 };
      if (!local) this.retried.add(m.lane);
      await this.repo.reschedule(m._id, m.attempt, retry);
      return retry;
    }
    if (f.kind === 'transient' && m.attempt + 1 < this.o.maxAttempts) {
      const backoff = Math.min(this.o.maxBackoffMs, this.o.backoffMs * 2 ** m.attempt);
      this.o.onDelivery?.(m.platform, 'retried');
      this.o.log.warn(
        { message: m._id, lane: m.lane, reason: f.reason, backoff },
        'outbox: delivery failed; will retry',
      );
      const retry = { attempt: m.attempt + 1, dueAt: new Date(now + backoff), lastError: f.reason, waited: m.waited };
      if (!local) this.retried.add(m.lane);
      await this.repo.reschedule(m._id, m.attempt, retry);
      return retry;
    }
    const reason = f.kind === 'transient' ? `gave up after ${m.attempt + 1} attempts: ${f.reason}` : f.reason;
    this.o.log.warn({ message: m._id, lane: m.lane, reason }, 'outbox: delivery failed for good');
    await this.finish(m, 'failed', reason, {});
    if (f.gone && m.op === 'edit' && sender.cardGone) {
      await sender.cardGone(m.channel, m.messageId as string, { tenant: m.tenant, ticketId: m.ticketId ?? undefined });
    }
    return null;
  }

  /**
   * Records what became of a message, then lets it leave the outbox. Until the record is written, a process that
   * dies would have the message sent again by whoever takes it over (the at-least-once window, docs/outbox.md).
   */
  private finish(m: OutboxMessage, outcome: DeliveryOutcome, reason: string | null, sent: Sent): Promise<void> {
    const p = this.record(m, outcome, reason, sent);
    this.recording.add(p);
    void p.catch(() => {}).finally(() => this.recording.delete(p));
    return p;
  }

  private async record(m: OutboxMessage, outcome: DeliveryOutcome, reason: string | null, sent: Sent): Promise<void> {
    await this.repo.record({
      ...describedBy(m),
      outcome,
      reason,
      attempts: m.attempt + 1,
      createdAt: m.createdAt,
      finishedAt: this.now(),
      platformMessageId: sent.messageId ?? null,
    });
    // Recorded: it may leave the outbox. Deletes go in batches, one scan each on FerretDB, not one per message.
    this.leaving.add(m._id);
    // On FerretDB a delete scans the outbox inside its write: one per second at most while a backlog drains.
    if (this.leaving.size >= FLUSH_AT) void this.flush();
    else this.flushTimer ??= setTimeout(() => void this.flush(), FLUSH_MS);
    this.o.onDelivery?.(m.platform, outcome);
  }

  /** Deletes what has been recorded as finished from the outbox. */
  private async flush(): Promise<void> {
    this.flushTimer = undefined;
    while (this.flushing) await this.flushing;
    const ids = [...this.leaving];
    if (ids.length === 0) return;
    this.flushing = this.repo
      .remove(ids)
      .then(() => {
        for (const id of ids) this.leaving.delete(id);
      })
      .catch((err) => {
        this.o.log.warn({ err, count: ids.length }, 'outbox: could not remove delivered messages; will try again');
        this.flushTimer ??= setTimeout(() => void this.flush(), 1000);
      })
      .finally(() => {
        this.flushing = null;
      });
    await this.flushing;
  }

  private withTimeout<T>(work: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const limit = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new DeliveryFailure('transient', `no answer within ${this.o.sendTimeoutMs} ms`)),
        this.o.sendTimeoutMs,
      );
      timer.unref();
    });
    return Promise.race([work, limit]).finally(() => clearTimeout(timer));
  }
}

/** What a message is moved to when it is tried again. */
type Retry = Pick<OutboxMessage, 'attempt' | 'dueAt' | 'lastError' | 'waited'>;

/** A newer card update of the same message waits behind this one: this one would only be overwritten. */
function supersededIn(queue: readonly OutboxMessage[], head: OutboxMessage): boolean {
  return queue.some(
    (m) => m !== head && m.op === 'edit' && m.messageId === head.messageId && (m.version ?? 0) > (head.version ?? 0),
  );
}

/** What the ledger says of a message, whatever became of it. */
function describedBy(
  m: OutboxMessage,
): Pick<LedgerEntry, 'messageId' | 'tenant' | 'ticketId' | 'what' | 'to' | 'platform'> {
  return { messageId: m._id, tenant: m.tenant, ticketId: m.ticketId, what: m.what, to: m.to, platform: m.platform };
}

function splitIdentity(identity: string): [Platform, string] {
  const i = identity.indexOf(':');
  return [platformOf(identity.slice(0, i)), identity.slice(i + 1)];
}
