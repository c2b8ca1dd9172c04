// Answering within Discord's 3 seconds: reply at once when the work is quick, defer when it is not, then settle.
import { randomBytes } from 'node:crypto';
import { MessageFlags, type RepliableInteraction } from 'discord.js';
import type { Logger } from 'pino';
import { ephemeral, type Reply } from '../../src/present/reply.ts';
import { type FormStash, formCustomId } from './customIds.ts';
import { messageOf, modalOf } from './render.ts';

/** Where a posted message lives, whichever shape discord.js handed back. */
export interface PostedMessage {
  id: string;
  channelId: string;
}

export interface AnswerDeps {
  log: Logger;
  /** Defer when the work has not finished this long after the interaction arrived. */
  slowReplyMs: number;
  stash: FormStash;
  /** Called when a card went out as a public message: record it, open its thread. */
  cardPosted(reply: Reply, message: PostedMessage, interaction: RepliableInteraction): Promise<void>;
}

/**
 * Remembers, per command, whether its last answer was ephemeral, so a deferral can be made with the
 * visibility the answer will most likely have. A wrong guess still ends right (see settleDeferred),
 * only with one more request.
 */
export class VisibilityGuess {
  private readonly seen = new Map<string, boolean>();
  ephemeral(key: string, fallback: boolean): boolean {
    return this.seen.get(key) ?? fallback;
  }
  learn(key: string, reply: Reply): void {
    if (!reply.error) this.seen.set(key, reply.visibility === 'ephemeral' || Boolean(reply.form));
  }
}

const EPHEMERAL = { flags: MessageFlags.Ephemeral } as const;

/** What a person sees when the system failed them: short, private, with the ref that finds the log line. */
export const apology = (ref: string): Reply =>
  ephemeral(`Sorry, something went wrong on our side. (ref ${ref})`, { error: 'SYSTEM.ERROR' });

/** What a person is told when too much work is waiting: nothing was done, so trying again is safe. */
export const busy = (ref: string): Reply =>
  ephemeral(`Switchboard is too busy right now, so that was not done. Please try again in a minute (ref ${ref}).`, {
    error: 'SYSTEM.BUSY',
  });

export const newRef = (): string => randomBytes(4).toString('hex');

export function postedOf(m: unknown): PostedMessage | undefined {
  const x = m as { id?: string; channelId?: string; channel_id?: string } | null | undefined;
  const channelId = x?.channelId ?? x?.channel_id;
  return x?.id && channelId ? { id: x.id, channelId } : undefined;
}

/**
 * Runs `work` and answers with its reply. `work` resolving to null means "already handled
 * elsewhere" (a redelivered interaction): nothing more is sent. `work` failing (the database
 * down, a bug) is logged and answered with an apology, through the deferral if one went out:
 * an error thrown while a deferral is still on its way must not race it with a second answer.
 */
export async function answer(
  i: RepliableInteraction,
  work: () => Promise<Reply | null>,
  o: { deps: AnswerDeps; receivedAt: number; guessEphemeral: boolean },
): Promise<Reply | null> {
  const { deps } = o;
  let deferral: Promise<boolean> | undefined;
  const wait = Math.max(0, deps.slowReplyMs - (performance.now() - o.receivedAt));
  const timer = setTimeout(() => {
    deferral = i.deferReply(o.guessEphemeral ? EPHEMERAL : {}).then(
      () => true,
      (err) => {
        deps.log.warn({ err, interaction: i.id }, 'discord: could not defer the interaction');
        return false;
      },
    );
  }, wait);
  let reply: Reply | null;
  try {
    reply = await work();
  } catch (err) {
    const ref = newRef();
    deps.log.error({ err, ref, interaction: i.id }, 'discord: interaction failed');
    reply = apology(ref);
  } finally {
    clearTimeout(timer);
  }
  if (reply === null) return null;
  if (deferral) {
    if (await deferral) await settleDeferred(i, reply, o.guessEphemeral, deps);
  } else {
    await replyNow(i, reply, deps);
  }
  return reply;
}

/**
 * Answers with `reply` whatever state the interaction is in: not answered yet, deferred (public or
 * private, not yet settled), or answered already (then as a private follow-up, for errors).
 */
export async function answerNow(i: RepliableInteraction, reply: Reply, deps: AnswerDeps): Promise<void> {
  if (!i.deferred && !i.replied) return replyNow(i, reply, deps);
  if (i.deferred && !i.replied) return settleDeferred(i, reply, Boolean(i.ephemeral), deps);
  await i.followUp({ ...messageOf(reply), ...EPHEMERAL });
}

/**
 * The card is out; recording it (and opening its thread) failing must not turn into an apology
 * for a ticket that was opened. It is logged: that card will not follow later changes.
 */
async function recordPosted(deps: AnswerDeps, reply: Reply, posted: PostedMessage, i: RepliableInteraction) {
  try {
    await deps.cardPosted(reply, posted, i);
  } catch (err) {
    deps.log.error(
      { err, ref: newRef(), ticketId: reply.card?.ticketId, message: posted.id, interaction: i.id },
      'discord: a posted card could not be recorded; it will not be updated in place',
    );
  }
}

async function replyNow(i: RepliableInteraction, reply: Reply, deps: AnswerDeps): Promise<void> {
  if (reply.form && 'showModal' in i && !i.isModalSubmit()) {
    const form = reply.form;
    await i.showModal(modalOf(form, formCustomId(form.id, form.hidden ?? {}, deps.stash)));
    return;
  }
  const body = messageOf(reply);
  if (reply.visibility === 'ephemeral' || reply.form) {
    await i.reply({ ...body, ...EPHEMERAL });
    return;
  }
  const res = await i.reply({ ...body, withResponse: true });
  const posted = postedOf(res.resource?.message);
  if (reply.card && posted) await recordPosted(deps, reply, posted, i);
}

/**
 * After a deferral. Discord makes the first message after a deferral inherit the deferral's
 * visibility whatever its flags say, so when the guess was wrong the placeholder is settled first
 * and the real answer goes out as a second message with its own visibility.
 */
async function settleDeferred(
  i: RepliableInteraction,
  reply: Reply,
  deferredEphemeral: boolean,
  deps: AnswerDeps,
): Promise<void> {
  const body = messageOf(reply);
  const wantEphemeral = reply.visibility === 'ephemeral' || Boolean(reply.form);
  if (wantEphemeral === deferredEphemeral) {
    const msg = await i.editReply(body);
    const posted = postedOf(msg);
    if (!wantEphemeral && reply.card && posted) await recordPosted(deps, reply, posted, i);
    return;
  }
  if (wantEphemeral) {
    // A public placeholder must not carry a private answer: settle it, answer privately, remove it.
    await i.editReply({ content: '-# …', embeds: [], components: [] });
    await i.followUp({ ...body, ...EPHEMERAL });
    await i.deleteReply().catch((err) => deps.log.warn({ err }, 'discord: could not remove the placeholder'));
    return;
  }
  await i.editReply({
    content: reply.card ? `Posted ${reply.card.ticketId} below.` : 'Posted below.',
    embeds: [],
    components: [],
  });
  const msg = await i.followUp(body);
  const posted = postedOf(msg);
  if (reply.card && posted) await recordPosted(deps, reply, posted, i);
}
