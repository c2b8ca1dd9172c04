// The outbox's database path: messages this process did not write from memory (no writer, a writer gone, a platform
// only this process runs) are read from the outbox, claimed attempt by attempt, and taken over from a dead holder.
import type { Logger } from 'pino';
import type { PlatformSender } from '../present/sender.ts';
import type { OutboxMessage, OutboxRepository } from '../store/outboxStore.ts';
import type { Delivery } from './outboxDelivery.ts';
import type { Lanes } from './outboxLanes.ts';
import { isKeyed } from './outboxMessages.ts';
import type { Records } from './outboxRecords.ts';

/** How long what this process read of another writer's heartbeat holds. */
const WRITER_RECHECK_MS = 5000;

export interface FromDatabaseDeps {
  repo: OutboxRepository;
  /** This process's token in claims and heartbeats. */
  owner: string;
  senders: ReadonlyMap<string, PlatformSender>;
  now: () => Date;
  log: Logger;
  /** How often waiting messages are looked for when nothing wakes the worker sooner. */
  pollMs: number;
  /** A claim still held after this long (as this process measures it) belongs to a process that died. */
  leaseMs: number;
  lanes: Lanes;
  delivery: Delivery;
  records: Records;
  /** Whether the outbox runs. */
  running: () => boolean;
  /** Looks for work now (the outbox's kick). */
  kick: () => void;
  /** Asks for another pass when the one under way ends. */
  soon: () => void;
}

export class FromDatabase {
  /** Claims seen held by someone else: when this process first saw each, to tell a dead holder. */
  private readonly heldSince = new Map<string, number>();
  /** The next read of the outbox for others' messages waits until then (performance.now()). */
  private nextReadAt = 0;
  /** The last read of the outbox, by lane, in order: where a lane goes on from after a delivery. */
  private snapshot = new Map<string, OutboxMessage[]>();
  /** Lanes whose head was rescheduled (a retry, a 429): the next look reads the database. */
  private readonly retried = new Set<string>();
  /** Other writers found alive (their messages are theirs to deliver), and when that was read. */
  private readonly writersSeen = new Map<string, { alive: boolean; at: number }>();

  constructor(private readonly d: FromDatabaseDeps) {}

  /** Something asked for a look: the next pass reads the outbox whatever the pace (see tick). */
  asked(): void {
    this.nextReadAt = 0;
  }

  /** One pass of the outbox's loop: reads what others wrote and starts the lanes that can go. */
  async tick(): Promise<void> {
    const { lanes } = this.d;
    if (!this.d.running()) return;
    // On FerretDB a read of the outbox scans all of it, this process's own burst too: while it drains, the read
    // for others' messages (rare: a writer gone, a platform only another process runs) keeps to a fifth of the time.
    if (performance.now() < this.nextReadAt) return;
    const t0 = performance.now();
    const read = await this.d.repo.waitingForOthers(this.d.owner);
    this.nextReadAt = performance.now() + 4 * (performance.now() - t0);
    const now = this.d.now().getTime();
    const waiting = await this.theirs(read, now);
    const byLane = new Map<string, OutboxMessage[]>();
    for (const m of waiting) {
      const lane = byLane.get(m.lane);
      if (lane) lane.push(m);
      else byLane.set(m.lane, [m]);
    }
    for (const queue of byLane.values()) queue.sort((a, b) => a.seq - b.seq);
    this.snapshot = byLane;
    const live = new Set(waiting.map((m) => `${m._id}#${m.attempt}`));
    for (const k of this.heldSince.keys()) if (!live.has(k)) this.heldSince.delete(k);
    let soonest = Number.POSITIVE_INFINITY;
    for (const [lane, queue] of byLane) {
      if (lanes.full) break;
      if (lanes.busy(lane)) continue;
      soonest = Math.min(soonest, await this.tryLane(lane, queue, now));
    }
    if (Number.isFinite(soonest) && this.d.running()) {
      const wait = Math.max(5, soonest - now);
      if (wait < this.d.pollMs) {
        const t = setTimeout(() => this.d.kick(), wait);
        t.unref();
      }
    }
    lanes.pumpLocal();
  }

  /** How many lanes of others' messages have a head this process could deliver now (`drained`). */
  async readyHeads(now: number): Promise<number> {
    // Only a lane's head can go: one behind a head another process holds waits with it.
    const heads = new Map<string, OutboxMessage>();
    for (const m of await this.theirs(await this.d.repo.waitingForOthers(this.d.owner), now)) {
      const h = heads.get(m.lane);
      if (!h || m.seq < h.seq) heads.set(m.lane, m);
    }
    return [...heads.values()].filter(
      (m) =>
        this.d.senders.has(m.platform) &&
        m.dueAt.getTime() <= now &&
        this.d.lanes.blockedAt(m.lane) <= now &&
        !this.heldSince.has(`${m._id}#${m.attempt}`),
    ).length;
  }

  /**
   * What this process may deliver of what others wrote: a message whose writer still beats is that writer's to
   * deliver, from its memory; one whose writer is gone (it died, or stopped) or that has none is anyone's.
   */
  private async theirs(read: OutboxMessage[], now: number): Promise<OutboxMessage[]> {
    const out: OutboxMessage[] = [];
    for (const m of read) {
      if (this.d.records.isLeaving(m._id) || this.d.lanes.isLocal(m._id)) continue;
      if (m.writer && m.writer !== this.d.owner && (await this.writerAlive(m.writer, now))) continue;
      out.push(m);
    }
    return out;
  }

  /** Read at most once a beat per writer. */
  private async writerAlive(writer: string, now: number): Promise<boolean> {
    const seen = this.writersSeen.get(writer);
    if (seen && Math.abs(now - seen.at) < WRITER_RECHECK_MS) return seen.alive;
    const alive = await this.d.repo.alive(writer, now, this.d.leaseMs);
    this.writersSeen.set(writer, { alive, at: now });
    if (this.writersSeen.size > 1000) this.writersSeen.delete(this.writersSeen.keys().next().value as string);
    return alive;
  }

  /**
   * Starts delivering the head of a lane if it is due and this process wins its claim. Resolves with when to
   * look at the lane again (Infinity when there is nothing to wait for).
   */
  private async tryLane(lane: string, queue: OutboxMessage[], now: number): Promise<number> {
    const { repo, lanes } = this.d;
    const blocked = lanes.blockedAt(lane);
    if (blocked > now) return blocked;
    const head = queue[0];
    if (!head) return Number.POSITIVE_INFINITY;
    const sender = this.d.senders.get(head.platform);
    // Another process may run that platform: its message waits for it.
    if (!sender) return Number.POSITIVE_INFINITY;
    if (head.dueAt.getTime() > now) return head.dueAt.getTime();
    const key = `${head._id}#${head.attempt}`;
    if (!(await repo.claim(head._id, head.attempt, new Date(now), this.d.owner))) {
      const since = this.heldSince.get(key);
      if (since === undefined) {
        this.heldSince.set(key, now);
        // A keyed message added again after an earlier copy was delivered (no key is written beside it: see
        // OutboxRepository.writeAdds): the earlier copy's claim refuses this one, and its finish mark lets it go unsent.
        if (head.attempt === 0 && isKeyed(head._id) && (await repo.finished(head._id))) {
          this.heldSince.delete(key);
          this.d.records.deliveredElsewhere(head._id);
        }
      } else if (now - since >= this.d.leaseMs) {
        if (await repo.finished(head._id)) {
          // Delivered by its holder; only its delete is still to come.
          this.heldSince.delete(key);
          this.d.records.deliveredElsewhere(head._id);
          return Number.POSITIVE_INFINITY;
        }
        // Held past the lease by a process still alive (beating): slow, not dead. Taking it over would send twice.
        if (!(await repo.abandoned(head._id, head.attempt, since, now, this.d.leaseMs))) {
          return Number.POSITIVE_INFINITY;
        }
        // The holder has had far longer than any delivery takes, and has stopped beating: it died. Next attempt.
        this.d.log.warn({ message: head._id, lane }, 'outbox: taking over a delivery whose process stopped');
        this.heldSince.delete(key);
        await repo.reschedule(head._id, head.attempt, { attempt: head.attempt + 1, dueAt: new Date(now) });
        this.d.soon();
      }
      return Number.POSITIVE_INFINITY;
    }
    this.heldSince.delete(key);
    // A newer card update of the same message waiting behind this one is skipped as superseded (deliverHead).
    const p = this.d.delivery
      .deliverHead(head, queue, sender, { local: false, rescheduled: (l) => this.retried.add(l) })
      .then(() => {})
      .catch((err) => this.d.log.error({ err, message: head._id }, 'outbox: delivery bookkeeping failed'))
      .finally(() => {
        lanes.free(lane);
        this.continueLane(lane, head);
      });
    lanes.occupy(lane, p);
    return Number.POSITIVE_INFINITY;
  }

  /**
   * After a delivery, the lane's next message is taken from the last read of the outbox, without reading it
   * again (on FerretDB a read of the outbox costs in proportion to what waits). A retried message, or the end
   * of what was read, sends the worker back to the database.
   */
  private continueLane(lane: string, done: OutboxMessage): void {
    if (!this.d.running()) return;
    const queue = this.snapshot.get(lane);
    // A read made while `done` was on its way still holds it (and maybe others finished since).
    while (queue?.[0] && (queue[0]._id === done._id || this.d.records.isLeaving(queue[0]._id))) queue.shift();
    if (!queue || queue.length === 0 || this.retried.delete(lane) || this.d.lanes.full) {
      this.d.kick();
      return;
    }
    void this.tryLane(lane, queue, this.d.now().getTime())
      .then((next) => {
        if (Number.isFinite(next)) this.d.kick();
      })
      .catch((err) => {
        this.d.log.warn({ err, lane }, 'outbox: could not go on with a channel');
        this.d.kick();
      });
  }
}
