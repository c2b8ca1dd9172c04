// Ticket changes as they happen, for whoever listens (the core, which turns them into card updates).
import type { Notifier, TicketChanged } from './notifier.ts';

export type TicketChangedListener = (event: TicketChanged) => void | Promise<void>;

export class ChangeFeed implements Notifier {
  private readonly listeners: TicketChangedListener[] = [];

  subscribe(listener: TicketChangedListener): void {
    this.listeners.push(listener);
  }

  /** Resolves when every listener has taken the change in (written what it must); listeners never throw. */
  async ticketChanged(event: TicketChanged): Promise<void> {
    await Promise.all(this.listeners.map((l) => l(event)));
  }
}
