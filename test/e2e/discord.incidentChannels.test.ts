// Major incident rooms on Discord as channels, with DISCORD_INCIDENT_CATEGORY, through discord.js and the fake
// Discord: the card's Declare button makes a text channel inc-<n>-<slug> under the category, its topic the status
// and commander (set again on each change), the card in it and pinned, the responders mentioned; resolving leaves it
// open; it is renamed closed-… SWITCHBOARD_ROOM_ARCHIVE_DAYS after the ticket closes; without Manage Channels the
// incident is declared all the same and says why.
// @module-tag time-of-day

import { afterEach, describe, expect, it } from 'vitest';
import type { Reply } from '../../src/present/reply.ts';
import { buttonOf, type DiscordTestBot, startDiscordTestBot, textOf } from '../support/fakeDiscordBot.ts';
import type { FakeChannel } from '../support/fakeDiscordPayloads.ts';

const DAY = 86_400_000;
// Moved by the test only: the job engine sees days pass when the test says so.
let clock = new Date('2026-03-10T12:00:00Z');
let t: DiscordTestBot;

afterEach(async () => {
  await t?.close();
});

async function start(): Promise<void> {
  clock = new Date('2026-03-10T12:00:00Z');
  t = await startDiscordTestBot({ incidentCategory: true, now: () => clock });
}

/** A P1 incident's card, opened by the admin in the service desk channel, with its Declare button pressed. */
async function declared(title: string): Promise<string> {
  const opened = await t.answer(t.slash(t.admin, 'ticket', 'new', { title, type: 'incident', priority: 'P1' }));
  const card = opened.message;
  if (!card) throw new Error('no card');
  const pressed = t.press(t.admin, buttonOf(card, 'a|incident.declare|'), card.id);
  return textOf((await t.answer(pressed)).message);
}

const asAdmin = async (command: string, text: string): Promise<Reply> => {
  const r = await t.bot.core.handle({
    actor: { id: `discord:${t.admin.id}`, platform: 'discord', displayName: 'Root Admin' },
    origin: { platform: 'discord', workspace: t.fake.guild.id, channel: t.channel.id },
    command,
    text,
  });
  expect(r.error, r.text).toBeUndefined();
  return r;
};

const category = (): FakeChannel => [...t.fake.channels.values()].find((c) => c.type === 4) as FakeChannel;

describe('major incident rooms on Discord, under DISCORD_INCIDENT_CATEGORY', () => {
  it('a channel under the category: topic kept, card pinned, responders mentioned; closed-… days after close', async () => {
    await start();
    const told = await declared('VPN down for everyone');
    expect(told).toContain('INC-1 declared a SEV1 major incident');
    expect(told).toContain('The room is open: #inc-1-vpn-down-for-everyone');
    expect(told).not.toContain('Note:');

    const room = [...t.fake.channels.values()].find((c) => c.name === 'inc-1-vpn-down-for-everyone') as FakeChannel;
    expect(room).toMatchObject({
      type: 0,
      parent_id: category().id,
      topic: 'INC-1 SEV1 · investigating · commander Root Admin',
    });
    expect(t.fake.sent('POST', `/guilds/${t.fake.guild.id}/channels`).map((r) => r.body.parent_id)).toEqual([
      category().id,
    ]);
    expect(t.fake.sent('POST', `/channels/${t.channel.id}/threads`)).toEqual([]);
    const [card, responders] = t.fake.channelMessages(room.id);
    expect(textOf(card)).toContain('INC-1 · SEV1 major incident · investigating');
    expect(t.fake.rooms.pins.get(room.id)).toEqual([card?.id]);
    expect(responders?.content).toBe(`Responders: <@${t.admin.id}>`);
    expect(responders?.allowed_mentions).toEqual({ users: [t.admin.id] });
    // One line in the channel it came from links to the room.
    await t.bot.core.services.outbox.drained();
    expect(
      t.fake
        .channelMessages(t.channel.id)
        .filter((m) => textOf(m).includes('Its room'))
        .map(textOf),
    ).toEqual([expect.stringContaining(`https://discord.com/channels/${t.fake.guild.id}/${room.id}`)]);

    // Each change sets the topic again; the room's lines go to the channel.
    await asAdmin('incident', 'status identified "bad config push" --incident INC-1');
    expect(room.topic).toBe('INC-1 SEV1 · identified · commander Root Admin');
    await asAdmin('incident', 'status resolved "config restored" --incident INC-1');
    expect(room.topic).toBe('INC-1 SEV1 · resolved · commander Root Admin');
    await t.bot.core.services.outbox.drained();
    expect(t.fake.channelMessages(room.id).some((m) => textOf(m).includes('INC-1 is resolved'))).toBe(true);

    // Resolved, it stays open to be read back; renamed closed-… 7 days (the default) after the ticket closes.
    await asAdmin('ticket', 'resolve INC-1 config restored');
    await asAdmin('ticket', 'close INC-1');
    await t.bot.core.settled();
    clock = new Date(clock.getTime() + 7 * DAY - 60_000);
    await t.bot.jobs.drained();
    expect(room.name).toBe('inc-1-vpn-down-for-everyone');
    clock = new Date(clock.getTime() + 2 * 60_000);
    await t.bot.jobs.drained();
    await t.fake.waitFor(() => room.name === 'closed-inc-1-vpn-down-for-everyone', 'the room renamed');
    expect(t.fake.sent('PATCH', `/channels/${room.id}`).filter((r) => 'name' in r.body)).toHaveLength(1);
  });

  it('without Manage Channels (50013) it is declared all the same, and says why', async () => {
    await start();
    t.fake.rooms.noManageChannels = true;
    const told = await declared('Mail queue stuck');
    expect(told).toContain('INC-1 declared a SEV1 major incident');
    expect(told).toContain('No room was opened on Discord: the bot lacks the Manage Channels permission');
    expect([...t.fake.channels.values()].filter((c) => c.type === 0)).toHaveLength(2); // the guild's own two
    expect((await asAdmin('incident', 'roles INC-1')).text).toContain('commander: Root Admin');
  });
});
