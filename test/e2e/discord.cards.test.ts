// Ticket cards on Discord: buttons through the lifecycle, edits in place, the thread, and "Open ticket".

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ticketTextOf } from '../../src/core/ticketText.ts';
import {
  buttonLabels,
  buttonOf,
  type DiscordTestBot,
  eventually,
  isEphemeral,
  startDiscordTestBot,
  textOf,
} from '../support/fakeDiscordBot.ts';
import { personAt } from '../support/harness.ts';

let t: DiscordTestBot;
let cardId: string;
let threadId: string;

beforeAll(async () => {
  t = await startDiscordTestBot();
  await t.answer(t.slash(t.admin, 'role', 'grant', { user: t.alice, role: 'agent' }));
  const a = await t.answer(t.slash(t.admin, 'ticket', 'new', { title: 'Payroll export fails', service: 'payroll' }));
  cardId = a.message?.id as string;
  threadId = (await t.fake.waitFor(() => t.fake.messages.get(cardId)?.thread, 'the card thread')).id;
});
afterAll(async () => {
  await t?.close();
});

const card = () => t.fake.messages.get(cardId);
const field = (name: string) => card()?.embeds[0]?.fields.find((f: any) => f.name === name)?.value;
const threadSays = () => t.fake.channelMessages(threadId).map((m) => m.content);

/** Presses a card button and waits until the card shows `state`. */
async function pressUntil(prefix: string, state: string) {
  const id = t.press(t.alice, buttonOf(card(), prefix), cardId);
  const a = await t.answer(id);
  await t.fake.waitFor(() => field('State') === state, `the card to show ${state}`);
  return a;
}

describe('buttons through the lifecycle', () => {
  it('Assign to me assigns the presser; the card is edited in place and the thread hears it', async () => {
    const a = await pressUntil('a|ticket.assign|', 'assigned');
    expect(isEphemeral(a.message)).toBe(true);
    expect(textOf(a.message)).toContain('INC-1 is assigned to Alice Liddell');
    expect(field('Assignee')).toBe('Alice Liddell');
    expect(t.fake.sent('PATCH', `/channels/${t.channel.id}/messages/${cardId}`).length).toBeGreaterThan(0);
    await t.fake.waitFor(() => threadSays().some((s) => /assigned/i.test(s)), 'a summary in the thread');
    expect(buttonLabels(card())).toEqual(['Assign to me', 'Start', 'Resolve']);
  });

  it('Start moves it to in progress and drops the Start button', async () => {
    await pressUntil('a|ticket.start|', 'in_progress');
    expect(buttonLabels(card())).toEqual(['Assign to me', 'Resolve']);
  });

  it('Resolve opens a modal for the note; submitting it resolves the ticket', async () => {
    const id = t.press(t.alice, buttonOf(card(), 'm|ticket.resolve|'), cardId);
    const a = await t.answer(id);
    expect(a.callbackType).toBe(9);
    expect(a.modal.title).toBe('Resolve INC-1');
    expect(a.modal.components[0].component).toMatchObject({ custom_id: 'resolution', style: 2, required: true });
    const sub = t.submit(t.alice, a.modal.custom_id, { resolution: 'Re-ran the export with the fixed template' });
    const done = await t.answer(sub);
    expect(isEphemeral(done.message)).toBe(true);
    await t.fake.waitFor(() => field('State') === 'resolved', 'the card to show resolved');
    expect(field('Resolution')).toBe('Re-ran the export with the fixed template');
    expect(buttonLabels(card())).toEqual(['Close', 'Reopen']);
  });

  it('Reopen and Close finish the walk; the database agrees with the card', async () => {
    await pressUntil('a|ticket.reopen|', 'in_progress');
    const id = t.press(t.alice, buttonOf(card(), 'm|ticket.resolve|'), cardId);
    const a = await t.answer(id);
    await t.answer(t.submit(t.alice, a.modal.custom_id, { resolution: 'Fixed for real' }));
    await t.fake.waitFor(() => field('State') === 'resolved', 'resolved again');
    await pressUntil('a|ticket.close|', 'closed');
    expect(buttonLabels(card())).toEqual([]);
    const shown = await t.show('INC-1');
    expect(shown.fields).toContainEqual({ label: 'State', value: 'closed', inline: true });
    expect(shown.fields?.find((f) => f.label === 'Resolution')?.value).toBe('Fixed for real');
  });

  it('a button pressed twice (stale card) is refused ephemerally', async () => {
    const id = t.press(t.alice, 'a|ticket.start|INC-1', cardId);
    const a = await t.answer(id);
    expect(isEphemeral(a.message)).toBe(true);
    expect(textOf(a.message)).toContain('INC-1 is closed');
  });
});

describe('the ticket thread', () => {
  it('a message in the thread becomes a comment (once), acknowledged with a reaction', async () => {
    const a = await t.answer(t.slash(t.admin, 'ticket', 'new', { title: 'Wi-Fi in room 4 is down' }));
    const id = a.message?.id as string;
    const thread = await t.fake.waitFor(() => t.fake.messages.get(id)?.thread, 'thread');
    const said = t.say(t.alice, 'Rebooted the access point, looking better', thread);
    t.fake.dispatch('MESSAGE_CREATE', said); // the same message delivered twice
    const shown = await eventually(async () => {
      const r = await t.show('INC-2');
      return r.text.includes('Rebooted the access point') ? r : undefined;
    }, 'the comment on INC-2');
    expect(shown.text.match(/Rebooted the access point/g)?.length).toBe(1);
    expect(shown.text).toContain('Alice Liddell: Rebooted the access point, looking better');
    await t.fake.waitFor(() => t.fake.messages.get(said.id)?.reactions.includes('✅'), 'a ✅ reaction on the comment');
    // Its own comment is not echoed back into the thread as a summary.
    await t.bot.core.settled();
    expect(t.fake.channelMessages(thread.id).some((m) => m.content.includes('comment'))).toBe(false);
  });

  it('a thread message with an invisible control character is still taken as the comment', async () => {
    const a = await t.answer(t.slash(t.admin, 'ticket', 'new', { title: 'Nightly export' }));
    const ticketId = /^(\S+) ·/.exec(a.message?.embeds[0]?.title)?.[1] as string;
    const thread = await t.fake.waitFor(() => t.fake.messages.get(a.message?.id as string)?.thread, 'thread');
    const said = t.say(t.alice, 'Pasted from the console:\u001b[0m export ok', thread);
    await t.fake.waitFor(() => t.fake.messages.get(said.id)?.reactions.includes('✅'), 'a ✅ on the comment');
    const shown = await t.show(ticketId);
    expect(shown.text).toContain('Pasted from the console: [0m export ok');
  });

  it('a ticket opened from inside a ticket thread does not take that thread over', async () => {
    const thread = t.fake.channels.get(threadId) as any;
    const a = await t.answer(t.slash(t.admin, 'ticket', 'new', { title: 'Spin-off from payroll' }, thread));
    expect(a.message?.channel_id).toBe(threadId);
    const ticketId = /^(\S+) ·/.exec(a.message?.embeds[0]?.title)?.[1] as string;
    const tenant = t.bot.core.tenantOf('discord', t.fake.guild.id);
    const [card] = await eventually(async () => {
      const c = await t.bot.core.cardsFor(tenant, ticketId);
      return c.length ? c : undefined;
    }, 'the spin-off card');
    expect(card).toMatchObject({ channel: threadId, thread: undefined });
    expect(t.fake.messages.get(a.message?.id as string)?.thread).toBeUndefined();
    expect(await t.bot.core.ticketForThread('discord', t.channel.id, threadId)).toMatchObject({ ticketId: 'INC-1' });
  });

  it('bots and messages outside ticket threads are ignored', async () => {
    const before = t.fake.requests.length;
    t.say({ ...t.alice, bot: true }, 'I am a bot', t.fake.channels.get(threadId) as any);
    t.say(t.alice, 'just chatting', t.channel);
    await new Promise((r) => setTimeout(r, 200));
    expect(t.fake.requests.slice(before).filter((r) => r.method !== 'GET')).toEqual([]);
  });
});

describe('changes from elsewhere', () => {
  it('a change made outside Discord edits the Discord card and posts to its thread', async () => {
    const a = await t.answer(t.slash(t.admin, 'ticket', 'new', { title: 'Badge reader at the door' }));
    const id = a.message?.id as string;
    const ticketId = /^(\S+) ·/.exec(a.message?.embeds[0]?.title)?.[1] as string;
    const thread = await t.fake.waitFor(() => t.fake.messages.get(id)?.thread, 'thread');
    await eventually(
      async () => (await t.bot.core.cardsFor(t.bot.core.tenantOf('discord', t.fake.guild.id), ticketId))[0]?.thread,
      'card',
    );
    // A text invocation, as Slack or the terminal would make it, in the same organisation.
    const reply = await personAt(
      t.bot.core,
      '100000000000000001',
      'discord',
      t.fake.guild.id,
    )(`ticket priority ${ticketId} P1`);
    expect(reply.text).toContain(`${ticketId} is now P1`);
    await t.fake.waitFor(
      () => t.fake.messages.get(id)?.embeds[0]?.fields.find((f: any) => f.name === 'Priority')?.value === 'P1',
      'the card to show P1',
    );
    await t.fake.waitFor(
      () => t.fake.channelMessages(thread.id).some((m) => /P1/.test(m.content)),
      'the summary in the thread',
    );
  });
});

describe('a deleted card', () => {
  it('is forgotten at the next change: no more edits, no more thread posts', async () => {
    const a = await t.answer(t.slash(t.admin, 'ticket', 'new', { title: 'Card that will be deleted' }));
    const id = a.message?.id as string;
    const ticketId = /^(\S+) ·/.exec(a.message?.embeds[0]?.title)?.[1] as string;
    const tenant = t.bot.core.tenantOf('discord', t.fake.guild.id);
    await eventually(async () => (await t.bot.core.cardsFor(tenant, ticketId))[0]?.thread, 'card');
    (t.fake.messages.get(id) as { deleted: boolean }).deleted = true;
    const admin = personAt(t.bot.core, '100000000000000001', 'discord', t.fake.guild.id);
    await admin(`ticket priority ${ticketId} P1`);
    await t.bot.core.settled();
    expect(await t.bot.core.cardsFor(tenant, ticketId)).toEqual([]);
    const before = t.fake.requests.length;
    await admin(`ticket priority ${ticketId} P2`);
    await t.bot.core.settled();
    expect(t.fake.requests.slice(before).filter((r: any) => r.path.includes(id))).toEqual([]);
  });
});

describe('"Open ticket" on a message', () => {
  it('opens a ticket quoting the message with its link, and posts the card', async () => {
    const target = t.say(t.alice, 'The build server is out of disk\nsee /var/log', t.channel);
    const id = t.openTicketFrom(t.admin, target);
    const a = await t.answer(id);
    expect(isEphemeral(a.message)).toBe(false);
    const text = textOf(a.message);
    expect(text).toMatch(/INC-\d+ · The build server is out of disk/);
    const link = `https://discord.com/channels/${t.fake.guild.id}/${t.channel.id}/${target.id}`;
    expect(text).toContain('> The build server is out of disk');
    expect(text).toContain('> see /var/log');
    expect(text).toContain(link);
    await t.fake.waitFor(() => t.fake.messages.get(a.message?.id as string)?.thread, 'its thread');
  });

  it('opens one ticket per message: "Open ticket" on it again, or twice at once, answers with that ticket', async () => {
    const tickets = t.bot.db.connection.collection('tickets_open');
    const before = await tickets.countDocuments({});
    const target = t.say(t.alice, 'The coffee machine leaks', t.channel);
    const [a, b] = await Promise.all([
      t.answer(t.openTicketFrom(t.admin, target)),
      t.answer(t.openTicketFrom(t.alice, target)),
    ]);
    const opened = [a, b].find((x) => !isEphemeral(x.message));
    const other = [a, b].find((x) => isEphemeral(x.message));
    const ticketId = /(INC-\d+) · The coffee machine leaks/.exec(textOf(opened?.message))?.[1] as string;
    expect(ticketId).toBeDefined();
    expect(textOf(other?.message)).toMatch(new RegExp(`already has ${ticketId}|being opened`));

    const again = await t.answer(t.openTicketFrom(t.admin, target));
    expect(isEphemeral(again.message)).toBe(true);
    expect(textOf(again.message)).toContain(`This message already has ${ticketId}.`);
    await t.bot.core.settled();
    expect(await tickets.countDocuments({})).toBe(before + 1);
  });

  it('a long message of many short lines, or one with invisible control characters, still opens a ticket', async () => {
    const lines = t.say(t.alice, Array.from({ length: 2_000 }, (_, i) => `line ${i}`).join('\n'), t.channel);
    const a = await t.answer(t.openTicketFrom(t.admin, lines));
    expect(isEphemeral(a.message)).toBe(false);
    expect(textOf(a.message)).toMatch(/INC-\d+ · line 0/);
    expect(textOf(a.message)).toContain('Description: > line 0\n> line 1');
    // What was stored: cut to the description's limit, ending with the author and the whole link.
    const quoted = ticketTextOf(
      { text: lines.content, author: 'Alice Liddell', link: 'https://discord.com/channels/1/2/3' },
      { title: 200, description: 4000 },
    );
    expect(quoted.description.length).toBeLessThanOrEqual(4000);
    expect(quoted.description).toMatch(/…\n\n— message by Alice Liddell https:\/\/discord\.com\/channels\/1\/2\/3$/);

    const bell = t.say(t.alice, 'Printer\u0007 says PC LOAD LETTER\u0085 again', t.channel);
    const b = await t.answer(t.openTicketFrom(t.admin, bell));
    expect(isEphemeral(b.message)).toBe(false);
    expect(textOf(b.message)).toMatch(/INC-\d+ · Printer says PC LOAD LETTER again/);
  });
});
