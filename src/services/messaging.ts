// Where the bot speaks first: channel addresses, a ticket's own channel, a card's thread (the port itself: src/present/sender.ts).
import type { Platform } from '../domain/platform.ts';

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
