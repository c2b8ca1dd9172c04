// Which ticket a chat message was opened as: inserted once, read by _id, never pruned.
import type { Connection, mongo } from 'mongoose';

/** `_id` is `${tenant}/${platform}:${channel}:${messageId}`. */
interface MessageTicket {
  _id: string;
  ticketId: string;
  at: Date;
}

const isDuplicate = (e: unknown): boolean => (e as { code?: number }).code === 11000;

/**
 * Insert-only and read by `_id` (the one query FerretDB serves without a scan): it grows with every
 * ticket opened from a message, so nothing here ever updates or deletes.
 */
export class MessageTicketRepository {
  private readonly docs: mongo.Collection<MessageTicket>;
  constructor(connection: Connection) {
    this.docs = connection.collection<MessageTicket>('message_tickets');
  }

  async ticketOf(key: string): Promise<string | null> {
    return (await this.docs.findOne({ _id: key }))?.ticketId ?? null;
  }

  /** The first ticket recorded for a message stays its ticket; resolves with the one that stays. */
  async record(key: string, ticketId: string, at: Date): Promise<string> {
    try {
      await this.docs.insertOne({ _id: key, ticketId, at });
      return ticketId;
    } catch (e) {
      if (!isDuplicate(e)) throw e;
      return (await this.ticketOf(key)) ?? ticketId;
    }
  }
}
