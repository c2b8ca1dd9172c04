// Where each ticket's cards were posted and which thread belongs to which ticket: the use cases over the card store.
import type { CardRecord, CardRepository } from '../store/cardStore.ts';

export type { CardRecord } from '../store/cardStore.ts';

/** Hears a card once it is recorded (its thread is known from then on); a listener never throws. */
export type CardRecordedListener = (card: CardRecord) => Promise<void>;

export class CardService {
  private readonly listeners: CardRecordedListener[] = [];

  constructor(private readonly repo: CardRepository) {}

  /** src/services/problems.ts: a new incident's first thread hears its known error. */
  onRecorded(listener: CardRecordedListener): void {
    this.listeners.push(listener);
  }

  async record(card: CardRecord): Promise<void> {
    await this.repo.record(card);
    await Promise.all(this.listeners.map((l) => l(card)));
  }

  forget(card: Pick<CardRecord, 'tenant' | 'ticketId' | 'platform' | 'channel' | 'messageId'>): Promise<void> {
    return this.repo.forget(card);
  }

  /** A ticket just opened has no cards: later reads of its cards start from there. */
  opened(tenant: string, ticketId: string): void {
    this.repo.noCardsYet(tenant, ticketId);
  }

  forTicket(tenant: string, ticketId: string): Promise<CardRecord[]> {
    return this.repo.forTicket(tenant, ticketId);
  }

  async ticketForThread(
    platform: string,
    channel: string,
    thread: string,
  ): Promise<{ tenant: string; ticketId: string } | null> {
    const c = await this.repo.byThread(platform, channel, thread);
    return c ? { tenant: c.tenant, ticketId: c.ticketId } : null;
  }
}
