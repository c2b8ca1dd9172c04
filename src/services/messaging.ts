// Where the bot speaks first: channel addresses, a ticket's own channel, a card's thread (the port itself: src/present/sender.ts).
// The forms come from the registered platforms (src/domain/platform.ts); none is named here.
import { chatPlatforms, isOnePlace, onePlacePlatform, type Platform, platformNamed } from '../domain/platform.ts';

/** Where a message goes: `<platform>:<channel id>` on a chat platform, or the name of a platform that is one place. */
export interface ChannelAddress {
  platform: Platform;
  channel: string;
}

export function parseChannelAddress(address: string): ChannelAddress | null {
  if (isOnePlace(address)) return { platform: address, channel: address };
  const m = /^([a-z][a-z0-9-]*):([A-Za-z0-9]{1,40})$/.exec(address);
  return m && platformNamed(m[1] as string)?.channels ? { platform: m[1] as string, channel: m[2] as string } : null;
}

/**
 * The `--channel` forms a person typing on `platform` can give, for a refusal to quote: never the form just
 * refused. Where the platform is one place (the terminal) a `#id` is no channel, so only its name and full
 * addresses of the chat platforms are offered.
 */
export function channelFormsOn(platform: string): string {
  const here = platformNamed(platform);
  const onePlace = onePlacePlatform()?.name ?? 'console';
  if (here?.channels) {
    return `On ${here.title} give a channel id: --channel #${here.channels.example}, or --channel ${onePlace}.`;
  }
  const full = chatPlatforms()
    .map((s) => `--channel ${s.name}:${s.channels?.example}`)
    .join(' or ');
  return `At the terminal the one channel is the terminal itself: --channel ${onePlace} (or, with a chat platform connected, its full address: ${full}).`;
}

/** The channel a ticket was opened in, as an address the outbox posts to; null when it came from nowhere it can post. */
export function sourceAddress(source: { platform: string; channel?: string | undefined }): string | null {
  if (isOnePlace(source.platform)) return source.platform;
  if (!source.channel) return null;
  const address = `${source.platform}:${source.channel}`;
  return parseChannelAddress(address) ? address : null;
}

/**
 * Where a line in a card's thread goes: where threads are marks in a channel, the mark in the card's channel;
 * where a thread is a channel of its own, that channel. Null for a card without a thread.
 */
export function cardThreadOf(card: {
  platform: string;
  channel: string;
  thread?: string | null | undefined;
}): { channel: string; thread: string | null } | null {
  if (!card.thread) return null;
  return platformNamed(card.platform)?.channels?.threadIsChannel
    ? { channel: card.thread, thread: null }
    : { channel: card.channel, thread: card.thread };
}
