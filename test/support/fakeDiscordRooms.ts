// The fake Discord's side of major incident rooms that are channels, and of pins: create a guild channel under a
// category (POST /guilds/{id}/channels), modify a channel's name and topic (PATCH /channels/{id}), pin a message
// (PUT /channels/{id}/messages/pins/{message id}), answered as Discord answers them (Manage Channels and Pin Messages
// refusals as 50013, a parent that is no category, the 1-100 name and 1024 topic limits, 50 pins at most).
import type { FakeGateway } from './fakeDiscordGateway.ts';
import { invalidFormBody } from './fakeDiscordLimits.ts';
import { type FakeChannel, nextSnowflake } from './fakeDiscordPayloads.ts';
import type { FakeDiscordState } from './fakeDiscordState.ts';

type Reply = (status: number, json?: unknown) => void;

const MISSING_PERMISSIONS = { message: 'Missing Permissions', code: 50013 };
const MAX_PINS = 50;

export class FakeDiscordRooms {
  /** The bot lacks Manage Channels in the guild: creating or modifying a channel is 50013. */
  noManageChannels = false;
  /** The bot lacks Pin Messages (everywhere, threads and channels it makes included): a pin is 50013. */
  noPins = false;
  /** Pinned message ids, by channel, oldest first. */
  readonly pins = new Map<string, string[]>();

  constructor(
    private readonly state: FakeDiscordState,
    private readonly gateway: FakeGateway,
  ) {}

  /** A category channel (type 4) in the guild, as an admin would make it. */
  addCategory(name: string): FakeChannel {
    const category: FakeChannel = {
      id: nextSnowflake(),
      type: 4,
      guild_id: this.state.guild.id,
      name,
      position: this.state.guild.channels.length,
      permission_overwrites: [],
      parent_id: null,
      nsfw: false,
      flags: 0,
    };
    this.state.guild.channels.push(category);
    this.state.channels.set(category.id, category);
    return category;
  }

  /** POST /guilds/{guild id}/channels. */
  createChannel(guildId: string, body: any, reply: Reply): void {
    if (guildId !== this.state.guild.id) return reply(404, { message: 'Unknown Guild', code: 10004 });
    if (this.noManageChannels) return reply(403, MISSING_PERMISSIONS);
    const name = String(body?.name ?? '');
    const problems: string[] = [];
    if (name.length < 1 || name.length > 100) problems.push(`name: length ${name.length}`);
    if (body?.topic != null && String(body.topic).length > 1024) problems.push('topic: longer than 1024');
    const parent = body?.parent_id ? this.state.channels.get(String(body.parent_id)) : undefined;
    if (body?.parent_id && parent?.type !== 4) problems.push('parent_id: not a category');
    const type = body?.type ?? 0;
    if (type !== 0) problems.push(`type: ${type} (the fake makes text channels only)`);
    if (problems.length) return reply(400, invalidFormBody(problems));
    const channel: FakeChannel = {
      id: nextSnowflake(),
      type: 0,
      guild_id: guildId,
      // Discord lowercases a text channel's name and puts dashes for spaces.
      name: name.toLowerCase().replace(/\s+/g, '-'),
      position: this.state.guild.channels.length,
      // Without overwrites of its own, a channel under a category takes the category's.
      permission_overwrites: body?.permission_overwrites ?? parent?.permission_overwrites ?? [],
      parent_id: parent?.id ?? null,
      nsfw: false,
      rate_limit_per_user: 0,
      topic: body?.topic ?? null,
      last_message_id: null,
      flags: 0,
    };
    this.state.guild.channels.push(channel);
    this.state.channels.set(channel.id, channel);
    if (this.gateway.hasSession) this.gateway.dispatch('CHANNEL_CREATE', channel);
    reply(201, channel);
  }

  /** PATCH /channels/{id} of a channel that is no thread: its name and topic. */
  modifyChannel(channel: FakeChannel, body: any, reply: Reply): void {
    if (this.noManageChannels) return reply(403, MISSING_PERMISSIONS);
    const problems: string[] = [];
    if (body?.name !== undefined && (String(body.name).length < 1 || String(body.name).length > 100)) {
      problems.push(`name: length ${String(body.name).length}`);
    }
    if (body?.topic != null && String(body.topic).length > 1024) problems.push('topic: longer than 1024');
    if (problems.length) return reply(400, invalidFormBody(problems));
    if (typeof body?.name === 'string') channel.name = body.name.toLowerCase().replace(/\s+/g, '-');
    if (body?.topic !== undefined) channel.topic = body.topic;
    if (this.gateway.hasSession) this.gateway.dispatch('CHANNEL_UPDATE', channel);
    reply(200, channel);
  }

  /** PUT /channels/{id}/messages/pins/{message id}: pinning one pinned already is no error. */
  pin(channelId: string, messageId: string, reply: Reply): void {
    const m = this.state.messages.get(messageId);
    if (!m || m.deleted || m.channel_id !== channelId) return reply(404, { message: 'Unknown Message', code: 10008 });
    if (this.noPins) return reply(403, MISSING_PERMISSIONS);
    const pinned = this.pins.get(channelId) ?? [];
    if (pinned.includes(messageId)) return reply(204);
    if (pinned.length >= MAX_PINS) return reply(400, { message: 'Maximum number of pins reached (50)', code: 30003 });
    pinned.push(messageId);
    this.pins.set(channelId, pinned);
    m.pinned = true;
    reply(204);
  }
}
