// One chat message opens one ticket, for good: a reaction, shortcut or "Open ticket" after that answers with it.
import type { Logger } from 'pino';
import type { Platform } from '../domain/platform.ts';
import { ephemeral, type Reply } from '../present/reply.ts';
import type { Actor, Invocation, Origin } from './invocation.ts';
import { type QuotedMessage, type TicketTextLimits, ticketTextOf } from './ticketText.ts';

/** The message a ticket is opened from, and who asked. */
export interface SourceMessageRef {
  platform: Platform;
  workspace: string;
  channel: string;
  /** Slack message ts, Discord message id. */
  messageId: string;
  actor: Actor;
}

/** The message as the adapter read it, and where the ticket opened from it is asked for (its card goes there). */
export interface MessageRead extends QuotedMessage {
  origin: Origin;
  deliveryId?: string | undefined;
}

/**
 * opened: `open` ran, its reply is the new ticket's card. failed: `open` ran and opened nothing (a refusal, or
 * null when there was nothing to open from); the message may be tried again. exists: a ticket was opened from
 * the message before; the reply says which. opening: another attempt is opening it right now.
 */
export type MessageTicketOutcome =
  | { outcome: 'opened'; reply: Reply }
  | { outcome: 'failed'; reply: Reply | null }
  | { outcome: 'exists'; ticketId: string; reply: Reply }
  | { outcome: 'opening'; reply: Reply };

/** message -> ticket, inserted once and read by `_id`; never pruned. */
export interface MessageTicketRecords {
  ticketOf(key: string): Promise<string | null>;
  record(key: string, ticketId: string, at: Date): Promise<string>;
}

export interface MessageTicketDeps {
  records: MessageTicketRecords;
  /** The short-lived claim that lets one attempt at a time open the ticket (a unique insert). */
  claim(key: string): Promise<boolean>;
  release(key: string): Promise<void>;
  /** `/ticket new`'s own title and description limits. */
  limits(): TicketTextLimits;
  tenantOf(platform: Platform, workspace: string): string;
  now(): Date;
  log: Logger;
}

export function messageTicketKey(tenant: string, m: Pick<SourceMessageRef, 'platform' | 'channel' | 'messageId'>) {
  return `${tenant}/${m.platform}:${m.channel}:${m.messageId}`;
}

/**
 * The claim only guards the attempt in progress (and is pruned with the other delivery claims); what keeps a
 * message to one ticket for good is the record, written the moment the ticket exists, before its card is posted.
 * So a card that fails to post, or a claim pruned a week later, never makes a second ticket.
 */
export function messageTickets(d: MessageTicketDeps) {
  type Handle = (inv: Invocation) => Promise<Reply>;
  const existing = async (m: SourceMessageRef, ticketId: string, handle: Handle): Promise<Reply> => {
    const shown = await handle({
      actor: m.actor,
      origin: { platform: m.platform, workspace: m.workspace, channel: m.channel },
      command: 'ticket',
      subcommand: 'show',
      options: { id: ticketId },
    });
    const said = `This message already has ${ticketId}.`;
    // Someone who may not see the ticket is told only that it exists.
    if (shown.error) return ephemeral(said);
    return { ...shown, visibility: 'ephemeral', text: `${said}\n${shown.text}`, context: said };
  };

  /** The `ticket new` a message read makes, its title and description by the one rule. */
  const open = async (m: SourceMessageRef, read: () => Promise<MessageRead | null>, handle: Handle) => {
    const message = await read();
    if (!message) return null;
    return handle({
      actor: m.actor,
      origin: message.origin,
      command: 'ticket',
      subcommand: 'new',
      options: ticketTextOf(message, d.limits()),
      deliveryId: message.deliveryId,
    });
  };

  /** `read` is called only when no ticket was opened from the message yet and no other attempt is opening one. */
  return async function openOnce(
    m: SourceMessageRef,
    read: () => Promise<MessageRead | null>,
    handle: Handle,
  ): Promise<MessageTicketOutcome> {
    const key = messageTicketKey(d.tenantOf(m.platform, m.workspace), m);
    const before = await d.records.ticketOf(key);
    if (before) return { outcome: 'exists', ticketId: before, reply: await existing(m, before, handle) };
    const claim = `message:${key}`;
    if (!(await d.claim(claim))) {
      const meanwhile = await d.records.ticketOf(key);
      if (meanwhile) return { outcome: 'exists', ticketId: meanwhile, reply: await existing(m, meanwhile, handle) };
      return {
        outcome: 'opening',
        reply: ephemeral('A ticket is being opened from this message right now; its card will appear here.'),
      };
    }
    let reply: Reply | null = null;
    try {
      reply = await open(m, read, handle);
    } finally {
      // Nothing opened (or `open` threw): give the claim back, so the message can be tried again.
      if (!reply?.card) await d.release(claim).catch(() => undefined);
    }
    const card = reply?.card;
    if (!reply || !card) return { outcome: 'failed', reply };
    try {
      await d.records.record(key, card.ticketId, d.now());
    } catch (err) {
      // The claim is kept: within the claims' retention no second ticket opens; after it, one could.
      d.log.error({ err, key, ticketId: card.ticketId }, 'ticket opened from a message, but the link was not saved');
    }
    return { outcome: 'opened', reply };
  };
}
