// What the fake Discord holds: channels, messages (as sent and edited) and interactions with their answers.
import type { FakeChannel, FakeGuild, FakeUser } from './fakeDiscordPayloads.ts';
import { nextSnowflake } from './fakeDiscordPayloads.ts';

/** The placeholder a deferred public answer is settled with (adapters/discord/answer.ts). */
const POINTS_BELOW = /^Posted (\S+ )?below\.$/;

export interface StoredMessage {
  id: string;
  channel_id: string;
  guild_id?: string;
  content: string;
  embeds: any[];
  components: any[];
  flags: number;
  edits: number;
  deleted: boolean;
  /** For interaction responses: which interaction made it. */
  interactionId?: string;
  reactions: string[];
  thread?: FakeChannel;
  [k: string]: any;
}

/** What the bot did with one interaction: callbacks in order, the original response, follow-ups. */
export interface InteractionRecord {
  id: string;
  token: string;
  payload: any;
  dispatchedAt: number;
  callbacks: Array<{ type: number; data: any; status: number; at: number }>;
  originalId?: string;
  followups: string[];
}

export interface InteractionAnswer {
  record: InteractionRecord;
  /** Type of the first accepted callback: 4 reply, 5 deferred, 6 deferred update, 7 update, 8 choices, 9 modal. */
  callbackType: number;
  deferred: boolean;
  message?: StoredMessage;
  followups?: StoredMessage[];
  modal?: any;
  choices?: Array<{ name: string; value: string }>;
}

export class FakeDiscordState {
  readonly messages = new Map<string, StoredMessage>();
  readonly channels = new Map<string, FakeChannel>();
  readonly interactions = new Map<string, InteractionRecord>();
  /** One DM channel per user, as Discord keeps it: opening it again returns the same channel. */
  readonly dmChannels = new Map<string, FakeChannel>();
  /** Users whose DMs are closed to the bot (privacy settings, or no shared server): posts there get 50007. */
  readonly dmsClosed = new Set<string>();
  /** Users the fake knows by id (for DM recipients); others are shown with their id as name. */
  readonly users = new Map<string, FakeUser>();

  constructor(
    readonly guild: FakeGuild,
    private readonly bot: FakeUser,
    private readonly applicationId: string,
  ) {
    for (const c of guild.channels) this.channels.set(c.id, c);
  }

  /** The message an interaction's original response shows now (after deferral and edits). */
  original(interactionId: string): StoredMessage | undefined {
    const id = this.interactions.get(interactionId)?.originalId;
    return id ? this.messages.get(id) : undefined;
  }

  answerNow(interactionId: string): InteractionAnswer | undefined {
    const rec = this.interactions.get(interactionId);
    if (!rec) return undefined;
    const ok = rec.callbacks.filter((c) => c.status < 300);
    const first = ok[0];
    if (!first) return undefined;
    const base = { record: rec, callbackType: first.type, deferred: first.type === 5 || first.type === 6 };
    if (first.type === 9) return { ...base, modal: first.data };
    if (first.type === 8) return { ...base, choices: first.data.choices };
    const followups = rec.followups.map((id) => this.messages.get(id) as StoredMessage);
    const original = this.original(interactionId);
    const visibleOriginal = original && !original.deleted && !original.loading ? original : undefined;
    if (!visibleOriginal && followups.length === 0) {
      // deferUpdate with nothing else to say yet
      if (first.type === 6 && original && original.edits > 0) return { ...base, message: original, followups };
      return undefined;
    }
    // A deferral settled as "Posted … below." points at the answer that follows it (a slow machine defers what a
    // quick one answers in place): that follow-up is what the person reads, so the answer is not settled without it.
    if (visibleOriginal && POINTS_BELOW.test(String(visibleOriginal.content ?? ''))) {
      return followups[0] ? { ...base, message: followups[0], followups } : undefined;
    }
    return { ...base, message: visibleOriginal ?? followups[0], followups };
  }

  /** Messages (not deleted) in a channel, oldest first. */
  channelMessages(channelId: string): StoredMessage[] {
    return [...this.messages.values()].filter((m) => m.channel_id === channelId && !m.deleted);
  }

  /** Keeps a message a person posted (dispatched by the test), so the bot can reply to it or react. */
  keepUserMessage(payload: any): void {
    this.messages.set(payload.id, {
      ...payload,
      embeds: payload.embeds ?? [],
      components: payload.components ?? [],
      flags: payload.flags ?? 0,
      edits: 0,
      deleted: false,
      reactions: [],
    });
  }

  /** The DM channel with a user (type 1, no guild), opened on first ask. */
  openDm(userId: string): FakeChannel {
    const open = this.dmChannels.get(userId);
    if (open) return open;
    const user = this.users.get(userId) ?? {
      id: userId,
      username: `user${userId.slice(-4)}`,
      global_name: null,
      discriminator: '0',
      avatar: null,
    };
    const channel: FakeChannel = { id: nextSnowflake(), type: 1, last_message_id: null, flags: 0, recipients: [user] };
    this.dmChannels.set(userId, channel);
    this.channels.set(channel.id, channel);
    return channel;
  }

  /** The user a DM channel is with, or undefined for any other channel. */
  dmRecipient(channelId: string): string | undefined {
    const c = this.channels.get(channelId);
    return c?.type === 1 ? (c.recipients?.[0]?.id as string | undefined) : undefined;
  }

  storeMessage(channelId: string, data: any): StoredMessage {
    const id = nextSnowflake();
    const { interactionId, loading, type, ...rest } = data ?? {};
    const channel = this.channels.get(channelId);
    const m: StoredMessage = {
      id,
      channel_id: channelId,
      // A DM belongs to no server.
      ...(channel?.type === 1 ? {} : { guild_id: this.guild.id }),
      content: rest.content ?? '',
      embeds: rest.embeds ?? [],
      components: rest.components ?? [],
      flags: rest.flags ?? 0,
      edits: 0,
      deleted: false,
      reactions: [],
      loading: Boolean(loading),
      type: type ?? 0,
      ...(interactionId ? { interactionId } : {}),
      ...(rest.message_reference ? { message_reference: rest.message_reference } : {}),
      allowed_mentions: rest.allowed_mentions,
      ...(rest.files?.length ? { files: rest.files } : {}),
      timestamp: new Date().toISOString(),
    };
    this.messages.set(id, m);
    if (channel && channel.type === 11) channel.message_count = (channel.message_count ?? 0) + 1;
    return m;
  }

  editMessage(m: StoredMessage, data: any): void {
    for (const k of ['content', 'embeds', 'components', 'allowed_mentions'] as const) {
      if (k in data) (m as any)[k] = data[k] ?? (k === 'content' ? '' : []);
    }
    m.loading = false;
    m.edits++;
    m.edited_timestamp = new Date().toISOString();
  }

  /** Channels where the bot may not open threads (Missing Permissions, 50013). */
  readonly noThreadsIn = new Set<string>();
  /** Members added to each thread, by thread id (the bot, who made it, included). */
  readonly threadMembers = new Map<string, string[]>();

  /** A thread without a starter message (`POST /channels/{id}/threads`): public (11) only when `type` says so. */
  openThread(parentId: string, body: any): FakeChannel {
    const thread = this.thread(nextSnowflake(), body?.type === 11 ? 11 : 12, parentId, body, 4320);
    this.threadMembers.set(thread.id, [this.bot.id]);
    return thread;
  }

  /** A thread started from message `m` (it shares the message's id). */
  startThread(m: StoredMessage, body: any): FakeChannel {
    const thread = this.thread(m.id, 11, m.channel_id, body, 1440);
    m.thread = thread;
    return thread;
  }

  /** A new thread channel, kept: its name and auto-archive from the request body, or the defaults. */
  private thread(id: string, type: 11 | 12, parentId: string, body: any, archiveAfter: number): FakeChannel {
    const thread: FakeChannel = {
      id,
      type,
      guild_id: this.guild.id,
      parent_id: parentId,
      name: String(body?.name ?? 'thread').slice(0, 100),
      owner_id: this.bot.id,
      thread_metadata: {
        archived: false,
        auto_archive_duration: body?.auto_archive_duration ?? archiveAfter,
        archive_timestamp: new Date().toISOString(),
        locked: false,
      },
      message_count: 0,
      member_count: 1,
      rate_limit_per_user: 0,
      flags: 0,
      total_message_sent: 0,
    };
    this.channels.set(thread.id, thread);
    return thread;
  }

  /** A message as Discord sends it. */
  wire(m: StoredMessage): any {
    return {
      id: m.id,
      channel_id: m.channel_id,
      guild_id: m.guild_id,
      author: m.author ?? this.bot,
      content: m.content,
      timestamp: m.timestamp,
      edited_timestamp: m.edited_timestamp ?? null,
      tts: false,
      mention_everyone: false,
      mentions: [],
      mention_roles: [],
      attachments: (m.files ?? []).map((f: { name: string; contentType: string; bytes: Buffer }, i: number) => ({
        id: `${m.id}${i}`,
        filename: f.name,
        content_type: f.contentType,
        size: f.bytes.length,
      })),
      embeds: m.embeds,
      components: m.components,
      pinned: Boolean(m.pinned),
      type: m.type ?? 0,
      flags: (m.flags ?? 0) | (m.loading ? 128 : 0),
      ...(m.interactionId ? { webhook_id: this.applicationId, application_id: this.applicationId } : {}),
      ...(m.thread ? { thread: m.thread } : {}),
    };
  }
}
