// One delivery of an outbox message: the platform call (with its timeout and its file read back), the card it posted
// recorded, and a failure turned into a retry, a wait on its lane, or a record (docs/outbox.md).
import type { Logger } from 'pino';
import type { Reply } from '../present/reply.ts';
import { DeliveryFailure, type MessageContext, type PlatformSender, type Sent } from '../present/sender.ts';
import type { FileRepository } from '../store/fileStore.ts';
import type { OutboxMessage, OutboxRepository } from '../store/outboxStore.ts';
import type { CardService } from './cards.ts';
import type { Lanes } from './outboxLanes.ts';
import type { Records } from './outboxRecords.ts';
import { asFailure, nextTry, type Retry, type RetryPolicy } from './outboxRetry.ts';

export interface DeliveryOptions extends RetryPolicy {
  log: Logger;
  /** One platform call may take this long before it counts as a transient failure. */
  sendTimeoutMs: number;
  /** Each retry and each wait on a 429 (metrics); finished ones are counted by the records. */
  onDelivery?: ((platform: string, outcome: 'retried' | 'rate_limited') => void) | undefined;
  /** Where a message's file waits (src/store/fileStore.ts); without one, a file's bytes stay in the message. */
  files?: FileRepository | undefined;
}

/**
 * Where a delivery runs from. From memory (`local`), the lane goes on while the record is written; from the
 * database, a rescheduled head sends the lane's next look back to the database (`rescheduled`, called before the
 * reschedule is written).
 */
export type DeliveryPath = { local: true } | { local: false; rescheduled: (lane: string) => void };

export class Delivery {
  constructor(
    private readonly repo: OutboxRepository,
    private readonly lanes: Lanes,
    private readonly records: Records,
    private readonly now: () => Date,
    private readonly o: DeliveryOptions,
    /** Where posted ticket cards are recorded, so a card sent by DM or posted in a channel stays current. */
    private readonly cards?: CardService,
  ) {}

  /**
   * Delivers a lane's head, whose attempt this process has claimed. A newer card update of the same message
   * waiting behind it in `queue` means it would only be overwritten: it is skipped as superseded.
   */
  deliverHead(
    head: OutboxMessage,
    queue: readonly OutboxMessage[],
    sender: PlatformSender,
    path: DeliveryPath,
  ): Promise<Retry | null> {
    const newer = head.op === 'edit' && supersededIn(queue, head);
    return newer
      ? this.records.finish(head, 'skipped', 'superseded by a newer update', {}).then(() => null)
      : this.deliver(head, sender, path);
  }

  /** A file's bytes go to the file store, and the message keeps its ref (see ReplyFile). */
  async fileAside(reply: Reply): Promise<Reply> {
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
  private async deliver(m: OutboxMessage, sender: PlatformSender, path: DeliveryPath): Promise<Retry | null> {
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
      return this.failed(m, sender, err, path);
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
    const recorded = this.records.finish(m, sent.skipped ? 'skipped' : 'delivered', reason, sent);
    // From memory, the lane goes on while its record is written (with others finishing at once); see `finish`.
    if (path.local)
      recorded.catch((err) => this.o.log.error({ err, message: m._id }, 'outbox: could not record a delivery'));
    else await recorded;
    return null;
  }

  private async failed(
    m: OutboxMessage,
    sender: PlatformSender,
    err: unknown,
    path: DeliveryPath,
  ): Promise<Retry | null> {
    const f = asFailure(err);
    const next = nextTry(f, m, this.o, this.now().getTime());
    if (next.kind === 'rate_limited') {
      // Only this lane waits: other channels keep going.
      this.lanes.block(m.lane, next.retry.dueAt.getTime());
      this.o.onDelivery?.(m.platform, 'rate_limited');
      this.o.log.info({ lane: m.lane, waitMs: next.waitMs }, 'outbox: rate limited on one channel; waiting it out');
      if (!path.local) path.rescheduled(m.lane);
      await this.repo.reschedule(m._id, m.attempt, next.retry);
      return next.retry;
    }
    if (next.kind === 'retry') {
      this.o.onDelivery?.(m.platform, 'retried');
      this.o.log.warn(
        { message: m._id, lane: m.lane, reason: f.reason, backoff: next.backoffMs },
        'outbox: delivery failed; will retry',
      );
      if (!path.local) path.rescheduled(m.lane);
      await this.repo.reschedule(m._id, m.attempt, next.retry);
      return next.retry;
    }
    const { reason } = next;
    this.o.log.warn({ message: m._id, lane: m.lane, reason }, 'outbox: delivery failed for good');
    await this.records.finish(m, 'failed', reason, {});
    if (f.gone && m.op === 'edit' && sender.cardGone) {
      await sender.cardGone(m.channel, m.messageId as string, { tenant: m.tenant, ticketId: m.ticketId ?? undefined });
    }
    return null;
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

/** A newer card update of the same message waits behind this one: this one would only be overwritten. */
function supersededIn(queue: readonly OutboxMessage[], head: OutboxMessage): boolean {
  return queue.some(
    (m) => m !== head && m.op === 'edit' && m.messageId === head.messageId && (m.version ?? 0) > (head.version ?? 0),
  );
}
