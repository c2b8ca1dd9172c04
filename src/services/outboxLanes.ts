// The outbox's lanes in this process: the slots in flight (both paths), the channels held back, and the local lanes,
// the messages this process wrote and delivers from memory (docs/outbox.md). How one head is delivered is handed in.
import type { Logger } from 'pino';
import type { PlatformSender } from '../present/sender.ts';
import type { OutboxMessage, OutboxRepository } from '../store/outboxStore.ts';
import type { Retry } from './outboxRetry.ts';

export interface LanesDeps {
  repo: OutboxRepository;
  /** This process's token in claims. */
  owner: string;
  senders: ReadonlyMap<string, PlatformSender>;
  now: () => Date;
  log: Logger;
  /** Lanes delivering at once in this process, on both paths. */
  concurrency: number;
  /** Whether the outbox runs. */
  running: () => boolean;
  /** Looks for work now (the outbox's kick). */
  kick: () => void;
  /**
   * Delivers a claimed head from memory (or skips it when superseded in its queue). Resolves with its next attempt
   * when it is to be tried again, else null (it is finished).
   */
  deliverHead: (head: OutboxMessage, queue: OutboxMessage[], sender: PlatformSender) => Promise<Retry | null>;
}

export class Lanes {
  /** Lanes delivering now, on either path: one delivery per lane, `concurrency` lanes at once. */
  private readonly inFlight = new Map<string, Promise<void>>();
  /** Lanes a platform told us to leave alone for a while (a 429 on that channel). */
  private readonly blockedUntil = new Map<string, number>();
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
  /**
   * When (performance.now()) a local lane's wait after a failed attempt (its back-off, or a 429's retry-after) has
   * passed in elapsed time. The head is due by the bot's clock too, and in production the two move together; a
   * clock that stands still (a test's) must not hold a retry back for good.
   */
  private readonly waitedOut = new Map<string, number>();

  constructor(private readonly d: LanesDeps) {}

  // Slots, shared with the database path.

  /** Whether a lane is delivering now. */
  busy(lane: string): boolean {
    return this.inFlight.has(lane);
  }

  /** Whether every lane slot is taken. */
  get full(): boolean {
    return this.inFlight.size >= this.d.concurrency;
  }

  /** Whether nothing is in flight. */
  get idle(): boolean {
    return this.inFlight.size === 0;
  }

  /** The deliveries in flight now. */
  deliveries(): Promise<void>[] {
    return [...this.inFlight.values()];
  }

  /** A delivery of the database path takes the lane's slot until `free`. */
  occupy(lane: string, p: Promise<void>): void {
    this.inFlight.set(lane, p);
  }

  free(lane: string): void {
    this.inFlight.delete(lane);
  }

  /** Until when (the bot's clock, ms) a lane is held back by its platform; 0 when it is not. */
  blockedAt(lane: string): number {
    return this.blockedUntil.get(lane) ?? 0;
  }

  /** The platform asked this lane to wait (a 429): only this lane waits, other channels keep going. */
  block(lane: string, until: number): void {
    this.blockedUntil.set(lane, until);
  }

  // Local lanes.

  /** Whether a message is this process's to deliver from memory. */
  isLocal(id: string): boolean {
    return this.localIds.has(id);
  }

  /** Whether a local lane's head could go now. */
  localReady(now: number): boolean {
    return [...this.local.entries()].some(
      ([lane, q]) =>
        q[0] &&
        ((q[0].dueAt.getTime() <= now && this.blockedAt(lane) <= now) ||
          (this.waitedOut.get(lane) ?? Number.POSITIVE_INFINITY) <= performance.now()),
    );
  }

  /**
   * Messages just written: those this process holds go straight to their lanes here, from memory; the rest
   * (no sender here for their platform, the outbox stopped) wait in the database for any process.
   */
  hold(written: ReadonlyArray<{ m: OutboxMessage; held: boolean }>): void {
    let others = false;
    const lanes = new Set<string>();
    const unheld: OutboxMessage[] = [];
    for (const { m, held } of written) {
      if (!held || !this.d.running()) {
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
      void this.d.repo
        .handBack(unheld, this.d.owner)
        .catch((err) => this.d.log.warn({ err }, 'outbox: could not hand back messages'))
        .finally(() => this.d.kick());
    } else if (others) this.d.kick();
  }

  /**
   * On a kick: local lanes waiting on a time (a retry, a 429) look again, as the clock may have moved (tests move
   * it); then every local lane not running or waiting starts (`pumpLocal`).
   */
  wake(): void {
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
  pumpLocal(): void {
    for (const lane of [...this.local.keys()]) {
      if (!this.inFlight.has(lane) && !this.laneTimers.has(lane)) this.pump(lane);
    }
  }

  /** The outbox stops: no local lane waits on a timer any more. */
  stopTimers(): void {
    for (const t of this.laneTimers.values()) clearTimeout(t);
    this.laneTimers.clear();
  }

  /** Every local lane goes to the database path (the outbox stops): whichever process runs next delivers them. */
  handBackAll(): Promise<unknown> {
    return Promise.allSettled([...this.local.keys()].map((lane) => this.handBack(lane)));
  }

  /** Starts the head of a local lane, if it is due, not held back, and a lane slot is free. */
  private pump(lane: string): void {
    if (!this.d.running() || this.inFlight.has(lane)) return;
    const queue = this.local.get(lane);
    const head = queue?.[0];
    if (!queue || !head) {
      this.local.delete(lane);
      this.waitedOut.delete(lane);
      return;
    }
    if (this.inFlight.size >= this.d.concurrency) {
      this.readyLanes.add(lane);
      return;
    }
    const now = this.d.now().getTime();
    const byClock = Math.max(this.blockedUntil.get(lane) ?? 0, head.dueAt.getTime()) - now;
    const byElapsed = (this.waitedOut.get(lane) ?? Number.POSITIVE_INFINITY) - performance.now();
    if (byClock > 0 && byElapsed > 0) {
      if (!this.laneTimers.has(lane)) {
        const t = setTimeout(
          () => {
            this.laneTimers.delete(lane);
            this.pump(lane);
          },
          Math.ceil(Math.min(byClock, byElapsed)),
        );
        t.unref();
        this.laneTimers.set(lane, t);
      }
      return;
    }
    this.waitedOut.delete(lane);
    const p = this.runLocal(lane, head, queue, now)
      .catch((err) => this.d.log.error({ err, message: head._id }, 'outbox: delivery bookkeeping failed'))
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
      if (this.inFlight.size >= this.d.concurrency) return;
      this.readyLanes.delete(lane);
      this.pump(lane);
    }
  }

  /** Delivers a local lane's head from memory: no read of it, or of the outbox, on the way. */
  private async runLocal(lane: string, head: OutboxMessage, queue: OutboxMessage[], now: number): Promise<void> {
    const sender = this.d.senders.get(head.platform);
    const key = `${head._id}#${head.attempt}`;
    // A retry's attempt is claimed when it is due; lost, another process took the message over (it thought this
    // one dead): the lane is left to the database, where that process's delivery orders it.
    if (
      !sender ||
      (!this.held.has(key) && !(await this.d.repo.claim(head._id, head.attempt, new Date(now), this.d.owner)))
    ) {
      await this.handBack(lane);
      return;
    }
    this.held.add(key);
    const retry = await this.d.deliverHead(head, queue, sender);
    this.held.delete(key);
    if (retry) {
      Object.assign(head, retry);
      this.waitedOut.set(lane, performance.now() + Math.max(0, retry.dueAt.getTime() - now));
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
    this.waitedOut.delete(lane);
    for (const m of queue) this.localIds.delete(m._id);
    for (const m of queue) this.held.delete(`${m._id}#${m.attempt}`);
    await this.d.repo.handBack(queue, this.d.owner);
    this.d.kick();
  }
}
