// Words written in a ticket's card thread: a comment on that ticket, whose change is not summed up back in that thread.
import { plainProse } from '../kit/typedText.ts';
import type { CommandDef } from './command.ts';
import type { Actor, Invocation, Origin } from './invocation.ts';

/** A reply a person wrote in a card thread, as the adapter read it (its text as plain words). */
export interface ThreadReply {
  actor: Actor;
  /** Where it was written: the card's channel and thread. */
  origin: Origin & { channel: string; thread: string };
  text: string;
  deliveryId?: string | undefined;
}

/** The `ticket comment` invocation a thread reply is, with its option names as the command declares them. */
export function threadCommentOf(definitions: readonly CommandDef[], ticketId: string, r: ThreadReply): Invocation {
  const def = definitions.find((d) => d.command === 'ticket' && d.name === 'comment');
  const idOpt = def?.options.find((o) => o.kind === 'ticket')?.name ?? 'id';
  const textOpt = def?.options.find((o) => o.kind === 'text')?.name ?? 'text';
  return {
    actor: r.actor,
    origin: { ...r.origin, saidInThread: true },
    command: 'ticket',
    subcommand: 'comment',
    // Prose people wrote, not a command line: something invisible pasted in must not get it refused.
    options: { [idOpt]: ticketId, [textOpt]: plainProse(r.text) },
    deliveryId: r.deliveryId,
  };
}

/** A card in the thread a change was written in: shown anew, but its thread hears no line about the change. */
export function echoes(
  card: { platform: string; channel: string; thread?: string | null | undefined },
  origin: { platform: string; channel: string; thread: string } | undefined,
): boolean {
  return (
    origin !== undefined &&
    card.platform === origin.platform &&
    card.channel === origin.channel &&
    card.thread === origin.thread
  );
}
