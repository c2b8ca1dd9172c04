// The sender port: what each platform implements so the house can speak first (a channel post, a DM, a card edit,
// a thread line) in platform-neutral Replies, without knowing a platform.
import type { Platform } from '../domain/platform.ts';
import type { Reply } from './reply.ts';
import type { RoomSender } from './rooms.ts';

/** Who a message is about, and who caused it, so a sender can drop what would only echo a person's own words. */
export interface MessageContext {
  tenant: string;
  ticketId?: string | undefined;
  /** Platform identity of the person whose action this message tells of. */
  actorId?: string | undefined;
}

/** What a platform did with a message: the id it got, or why it was rightly not sent (an echo, nothing new). */
export interface Sent {
  messageId?: string | undefined;
  /** The channel it went to, when the platform chose it (a DM's channel). */
  channel?: string | undefined;
  skipped?: string | undefined;
}

/**
 * Each adapter's part of the port. Failures are thrown as DeliveryFailure; anything else thrown counts as
 * transient (retried with back-off).
 */
export interface PlatformSender {
  readonly platform: Platform;
  /** A message in a channel, or in a thread of it. */
  post(channel: string, reply: Reply, thread: string | undefined, ctx: MessageContext): Promise<Sent>;
  /** A direct message to a platform user (the id without the platform prefix). */
  dm(user: string, reply: Reply, ctx: MessageContext): Promise<Sent>;
  /** A message already posted (a ticket card), shown anew. */
  edit(channel: string, messageId: string, reply: Reply, ctx: MessageContext): Promise<Sent>;
  /** A card whose message is gone for good: stop editing it. */
  cardGone?(channel: string, messageId: string, ctx: MessageContext): Promise<void>;
  /** Why the bot could not post in a channel (gone, archived, not a member, no access), or null when it can
   * (or the platform could not say right now). */
  cannotPost?(channel: string): Promise<string | null>;
  /** Major incident rooms (rooms.ts), where the platform opens them; without, the room's lines go to the channel
   * the incident came from. */
  readonly rooms?: RoomSender | undefined;
}

export type FailureKind = 'permanent' | 'transient' | 'rate_limited';

/** A platform's refusal, classified: permanent ones are recorded and not retried; a 429 waits out its channel only. */
export class DeliveryFailure extends Error {
  override name = 'DeliveryFailure';
  constructor(
    readonly kind: FailureKind,
    /** The platform's reason as a person reads it: "403 not_in_channel", "user has DMs closed". */
    readonly reason: string,
    /** For rate_limited: how long the platform asked us to wait. */
    readonly retryAfterMs?: number,
    /** For permanent failures of a card edit: the message is gone (deleted, or its channel). */
    readonly gone = false,
  ) {
    super(reason);
  }
}
