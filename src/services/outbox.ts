// The outbox: every message the bot sends first is written here, delivered by one process, and recorded in the ledger.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { isOnePlace, type Platform } from '../domain/platform.ts';
import { PacedLoop } from '../kit/pacedLoop.ts';
import type { Reply } from '../present/reply.ts';
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
  /** Lanes delivering at once in this process. */
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
  /** The last read of the outbox, by lane, in order: where a lane goes on from after a delivery. */
  private snapshot = new Map<string, OutboxMessage[]>();
  /** Lanes whose head was rescheduled (a retry, a 429): the next look reads the database. */
  private readonly retried = new Set<string>();
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
      concurrency: opts.concurrency ?? 16,
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
    if (key) {
      await this.repo.addOnce([m]);
      this.kick();
    } else {
      await this.enqueue([m]);
    }
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
      this.kick();
      return added.map((m) => m._id);
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
    this.stopBeating?.();
    this.stopBeating = undefined;
    const all = Promise.allSettled([...this.inFlight.values(), this.loop.pending]).then(() => this.flush());
    await Promise.race([all, new Promise((r) => setTimeout(r, graceMs).unref())]);
  }

  /** Looks for work now (after an enqueue, a finished delivery, or a test moving the clock). */
  kick(): void {
    this.loop.kick();
  }

  /** Resolves once nothing this process could deliver now is waiting or in flight (tests, benchmarks). */
  async drained(): Promise<void> {
    for (;;) {
      await this.loop.pending;
      await Promise.allSettled([...this.inFlight.values()]);
      // A stopped outbox delivers nothing more here: what waits is for the next start.
      if (!this.running) return;
      const now = this.now().getTime();
      const ready = (await this.repo.waiting()).filter(
        (m) =>
          !this.leaving.has(m._id) &&
          this.senders.has(m.platform) &&
          m.dueAt.getTime() <= now &&
          (this.blockedUntil.get(m.lane) ?? 0) <= now &&
          !this.heldSince.has(`${m._id}#${m.attempt}`),
      );
      if (ready.length === 0 && this.inFlight.size === 0 && !this.loop.pending) {
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
    };
  }

  /** Increasing within this process, whatever the clock does; across processes, roughly by time written. */
  private nextSeq(at: Date): number {
    this.lastSeq = Math.max(this.lastSeq + 1, at.getTime() * 1000);
    return this.lastSeq;
  }

  private async enqueue(messages: OutboxMessage[]): Promise<OutboxMessage[]> {
    await this.repo.add(messages);
    this.kick();
    return messages;
  }

  private async tick(): Promise<void> {
    if (!this.running) return;
    const waiting = (await this.repo.waiting()).filter((m) => !this.leaving.has(m._id));
    const now = this.now().getTime();
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
        if (await this.holderAlive(head._id, head.attempt, now)) return Number.POSITIVE_INFINITY;
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
    const newer =
      head.op === 'edit' &&
      queue.some(
        (m) =>
          m !== head && m.op === 'edit' && m.messageId === head.messageId && (m.version ?? 0) > (head.version ?? 0),
      );
    const p = (newer ? this.finish(head, 'skipped', 'superseded by a newer update', {}) : this.deliver(head, sender))
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

  /** Whether the process holding a claim still beats (within the lease): alive, however slow. */
  async alive(owner: string, now: number): Promise<boolean> {
    const beat = await this.repo.heartbeats.lastBeat(owner);
    return beat !== null && now - beat.getTime() < this.o.leaseMs;
  }

  private async holderAlive(id: string, attempt: number, now: number): Promise<boolean> {
    const holder = await this.repo.claimOwner(id, attempt);
    const beat = holder ? await this.repo.heartbeats.lastBeat(holder) : null;
    return beat !== null && now - beat.getTime() < this.o.leaseMs;
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

  private async deliver(m: OutboxMessage, sender: PlatformSender): Promise<void> {
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
      await this.failed(m, sender, err);
      return;
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
    await this.finish(m, sent.skipped ? 'skipped' : 'delivered', reason, sent);
  }

  private async failed(m: OutboxMessage, sender: PlatformSender, err: unknown): Promise<void> {
    const f =
      err instanceof DeliveryFailure ? err : new DeliveryFailure('transient', (err as Error)?.message ?? String(err));
    const now = this.now().getTime();
    if (f.kind === 'rate_limited') {
      const wait = Math.max(1, f.retryAfterMs ?? 1000);
      // Only this lane waits: other channels keep going.
      this.blockedUntil.set(m.lane, now + wait);
      this.o.onDelivery?.(m.platform, 'rate_limited');
      this.o.log.info({ lane: m.lane, waitMs: wait }, 'outbox: rate limited on one channel; waiting it out');
      this.retried.add(m.lane);
      await this.repo.reschedule(m._id, m.attempt, {
        attempt: m.attempt + 1,
        dueAt: new Date(now + wait),
        lastError: f.reason,
        waited: m.waited + 1,
      });
      return;
    }
    if (f.kind === 'transient' && m.attempt + 1 < this.o.maxAttempts) {
      const backoff = Math.min(this.o.maxBackoffMs, this.o.backoffMs * 2 ** m.attempt);
      this.o.onDelivery?.(m.platform, 'retried');
      this.o.log.warn(
        { message: m._id, lane: m.lane, reason: f.reason, backoff },
        'outbox: delivery failed; will retry',
      );
      this.retried.add(m.lane);
      await this.repo.reschedule(m._id, m.attempt, {
        attempt: m.attempt + 1,
        dueAt: new Date(now + backoff),
        lastError: f.reason,
      });
      return;
    }
    const reason = f.kind === 'transient' ? `gave up after ${m.attempt + 1} attempts: ${f.reason}` : f.reason;
    this.o.log.warn({ message: m._id, lane: m.lane, reason }, 'outbox: delivery failed for good');
    await this.finish(m, 'failed', reason, {});
    if (f.gone && m.op === 'edit' && sender.cardGone) {
      await sender.cardGone(m.channel, m.messageId as string, { tenant: m.tenant, ticketId: m.ticketId ?? undefined });
    }
  }

  private async finish(m: OutboxMessage, outcome: DeliveryOutcome, reason: string | null, sent: Sent): Promise<void> {
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
