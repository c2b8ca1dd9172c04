// The outbox: every message the bot sends first is written here, delivered by one process, and recorded in the ledger.
// This is its face; the parts are beside it (docs/outbox.md, Code): the lanes in memory (outboxLanes.ts), one
// delivery (outboxDelivery.ts) and its retry policy (outboxRetry.ts), the database path (outboxFromDatabase.ts),
// the records (outboxRecords.ts) and the messages as written (outboxMessages.ts).
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { isOnePlace } from '../domain/platform.ts';
import { PacedLoop } from '../kit/pacedLoop.ts';
import type { Reply } from '../present/reply.ts';
import type { RoomSender } from '../present/rooms.ts';
import type { PlatformSender } from '../present/sender.ts';
import type { FileRepository } from '../store/fileStore.ts';
import type { DeliveryOutcome, OutboxMessage, OutboxRepository } from '../store/outboxStore.ts';
import type { CardService } from './cards.ts';
import { parseChannelAddress } from './messaging.ts';
import { Delivery } from './outboxDelivery.ts';
import { FromDatabase } from './outboxFromDatabase.ts';
import { Lanes } from './outboxLanes.ts';
import { type CardPlace, MessageMaker, type TicketAbout } from './outboxMessages.ts';
import { type DeliveryView, Records } from './outboxRecords.ts';
import type { PeopleService } from './people.ts';

export type { CardPlace, TicketAbout } from './outboxMessages.ts';
export type { DeliveryView } from './outboxRecords.ts';

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

export class Outbox {
  private readonly senders = new Map<string, PlatformSender>();
  private stopBeating: (() => void) | undefined;
  private readonly now: () => Date;
  /** This process's token in claims and heartbeats (it beats while the outbox runs). */
  readonly owner = randomBytes(6).toString('hex');
  private readonly loop: PacedLoop;
  private readonly log: Logger;
  /** The in-memory lane state: slots in flight, channels held back, and the local lanes delivered from memory. */
  private readonly lanes: Lanes;
  private readonly records: Records;
  private readonly delivery: Delivery;
  /** Others' messages (no writer, a writer gone), read from the database. */
  private readonly fromDb: FromDatabase;
  private readonly messages: MessageMaker;

  constructor(
    private readonly repo: OutboxRepository,
    private readonly people: PeopleService,
    opts: OutboxOptions,
    /** Where posted ticket cards are recorded, so a card sent by DM or posted in a channel stays current. */
    cards?: CardService,
  ) {
    const now = opts.now ?? (() => new Date());
    this.now = now;
    const log = opts.log;
    this.log = log;
    const pollMs = opts.pollMs ?? 1000;
    const concurrency = opts.concurrency ?? 32;
    const running = () => this.running;
    const kick = () => this.kick();
    const { owner, senders } = this;
    this.loop = new PacedLoop(
      () => this.fromDb.tick(),
      (err) => log.warn({ err }, 'outbox: could not look for waiting messages'),
      pollMs,
    );
    this.records = new Records(repo, now, log, opts.onDelivery);
    this.lanes = new Lanes({
      repo,
      owner,
      senders,
      now,
      log,
      concurrency,
      running,
      kick,
      deliverHead: (head, queue, sender) => this.delivery.deliverHead(head, queue, sender, { local: true }),
    });
    this.delivery = new Delivery(
      repo,
      this.lanes,
      this.records,
      now,
      {
        log,
        sendTimeoutMs: opts.sendTimeoutMs ?? 30_000,
        maxAttempts: opts.maxAttempts ?? 8,
        backoffMs: opts.backoffMs ?? 1000,
        maxBackoffMs: opts.maxBackoffMs ?? 300_000,
        onDelivery: opts.onDelivery,
        files: opts.files,
      },
      cards,
    );
    this.fromDb = new FromDatabase({
      repo,
      owner,
      senders,
      now,
      log,
      pollMs,
      leaseMs: opts.leaseMs ?? 60_000,
      lanes: this.lanes,
      delivery: this.delivery,
      records: this.records,
      running,
      kick,
      soon: () => this.loop.soon(),
    });
    this.messages = new MessageMaker(now, (platform) => this.writerFor(platform));
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
    reply = await this.delivery.fileAside(reply);
    const m = this.messages.post(about, where, reply, thread, key);
    if (key) this.lanes.hold(await this.repo.addOnce([m]));
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
    return this.toIdentities(tenant, await this.people.identitiesOf(tenant, personId), reply, about, key);
  }

  /**
   * A DM to a person by the identities the caller read already (an accepted swap reads the proposer's before its team
   * change moves the people epoch: not again after it).
   */
  async toIdentities(
    tenant: string,
    identities: ReadonlyArray<{ identity: string; displayName: string }>,
    reply: Reply,
    about: Omit<TicketAbout, 'tenant'> = {},
    key?: string,
  ): Promise<string[]> {
    if (identities.length > 0) reply = await this.delivery.fileAside(reply);
    const messages = this.messages.dms({ ...about, tenant }, identities, reply, key);
    if (key) {
      const added = await this.repo.addOnce(messages);
      this.lanes.hold(added);
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
    await this.enqueue(this.messages.ticketChange(about, version, card, summary, cards));
  }

  /** What was sent about a ticket (and what still waits), oldest first. */
  deliveriesFor(tenant: string, ticketId: string): Promise<DeliveryView[]> {
    return this.records.deliveriesFor(tenant, ticketId);
  }

  /** How much waits, and for how long the oldest has (metrics). */
  stats(): Promise<{ depth: number; oldestAgeSeconds: number }> {
    return this.records.stats();
  }

  /** Forgets delivery claims older than `before` (nightly; FerretDB has no TTL indexes). */
  pruneClaims(before: Date): Promise<number> {
    return this.repo.pruneClaims(before);
  }

  start(): void {
    if (!this.stopBeating) {
      this.stopBeating = this.repo.heartbeats.keepBeating(this.owner, this.now, (err) =>
        this.log.warn({ err }, 'outbox: could not say this process is alive'),
      );
    }
    this.loop.start();
  }

  /** Stops taking new work; waits (at most `graceMs`) for deliveries in flight. */
  async stop(graceMs = 5000): Promise<void> {
    this.loop.stop();
    this.lanes.stopTimers();
    const beating = this.stopBeating;
    this.stopBeating = undefined;
    beating?.();
    const all = Promise.allSettled([...this.lanes.deliveries(), this.loop.pending])
      .then(() => this.records.settled())
      // What this process wrote and did not get to goes to whichever process runs next: claims given back,
      // and the process says it has gone, so nobody waits out a lease for it.
      .then(() => this.lanes.handBackAll())
      .then(() => this.records.flush())
      .then(() => (beating ? this.repo.heartbeats.gone(this.owner) : undefined))
      .catch((err) => this.log.warn({ err }, 'outbox: could not hand back what waits'));
    await Promise.race([all, new Promise((r) => setTimeout(r, graceMs).unref())]);
  }

  /** Looks for work now (after an enqueue, a finished delivery, or a test moving the clock). */
  kick(): void {
    // Asked for: the next pass reads the outbox whatever the pace (see FromDatabase.tick).
    this.fromDb.asked();
    this.loop.kick();
    // Local lanes waiting on a time (a retry, a 429) look again: the clock may have moved (tests move it); and every
    // local lane neither running nor waiting starts (Lanes.pumpLocal: a lane passed over is not left behind).
    this.lanes.wake();
  }

  /** Resolves once nothing this process could deliver now is waiting or in flight (tests, benchmarks). */
  async drained(): Promise<void> {
    for (;;) {
      await this.loop.pending;
      await Promise.allSettled(this.lanes.deliveries());
      await this.records.settled();
      // A stopped outbox delivers nothing more here: what waits is for the next start.
      if (!this.running) return;
      const now = this.now().getTime();
      const localReady = this.lanes.localReady(now);
      const ready = await this.fromDb.readyHeads(now);
      if (!localReady && ready === 0 && this.lanes.idle && !this.loop.pending) {
        await this.records.flush();
        return;
      }
      this.kick();
      await new Promise((r) => setTimeout(r, 5));
    }
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

  private async enqueue(messages: OutboxMessage[]): Promise<OutboxMessage[]> {
    const held = await this.repo.add(messages);
    this.lanes.hold(messages.map((m, i) => ({ m, held: held[i] === true })));
    return messages;
  }

  /** Whether this process will deliver what it writes for `platform` itself, from memory. */
  private writerFor(platform: string): string | null {
    return this.running && this.senders.has(platform) ? this.owner : null;
  }
}
