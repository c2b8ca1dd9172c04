// Ticket cards on the real database: concurrent records (one process or two) are all kept; forgetting hides one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CardRef } from '../../src/core/bot.ts';
import { anotherProcess, startTestBot, type TestBot } from '../support/harness.ts';

let bot: TestBot;
beforeAll(async () => {
  bot = await startTestBot();
});
afterAll(async () => {
  await bot?.close();
});

const card = (ticketId: string, i: number): CardRef => ({
  tenant: 'slack:T1',
  ticketId,
  platform: i % 2 ? 'slack' : 'discord',
  channel: `C${i}`,
  messageId: `17000000${i}.000100`,
  thread: `17000000${i}.000100`,
});
const names = (cards: CardRef[]): string[] => cards.map((c) => `${c.channel}/${c.messageId}`).sort();

describe('card records', () => {
  it('keeps all 20 cards recorded at once from two processes, and forgetting one leaves 19', async () => {
    const other = await anotherProcess(bot);
    try {
      const cards = Array.from({ length: 20 }, (_, i) => card('INC-1', i));
      await Promise.all(cards.map((c, i) => (i % 2 ? other.core : bot.core).recordCard(c)));
      expect(names(await bot.core.cardsFor('slack:T1', 'INC-1'))).toEqual(names(cards));
      expect(names(await other.core.cardsFor('slack:T1', 'INC-1'))).toEqual(names(cards));

      await other.core.forgetCard(cards[7] as CardRef);
      const left = await bot.core.cardsFor('slack:T1', 'INC-1');
      expect(names(left)).toEqual(names(cards.filter((_, i) => i !== 7)));
      expect(left.find((c) => c.channel === 'C3')).toMatchObject({ platform: 'slack', thread: '170000003.000100' });
    } finally {
      await other.close();
    }
  });

  it('a message recorded twice is one card; recorded again after it was forgotten, it is back', async () => {
    const c = card('INC-2', 1);
    await bot.core.recordCard(c);
    await bot.core.recordCard(c);
    expect(await bot.core.cardsFor('slack:T1', 'INC-2')).toHaveLength(1);
    await bot.core.forgetCard(c);
    expect(await bot.core.cardsFor('slack:T1', 'INC-2')).toEqual([]);
    await bot.core.recordCard(c);
    expect(await bot.core.cardsFor('slack:T1', 'INC-2')).toHaveLength(1);
  });

  it('cards kept in the first layout (one rewritten document per ticket) are still read and can be forgotten', async () => {
    const legacy = card('INC-3', 5);
    await bot.db.connection.collection('cards').insertOne({
      _id: 'slack:T1/INC-3',
      tenant: 'slack:T1',
      ticketId: 'INC-3',
      refs: [
        {
          platform: legacy.platform,
          channel: legacy.channel,
          messageId: legacy.messageId,
          thread: null,
          at: new Date(),
        },
      ],
    } as never);
    await bot.core.recordCard(card('INC-3', 6));
    expect(names(await bot.core.cardsFor('slack:T1', 'INC-3'))).toEqual(names([legacy, card('INC-3', 6)]));
    await bot.core.forgetCard(legacy);
    expect(names(await bot.core.cardsFor('slack:T1', 'INC-3'))).toEqual(names([card('INC-3', 6)]));
  });
});
