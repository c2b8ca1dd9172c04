// The messaging port: how the bot speaks first (a channel post, a DM, a card edit, a thread line) without knowing a platform.
import type { Platform } from '../core/invocation.ts';
import type { Reply } from '../core/reply.ts';

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

/** Where a message goes: `slack:C0123ABC`, `discord:<channel id>`, or `console`. */
export interface ChannelAddress {
  platform: Platform;
  channel: string;
}

export function parseChannelAddress(address: string): ChannelAddress | null {
  if (address === 'console') return { platform: 'console', channel: 'console' };
  const m = /^(slack|discord):([A-Za-z0-9]{1,40})$/.exec(address);
  return m ? { platform: m[1] as Platform, channel: m[2] as string } : null;
}

/**
 * The `--channel` forms a person typing on `platform` can give, for a refusal to quote: never the form just
 * refused. At the terminal a `#id` is no channel (there is only the terminal), so only `console` and full
 * addresses of the chat platforms are offered.
 */
export function channelFormsOn(platform: string): string {
  switch (platform) {
    case 'slack':
      return 'On Slack give a channel id: --channel #C0123ABC, or --channel console.';
    case 'discord':
      return 'On Discord give a channel id: --channel #123456789012345678, or --channel console.';
    default:
      return 'At the terminal the one channel is the terminal itself: --channel console (or, with a chat platform connected, its full address: --channel slack:C0123ABC or --channel discord:123456789012345678).';
  }
}

/** The channel a ticket was opened in, as an address the outbox posts to; null when it came from nowhere it can post. */
export function sourceAddress(source: { platform: string; channel?: string | undefined }): string | null {
  if (source.platform === 'console') return 'console';
  if (!source.channel) return null;
  const address = `${source.platform}:${source.channel}`;
  return parseChannelAddress(address) ? address : null;
}

/**
 * Where a line in a card's thread goes: a Slack thread is a `thread_ts` in the card's channel, a Discord
 * thread is a channel of its own. Null for a card without a thread.
 */
export function cardThreadOf(card: {
  platform: string;
  channel: string;
  thread?: string | null | undefined;
}): { channel: string; thread: string | null } | null {
  if (!card.thread) return null;
  return card.platform === 'discord'
    ? { channel: card.thread, thread: null }
    : { channel: card.channel, thread: card.thread };
}
