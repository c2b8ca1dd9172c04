// Which ticket a chat message was opened as: the use case over the message-ticket store.
import type { MessageTicketRepository } from '../store/messageTicketStore.ts';

export class MessageTicketLinks {
  constructor(private readonly repo: MessageTicketRepository) {}

  ticketOf(key: string): Promise<string | null> {
    return this.repo.ticketOf(key);
  }

  /** The first ticket linked to a message stays its ticket; resolves with the one that stays. */
  record(key: string, ticketId: string, at: Date): Promise<string> {
    return this.repo.record(key, ticketId, at);
  }
}
