// Who and where, in core terms: Discord users become `discord:<id>` actors, guilds and threads become origins.
import type { APIInteractionGuildMember, Channel, Client, GuildMember, User } from 'discord.js';
import type { Actor, Origin } from '../../src/core/invocation.ts';

type MemberLike = GuildMember | APIInteractionGuildMember | null | undefined;

/** Server nickname, else global display name, else username: what people see in that server. */
export function displayNameOf(user: User, member?: MemberLike): string {
  const nick =
    member && 'nickname' in member ? member.nickname : (member as APIInteractionGuildMember | undefined)?.nick;
  return nick || user.globalName || user.username;
}

export function actorOf(user: User, member?: MemberLike): Actor {
  return { id: `discord:${user.id}`, platform: 'discord', displayName: displayNameOf(user, member) };
}

export const messageLink = (guildId: string | null, channelId: string, messageId: string): string =>
  `https://discord.com/channels/${guildId ?? '@me'}/${channelId}/${messageId}`;

/**
 * The workspace an event belongs to: its server; for a DM, the bot's only server when it is in
 * exactly one, else `dm` (join `discord:dm` to an organisation with SWITCHBOARD_ORGS).
 */
export function workspaceOf(guildId: string | null, client: Client): string {
  if (guildId) return guildId;
  return client.guilds.cache.size === 1 ? (client.guilds.cache.first()?.id ?? 'dm') : 'dm';
}

/** A thread's origin names its parent channel and the thread itself, like a Slack thread_ts. */
export function originOf(
  workspace: string,
  channelId: string | null,
  channel: Channel | null | undefined,
  link?: string,
): Origin {
  const thread = channel && 'isThread' in channel && channel.isThread() ? channel : null;
  return {
    platform: 'discord',
    workspace,
    channel: thread?.parentId ?? channelId ?? undefined,
    thread: thread ? thread.id : undefined,
    ...(link ? { messageLink: link } : {}),
  };
}
