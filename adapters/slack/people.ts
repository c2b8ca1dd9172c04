// Slack users as actors: users.info (name, timezone, email), cached so a busy channel costs one call per person.
import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import type { BotCore } from '../../src/core/bot.ts';
import type { Actor } from '../../src/core/invocation.ts';
import { mentionedUsers } from './text.ts';

export interface SlackPeopleOptions {
  /** How long a profile is trusted before asking users.info again. */
  ttlMs?: number;
  /** Most profiles kept; the oldest go first. */
  maxEntries?: number;
  now?: () => number;
}

interface Entry {
  actor: Actor;
  until: number;
}

interface SlackUser {
  id?: string;
  name?: string;
  real_name?: string;
  tz?: string;
  profile?: { display_name?: string; real_name?: string; email?: string };
}

type WebClient = App['client'];

export const slackIdentity = (userId: string): string => `slack:${userId}`;

export class SlackPeople {
  private readonly cache = new Map<string, Entry>();
  private readonly pending = new Map<string, Promise<Actor>>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(
    private readonly client: WebClient,
    private readonly core: BotCore,
    private readonly log: Logger,
    options: SlackPeopleOptions = {},
  ) {
    this.ttlMs = options.ttlMs ?? 15 * 60_000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  /**
   * The actor for a Slack user. `fallbackName` (the payload's user name) stands in when users.info fails,
   * so a Slack hiccup never stops a command.
   */
  async actor(userId: string, fallbackName?: string): Promise<Actor> {
    const hit = this.cache.get(userId);
    if (hit && hit.until > this.now()) return hit.actor;
    const running = this.pending.get(userId);
    if (running) return running;
    const lookup = this.lookup(userId, fallbackName).finally(() => this.pending.delete(userId));
    this.pending.set(userId, lookup);
    return lookup;
  }

  /**
   * People mentioned in a command line are people Slack vouches for (the markup comes from Slack's own
   * picker): they are remembered in the workspace, so `/role grant @ada agent` works before Ada has
   * used the bot, while a name nobody answers to is refused by the core. Never throws.
   */
  async rememberMentioned(text: string, workspace: string): Promise<void> {
    for (const id of mentionedUsers(text)) {
      try {
        await this.core.rememberPerson(await this.actor(id), workspace);
      } catch (error) {
        this.log.warn({ err: error, userId: id }, 'could not remember a mentioned slack person');
      }
    }
  }

  private async lookup(userId: string, fallbackName: string | undefined): Promise<Actor> {
    let user: SlackUser | undefined;
    try {
      const res = await this.client.users.info({ user: userId });
      user = res.user as SlackUser | undefined;
    } catch (error) {
      this.log.warn({ err: error, userId }, 'slack users.info failed; using the name from the payload');
      return { id: slackIdentity(userId), platform: 'slack', displayName: fallbackName ?? userId };
    }
    const actor: Actor = {
      id: slackIdentity(userId),
      platform: 'slack',
      displayName:
        user?.profile?.display_name ||
        user?.real_name ||
        user?.profile?.real_name ||
        user?.name ||
        fallbackName ||
        userId,
      timezone: user?.tz || undefined,
      email: user?.profile?.email || undefined,
    };
    if (this.cache.size >= this.maxEntries) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.delete(userId);
    this.cache.set(userId, { actor, until: this.now() + this.ttlMs });
    // Remembered once per fetch, not per request, and off the request's path: the command itself
    // records the asker's profile; this refreshes copies other organisations keep.
    void this.core.rememberPerson(actor).catch((error: unknown) => {
      this.log.warn({ err: error, userId }, 'could not remember slack person');
    });
    return actor;
  }
}
