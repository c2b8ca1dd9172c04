// What goes into the core: who asked, where, which command, with which arguments.
import type { Platform } from '../domain/platform.ts';

export interface Actor {
  /** Platform identity: `slack:U0123ABC`, `discord:81234`, `console:alice`. */
  id: string;
  platform: Platform;
  displayName: string;
  timezone?: string | undefined;
  email?: string | undefined;
}

export interface Origin {
  platform: Platform;
  /** Slack team id, Discord guild id (or `dm`), `local` for the terminal. */
  workspace: string;
  channel?: string | undefined;
  /** Thread the invocation came from (Slack thread_ts, Discord thread channel id). */
  thread?: string | undefined;
  /** Link to the message that caused this (shortcut, reaction, mention). */
  messageLink?: string | undefined;
  /**
   * Words a person wrote in `thread` (a reply there, made a comment by the core's `commentInThread`), not a button,
   * a form or a command line: a change they make is not summed up back into that thread, under their own words.
   */
  saidInThread?: boolean | undefined;
}

export interface Invocation {
  actor: Actor;
  origin: Origin;
  /** Family name: `ticket`, `help`, `role`, `link`. */
  command: string;
  /**
   * Either `text` (everything after the command name, parsed by the core: Slack, terminal)
   * or `subcommand` + `options` (already typed by the platform: Discord, buttons, modals).
   */
  text?: string | undefined;
  subcommand?: string | undefined;
  options?: Record<string, string | number | boolean | undefined> | undefined;
  /** Platform delivery id (event id, interaction id) for logs. */
  deliveryId?: string | undefined;
  /**
   * The terminal's `/as @dave <command…>`: the person (a mention as typed) this one command runs as, with
   * their role. Only an admin at the terminal may; the core refuses it anywhere else.
   */
  as?: string | undefined;
}
