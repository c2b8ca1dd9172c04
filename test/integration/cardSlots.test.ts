// A card's slot, counted on the wire: a ticket this process just opened has no card, so its first card is written
// without a read, and the next read of its cards asks only past the one written.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CardRepository } from '../../src/store/cardStore.ts';
import { countRoundTrips, type RoundTrips } from '../../src/store/roundTrips.ts';
import { type TestDatabase, testDatabase } from '../support/db.ts';

let db: TestDatabase;
let wire: RoundTrips;
beforeAll(async () => {
  db = await testDatabase(undefined, { monitorCommands: true });
  wire = countRoundTrips(db.connection);
});
afterAll(async () => {
  wire?.stop();
  await db?.close();
});

const card = (ticketId: string, channel: string) => ({
  tenant: 'slack:T1',
  ticketId,
  platform: 'slack',
  channel,
  messageId: `${channel}.0001`,
  thread: null,
  at: new Date('2026-03-10T12:00:00Z'),
});

describe('card slots', () => {
  it("records a just-opened ticket's first card in one insert, and reads its cards with one read after", async () => {
    const cards = new CardRepository(db.connection);
    cards.noCardsYet('slack:T1', 'INC-7');
    wire.reset();
    await cards.record(card('INC-7', 'C1'));
    expect(wire.seen()).toEqual(['insert card_slots']);
    wire.reset();
    expect((await cards.forTicket('slack:T1', 'INC-7')).map((c) => c.channel)).toEqual(['C1']);
    expect(wire.seen().filter((c) => c === 'find card_slots')).toHaveLength(1);
  });

  it('moves a card on past a slot another process took meanwhile, and both are kept', async () => {
    const here = new CardRepository(db.connection);
    const there = new CardRepository(db.connection);
    here.noCardsYet('slack:T1', 'INC-8');
    await there.record(card('INC-8', 'C2'));
    await here.record(card('INC-8', 'C3'));
    expect((await here.forTicket('slack:T1', 'INC-8')).map((c) => c.channel).sort()).toEqual(['C2', 'C3']);
    expect(
      (await new CardRepository(db.connection).forTicket('slack:T1', 'INC-8')).map((c) => c.channel).sort(),
    ).toEqual(['C2', 'C3']);
  });

  it('records the cards of tickets posted at once in fewer inserts than cards, each in its own slot', async () => {
    const cards = new CardRepository(db.connection);
    const ids = ['INC-20', 'INC-21', 'INC-22', 'INC-23', 'INC-24'];
    for (const id of ids) cards.noCardsYet('slack:T1', id);
    wire.reset();
    await Promise.all(ids.map((id) => cards.record(card(id, `C${id}`))));
    const inserts = wire.seen().flatMap((c, n) => (c === 'insert card_slots' ? [n] : []));
    expect(inserts.reduce((sum, n) => sum + (wire.documents()[n] as number), 0)).toBe(5);
    expect(inserts.length).toBeLessThan(5);
    for (const id of ids) expect((await cards.forTicket('slack:T1', id)).map((c) => c.channel)).toEqual([`C${id}`]);
  });
});
