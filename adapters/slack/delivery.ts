// Getting replies to people: ephemeral answers, channel posts, ticket cards (recorded, then kept updated), modals.
import { randomUUID } from 'node:crypto';
import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import type { BotCore } from '../../src/core/bot.ts';
import { WorkQueueFull } from '../../src/kit/workQueue.ts';
import type { FormSpec, Reply } from '../../src/present/reply.ts';
import { type FormMetadata, renderModal, renderReply, type SlackMessage } from './render.ts';

type WebClient = App['client'];
export type RespondFn = (message: Record<string, unknown>) => Promise<unknown>;

/** Where an answer goes: the place an invocation came from, and the ways back Slack gave us. */
export interface Place {
  /** Slack user id of the asker (for ephemeral messages). */
  user: string;
  channel?: string | undefined;
  thread?: string | undefined;
  /** response_url of a slash command or button press. */
  respond?: RespondFn | undefined;
  /** Opens a modal; valid for 3 seconds after the click or command. */
  triggerId?: string | undefined;
  /** Set when the invocation came from a button on this ticket's card: its result shows up as a card update. */
  cardOf?: string | undefined;
}

/** Cards whose shown content is remembered; the oldest are forgotten (then their next change is simply sent). */
const MAX_SHOWN = 5000;

const slackError = (e: unknown): string | undefined => (e as { data?: { error?: string } })?.data?.error;

export class SlackDelivery {
  /**
   * What each card message shows now (rendered blocks), so a change that shows nothing new — the creation
   * a freshly posted card already shows, a work note that stays off the card — is neither re-sent nor told.
   */
  private readonly shown = new Map<string, string>();
  /** Public channels the bot has joined (or found itself in) since it started. */
  private readonly joined = new Set<string>();

  constructor(
    private readonly client: WebClient,
    private readonly core: BotCore,
    private readonly log: Logger,
    /**
     * Opens modals. A separate client (own queue) so a 429 pause of chat.postMessage cannot hold a modal
     * back past its trigger's 3 seconds.
     */
    private readonly modals: WebClient = client,
  ) {}

  async deliver(reply: Reply, place: Place): Promise<void> {
    if (reply.form) {
      if (place.triggerId) {
        await this.openForm(reply.form, place.triggerId, {
          channel: place.channel,
          thread: place.thread,
          cardOf: place.cardOf,
        });
        return;
      }
      // No trigger (a mention): a modal cannot open; the reply's usage text says what to type instead.
      const text = reply.text || `Type /${reply.form.id.replace('.', ' ')} to open the form.`;
      await this.ephemeral({ ...reply, form: undefined, text }, place);
      return;
    }
    if (reply.visibility === 'ephemeral' || reply.error) {
      await this.ephemeral(reply, place);
      return;
    }
    // A button's result on its own card is shown by the change listener updating that card.
    if (reply.card && place.cardOf === reply.card.ticketId) return;
    await this.post(reply, place);
  }

  async openForm(form: FormSpec, triggerId: string, meta: FormMetadata): Promise<void> {
    const view = renderModal(form, { ...meta, hidden: { ...form.hidden, ...meta.hidden } });
    await this.modals.views.open({ trigger_id: triggerId, view: view as never });
  }

  /** Only the asker sees it: the response_url when there is one, else chat.postEphemeral, else a DM. */
  async ephemeral(reply: Reply, place: Place): Promise<void> {
    const message = renderReply({ ...reply, actions: reply.error ? undefined : reply.actions });
    if (place.respond) {
      try {
        await place.respond({ response_type: 'ephemeral', replace_original: false, ...message });
        return;
      } catch (error) {
        this.log.warn({ err: error }, 'slack response_url failed; trying chat.postEphemeral');
      }
    }
    if (place.channel) {
      try {
        await this.client.chat.postEphemeral({
          channel: place.channel,
          user: place.user,
          ...(place.thread ? { thread_ts: place.thread } : {}),
          ...message,
        });
        return;
      } catch (error) {
        this.log.warn({ err: error, channel: place.channel }, 'slack chat.postEphemeral failed; sending a DM');
      }
    }
    const dm = await this.client.conversations.open({ users: place.user });
    const channel = (dm.channel as { id?: string } | undefined)?.id;
    if (channel) await this.client.chat.postMessage({ channel, ...message });
  }

  /** Posts to the channel (or its thread); a ticket card is recorded so it can be edited in place later. */
  async post(reply: Reply, place: Place): Promise<void> {
    const message = renderReply(reply);
    const thread = reply.visibility === 'thread' ? place.thread : undefined;
    if (!place.channel) {
      await this.ephemeral(reply, place);
      return;
    }
    let ts: string | undefined;
    try {
      const res = await this.client.chat.postMessage({
        channel: place.channel,
        ...(thread ? { thread_ts: thread } : {}),
        ...message,
      });
      ts = res.ts;
    } catch (error) {
      const code = slackError(error);
      // A private channel or DM the bot is not in: the command's response_url can still post there, but
      // without a message ts the card cannot be recorded or updated.
      if ((code === 'not_in_channel' || code === 'channel_not_found') && place.respond) {
        this.log.warn(
          { channel: place.channel, code },
          'bot cannot post in this channel; answering through response_url',
        );
        await place.respond({ response_type: 'in_channel', ...message });
        return;
      }
      throw error;
    }
    if (reply.card && ts) {
      this.remember(`${place.channel}:${ts}`, message);
      // Recorded first: joining is a Slack call that may wait out rate limits, and until the card is recorded a
      // reply in its thread names no ticket and is dropped.
      await this.core.recordCard({
        tenant: reply.card.tenant,
        ticketId: reply.card.ticketId,
        platform: 'slack',
        channel: place.channel,
        messageId: ts,
        thread: thread ?? ts,
      });
      await this.joinForThreads(place.channel);
    }
  }

  /**
   * chat:write.public lets the bot post a card in any public channel, but Slack only sends it the channel's
   * messages — the replies in the card's thread that become comments — once it is a member: so it joins.
   */
  private async joinForThreads(channel: string): Promise<void> {
    if (!channel.startsWith('C') || this.joined.has(channel)) return;
    try {
      await this.client.conversations.join({ channel });
      this.joined.add(channel);
    } catch (error) {
      this.log.warn(
        { err: error, channel },
        'could not join the channel; replies in card threads there will not become comments',
      );
    }
  }

  /** Something broke on our side: log it with a reference, tell the person only the reference. */
  async apologise(error: unknown, place: Place, what: string): Promise<void> {
    const ref = randomUUID().slice(0, 8);
    const busy = error instanceof WorkQueueFull;
    const context = { err: error, ref, user: place.user, channel: place.channel };
    if (busy) this.log.warn(context, `slack ${what} not done: too much work waiting`);
    else this.log.error(context, `slack ${what} failed`);
    const text = busy
      ? `Switchboard is too busy right now, so that was not done. Please try again in a minute (ref ${ref}).`
      : `Sorry, something went wrong on our side (ref ${ref}).`;
    try {
      await this.ephemeral({ text, visibility: 'ephemeral', error: busy ? 'SYSTEM.BUSY' : 'INTERNAL' }, place);
    } catch (e) {
      this.log.error({ err: e, ref }, 'could not tell the person about the failure');
    }
  }

  /** Whether a card message already shows exactly this (then an edit is skipped). */
  shows(channel: string, ts: string, message: SlackMessage): boolean {
    return this.shown.get(`${channel}:${ts}`) === JSON.stringify(message.blocks);
  }

  showing(channel: string, ts: string, message: SlackMessage): void {
    this.remember(`${channel}:${ts}`, message);
  }

  private remember(key: string, message: SlackMessage): void {
    this.shown.delete(key);
    this.shown.set(key, JSON.stringify(message.blocks));
    if (this.shown.size > MAX_SHOWN) this.shown.delete(this.shown.keys().next().value as string);
  }
}
