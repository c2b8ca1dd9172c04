// Discord v10 payloads as the gateway sends them: users, a guild, interactions and messages for tests.
const EPOCH = 1_420_070_400_000n;
let counter = 0n;
let lastMs = 0n;

/** A real-looking snowflake: milliseconds since Discord's epoch, then a counter. */
export function nextSnowflake(): string {
  let ms = BigInt(Date.now()) - EPOCH;
  if (ms <= lastMs) ms = lastMs;
  if (ms !== lastMs) counter = 0n;
  lastMs = ms;
  counter++;
  return ((ms << 22n) | (counter & 0x3fffffn)).toString();
}

export interface FakeUser {
  id: string;
  username: string;
  global_name: string | null;
  discriminator: string;
  avatar: null;
  bot?: boolean;
}

export interface FakeChannel {
  id: string;
  type: number;
  guild_id?: string;
  parent_id?: string | null;
  name?: string;
  [k: string]: any;
}

export interface FakeGuild {
  id: string;
  name: string;
  owner_id: string;
  channels: FakeChannel[];
  bot: FakeUser;
}

export function fakeUser(username: string, extra: Partial<FakeUser> = {}): FakeUser {
  return { id: nextSnowflake(), username, global_name: null, discriminator: '0', avatar: null, ...extra };
}

export function fakeGuild(bot: FakeUser): FakeGuild {
  const id = nextSnowflake();
  const channel = (name: string, position: number): FakeChannel => ({
    id: nextSnowflake(),
    type: 0,
    guild_id: id,
    name,
    position,
    permission_overwrites: [],
    parent_id: null,
    nsfw: false,
    rate_limit_per_user: 0,
    topic: null,
    last_message_id: null,
  });
  return {
    id,
    name: 'Fake Ops',
    owner_id: bot.id,
    bot,
    channels: [channel('service-desk', 0), channel('incidents', 1)],
  };
}

export function memberOf(user: FakeUser, nick: string | null = null): any {
  return {
    user,
    nick,
    avatar: null,
    roles: [],
    joined_at: '2024-01-01T00:00:00.000Z',
    premium_since: null,
    deaf: false,
    mute: false,
    flags: 0,
    pending: false,
    permissions: '2251799813685247',
  };
}

export function guildCreatePayload(guild: FakeGuild, channels: FakeChannel[]): any {
  return {
    id: guild.id,
    name: guild.name,
    icon: null,
    splash: null,
    discovery_splash: null,
    owner_id: guild.owner_id,
    afk_channel_id: null,
    afk_timeout: 300,
    verification_level: 0,
    default_message_notifications: 0,
    explicit_content_filter: 0,
    roles: [
      {
        id: guild.id,
        name: '@everyone',
        color: 0,
        hoist: false,
        position: 0,
        permissions: '2251799813685247',
        managed: false,
        mentionable: false,
        flags: 0,
      },
    ],
    emojis: [],
    features: [],
    mfa_level: 0,
    application_id: null,
    system_channel_id: null,
    system_channel_flags: 0,
    rules_channel_id: null,
    vanity_url_code: null,
    description: null,
    banner: null,
    premium_tier: 0,
    preferred_locale: 'en-US',
    public_updates_channel_id: null,
    nsfw_level: 0,
    stickers: [],
    premium_progress_bar_enabled: false,
    joined_at: '2024-01-01T00:00:00.000Z',
    large: false,
    unavailable: false,
    member_count: 2,
    voice_states: [],
    members: [memberOf(guild.bot)],
    channels: channels.filter((c) => c.type !== 11 && c.guild_id === guild.id),
    threads: channels.filter((c) => c.type === 11 && c.guild_id === guild.id),
    presences: [],
    stage_instances: [],
    guild_scheduled_events: [],
    soundboard_sounds: [],
  };
}

export interface Where {
  guild: FakeGuild;
  channel: FakeChannel;
  user: FakeUser;
  nick?: string | null;
  applicationId: string;
}

function baseInteraction(type: number, data: any, w: Where): any {
  const id = nextSnowflake();
  return {
    id,
    application_id: w.applicationId,
    type,
    data,
    guild_id: w.guild.id,
    guild: { id: w.guild.id, locale: 'en-US', features: [] },
    channel_id: w.channel.id,
    channel: { ...w.channel },
    member: memberOf(w.user, w.nick ?? null),
    token: `itoken-${id}-${Math.random().toString(36).slice(2)}`,
    version: 1,
    app_permissions: '2251799813685247',
    locale: 'en-US',
    guild_locale: 'en-US',
    entitlements: [],
    authorizing_integration_owners: { '0': w.guild.id },
    context: 0,
    attachment_size_limit: 10_485_760,
  };
}

/** An option as Discord sends it; `user` values resolve through `resolved.users`. */
export type SlashOption = { name: string; type: number; value: string | boolean | number; focused?: boolean };

export const OPT = { SUB: 1, STRING: 3, INTEGER: 4, BOOLEAN: 5, USER: 6 } as const;

/** `/command [sub] options...` */
export function slashCommand(
  w: Where,
  command: string,
  sub: string | null,
  options: SlashOption[] = [],
  resolvedUsers: FakeUser[] = [],
  autocomplete = false,
): any {
  const resolved = resolvedUsers.length
    ? {
        users: Object.fromEntries(resolvedUsers.map((u) => [u.id, u])),
        members: Object.fromEntries(resolvedUsers.map((u) => [u.id, { ...memberOf(u), user: undefined }])),
      }
    : undefined;
  const data = {
    id: nextSnowflake(),
    name: command,
    type: 1,
    guild_id: w.guild.id,
    options: sub ? [{ name: sub, type: OPT.SUB, options }] : options,
    ...(resolved ? { resolved } : {}),
  };
  return baseInteraction(autocomplete ? 4 : 2, data, w);
}

/** A button press on a message the bot posted. */
export function buttonPress(w: Where, customId: string, message: any): any {
  return { ...baseInteraction(3, { custom_id: customId, component_type: 2 }, w), message };
}

/**
 * A button press in the bot's DM with `user`: no guild and no member, the presser is `user`, and the context
 * is BOT_DM (1); a guild-installed app sees "0" as its guild install owner there.
 */
export function dmButtonPress(
  applicationId: string,
  user: FakeUser,
  channel: FakeChannel,
  customId: string,
  message: any,
): any {
  const id = nextSnowflake();
  return {
    id,
    application_id: applicationId,
    type: 3,
    data: { custom_id: customId, component_type: 2 },
    channel_id: channel.id,
    channel: { id: channel.id, type: 1, last_message_id: message?.id ?? null, flags: 0, recipients: [user] },
    user,
    message,
    token: `itoken-${id}-${Math.random().toString(36).slice(2)}`,
    version: 1,
    app_permissions: '2251799813685247',
    locale: 'en-US',
    entitlements: [],
    authorizing_integration_owners: { '0': '0' },
    context: 1,
    attachment_size_limit: 10_485_760,
  };
}

/** A modal submission; `values` maps field custom ids to text or select values. */
export function modalSubmit(w: Where, customId: string, values: Record<string, string | string[]>, modal?: any): any {
  const components = Object.entries(values).map(([k, v], i) =>
    Array.isArray(v)
      ? { type: 18, id: i + 1, component: { type: 3, id: i + 100, custom_id: k, values: v } }
      : { type: 18, id: i + 1, component: { type: 4, id: i + 100, custom_id: k, value: v } },
  );
  void modal;
  return baseInteraction(5, { custom_id: customId, components }, w);
}

/** The message context-menu command on `target`. */
export function messageCommand(w: Where, name: string, target: any): any {
  return baseInteraction(
    2,
    {
      id: nextSnowflake(),
      name,
      type: 3,
      guild_id: w.guild.id,
      target_id: target.id,
      resolved: { messages: { [target.id]: target } },
    },
    w,
  );
}

/** A user context-menu command on `target` (the bot registers none: a stale or foreign registration). */
export function userCommand(w: Where, name: string, target: FakeUser): any {
  return baseInteraction(
    2,
    {
      id: nextSnowflake(),
      name,
      type: 2,
      guild_id: w.guild.id,
      target_id: target.id,
      resolved: { users: { [target.id]: target }, members: { [target.id]: { ...memberOf(target), user: undefined } } },
    },
    w,
  );
}

/** A string select menu choice on a message (the bot renders none). */
export function selectMenu(w: Where, customId: string, values: string[], message: any): any {
  return { ...baseInteraction(3, { custom_id: customId, component_type: 3, values }, w), message };
}

/** A message someone posted (MESSAGE_CREATE payload). */
export function userMessage(w: Where, content: string, extra: Record<string, unknown> = {}): any {
  return {
    id: nextSnowflake(),
    channel_id: w.channel.id,
    guild_id: w.guild.id,
    author: w.user,
    member: { ...memberOf(w.user, w.nick ?? null), user: undefined },
    content,
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    tts: false,
    mention_everyone: false,
    mentions: [],
    mention_roles: [],
    attachments: [],
    embeds: [],
    pinned: false,
    type: 0,
    flags: 0,
    components: [],
    ...extra,
  };
}
