// Ticket changes as they happen, for whoever listens (the core, which turns them into card updates).
import type { Notifier, TicketChanged } from './notifier.ts';

export type TicketChangedListener = (event: TicketChanged) => void;

export class ChangeFeed implements Notifier {
  private readonly listeners: TicketChangedListener[] = [];

  subscribe(listener: TicketChangedListener): void {
    this.listeners.push(listener);
  }

  async ticketChanged(event: TicketChanged): Promise<void> {
    // Listeners do their own slow work in the background: a change is never held up by who hears it.
    for (const l of this.listeners) l(event);
  }
}
