// Where ticket cards were posted on each platform, so they can be edited and their threads read.
import { type Connection, type Model, Schema } from 'mongoose';

export interface CardRecord {
  tenant: string;
  ticketId: string;
  platform: string;
  channel: string;
  messageId: string;
  thread: string | null;
  at: Date;
}

const cardSchema = new Schema<CardRecord>(
  {
    tenant: { type: String, required: true },
    ticketId: { type: String, required: true },
    platform: { type: String, required: true },
    channel: { type: String, required: true },
    messageId: { type: String, required: true },
    thread: { type: String, default: null },
    at: { type: Date, required: true },
  },
  { collection: 'cards', versionKey: false },
);
cardSchema.index({ platform: 1, channel: 1, messageId: 1 }, { unique: true });
cardSchema.index({ tenant: 1, ticketId: 1 });
cardSchema.index({ platform: 1, channel: 1, thread: 1 });
cardSchema.index({ platform: 1, thread: 1 });

export class CardRepository {
  readonly model: Model<CardRecord>;
  constructor(connection: Connection) {
    this.model =
      (connection.models.Card as Model<CardRecord> | undefined) ?? connection.model<CardRecord>('Card', cardSchema);
  }
  async init(): Promise<void> {
    await this.model.createIndexes();
  }
  async record(c: CardRecord): Promise<void> {
    await this.model.updateOne(
      { platform: c.platform, channel: c.channel, messageId: c.messageId },
      { $set: { tenant: c.tenant, ticketId: c.ticketId, thread: c.thread, at: c.at } },
      { upsert: true },
    );
  }
  async forTicket(tenant: string, ticketId: string): Promise<CardRecord[]> {
    return this.model.find({ tenant, ticketId }, { _id: 0 }).lean<CardRecord[]>();
  }
  /** A Slack thread is named by channel + thread_ts; a Discord thread is a channel of its own. */
  async byThread(platform: string, channel: string, thread: string): Promise<CardRecord | null> {
    return this.model
      .findOne({ platform, $or: [{ channel, thread }, { thread: channel }, { thread }] }, { _id: 0 })
      .lean<CardRecord>();
  }
}
