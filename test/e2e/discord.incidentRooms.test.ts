// Major incident rooms on Discord, through discord.js and the fake Discord: the card's Declare button opens a public
// thread in the channel the ticket came from, with the responders added and the card in it; a 📌 on a message there
// becomes a timeline entry once (the gateway replaying it too); resolving the incident in its thread archives it; a
// missing permission (50013) still declares and says why; the card is pinned in the thread, and a refused pin is a note;
// two processes (two discord.js clients on one Discord) pressing Declare together open one room.

import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { createDiscordAdapter } from '../../adapters/discord/index.ts';
import type { Reply } from '../../src/present/reply.ts';
import { startFakeDiscord } from '../support/fakeDiscord.ts';
import { buttonOf, type DiscordTestBot, startDiscordTestBot, textOf } from '../support/fakeDiscordBot.ts';
import type { FakeChannel } from '../support/fakeDiscordPayloads.ts';
import { buttonPress, memberOf, userMessage } from '../support/fakeDiscordPayloads.ts';
import { anotherProcess } from '../support/harness.ts';

let t: DiscordTestBot;

afterEach(async () => {
  await t?.close();
});

/** A P1 incident opened by the admin in the service desk channel; resolves with its card. */
async function p1(title: string) {
  const id = t.slash(t.admin, 'ticket', 'new', { title, type: 'incident', priority: 'P1' });
  const a = await t.answer(id);
  if (!a.message) throw new Error('no card');
  return a.message;
}

/** Presses the card's Declare button as the admin; resolves with what they were told. */
async function declare(card: { id: string; components: any[] }): Promise<string> {
  const pressed = t.press(t.admin, buttonOf(card, 'a|incident.declare|'), card.id);
  return textOf((await t.answer(pressed)).message);
}

/** Asks the core directly, as the admin on Discord (the tenant of the fake guild). */
const asAdmin = (text: string): Promise<Reply> =>
  t.bot.core.handle({
    actor: { id: `discord:${t.admin.id}`, platform: 'discord', displayName: 'Root Admin' },
    origin: { platform: 'discord', workspace: t.fake.guild.id, channel: t.channel.id },
    command: 'incident',
    text,
  });

const pin = (user: typeof t.admin, message: { id: string; channel_id: string }) =>
  t.fake.dispatch('MESSAGE_REACTION_ADD', {
    user_id: user.id,
    channel_id: message.channel_id,
    message_id: message.id,
    guild_id: t.fake.guild.id,
    member: memberOf(user),
    emoji: { id: null, name: '📌' },
    burst: false,
    type: 0,
  });

describe('major incident rooms on Discord', () => {
  it('Declare opens a thread with the responders and the card; 📌 once; resolved in the thread, it is archived', async () => {
    t = await startDiscordTestBot();
    const card = await p1('VPN down for everyone');
    const told = await declare(card);
    expect(told).toContain('INC-1 declared a SEV1 major incident');
    expect(told).toContain('The room is open: #inc-1-vpn-down-for-everyone');

    const thread = [...t.fake.channels.values()].find((c) => c.name === 'inc-1-vpn-down-for-everyone') as FakeChannel;
    expect(thread).toMatchObject({ type: 11, parent_id: t.channel.id });
    expect(t.fake.sent('POST', `/channels/${t.channel.id}/threads`).map((r) => r.body.type)).toEqual([11]);
    expect(t.fake.state.threadMembers.get(thread.id)).toContain(t.admin.id);
    const inThread = t.fake.channelMessages(thread.id);
    expect(textOf(inThread[0])).toContain('INC-1 · SEV1 major incident · investigating');
    // The card is pinned in the thread (PUT /channels/{thread}/messages/pins/{card}).
    expect(t.fake.rooms.pins.get(thread.id)).toEqual([inThread[0]?.id]);
    expect(told).not.toContain('Note:');
    // One line in the channel it came from links to the room.
    await t.bot.core.services.outbox.drained();
    const links = t.fake.channelMessages(t.channel.id).filter((m) => textOf(m).includes('Its room'));
    expect(links.map((m) => textOf(m))).toEqual([
      expect.stringContaining(`https://discord.com/channels/${t.fake.guild.id}/${thread.id}`),
    ]);

    // 📌 on Alice's message in the thread: on the timeline once, though the gateway sends it twice.
    const said = t.say(t.alice, 'rolled back the config push', thread);
    pin(t.admin, said);
    pin(t.admin, said);
    await t.fake.waitFor(() => t.fake.messages.get(said.id)?.reactions.includes('✅'), 'the ✅ on the pinned message');
    const timeline = await asAdmin('timeline INC-1');
    expect(timeline.error, timeline.text).toBeUndefined();
    expect((timeline.list ?? []).filter((l) => l.includes('📌'))).toEqual([
      expect.stringContaining('pinned · 📌 Alice Liddell: rolled back the config push'),
    ]);
    // A message the bot never saw (sent while it was away): read through the partials, and on the timeline too.
    const old = userMessage(t.where(t.alice, thread), 'vendor confirmed the firmware bug');
    t.fake.keepUserMessage(old);
    pin(t.admin, old);
    await t.fake.waitFor(() => t.fake.messages.get(old.id)?.reactions.includes('✅'), 'the ✅ on the unseen message');
    expect(t.fake.sent('GET', `/channels/${thread.id}/messages/${old.id}`)).toHaveLength(1);
    // 📌 outside a room is nothing at all.
    const elsewhere = t.say(t.alice, 'lunch?', t.channel);
    pin(t.admin, elsewhere);

    // Resolved from inside the thread (the incident is implied there): the thread is archived.
    const resolved = t.slash(t.admin, 'incident', 'status', { status: 'resolved', what: 'config restored' }, thread);
    expect(textOf((await t.answer(resolved)).message)).toContain('INC-1 is resolved');
    await t.fake.waitFor(() => thread.thread_metadata.archived === true, 'the thread archived');
    expect(t.fake.sent('PATCH', `/channels/${thread.id}`).map((r) => r.body.archived)).toEqual([true]);
    expect(t.fake.messages.get(elsewhere.id)?.reactions).toEqual([]);
    expect(t.fake.channelMessages(t.channel.id).filter((m) => textOf(m).includes('not an incident room'))).toEqual([]);
  });

  it('without Pin Messages (50013) the room opens all the same, and the declarer is told the card is not pinned', async () => {
    t = await startDiscordTestBot();
    t.fake.rooms.noPins = true;
    const told = await declare(await p1('Printer on fire'));
    expect(told).toContain('The room is open: #inc-1-printer-on-fire');
    expect(told).toContain('Note: pinning the card failed: the bot lacks the Pin Messages permission there (50013).');
    const thread = [...t.fake.channels.values()].find((c) => c.name === 'inc-1-printer-on-fire') as FakeChannel;
    expect(textOf(t.fake.channelMessages(thread.id)[0])).toContain('INC-1 · SEV1 major incident');
    expect(t.fake.sent('PUT', /^\/channels\/\d+\/messages\/pins\//).map((r) => r.status)).toEqual([403]);
    expect(t.fake.rooms.pins.size).toBe(0);
  });

  it('without the permission to open threads (50013), it is still declared, and says why', async () => {
    t = await startDiscordTestBot();
    t.fake.state.noThreadsIn.add(t.channel.id);
    const card = await p1('Mail queue stuck');
    const told = await declare(card);
    expect(told).toContain('INC-1 declared a SEV1 major incident');
    expect(told).toContain('No room was opened on Discord: the bot lacks the Create Public Threads permission');
    expect([...t.fake.channels.values()].filter((c) => c.type === 11 || c.type === 12)).toHaveLength(1); // the card's
    const roles = await asAdmin('roles INC-1');
    expect(roles.text).toContain('commander: Root Admin');
  });

  it('two processes pressing Declare at the same moment open one room', async () => {
    t = await startDiscordTestBot();
    await t.answer(t.slash(t.alice, 'help', null));
    const granted = await t.bot.core.handle({
      actor: { id: `discord:${t.admin.id}`, platform: 'discord', displayName: 'Root Admin' },
      origin: { platform: 'discord', workspace: t.fake.guild.id, channel: t.channel.id },
      command: 'role',
      text: `grant discord:${t.alice.id} agent`,
    });
    expect(granted.error, granted.text).toBeUndefined();
    const card = await p1('Core switch down');
    // A second process on the same database, its own discord.js client logged in to the same Discord.
    const other = await anotherProcess(t.bot);
    const second = await startFakeDiscord({ shareWith: t.fake });
    const adapter = createDiscordAdapter({
      core: other.core,
      config: {
        token: second.token,
        applicationId: second.applicationId,
        guildId: second.guild.id,
        apiUrl: second.apiUrl,
        messageContent: true,
        incidentCategory: undefined,
      },
      log: pino({ level: 'silent' }),
    });
    await adapter.start();
    try {
      const declare = buttonOf(card, 'a|incident.declare|');
      const presses = [
        t.press(t.admin, declare, card.id),
        second.interact(buttonPress(t.where(t.alice), declare, t.fake.wire(t.fake.messages.get(card.id) as never))),
      ];
      const answers = await Promise.all(presses.map(async (id) => textOf((await t.answer(id)).message)));
      expect(answers.filter((a) => a.includes('declared a SEV1 major incident'))).toHaveLength(1);
      expect(answers.filter((a) => a.includes('is a major incident already'))).toHaveLength(1);
      const threads = [...t.fake.channels.values()].filter((c) => c.name === 'inc-1-core-switch-down');
      expect(threads).toHaveLength(1);
      const opened = [t.fake, second].flatMap((f) => f.sent('POST', `/channels/${t.channel.id}/threads`));
      expect(opened).toHaveLength(1);
    } finally {
      await adapter.stop();
      await second.close();
      await other.close();
    }
  });
});
