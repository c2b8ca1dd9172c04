// One major incident end to end on Slack, through the real Bolt app and the fake Slack: declared from the card's
// Declare button → its room created with the responders invited → a role given → a 📌 becomes a timeline entry →
// an update-due reminder in the room on the injected clock → /incident update to the room, the stakeholder channel
// and a subscriber's DM, after which the reminder chain stops → resolve → the close-out summary in the room, and
// /incident postmortem uploading the draft written from the timeline.
// @module-tag time-of-day

import { afterEach, describe, expect, it } from 'vitest';
import type { Reply } from '../../src/present/reply.ts';
import type { RecordedCall } from '../support/fakeSlack.ts';
import { askCore, buttonsOf, readable, type SlackBot, startSlackBot, waitForCard } from '../support/fakeSlackBot.ts';
import { payloads } from '../support/fakeSlackSender.ts';

const WAR = 'CWAR';
const STAKE = 'CSTAKE';
const MIN = 60_000;

// Moved by the test only: the job engine sees minutes pass when the test says so.
let clock = new Date('2026-03-10T12:00:00Z');
let s: SlackBot;

afterEach(async () => {
  await s?.close();
});

const ok = (r: Reply): Reply => {
  expect(r.error, r.text).toBeUndefined();
  return r;
};

/** What Slack showed the person after their press or command (the response_url answer). */
const answerTo = (responseId: string): Promise<string> =>
  s.fake
    .waitFor((c) => c.find((x) => x.method === 'response_url' && x.responseId === responseId), 5000, 'the answer')
    .then((c) => readable(c.body));

/** A slash command typed in Slack; resolves with what Slack showed its writer. */
async function typed(command: string, text: string, user: string, channel: string): Promise<string> {
  const res = await s.send.command(command, text, { user, channel });
  expect(res.status).toBe(200);
  return answerTo(res.responseId);
}

/** Messages the bot posted in a channel (after call number `since`), as people read them. */
const postedIn = (channel: string, since = 0): string[] =>
  s.fake.calls
    .slice(since)
    .filter((c) => c.method === 'chat.postMessage' && c.status === 200 && c.body.channel === channel)
    .map((c) => readable(c.body));

/** The clock moves to `at`; the job engine runs what is due then and the outbox delivers it. */
async function moveTo(at: Date): Promise<void> {
  clock = at;
  for (let i = 0; i < 3; i++) {
    await s.bot.jobs.drained();
    await s.bot.core.settled();
    await s.bot.core.services.outbox.drained();
  }
}

describe('a major incident on Slack, end to end', () => {
  it('button → room → role → 📌 → reminder → update to stakeholders and a subscriber → resolve → summary and draft', async () => {
    const start = new Date('2026-03-10T12:00:00Z');
    clock = start;
    s = await startSlackBot({ now: () => clock, env: { SWITCHBOARD_UPDATE_CADENCE: '1=30m,2=60m' } });
    s.fake.addUser({ id: 'UADMIN', name: 'root', display_name: 'Grace' });
    s.fake.addUser({ id: 'UBO', name: 'bo', display_name: 'Bo' });
    s.fake.addUser({ id: 'UCAT', name: 'cat', display_name: 'Cat' });
    // Bo is on call for the team that owns vpn; its channel is where stakeholders read.
    await typed('/help', '', 'UBO', WAR);
    ok(await askCore(s.bot.core, '/role grant @slack:UBO agent'));
    ok(await askCore(s.bot.core, `/team create netops --services vpn --channel #${STAKE}`));
    ok(await askCore(s.bot.core, '/oncall rotation netops @slack:UBO --every 1w'));

    // A P1 typed in #CWAR; its card has the Declare button.
    const since = s.fake.calls.length;
    await s.send.command('/ticket', 'new VPN down for everyone --type incident --priority P1 --service vpn', {
      user: 'UADMIN',
      channel: WAR,
    });
    const card: RecordedCall = await waitForCard(s, WAR, since);
    expect(buttonsOf(card.body)['incident.declare']).toBe('INC-1');

    // Declare: the room is created, the declarer and the on-call person invited, the card posted there.
    const responseUrl = s.fake.responseUrl();
    const pressed = await s.send.interaction(
      payloads.button({
        user: 'UADMIN',
        channel: WAR,
        messageTs: card.response?.ts as string,
        actionId: 'incident.declare',
        value: 'INC-1',
        responseUrl,
      }),
    );
    expect(pressed.status).toBe(200);
    const declared = await answerTo(responseUrl.slice(responseUrl.lastIndexOf('/') + 1));
    expect(declared).toContain('INC-1 declared a SEV1 major incident');
    expect(declared).toContain('The room is open: #inc-1-vpn-down-for-everyone');
    const room = s.fake.rooms.byName('inc-1-vpn-down-for-everyone');
    if (!room) throw new Error('the room channel was not created');
    expect(s.fake.callsTo('conversations.create')).toHaveLength(1);
    expect(room.members.sort()).toEqual(['UADMIN', 'UBO', 'UBOT']);
    expect(postedIn(room.id)[0]).toContain('INC-1 · SEV1 major incident · investigating');

    // A role, given in the room (the incident implied), with a Slack mention: announced there, on the topic.
    const beforeRole = s.fake.calls.length;
    const roleAnswer = await typed('/incident', 'role commander <@UBO|bo>', 'UADMIN', room.id);
    await s.fake.waitFor(() => room.topic === 'INC-1 SEV1 · investigating · commander Bo', 5000, 'the topic');
    await s.bot.core.settled();
    expect(roleAnswer).toContain('Bo is commander of INC-1; the room was told.');
    expect(postedIn(room.id, beforeRole)).toEqual([
      expect.stringContaining('Bo is now commander of INC-1 (was Grace)'),
    ]);

    // 📌 on Bo's message in the room: a timeline entry.
    const said = s.fake.addMessage({ channel: room.id, user: 'UBO', text: 'rolled back the config push' });
    const pin = await s.send.event(
      {
        type: 'reaction_added',
        user: 'UBO',
        reaction: 'pushpin',
        item: { type: 'message', channel: room.id, ts: said.ts },
        item_user: 'UBO',
        event_ts: `${Math.floor(Date.now() / 1000)}.000100`,
      },
      { eventId: 'EvFLOWPIN' },
    );
    expect(pin.status).toBe(200);
    await s.adapter.idle();
    const timeline = ok(await askCore(s.bot.core, '/incident timeline INC-1'));
    expect((timeline.list ?? []).filter((l) => l.includes('📌'))).toEqual([
      expect.stringContaining('· Bo · pinned · 📌 Bo: rolled back the config push'),
    ]);

    // Cat follows it from Slack.
    expect(await typed('/incident', 'subscribe INC-1', 'UCAT', WAR)).toContain('You follow INC-1');

    // The update is due 30 minutes after the declare: not a second before; then the commander is reminded in the room.
    const reminders = () => postedIn(room.id).filter((t) => t.includes('a stakeholder update on INC-1 was due'));
    await moveTo(new Date(start.getTime() + 30 * MIN - 1000));
    expect(reminders()).toEqual([]);
    await moveTo(new Date(start.getTime() + 30 * MIN));
    await s.fake.waitFor(() => reminders().length === 1, 5000, 'the update-due reminder in the room');
    expect(reminders()[0]).toContain('Bo: a stakeholder update on INC-1 was due 12:30');

    // The update: in the room, in the stakeholder channel and in Cat's DM.
    clock = new Date(start.getTime() + 35 * MIN);
    const updated = await typed('/incident', 'update "failing over to the backup tunnel"', 'UADMIN', room.id);
    expect(updated).toContain('Update 1 on INC-1');
    const isUpdate = (t: string) => t.includes('Update on INC-1') && t.includes('failing over to the backup tunnel');
    await s.fake.waitFor(() => postedIn(STAKE).some(isUpdate), 5000, 'the update in the stakeholder channel');
    await s.fake.waitFor(() => postedIn(room.id).some(isUpdate), 5000, 'the update in the room');
    await s.fake.waitFor(() => s.fake.dmsTo('UCAT').some((m) => isUpdate(m.text)), 5000, "the update in Cat's DM");

    // The old chain would have reminded again at 13:00: the update stopped it.
    await moveTo(new Date(start.getTime() + 60 * MIN));
    expect(reminders()).toHaveLength(1);

    // Resolve, in the room (at 13:00): the close-out summary there, and no reminder after it.
    expect(await typed('/incident', 'status resolved "tunnel restored"', 'UADMIN', room.id)).toContain(
      'INC-1 is resolved',
    );
    const summary = await s.fake.waitFor(
      () => postedIn(room.id).find((t) => t.includes('INC-1 is resolved: VPN down for everyone')),
      5000,
      'the close-out summary in the room',
    );
    expect(summary).toContain('Duration: 1h');
    expect(summary).toContain('Stakeholder updates: 1');
    expect(summary).toContain('The post-incident draft: /incident postmortem INC-1');
    await moveTo(new Date(start.getTime() + 3 * 60 * MIN));
    expect(reminders()).toHaveLength(1);

    // The draft, written from the timeline, uploaded to the room.
    const asked = await s.send.command('/incident', 'postmortem', { user: 'UADMIN', channel: room.id });
    expect(asked.status).toBe(200);
    const done = await s.fake.waitFor(
      (calls) => calls.find((c) => c.method === 'files.completeUploadExternal' && c.status === 200),
      5000,
      'files.completeUploadExternal',
    );
    expect(done.body.channel_id).toBe(room.id);
    const md = s.fake.uploaded(done.body.files[0].id as string)?.toString('utf8') ?? '';
    expect(md.startsWith('# Post-incident review: INC-1 VPN down for everyone\n')).toBe(true);
    expect(md).toContain('## Timeline (UTC)');
    expect(md).toContain('rolled back the config push');
    expect(md).toContain('failing over to the backup tunnel');
    expect(md).toContain('tunnel restored');
    // And the person who asked is told, in the room.
    const told = await s.fake.waitFor(
      (calls) =>
        calls.find(
          (c) =>
            c.method === 'chat.postMessage' &&
            c.body.channel === room.id &&
            String(c.body.text).includes('The post-incident draft for INC-1 is uploaded'),
        ),
      5000,
      'the answer to /incident postmortem',
    );
    expect(told.status).toBe(200);
  });
});
