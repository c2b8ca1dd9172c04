// The real bot core + the Discord adapter's real discord.js client, connected to a local fake Discord.
import pino from 'pino';
import { createDiscordAdapter, type DiscordAdapter, type DiscordAdapterDeps } from '../../adapters/discord/index.ts';
import type { BotCore } from '../../src/core/bot.ts';
import type { Reply } from '../../src/present/reply.ts';
import type { TestDatabase } from './db.ts';
import { type FakeDiscord, type InteractionAnswer, startFakeDiscord } from './fakeDiscord.ts';
import {
  buttonPress,
  dmButtonPress,
  type FakeChannel,
  type FakeUser,
  fakeUser,
  messageCommand,
  modalSubmit,
  OPT,
  type SlashOption,
  slashCommand,
  userMessage,
  type Where,
} from './fakeDiscordPayloads.ts';
import { startTestBot, type TestBot } from './harness.ts';

/** Configured as an admin by the harness (SWITCHBOARD_ADMINS). */
export const ADMIN_ID = '100000000000000001';

/** A log line the adapter or core wrote, parsed. */
export type LogLine = { level: number; msg: string; [k: string]: unknown };

export interface DiscordTestBot {
  fake: FakeDiscord;
  /** Everything logged (debug and up), oldest first. */
  logs: LogLine[];
  bot: TestBot;
  adapter: DiscordAdapter;
  admin: FakeUser;
  alice: FakeUser;
  channel: FakeChannel;
  where(user: FakeUser, channel?: FakeChannel): Where;
  /** `/command sub name:value ...`; values that are FakeUsers become USER options. */
  slash(
    user: FakeUser,
    command: string,
    sub: string | null,
    options?: Record<string, string | boolean | FakeUser>,
    channel?: FakeChannel,
  ): string;
  /** An autocomplete (type 4) for `option`, with `filled`: the options already typed, sent along as Discord does. */
  autocomplete(
    user: FakeUser,
    command: string,
    sub: string,
    option: string,
    typed: string,
    filled?: Record<string, string>,
  ): string;
  press(user: FakeUser, customId: string, messageId: string): string;
  /** Presses a button on a message the bot sent `user` by DM, from that DM (no guild). */
  pressInDm(user: FakeUser, customId: string, messageId: string): string;
  submit(user: FakeUser, customId: string, values: Record<string, string | string[]>): string;
  openTicketFrom(user: FakeUser, target: any): string;
  say(user: FakeUser, content: string, channel: FakeChannel, extra?: Record<string, unknown>): any;
  answer(interactionId: string, until?: (a: InteractionAnswer) => boolean): Promise<InteractionAnswer>;
  /** What the core says about a ticket right now (through the core, on the database). */
  show(ticketId: string): Promise<Reply>;
  close(): Promise<void>;
}

export async function startDiscordTestBot(
  opts: {
    slowReplyMs?: number;
    wrapCore?: (core: BotCore) => BotCore;
    messageContent?: boolean;
    heartbeatIntervalMs?: number;
    /** Adapter settings tests vary: the work pool's size and queue. */
    adapter?: Pick<DiscordAdapterDeps, 'concurrency' | 'maxWaiting'>;
    /** Extra environment for the core; `{guild}` is replaced by the fake guild's id. */
    env?: Record<string, string>;
    /** The core's clock (and its job engine's); the harness's test clock unless given. */
    now?: () => Date;
    /** A database of the test's own (one opened with `monitorCommands`, to count round trips). */
    database?: TestDatabase;
    /** DISCORD_INCIDENT_CATEGORY: an "Incidents" category made in the fake guild, rooms opened under it. */
    incidentCategory?: boolean;
  } = {},
): Promise<DiscordTestBot> {
  const fake = await startFakeDiscord(
    opts.heartbeatIntervalMs ? { heartbeatIntervalMs: opts.heartbeatIntervalMs } : {},
  );
  const env = Object.fromEntries(
    Object.entries(opts.env ?? {}).map(([k, v]) => [k, v.replaceAll('{guild}', fake.guild.id)]),
  );
  const category = opts.incidentCategory ? fake.rooms.addCategory('Incidents') : undefined;
  const bot = await startTestBot({
    env,
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.database ? { database: opts.database } : {}),
  });
  const logs: LogLine[] = [];
  const echo = process.env.TEST_LOG_LEVEL;
  const log = pino(
    { level: 'debug' },
    {
      write(line: string) {
        logs.push(JSON.parse(line));
        if (echo) process.stdout.write(line);
      },
    },
  );
  const core = opts.wrapCore ? opts.wrapCore(bot.core) : bot.core;
  const adapter = createDiscordAdapter({
    core,
    config: {
      token: fake.token,
      applicationId: fake.applicationId,
      guildId: fake.guild.id,
      apiUrl: fake.apiUrl,
      messageContent: opts.messageContent ?? true,
      incidentCategory: category?.id,
    },
    log,
    ...(opts.slowReplyMs !== undefined ? { slowReplyMs: opts.slowReplyMs } : {}),
    ...opts.adapter,
  });
  await adapter.start();

  const admin = fakeUser('root', { id: ADMIN_ID, global_name: 'Root Admin' });
  const alice = fakeUser('alice', { global_name: 'Alice Liddell' });
  const channel = fake.channels.get(fake.channelId) as FakeChannel;
  const where = (user: FakeUser, ch: FakeChannel = channel): Where => ({
    guild: fake.guild,
    channel: fake.channels.get(ch.id) ?? ch,
    user,
    applicationId: fake.applicationId,
  });

  const toOptions = (options: Record<string, string | boolean | FakeUser>) => {
    const list: SlashOption[] = [];
    const users: FakeUser[] = [];
    for (const [name, v] of Object.entries(options)) {
      if (typeof v === 'boolean') list.push({ name, type: OPT.BOOLEAN, value: v });
      else if (typeof v === 'string') list.push({ name, type: OPT.STRING, value: v });
      else {
        list.push({ name, type: OPT.USER, value: v.id });
        users.push(v);
      }
    }
    return { list, users };
  };

  return {
    fake,
    logs,
    bot,
    adapter,
    admin,
    alice,
    channel,
    where,
    slash(user, command, sub, options = {}, ch) {
      const { list, users } = toOptions(options);
      return fake.interact(slashCommand(where(user, ch), command, sub, list, users));
    },
    autocomplete(user, command, sub, option, typed, filled = {}) {
      const payload = slashCommand(
        where(user),
        command,
        sub,
        [
          ...Object.entries(filled).map(([name, value]) => ({ name, type: OPT.STRING, value })),
          { name: option, type: OPT.STRING, value: typed, focused: true },
        ],
        [],
        true,
      );
      return fake.interact(payload);
    },
    press(user, customId, messageId) {
      const m = fake.messages.get(messageId);
      if (!m) throw new Error(`no message ${messageId}`);
      return fake.interact(buttonPress(where(user, fake.channels.get(m.channel_id)), customId, fake.wire(m)));
    },
    pressInDm(user, customId, messageId) {
      const m = fake.messages.get(messageId);
      const channel = m ? fake.channels.get(m.channel_id) : undefined;
      if (!m || channel?.type !== 1) throw new Error(`no DM message ${messageId}`);
      return fake.interact(dmButtonPress(fake.applicationId, user, channel, customId, fake.wire(m)));
    },
    submit(user, customId, values) {
      return fake.interact(modalSubmit(where(user), customId, values));
    },
    openTicketFrom(user, target) {
      return fake.interact(messageCommand(where(user, fake.channels.get(target.channel_id)), 'Open ticket', target));
    },
    say(user, content, ch, extra = {}) {
      const m = userMessage(where(user, ch), content, extra);
      fake.keepUserMessage(m);
      fake.dispatch('MESSAGE_CREATE', m);
      return m;
    },
    async answer(id, until) {
      return fake.waitFor(() => {
        const a = fake.answerNow(id);
        return a && (!until || until(a)) ? a : undefined;
      }, `the answer to interaction ${id}`);
    },
    async show(ticketId) {
      return bot.core.handle({
        actor: { id: 'console:root', platform: 'console', displayName: 'root' },
        origin: { platform: 'discord', workspace: fake.guild.id, channel: 'test' },
        command: 'ticket',
        subcommand: 'show',
        options: { id: ticketId },
      });
    },
    async close() {
      await adapter.stop();
      await bot.core.settled();
      await bot.close();
      await fake.close();
    },
  };
}

/** The button on a message whose custom id starts with `prefix` (e.g. `a|ticket.start|`). */
export function buttonOf(message: { components: any[] } | undefined, prefix: string): string {
  for (const row of message?.components ?? []) {
    for (const c of row.components ?? [])
      if (typeof c.custom_id === 'string' && c.custom_id.startsWith(prefix)) return c.custom_id;
  }
  throw new Error(`no button starting with ${prefix}`);
}

/** The labels of a message's buttons, in order. */
export const buttonLabels = (message: { components: any[] } | undefined): string[] =>
  (message?.components ?? []).flatMap((r: any) => (r.components ?? []).map((c: any) => c.label));

/** Everything a person reads in a message: content, embed title, description, fields and footer. */
export function textOf(message: { content: string; embeds: any[] } | undefined): string {
  if (!message) return '';
  const parts = [message.content];
  for (const e of message.embeds ?? []) {
    parts.push(
      e.title ?? '',
      e.description ?? '',
      ...(e.fields ?? []).map((f: any) => `${f.name}: ${f.value}`),
      e.footer?.text ?? '',
    );
  }
  return parts.filter(Boolean).join('\n');
}

export const isEphemeral = (message: { flags: number } | undefined): boolean => Boolean((message?.flags ?? 0) & 64);

/** Polls an async check until it returns something truthy, within a bound. */
export async function eventually<T>(
  check: () => Promise<T | undefined | null | false>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (performance.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
