// The face the core shows to adapters: run an invocation, keep cards, claim deliveries, hear changes.

import type { Platform } from '../domain/platform.ts';
import type { Reply } from '../present/reply.ts';
import type { PlatformSender } from '../present/sender.ts';
import type { CommandDef } from './command.ts';
import type { Actor, Invocation } from './invocation.ts';
import type { MessageRead, MessageTicketOutcome, SourceMessageRef } from './messageTickets.ts';
import type { ThreadReply } from './threadComment.ts';

/** Where a ticket's card was posted, so it can be edited in place and its thread read. */
export interface CardRef {
  tenant: string;
  ticketId: string;
  platform: Platform;
  channel: string;
  /** Slack message ts, Discord message id. */
  messageId: string;
  /** Slack thread_ts (usually = messageId), Discord thread channel id. */
  thread?: string | undefined;
}

/** A ticket changed somewhere (any platform or the terminal). */
export interface TicketChange {
  tenant: string;
  ticketId: string;
  /** The ticket's card as it is now: render it over every recorded card. */
  card: Reply;
  /** One line saying what changed, for the card's thread: "Ada moved INC-1 to in_progress". */
  summary: string;
  actor: Actor;
  /** The platform the change came from. */
  platform: Platform;
}

export type ChangeListener = (change: TicketChange) => Promise<void>;

export interface BotCore {
  /** Runs one invocation through parse, permission check and command; never throws. */
  handle(invocation: Invocation): Promise<Reply>;
  /**
   * Parses and checks an invocation without running it or touching the database: the usage
   * reply (with `errorField` naming the bad option) when it is malformed, null when it would run.
   * Slack uses it to show modal errors on the field inside its 3-second ack.
   */
  check(invocation: Invocation): Reply | null;
  /** Every command definition, for platform command schemas and mapping. */
  definitions(): readonly CommandDef[];
  /** Tenant (organisation) for a platform workspace, after config joins. */
  tenantOf(platform: Platform, workspace: string): string;
  /**
   * True the first time a key is claimed, false ever after (a unique-index insert).
   * Adapters claim `slack:event:<event_id>`, `slack:action:<container+action_ts>`, `discord:interaction:<id>`.
   */
  claimDelivery(key: string): Promise<boolean>;
  /**
   * The one pipeline an adapter runs a person's request through: claims the delivery (null when it was handled
   * already: a retry, a redelivery, a replay), builds the invocation only then (so a duplicate costs no platform
   * lookups), and handles it: the person recognised, their role checked, the command run and observed, and any
   * failure answered with a ref. Resolves with the reply to deliver. `run` stands in for `handle` where the
   * request is more than one command (a ticket opened from a message at most once); its null is nothing to answer.
   */
  dispatch(
    deliveryKey: string | undefined,
    build: () => Invocation | Promise<Invocation>,
    run?: (invocation: Invocation) => Promise<Reply | null>,
  ): Promise<Reply | null>;
  /**
   * The invocation a reply written in a ticket's card thread is: a comment on that ticket, marked as said in that
   * thread, so the change it makes is not summed up back into it (the card is still shown anew).
   */
  commentInThread(ticketId: string, reply: ThreadReply): Invocation;
  /** Gives a claim back when the work it guarded failed on our side, so a retry can do it. */
  releaseDelivery(key: string): Promise<void>;
  /**
   * Opens a ticket from a chat message at most once, for good (Slack reaction or shortcut, Discord "Open
   * ticket"). `read` fetches the message; it is called only when no ticket was opened from the message yet and no
   * other attempt is opening one, and resolves with null when there is nothing to open from. The core decides the
   * title and description (src/core/ticketText.ts, within `/ticket new`'s own limits) and runs `ticket new`.
   */
  ticketFromMessage(message: SourceMessageRef, read: () => Promise<MessageRead | null>): Promise<MessageTicketOutcome>;
  recordCard(card: CardRef): Promise<void>;
  cardsFor(tenant: string, ticketId: string): Promise<CardRef[]>;
  /** Stops keeping a card whose message is gone (deleted, or its channel is), so it is not edited again. */
  forgetCard(card: CardRef): Promise<void>;
  /** The ticket whose card thread this is, if any. */
  ticketForThread(
    platform: Platform,
    channel: string,
    thread: string,
  ): Promise<{ tenant: string; ticketId: string } | null>;
  /**
   * Keeps a person's profile (display name, timezone, email) for mentions and summaries.
   * With a workspace the identity is created there if new; without, known copies are refreshed.
   */
  rememberPerson(actor: Actor, workspace?: string): Promise<void>;
  /**
   * Ticket ids for autocomplete: the tenant's open tickets whose id or title matches, limited to the
   * asker's own tickets unless they are an agent.
   */
  suggestTickets(
    platform: Platform,
    workspace: string,
    query: string,
    actor: Actor,
  ): Promise<Array<{ id: string; title: string }>>;
  /**
   * Catalog services for completion (Discord's autocomplete, Slack's type-ahead select): the ones matching what was
   * typed, best first, at most 25, read from the catalog kept in process. `anyName`: a name the catalog does not
   * hold is taken too (SWITCHBOARD_SERVICES=open, or nothing declared yet), so a picker may offer the typed text.
   */
  suggestServices(
    platform: Platform,
    workspace: string,
    typed: string,
  ): Promise<{ services: Array<{ name: string; label: string }>; anyName: boolean }>;
  /** Hear every ticket change as it happens (the terminal prints a line; cards are updated through the outbox). */
  onTicketChanged(listener: ChangeListener): void;
  /** An adapter's part of the messaging port: the outbox delivers its platform's messages through it. */
  registerSender(sender: PlatformSender): void;
}

/** What every chat adapter offers to main.ts. */
export interface ChatAdapter {
  readonly platform: Platform;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Whether it is connected to its platform now (GET /readyz); no answer counts as ready. */
  ready?(): { ok: boolean; reason?: string };
  /** The workspaces (as an Invocation's origin names them) the bot is in, once started: where alerts may belong. */
  workspaces?(): Promise<string[]>;
}
