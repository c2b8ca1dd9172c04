// The outbox on the real database: card updates go through it, every message is delivered once (restarts, two
// processes), permanent failures are recorded and not retried, and a 429 on one channel holds back only that channel.
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsoleAdapter } from '../../adapters/console/index.ts';
import { DeliveryFailure } from '../../src/present/sender.ts';
import { ticketCard } from '../../src/present/ticketCard.ts';
import type { Outbox } from '../../src/services/outbox.ts';
import { anotherProcess, personAt, startTestBot, type TestBot } from '../support/harness.ts';
import { recordingSender, type SentCall } from '../support/recordingSender.ts';

let clock = new Date('2026-03-10T12:00:00Z');
const now = () => clock;
const later = (ms: number) => {
  clock = new Date(clock.getTime() + ms);
};
let bot: TestBot;
let root: (line: string) => Promise<{ card?: { ticketId: string }; list?: string[]; text: string; error?: string }>;
const tenant = 'console:local';
const outboxOf = (b: { core: { services: { outbox: Outbox } } }) => b.core.services.outbox;
const waiting = () => bot.db.connection.collection('outbox').find({}).toArray();
const ledger = () => bot.db.connection.collection('outbox_ledger').find({}).toArray();

async function ticketWithCard(platform: 'slack' | 'discord', channel: string, title: string): Promise<string> {
  const id = (await root(`/ticket new "${title}"`)).card?.ticketId as string;
  await bot.core.recordCard({
    tenant,
    ticketId: id,
    platform,
    channel,
    messageId: `${channel}-card`,
    thread: `${channel}-thread`,
  });
  return id;
}

beforeAll(async () => {
  bot = await startTestBot({ now });
  root = personAt(bot.core, 'root');
});
afterAll(async () => {
  await bot?.close();
});

describe('card updates through the outbox', () => {
  it('shows the card anew and tells its thread, and the ledger says so', async () => {
    const slack = recordingSender('slack');
    bot.core.registerSender(slack);
    const id = await ticketWithCard('slack', 'CCARD', 'Printer jam');
    await root(`/ticket assign ${id} me`);
    await bot.core.settled();
    expect(slack.calls.map((c) => [c.op, c.channel, c.messageId ?? c.thread])).toEqual([
      ['edit', 'CCARD', 'CCARD-card'],
      ['post', 'CCARD', 'CCARD-thread'],
    ]);
    expect(slack.calls[0]?.reply.header).toBe(`${id} · Printer jam`);
    expect(slack.calls[1]?.reply.text).toBe(`root assigned ${id} to root`);
    expect(await waiting()).toEqual([]);
    const shown = await root(`/ticket show ${id} --deliveries`);
    expect(shown.list).toEqual([
      expect.stringMatching(/^\d\d:\d\d card update → slack #CCARD: delivered$/),
      expect.stringMatching(/^\d\d:\d\d thread line → slack #CCARD \(thread\): delivered$/),
    ]);
  });
});

describe('delivered once', () => {
  it('delivers after a restart what was written while nobody could deliver it', async () => {
    const id = await ticketWithCard('discord', '900', 'Queued while down');
    await root(`/ticket start ${id}`);
    await bot.core.settled();
    // No Discord here: the two messages wait in the outbox, as they would across a restart.
    expect((await waiting()).filter((m) => m.ticketId === id)).toHaveLength(2);
    const next = await anotherProcess(bot, { now });
    try {
      const discord = recordingSender('discord');
      next.core.registerSender(discord);
      await next.core.settled();
      expect(discord.calls.map((c) => c.op)).toEqual(['edit', 'post']);
      expect((await waiting()).filter((m) => m.ticketId === id)).toEqual([]);
    } finally {
      await next.close();
    }
  });

  it('takes over a delivery whose process died holding the claim, once the lease is over', async () => {
    const id = await ticketWithCard('discord', '901', 'Died mid-delivery');
    await root(`/ticket start ${id}`);
    await bot.core.settled();
    const [edit] = (await waiting()).filter((m) => m.ticketId === id && m.op === 'edit');
    // A process claimed attempt 0 and died before recording anything.
    await bot.db.connection
      .collection('outbox_claims')
      .insertOne({ _id: `${edit?._id}#0` as never, at: clock, owner: 'dead' });
    const next = await anotherProcess(bot, { now });
    try {
      const discord = recordingSender('discord');
      next.core.registerSender(discord);
      await next.core.settled();
      // The thread line (another lane) went; the card update waits for its claim.
      expect(discord.calls.map((c) => c.op)).toEqual(['post']);
      later(61_000);
      outboxOf(next).kick();
      await next.core.settled();
      expect(discord.calls.map((c) => c.op)).toEqual(['post', 'edit']);
      const entry = (await ledger()).find((e) => e.messageId === edit?._id);
      expect(entry).toMatchObject({ outcome: 'delivered', attempts: 2 });
    } finally {
      await next.close();
    }
  });

  it('never takes over a delivery whose process is slow but alive (it still beats)', async () => {
    const id = await ticketWithCard('discord', '902', 'Slow mid-delivery');
    await root(`/ticket start ${id}`);
    await bot.core.settled();
    const [edit] = (await waiting()).filter((m) => m.ticketId === id && m.op === 'edit');
    await bot.db.connection
      .collection('outbox_claims')
      .insertOne({ _id: `${edit?._id}#0` as never, at: clock, owner: 'slow' });
    const beats = bot.db.connection.collection<{ _id: string; at: Date }>('process_heartbeats');
    await beats.updateOne({ _id: 'slow' }, { $set: { at: clock } }, { upsert: true });
    const next = await anotherProcess(bot, { now });
    try {
      const discord = recordingSender('discord');
      next.core.registerSender(discord);
      await next.core.settled();
      for (let i = 0; i < 3; i++) {
        later(61_000);
        await beats.updateOne({ _id: 'slow' }, { $set: { at: clock } });
        outboxOf(next).kick();
        await next.core.settled();
      }
      expect(discord.calls.map((c) => c.op)).toEqual(['post']);
      // It stops beating: it died; after the lease its delivery is taken over.
      later(61_000);
      outboxOf(next).kick();
      await next.core.settled();
      later(61_000);
      outboxOf(next).kick();
      await next.core.settled();
      expect(discord.calls.map((c) => c.op)).toEqual(['post', 'edit']);
    } finally {
      await next.close();
    }
  });

  it('sends a keyed message once, however often the work that sends it runs, before and after delivery', async () => {
    const tenant = 'console:local';
    const console = recordingSender('console');
    bot.core.registerSender(console);
    const me = await bot.core.services.people.recognise(
      tenant,
      { identity: 'console:keyed', displayName: 'keyed' },
      clock,
    );
    const send = () =>
      outboxOf(bot).toPerson(tenant, me.person.id, { text: 'Keyed once', visibility: 'channel' }, {}, 'test:keyed-1');
    // Twice while it waits, then again after it was delivered and left the outbox (a job run again).
    expect(await send()).toHaveLength(1);
    expect(await send()).toEqual([]);
    await bot.core.settled();
    expect(await send()).toEqual([]);
    const other = await anotherProcess(bot, { now });
    try {
      other.core.registerSender(console);
      expect(
        await outboxOf(other).toPerson(
          tenant,
          me.person.id,
          { text: 'Keyed once', visibility: 'channel' },
          {},
          'test:keyed-1',
        ),
      ).toEqual([]);
      await other.core.settled();
    } finally {
      await other.close();
    }
    await bot.core.settled();
    expect(console.calls.filter((c) => c.reply.text === 'Keyed once')).toHaveLength(1);
    expect((await waiting()).filter((m) => String(m._id).includes('test:keyed-1'))).toEqual([]);
  });

  it('sends a keyed message once when the process writing it cannot deliver it: whoever delivers finds it sent', async () => {
    const console = recordingSender('console');
    bot.core.registerSender(console);
    const me = await bot.core.services.people.recognise(
      tenant,
      { identity: 'console:unheld', displayName: 'unheld' },
      clock,
    );
    const text = 'Keyed, no writer';
    const sentSoFar = () => console.calls.filter((c) => c.reply.text === text);
    const mine = async () => (await waiting()).filter((m) => String(m._id).includes('test:unheld-1'));
    // The other process runs no terminal: what it writes for one has no writer, and this one delivers it.
    const other = await anotherProcess(bot, { now });
    try {
      const send = () =>
        outboxOf(other).toPerson(tenant, me.person.id, { text, visibility: 'channel' }, {}, 'test:unheld-1');
      expect(await send()).toHaveLength(1);
      expect((await mine()).map((m) => m.writer)).toEqual([null]);
      outboxOf(bot).kick();
      await bot.core.settled();
      expect(sentSoFar()).toHaveLength(1);
      expect(await mine()).toEqual([]);
      // Written again after it left the outbox (a job run again): no key refuses the write; the first copy's claim
      // refuses the delivery, and its finish mark lets this copy go unsent.
      expect(await send()).toHaveLength(1);
      expect(await mine()).toHaveLength(1);
      outboxOf(bot).kick();
      await bot.core.settled();
      await outboxOf(bot).drained();
      expect(sentSoFar()).toHaveLength(1);
      expect(await mine()).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('delivers each message once with two processes on one database, in order per channel', async () => {
    const order: SentCall[] = [];
    const a = recordingSender('slack', (c) => void order.push(c));
    const other = await anotherProcess(bot, { now });
    try {
      const b = recordingSender('slack', (c) => void order.push(c));
      bot.core.registerSender(a);
      other.core.registerSender(b);
      // Each process writes its own messages one after another; the two write at once.
      const write = async (box: Outbox, parity: number) => {
        for (let i = parity; i < 40; i += 2) {
          await box.toChannel(`slack:CTWO${i % 4}`, { text: `n${i}`, visibility: 'channel' }, { tenant });
        }
      };
      await Promise.all([write(outboxOf(bot), 1), write(outboxOf(other), 0)]);
      await Promise.all([bot.core.settled(), other.core.settled()]);
      await Promise.all([bot.core.settled(), other.core.settled()]);
      const texts = [...a.calls, ...b.calls].map((c) => c.reply.text).sort();
      expect(texts).toHaveLength(40);
      expect(new Set(texts).size).toBe(40);
      // Which process wins each lane is a race; that no message goes twice is the point.
      expect(a.calls.length + b.calls.length).toBe(40);
      // Per channel, what one process wrote goes out in the order it wrote it, whoever delivers it.
      for (let ch = 0; ch < 4; ch++) {
        for (const parity of [0, 1]) {
          const seen = order
            .filter((c) => c.channel === `CTWO${ch}`)
            .map((c) => Number(c.reply.text.slice(1)))
            .filter((n) => n % 2 === parity);
          expect(seen).toEqual([...seen].sort((x, y) => x - y));
        }
      }
    } finally {
      await other.close();
    }
  });
});

describe('failures', () => {
  it('records a permanent failure (403 not_in_channel) and does not retry it', async () => {
    let tries = 0;
    const slack = recordingSender('slack', (c) => {
      if (c.channel !== 'CNOPE') return undefined;
      tries++;
      return new DeliveryFailure('permanent', '403 not_in_channel');
    });
    bot.core.registerSender(slack);
    const id = await outboxOf(bot).toChannel('slack:CNOPE', { text: 'hello', visibility: 'channel' }, { tenant });
    await bot.core.settled();
    later(3_600_000);
    outboxOf(bot).kick();
    await bot.core.settled();
    expect(tries).toBe(1);
    expect((await ledger()).find((e) => e.messageId === id)).toMatchObject({
      outcome: 'failed',
      reason: '403 not_in_channel',
      attempts: 1,
    });
    expect((await waiting()).find((m) => m._id === (id as never))).toBeUndefined();
  });

  it('waits out a 429 on one channel while other channels keep going', async () => {
    let limited = 0;
    const slack = recordingSender('slack', (c) => {
      if (c.channel === 'CBUSY' && limited++ === 0)
        return new DeliveryFailure('rate_limited', '429 rate limited (retry after 60 s)', 60_000);
      return undefined;
    });
    bot.core.registerSender(slack);
    const box = outboxOf(bot);
    const busy = await box.toChannel('slack:CBUSY', { text: 'busy 1', visibility: 'channel' }, { tenant });
    await box.toChannel('slack:CBUSY', { text: 'busy 2', visibility: 'channel' }, { tenant });
    for (let i = 0; i < 5; i++)
      await box.toChannel('slack:CFREE', { text: `free ${i}`, visibility: 'channel' }, { tenant });
    await bot.core.settled();
    // Channel B went at once; channel A waits its 60 s, in order.
    expect(slack.calls.map((c) => c.reply.text)).toEqual(['free 0', 'free 1', 'free 2', 'free 3', 'free 4']);
    later(61_000);
    box.kick();
    await bot.core.settled();
    expect(slack.calls.map((c) => c.reply.text).slice(5)).toEqual(['busy 1', 'busy 2']);
    expect((await ledger()).find((e) => e.messageId === busy)).toMatchObject({
      outcome: 'delivered',
      reason: 'after waiting out 1× 429',
    });
  });

  it('retries a transient failure with back-off, and gives up after the last attempt, saying why', async () => {
    let flaky = 0;
    const slack = recordingSender('slack', (c) => {
      if (c.channel === 'CFLAKY' && flaky++ < 2) return new Error('socket hang up');
      if (c.channel === 'CDOWN') return new Error('ECONNREFUSED');
      return undefined;
    });
    bot.core.registerSender(slack);
    const box = outboxOf(bot);
    const recovered = await box.toChannel('slack:CFLAKY', { text: 'eventually', visibility: 'channel' }, { tenant });
    const lost = await box.toChannel('slack:CDOWN', { text: 'never', visibility: 'channel' }, { tenant });
    for (let i = 0; i < 10; i++) {
      await bot.core.settled();
      later(600_000);
      box.kick();
    }
    await bot.core.settled();
    const entries = await ledger();
    expect(entries.find((e) => e.messageId === recovered)).toMatchObject({ outcome: 'delivered', attempts: 3 });
    expect(entries.find((e) => e.messageId === lost)).toMatchObject({
      outcome: 'failed',
      attempts: 8,
      reason: 'gave up after 8 attempts: ECONNREFUSED',
    });
  });
});

describe('a retry while the bot clock stands still', () => {
  it('goes once its back-off has passed in elapsed time (a test clock that stands still holds back nothing)', async () => {
    let failed = 0;
    const slack = recordingSender('slack', (c) => {
      if (c.channel === 'CSTILL' && failed++ < 1) return new Error('socket hang up');
      return undefined;
    });
    bot.core.registerSender(slack);
    const id = await outboxOf(bot).toChannel('slack:CSTILL', { text: 'held?', visibility: 'channel' }, { tenant });
    // The clock is not moved: only elapsed time can let the second attempt go.
    const until = performance.now() + 10_000;
    while (!slack.calls.some((c) => c.channel === 'CSTILL') && performance.now() < until) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await bot.core.settled();
    expect(slack.calls.filter((c) => c.channel === 'CSTILL').map((c) => c.reply.text)).toEqual(['held?']);
    expect((await ledger()).find((e) => e.messageId === id)).toMatchObject({ outcome: 'delivered', attempts: 2 });
  });
});

/** A Slack and a Discord sender that record, and the people service of the console tenant. */
function dmSetup() {
  const slack = recordingSender('slack');
  const discord = recordingSender('discord');
  bot.core.registerSender(slack);
  bot.core.registerSender(discord);
  return { slack, discord, people: bot.core.services.people, acme: 'console:local' };
}

describe('messages to a person', () => {
  it('sends a DM on every platform identity the person has linked', async () => {
    const { slack, discord, people, acme } = dmSetup();
    const onSlack = await people.recognise(acme, { identity: 'slack:UDM1', displayName: 'dee' }, clock);
    const code = await people.startLink(acme, 'slack:UDM1', clock);
    await people.recognise(acme, { identity: 'discord:555', displayName: 'dee' }, clock);
    await people.finishLink(acme, 'discord:555', code, clock);
    const ids = await outboxOf(bot).toPerson(acme, onSlack.person.id, { text: 'You are paged', visibility: 'channel' });
    expect(ids).toHaveLength(2);
    await bot.core.settled();
    expect(slack.calls.filter((c) => c.op === 'dm').map((c) => c.channel)).toEqual(['UDM1']);
    expect(discord.calls.filter((c) => c.op === 'dm').map((c) => c.channel)).toEqual(['555']);
  });

  it('DMs every identity of a person another process recognised after a link: the link says the first is not alone', async () => {
    const { slack, discord, people, acme } = dmSetup();
    const stored = (identity: string) =>
      bot.db.connection.collection('identities').findOne({ _id: `${acme}/${identity}` as never });
    const onSlack = await people.recognise(acme, { identity: 'slack:UDM2', displayName: 'eli' }, clock);
    // Nobody joined them yet: the identity they were recognised by is all they have (a DM to them reads nothing).
    expect((await stored('slack:UDM2'))?.alone).toBe(true);
    const code = await people.startLink(acme, 'slack:UDM2', clock);
    await people.recognise(acme, { identity: 'discord:556', displayName: 'eli' }, clock);
    await people.finishLink(acme, 'discord:556', code, clock);
    expect((await stored('slack:UDM2'))?.alone).toBe(false);
    const other = await anotherProcess(bot, { now });
    try {
      await other.core.services.people.recognise(acme, { identity: 'slack:UDM2', displayName: 'eli' }, clock);
      const ids = await outboxOf(other).toPerson(acme, onSlack.person.id, {
        text: 'Eli, paged',
        visibility: 'channel',
      });
      expect(ids).toHaveLength(2);
    } finally {
      await other.close();
    }
    outboxOf(bot).kick();
    await bot.core.settled();
    expect(slack.calls.filter((c) => c.op === 'dm').map((c) => c.channel)).toEqual(['UDM2']);
    expect(discord.calls.filter((c) => c.op === 'dm').map((c) => c.channel)).toEqual(['556']);
  });
});

describe('cards the outbox sends', () => {
  it('records a card sent by DM, so it shows later changes too', async () => {
    const slack = recordingSender('slack');
    bot.core.registerSender(slack);
    const id = (await root('/ticket new "Card by DM"')).card?.ticketId as string;
    const ada = await bot.core.services.people.recognise(
      tenant,
      { identity: 'slack:UCARD', displayName: 'ada' },
      clock,
    );
    const ticket = await bot.core.services.tickets.getTicket(
      {
        tenant,
        person: ada.person,
        role: 'admin',
        source: { platform: 'slack', workspace: 'T1' },
        now: clock,
        timezone: 'UTC',
      },
      id,
    );
    await outboxOf(bot).toPerson(tenant, ada.person.id, ticketCard(ticket, clock, 'UTC'), { ticketId: id });
    await bot.core.settled();
    expect(await bot.core.cardsFor(tenant, id)).toEqual([
      { tenant, ticketId: id, platform: 'slack', channel: 'DM-UCARD', messageId: 'm1', thread: undefined },
    ]);
    await root(`/ticket start ${id}`);
    await bot.core.settled();
    expect(slack.calls.map((c) => [c.op, c.channel])).toEqual([
      ['dm', 'UCARD'],
      ['edit', 'DM-UCARD'],
    ]);
  });
});

describe('the terminal at the port', () => {
  it('prints what is posted to the console and what is sent to its person', async () => {
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = '';
    output.on('data', (b) => (printed += b));
    const terminal = createConsoleAdapter({
      core: bot.core,
      user: 'root',
      input,
      output,
      interactive: false,
      onEnd: () => {},
    });
    await terminal.start();
    try {
      await outboxOf(bot).toChannel('console', { text: 'Change review at 10:00', visibility: 'channel' }, { tenant });
      const me = await bot.core.services.people.recognise(
        tenant,
        { identity: 'console:root', displayName: 'root' },
        clock,
      );
      await outboxOf(bot).toPerson(tenant, me.person.id, { text: 'You are on call', visibility: 'channel' });
      await bot.core.settled();
      expect(printed).toContain('· Change review at 10:00\n');
      expect(printed).toContain('· to root: You are on call\n');
    } finally {
      input.end();
      await terminal.stop();
      // The other tests' platforms deliver again.
      bot.core.registerSender(recordingSender('console'));
    }
  });
});
