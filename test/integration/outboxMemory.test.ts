// The outbox delivers what a process just wrote from that process's memory (never reading it back), and the database
// copy is for takeover: a live writer's messages are left to it, a dead or stopped writer's are delivered once by another.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryFailure } from '../../src/present/sender.ts';
import type { Outbox } from '../../src/services/outbox.ts';
import { type TestDatabase, testDatabase } from '../support/db.ts';
import { anotherProcess, startTestBot, type TestBot } from '../support/harness.ts';
import { recordingSender } from '../support/recordingSender.ts';

let clock = new Date('2026-03-10T12:00:00Z');
const now = () => clock;
const later = (ms: number) => {
  clock = new Date(clock.getTime() + ms);
};
const tenant = 'console:local';
let db: TestDatabase;
let bot: TestBot;
const outboxOf = (b: { core: { services: { outbox: Outbox } } }) => b.core.services.outbox;
const waiting = () => bot.db.connection.collection('outbox').find({}).toArray();
const ledger = () => bot.db.connection.collection('outbox_ledger').find({}).toArray();
const beats = () => bot.db.connection.collection<{ _id: string; at: Date }>('process_heartbeats');

/** Ids of outbox documents this process's driver received from the database (any read of the outbox). */
const readBack = new Set<string>();

beforeAll(async () => {
  db = await testDatabase(undefined, { monitorCommands: true });
  bot = await startTestBot({ now, database: db });
  db.connection.getClient().on('commandSucceeded', (e) => {
    const cursor = (e.reply as { cursor?: { firstBatch?: unknown[]; nextBatch?: unknown[] } }).cursor;
    for (const doc of [...(cursor?.firstBatch ?? []), ...(cursor?.nextBatch ?? [])]) {
      const id = (doc as { _id?: unknown })._id;
      if (typeof id === 'string') readBack.add(id);
    }
  });
});
afterAll(async () => {
  await bot?.close();
  await db?.close();
});

/** A message as a process writing it leaves it in the outbox (its writer holding attempt 0), for takeover tests. */
async function writtenBy(writer: string, id: string, channel: string, text: string, claimed: boolean) {
  await bot.db.connection.collection('outbox').insertOne({
    _id: id as never,
    tenant,
    ticketId: null,
    lane: `slack:${channel}`,
    seq: clock.getTime() * 1000 + Number(id.slice(-1)),
    op: 'post',
    platform: 'slack',
    channel,
    thread: null,
    messageId: null,
    reply: { text, visibility: 'channel' },
    actorId: null,
    version: null,
    what: 'post',
    to: `slack #${channel}`,
    attempt: 0,
    dueAt: clock,
    createdAt: clock,
    lastError: null,
    waited: 0,
    writer,
  });
  if (claimed) {
    await bot.db.connection
      .collection('outbox_claims')
      .insertOne({ _id: `${id}#0` as never, at: clock, owner: writer });
  }
}

describe('from memory', () => {
  it('delivers what it just wrote without reading any of it back, in order per channel', async () => {
    const slack = recordingSender('slack');
    const consoleSender = recordingSender('console');
    bot.core.registerSender(slack);
    bot.core.registerSender(consoleSender);
    const me = await bot.core.services.people.recognise(tenant, { identity: 'console:mem', displayName: 'mem' }, clock);
    const box = outboxOf(bot);
    await bot.core.settled();
    readBack.clear();
    const ids: string[] = [];
    const writes: Array<Promise<unknown>> = [];
    for (let i = 0; i < 8; i++) {
      writes.push(box.toChannel(`slack:CMEM${i % 2}`, { text: `m${i}`, visibility: 'channel' }, { tenant }));
    }
    writes.push(box.toPerson(tenant, me.person.id, { text: 'dm once', visibility: 'channel' }, {}, 'mem:dm-1'));
    for (const r of await Promise.all(writes)) ids.push(...(Array.isArray(r) ? r : [r as string]));
    await bot.core.settled();
    expect(slack.calls.filter((c) => c.channel === 'CMEM0').map((c) => c.reply.text)).toEqual(['m0', 'm2', 'm4', 'm6']);
    expect(slack.calls.filter((c) => c.channel === 'CMEM1').map((c) => c.reply.text)).toEqual(['m1', 'm3', 'm5', 'm7']);
    expect(consoleSender.calls.map((c) => c.reply.text)).toEqual(['dm once']);
    const entries = (await ledger()).filter((e) => ids.includes(e.messageId));
    expect(entries).toHaveLength(9);
    expect(entries.every((e) => e.outcome === 'delivered')).toBe(true);
    expect(await waiting()).toEqual([]);
    // The point: none of the nine was read back from the database by the process that wrote it.
    expect(ids.filter((id) => readBack.has(id))).toEqual([]);
  });
});

describe('the database copy, for takeover', () => {
  it("leaves a live writer's messages to it, and delivers them once after it stopped beating", async () => {
    const slack = recordingSender('slack');
    bot.core.registerSender(slack);
    await beats().updateOne({ _id: 'writer-live' }, { $set: { at: clock } }, { upsert: true });
    await writtenBy('writer-live', 'live-msg-1', 'CLIVE', 'live 1', false);
    await writtenBy('writer-live', 'live-msg-2', 'CLIVE', 'live 2', false);
    for (let i = 0; i < 3; i++) {
      later(30_000);
      await beats().updateOne({ _id: 'writer-live' }, { $set: { at: clock } });
      outboxOf(bot).kick();
      await bot.core.settled();
    }
    // Alive: not ours, and not even claimed by us.
    expect(slack.calls.filter((c) => c.channel === 'CLIVE')).toEqual([]);
    const claims = bot.db.connection.collection('outbox_claims');
    expect(await claims.findOne({ _id: 'live-msg-1#0' as never })).toBeNull();
    // It stops beating (it died between writing and claiming): after the lease, anyone's.
    later(61_000);
    outboxOf(bot).kick();
    await bot.core.settled();
    later(6_000);
    outboxOf(bot).kick();
    await bot.core.settled();
    expect(slack.calls.filter((c) => c.channel === 'CLIVE').map((c) => c.reply.text)).toEqual(['live 1', 'live 2']);
  });

  it('takes over, once, the messages a writer died holding', async () => {
    const slack = recordingSender('slack');
    bot.core.registerSender(slack);
    await writtenBy('writer-dead', 'dead-msg-1', 'CDEAD', 'dead 1', true);
    await writtenBy('writer-dead', 'dead-msg-2', 'CDEAD', 'dead 2', true);
    outboxOf(bot).kick();
    await bot.core.settled();
    // Held: a claim is taken over only once it has been held past the lease.
    expect(slack.calls.filter((c) => c.channel === 'CDEAD')).toEqual([]);
    for (let i = 0; i < 4; i++) {
      later(61_000);
      outboxOf(bot).kick();
      await bot.core.settled();
    }
    expect(slack.calls.filter((c) => c.channel === 'CDEAD').map((c) => c.reply.text)).toEqual(['dead 1', 'dead 2']);
    const entries = (await ledger()).filter((e) => String(e.messageId).startsWith('dead-msg'));
    expect(entries.map((e) => [e.messageId, e.outcome, e.attempts])).toEqual([
      ['dead-msg-1', 'delivered', 2],
      ['dead-msg-2', 'delivered', 2],
    ]);
  });

  it('gives what it still holds to the other processes when it stops, so none waits out a lease', async () => {
    const other = await anotherProcess(bot, { now });
    let calls = 0;
    const limited = recordingSender('slack', (c) =>
      c.channel === 'CSTOP' && calls++ === 0 ? new DeliveryFailure('rate_limited', '429', 1000) : undefined,
    );
    other.core.registerSender(limited);
    const box = outboxOf(other);
    for (let i = 1; i <= 3; i++)
      await box.toChannel('slack:CSTOP', { text: `stop ${i}`, visibility: 'channel' }, { tenant });
    await other.core.settled();
    expect(limited.calls).toEqual([]);
    await other.close();
    const slack = recordingSender('slack');
    bot.core.registerSender(slack);
    later(2_000);
    // A few looks on the same clock (no lease runs out meanwhile): a look may come while the hand-back is being read.
    const stops = () => slack.calls.filter((c) => c.channel === 'CSTOP').map((c) => c.reply.text);
    for (let i = 0; i < 5 && stops().length < 3; i++) {
      outboxOf(bot).kick();
      await bot.core.settled();
    }
    expect(stops()).toEqual(['stop 1', 'stop 2', 'stop 3']);
    expect((await waiting()).filter((m) => m.lane === 'slack:CSTOP')).toEqual([]);
  });
});
