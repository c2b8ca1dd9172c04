// One major incident end to end on Discord, through the real discord.js client and the fake Discord: declared from
// the card's Declare button → its room (a thread) opened with the responders in it and the card pinned → a role
// given in the room → a 📌 becomes a timeline entry → an update-due reminder in the room on the injected clock →
// /incident update to the room, the stakeholder channel and a subscriber's DM, after which the reminder chain stops →
// resolve → the close-out summary in the room, and /incident postmortem posting the draft as a file.
// @module-tag time-of-day

import { afterEach, describe, expect, it } from 'vitest';
import type { Reply } from '../../src/present/reply.ts';
import { ADMIN_ID, buttonOf, type DiscordTestBot, startDiscordTestBot, textOf } from '../support/fakeDiscordBot.ts';
import { type FakeChannel, fakeUser, memberOf } from '../support/fakeDiscordPayloads.ts';
import { personAt } from '../support/harness.ts';

const MIN = 60_000;

// Moved by the test only: the job engine sees minutes pass when the test says so.
let clock = new Date('2026-03-10T12:00:00Z');
let t: DiscordTestBot;

afterEach(async () => {
  await t?.close();
});

const ok = (r: Reply): Reply => {
  expect(r.error, r.text).toBeUndefined();
  return r;
};

/** The clock moves to `at`; the job engine runs what is due then and the outbox delivers it. */
async function moveTo(at: Date): Promise<void> {
  clock = at;
  for (let i = 0; i < 3; i++) {
    await t.bot.jobs.drained();
    await t.bot.core.settled();
    await t.bot.core.services.outbox.drained();
  }
}

/** What the bot posted in a channel or thread, as people read it. */
const postedIn = (channelId: string): string[] => t.fake.channelMessages(channelId).map(textOf);

describe('a major incident on Discord, end to end', () => {
  it('button → room → role → 📌 → reminder → update to stakeholders and a subscriber → resolve → summary and draft', async () => {
    const start = new Date('2026-03-10T12:00:00Z');
    clock = start;
    t = await startDiscordTestBot({ now: () => clock, env: { SWITCHBOARD_UPDATE_CADENCE: '1=30m,2=60m' } });
    const stakeholders = t.fake.guild.channels[1] as FakeChannel;
    const cat = fakeUser('cat', { global_name: 'Cat' });
    t.fake.knowUser(cat);
    // Alice (used Switchboard once) is an agent on call for the team that owns vpn; its channel is the stakeholders'.
    await t.answer(t.slash(t.alice, 'help', null));
    await t.answer(t.slash(cat, 'help', null));
    const admin = personAt(t.bot.core, ADMIN_ID, 'discord', t.fake.guild.id);
    ok(await admin(`/role grant discord:${t.alice.id} agent`));
    ok(await admin(`/team create netops --services vpn --channel #${stakeholders.id}`));
    ok(await admin(`/oncall rotation netops discord:${t.alice.id} --every 1w`));

    // A P1 opened in the service desk channel; its card has the Declare button.
    const opened = await t.answer(
      t.slash(t.admin, 'ticket', 'new', {
        title: 'VPN down for everyone',
        type: 'incident',
        priority: 'P1',
        service: 'vpn',
      }),
    );
    const card = opened.message;
    if (!card) throw new Error('no card');

    // Declare: the thread is opened, the declarer and the on-call person in it, the card posted and pinned there.
    const pressed = t.press(t.admin, buttonOf(card, 'a|incident.declare|'), card.id);
    const declared = textOf((await t.answer(pressed)).message);
    expect(declared).toContain('INC-1 declared a SEV1 major incident');
    expect(declared).toContain('The room is open: #inc-1-vpn-down-for-everyone');
    expect(declared).not.toContain('Note:');
    const room = [...t.fake.channels.values()].find((c) => c.name === 'inc-1-vpn-down-for-everyone') as FakeChannel;
    expect(room).toMatchObject({ type: 11, parent_id: t.channel.id });
    expect(t.fake.sent('POST', `/channels/${t.channel.id}/threads`)).toHaveLength(1);
    expect(t.fake.state.threadMembers.get(room.id)?.sort()).toEqual([t.fake.bot.id, ADMIN_ID, t.alice.id].sort());
    const first = t.fake.channelMessages(room.id)[0];
    expect(textOf(first)).toContain('INC-1 · SEV1 major incident · investigating');
    expect(t.fake.rooms.pins.get(room.id)).toEqual([first?.id]);

    // A role, given in the room (the incident implied) to a Discord user: announced there.
    const role = t.slash(t.admin, 'incident', 'role', { role: 'commander', who: t.alice }, room);
    expect(textOf((await t.answer(role)).message)).toContain('Alice Liddell is commander of INC-1; the room was told.');
    await t.bot.core.services.outbox.drained();
    expect(postedIn(room.id).filter((x) => x.includes('is now commander'))).toEqual([
      expect.stringContaining('Alice Liddell is now commander of INC-1 (was Root Admin)'),
    ]);

    // 📌 on Alice's message in the room: a timeline entry.
    const said = t.say(t.alice, 'rolled back the config push', room);
    t.fake.dispatch('MESSAGE_REACTION_ADD', {
      user_id: t.alice.id,
      channel_id: room.id,
      message_id: said.id,
      guild_id: t.fake.guild.id,
      member: memberOf(t.alice),
      emoji: { id: null, name: '📌' },
      burst: false,
      type: 0,
    });
    await t.fake.waitFor(() => t.fake.messages.get(said.id)?.reactions.includes('✅'), 'the ✅ on the pinned message');
    const timeline = ok(await admin('/incident timeline INC-1'));
    expect((timeline.list ?? []).filter((l) => l.includes('📌'))).toEqual([
      expect.stringContaining('· Alice Liddell · pinned · 📌 Alice Liddell: rolled back the config push'),
    ]);

    // Cat follows it, from the service desk channel.
    const follows = t.slash(cat, 'incident', 'subscribe', { id: 'INC-1' });
    expect(textOf((await t.answer(follows)).message)).toContain('You follow INC-1');

    // The update is due 30 minutes after the declare: not a second before; then the commander is reminded in the room.
    const reminders = () => t.fake.channelMessages(room.id).filter((m) => textOf(m).includes('was due'));
    await moveTo(new Date(start.getTime() + 30 * MIN - 1000));
    expect(reminders()).toEqual([]);
    await moveTo(new Date(start.getTime() + 30 * MIN));
    await t.fake.waitFor(() => reminders().length === 1, 'the update-due reminder in the room');
    expect(textOf(reminders()[0])).toContain('a stakeholder update on INC-1 was due 12:30');
    expect(reminders()[0]?.content).toContain(`<@${t.alice.id}>`);

    // The update, typed in the room: there, in the stakeholder channel and in Cat's DM.
    clock = new Date(start.getTime() + 35 * MIN);
    const update = t.slash(t.admin, 'incident', 'update', { text: 'failing over to the backup tunnel' }, room);
    expect(textOf((await t.answer(update)).message)).toContain('Update 1 on INC-1');
    const isUpdate = (x: string) => x.includes('Update on INC-1') && x.includes('failing over to the backup tunnel');
    await t.fake.waitFor(() => postedIn(stakeholders.id).some(isUpdate), 'the update in the stakeholder channel');
    await t.fake.waitFor(() => postedIn(room.id).some(isUpdate), 'the update in the room');
    await t.fake.waitFor(() => t.fake.dmsTo(cat.id).map(textOf).some(isUpdate), "the update in Cat's DM");

    // The old chain would have reminded again at 13:00: the update stopped it.
    await moveTo(new Date(start.getTime() + 60 * MIN));
    expect(reminders()).toHaveLength(1);

    // Resolved in the room (at 13:00): the close-out summary there, and no reminder after it.
    const resolve = t.slash(t.admin, 'incident', 'status', { status: 'resolved', what: 'tunnel restored' }, room);
    expect(textOf((await t.answer(resolve)).message)).toContain('INC-1 is resolved');
    const summary = await t.fake.waitFor(
      () => postedIn(room.id).find((x) => x.includes('INC-1 is resolved: VPN down for everyone')),
      'the close-out summary in the room',
    );
    expect(summary).toContain('Duration: 1h');
    expect(summary).toContain('Stakeholder updates: 1');
    expect(summary).toContain('The post-incident draft: /incident postmortem INC-1');
    await moveTo(new Date(start.getTime() + 3 * 60 * MIN));
    expect(reminders()).toHaveLength(1);

    // The draft, written from the timeline, posted to the room as a file.
    const asked = t.slash(t.admin, 'incident', 'postmortem', {}, room);
    expect(textOf((await t.answer(asked)).message)).toContain('The post-incident draft for INC-1 is uploaded');
    const posted = await t.fake.waitFor(
      () => t.fake.channelMessages(room.id).find((m) => m.files?.length),
      'the draft in the room',
    );
    expect(posted.files[0].name).toBe('postmortem-INC-1.md');
    const md = posted.files[0].bytes.toString('utf8');
    expect(md.startsWith('# Post-incident review: INC-1 VPN down for everyone\n')).toBe(true);
    expect(md).toContain('## Timeline (UTC)');
    expect(md).toContain('rolled back the config push');
    expect(md).toContain('failing over to the backup tunnel');
    expect(md).toContain('tunnel restored');
  });
});
