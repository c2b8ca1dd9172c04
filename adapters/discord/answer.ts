// Answering within Discord's 3 seconds: reply at once when the work is quick, defer when it is not, then settle.
import { MessageFlags, type RepliableInteraction } from 'discord.js';
import type { Logger } from 'pino';
import type { Reply } from '../../src/core/reply.ts';
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

export function postedOf(m: unknown): PostedMessage | undefined {
  const x = m as { id?: string; channelId?: string; channel_id?: string } | null | undefined;
  const channelId = x?.channelId ?? x?.channel_id;
  return x?.id && channelId ? { id: x.id, channelId } : undefined;
}

/**
 * Runs `work` and answers with its reply. `work` resolving to null means "already handled
 * elsewhere" (a redelivered interaction): nothing more is sent.
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
  if (reply.card && posted) await deps.cardPosted(reply, posted, i);
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
    if (!wantEphemeral && reply.card && posted) await deps.cardPosted(reply, posted, i);
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
  if (reply.card && posted) await deps.cardPosted(reply, posted, i);
}
