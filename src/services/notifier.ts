// The Notifier port: the only way services talk to people. Adapters implement it (via the core).
import type { Ticket } from '../domain/entities.ts';

export interface TicketChanged {
  ticket: Ticket;
  /** One line: "Ada assigned INC-1 to Bob". */
  summary: string;
  actorIdentity: string;
  actorName: string;
  platform: string;
  /** The thread the change was written in (a reply there that became a comment): its summary is not posted back there. */
  origin?: { platform: string; channel: string; thread: string } | undefined;
}

export interface Notifier {
  ticketChanged(event: TicketChanged): Promise<void>;
}

export const silentNotifier: Notifier = { ticketChanged: async () => {} };
