// Where each ticket's cards were posted and which thread belongs to which ticket: the use cases over the card store.
import type { CardRecord, CardRepository } from '../store/cardStore.ts';

export type { CardRecord } from '../store/cardStore.ts';

export class CardService {
  constructor(private readonly repo: CardRepository) {}

  record(card: CardRecord): Promise<void> {
    return this.repo.record(card);
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
