// Major incident rooms on Slack, through Bolt and the fake Slack: the card's Declare button opens #inc-<n>-<slug>
// with the responders invited, the card pinned and the topic set; a :pushpin: becomes a timeline entry once; the
// room is archived SWITCHBOARD_ROOM_ARCHIVE_DAYS after the ticket closes; a taken name gets a suffix; a missing
// scope still declares; two processes pressing Declare at once open one room.
// @module-tag time-of-day

import { afterEach, describe, expect, it } from 'vitest';
import type { Reply } from '../../src/present/reply.ts';
import type { RecordedCall } from '../support/fakeSlack.ts';
import { askCore, buttonsOf, readable, type SlackBot, startSlackBot, waitForCard } from '../support/fakeSlackBot.ts';
import { payloads } from '../support/fakeSlackSender.ts';
import { anotherProcess } from '../support/harness.ts';

const WAR = 'CWAR';
const DAY = 86_400_000;

// Moved by the test only: the job engine sees days pass when the test says so.
let clock = new Date('2026-03-10T12:00:00Z');
let s: SlackBot;

afterEach(async () => {
  await s?.close();
});

const ok = (r: Reply): Reply => {
  expect(r.error, r.text).toBeUndefined();
  return r;
};

async function start(env: Record<string, string> = {}): Promise<void> {
  clock = new Date('2026-03-10T12:00:00Z');
  s = await startSlackBot({ now: () => clock, env });
  s.fake.addUser({ id: 'UADMIN', name: 'root', display_name: 'Grace' });
  s.fake.addUser({ id: 'UBO', name: 'bo', display_name: 'Bo' });
}

/** A P1 incident typed in #CWAR by the admin; resolves with its card as Slack got it. */
async function p1(title: string, extra = ''): Promise<RecordedCall> {
  const since = s.fake.calls.length;
  await s.send.command('/ticket', `new ${title} --type incident --priority P1 ${extra}`, {
    user: 'UADMIN',
    channel: WAR,
  });
  return waitForCard(s, WAR, since);
}

/** Presses a card's button as Slack would send it (the value rendered on it). */
async function press(card: RecordedCall, actionId: string, user = 'UADMIN'): Promise<string> {
  const value = buttonsOf(card.body)[actionId];
  if (value === undefined) throw new Error(`no ${actionId} button: ${Object.keys(buttonsOf(card.body))}`);
  const responseUrl = s.fake.responseUrl();
  const res = await s.send.interaction(
    payloads.button({ user, channel: WAR, messageTs: card.response?.ts as string, actionId, value, responseUrl }),
  );
  expect(res.status).toBe(200);
  return responseUrl.slice(responseUrl.lastIndexOf('/') + 1);
}

/** What Slack showed the person after their press or command (the response_url answer). */
const answerTo = (responseId: string): Promise<string> =>
  s.fake
    .waitFor((c) => c.find((x) => x.method === 'response_url' && x.responseId === responseId), 5000, 'the answer')
    .then((c) => readable(c.body));

const pinEvent = (user: string, channel: string, ts: string) => ({
  type: 'reaction_added',
  user,
  reaction: 'pushpin',
  item: { type: 'message', channel, ts },
  item_user: 'UBO',
  event_ts: `${Math.floor(Date.now() / 1000)}.000100`,
});

describe('major incident rooms on Slack', () => {
  it('Declare opens #inc-1-… with the responders, the card pinned and the topic; 📌 once; archived days after close', async () => {
    await start();
    // Bo is on call for the team that owns vpn (Bo has used Switchboard, so the rotation may name him).
    await answerTo((await s.send.command('/help', '', { user: 'UBO', channel: WAR })).responseId);
    ok(await askCore(s.bot.core, '/role grant @slack:UBO agent'));
    ok(await askCore(s.bot.core, `/team create netops --services vpn --channel #${WAR}`));
    ok(await askCore(s.bot.core, '/oncall rotation netops @slack:UBO --every 1w'));
    const card = await p1('VPN down for everyone', '--service vpn');
    expect(buttonsOf(card.body)['incident.declare']).toBe('INC-1');

    const answer = await answerTo(await press(card, 'incident.declare'));
    const room = s.fake.rooms.byName('inc-1-vpn-down-for-everyone');
    expect(room, 'the room channel').toBeDefined();
    if (!room) return;
    expect(answer).toContain('INC-1 declared a SEV1 major incident');
    expect(answer).toContain('The room is open: #inc-1-vpn-down-for-everyone');
    expect(s.fake.callsTo('conversations.create').map((c) => c.body)).toEqual([
      expect.objectContaining({ name: 'inc-1-vpn-down-for-everyone' }),
    ]);
    expect(room.members.sort()).toEqual(['UADMIN', 'UBO', 'UBOT']);
    // The card, in the room, pinned; the topic says the status and who leads.
    const inRoom = s.fake.callsTo('chat.postMessage').filter((c) => c.body.channel === room.id);
    expect(readable(inRoom[0]?.body ?? {})).toContain('INC-1 · SEV1 major incident · investigating');
    expect(room.pins).toEqual([inRoom[0]?.response?.ts]);
    expect(room.topic).toBe('INC-1 SEV1 · investigating · commander Grace');
    // One line where it came from links to the room.
    await s.bot.core.services.outbox.drained();
    const link = s.fake
      .callsTo('chat.postMessage')
      .filter((c) => c.body.channel === WAR && String(c.body.text).includes('Its room'));
    expect(link.map((c) => readable(c.body))).toEqual([expect.stringContaining('#inc-1-vpn-down-for-everyone')]);

    // In the room the incident is implied.
    const roomLine = await s.send.command('/incident', 'status identified "bad config push"', {
      user: 'UADMIN',
      channel: room.id,
    });
    expect(await answerTo(roomLine.responseId)).toContain('INC-1 is identified');
    expect(room.topic).toBe('INC-1 SEV1 · identified · commander Grace');
    ok(await askCore(s.bot.core, '/incident role commander @slack:UBO --incident INC-1'));
    expect(room.topic).toBe('INC-1 SEV1 · identified · commander Bo');

    // 📌 on Bo's message: on the timeline once, though Slack redelivers and Grace pins it too.
    const said = s.fake.addMessage({ channel: room.id, user: 'UBO', text: 'rolled back the config push' });
    const first = await s.send.event(pinEvent('UBO', room.id, said.ts), { eventId: 'EvPIN1' });
    expect(first.status).toBe(200);
    await s.send.event(pinEvent('UBO', room.id, said.ts), { eventId: 'EvPIN1', retryNum: 1 });
    // Bolt acks before it handles: Bo's pin is handled before Grace's is sent (two at once may go either way).
    await s.adapter.idle();
    await s.send.event(pinEvent('UADMIN', room.id, said.ts), { eventId: 'EvPIN2' });
    await s.adapter.idle();
    const timeline = ok(await askCore(s.bot.core, '/incident timeline INC-1'));
    const pinned = (timeline.list ?? []).filter((l) => l.includes('📌'));
    expect(pinned).toEqual([expect.stringContaining('· Bo · pinned · 📌 Bo: rolled back the config push')]);
    expect(timeline.list?.some((l) => l.includes('room #inc-1-vpn-down-for-everyone opened'))).toBe(true);
    // 📌 outside a room is nothing: no note, no answer.
    const elsewhere = s.fake.addMessage({ channel: WAR, user: 'UBO', text: 'lunch?' });
    const before = s.fake.callsTo('chat.postEphemeral').length;
    await s.send.event(pinEvent('UBO', WAR, elsewhere.ts), { eventId: 'EvPIN3' });
    await s.adapter.idle();
    expect(
      s.fake
        .callsTo('chat.postEphemeral')
        .slice(before)
        .map((c) => c.body.text),
    ).toEqual([]);

    // Resolved and closed: archived 7 days (the default) after the close, not before.
    ok(await askCore(s.bot.core, '/incident status resolved "config restored" --incident INC-1'));
    ok(await askCore(s.bot.core, '/ticket resolve INC-1 config restored'));
    ok(await askCore(s.bot.core, '/ticket close INC-1'));
    await s.bot.core.settled();
    clock = new Date(clock.getTime() + 7 * DAY - 60_000);
    await s.bot.jobs.drained();
    expect(room.archived).toBe(false);
    clock = new Date(clock.getTime() + 2 * 60_000);
    await s.bot.jobs.drained();
    await s.fake.waitFor(() => room.archived, 5000, 'the room archived');
    expect(s.fake.callsTo('conversations.archive').map((c) => c.body.channel)).toEqual([room.id]);
  });

  it('a taken name gets a suffix', async () => {
    await start();
    s.fake.rooms.take('inc-1-printer-on-fire');
    const card = await p1('Printer on fire');
    const answer = await answerTo(await press(card, 'incident.declare'));
    expect(answer).toContain('The room is open: #inc-1-printer-on-fire-2');
    expect(s.fake.callsTo('conversations.create').map((c) => c.body.name)).toEqual([
      'inc-1-printer-on-fire',
      'inc-1-printer-on-fire-2',
    ]);
  });

  it('a missing scope still declares, and says why there is no room', async () => {
    await start();
    s.fake.failNext('conversations.create', 'missing_scope');
    const card = await p1('Mail queue stuck');
    const answer = await answerTo(await press(card, 'incident.declare'));
    expect(answer).toContain('INC-1 declared a SEV1 major incident');
    expect(answer).toContain('No room was opened on Slack: the app lacks the channels:manage scope (missing_scope)');
    // It works without one: its lines go where it was declared.
    ok(await askCore(s.bot.core, '/incident update "looking at the queue" --incident INC-1'));
    await s.bot.core.services.outbox.drained();
    const inWar = s.fake.callsTo('chat.postMessage').filter((c) => c.body.channel === WAR);
    const update = inWar.find((c) => readable(c.body).includes('Update on INC-1'));
    expect(update, 'the update in #CWAR').toBeDefined();
    expect(s.fake.rooms.rooms.size).toBe(0);
    // Whoever reads the update may follow it with its Subscribe button.
    ok(await askCore(s.bot.core, '/help', 'UBO'));
    expect(await answerTo(await press(update as RecordedCall, 'incident.subscribe', 'UBO'))).toContain(
      'You follow INC-1',
    );
    const next = ok(await askCore(s.bot.core, '/incident update "queue drained" --incident INC-1'));
    expect(next.text).toContain('sent to 1 subscriber');
  });

  it('two processes pressing Declare at the same moment open one room', async () => {
    await start();
    s.fake.addUser({ id: 'UADA', name: 'ada', display_name: 'Ada' });
    ok(await askCore(s.bot.core, '/help', 'UADA'));
    ok(await askCore(s.bot.core, '/role grant @slack:UADA agent'));
    const card = await p1('Core switch down');
    // A second process on the same database, with its own Bolt app on the same Slack.
    const other = await anotherProcess(s.bot);
    const s2 = await startSlackBot({
      shared: { fake: s.fake, bot: { ...s.bot, core: other.core, jobs: other.jobs, services: other.services } },
    });
    try {
      const responseUrls = [s.fake.responseUrl(), s.fake.responseUrl()];
      const pressOn = (bot: SlackBot, user: string, responseUrl: string) =>
        bot.send.interaction(
          payloads.button({
            user,
            channel: WAR,
            messageTs: card.response?.ts as string,
            actionId: 'incident.declare',
            value: 'INC-1',
            responseUrl,
          }),
        );
      await Promise.all([
        pressOn(s, 'UADMIN', responseUrls[0] as string),
        pressOn(s2, 'UADA', responseUrls[1] as string),
      ]);
      const answers = await Promise.all(responseUrls.map((u) => answerTo(u.slice(u.lastIndexOf('/') + 1))));
      expect(answers.filter((t) => t.includes('declared a SEV1 major incident'))).toHaveLength(1);
      expect(answers.filter((t) => t.includes('is a major incident already'))).toHaveLength(1);
      expect(s.fake.callsTo('conversations.create')).toHaveLength(1);
      expect(s.fake.rooms.rooms.size).toBe(1);
    } finally {
      await s2.close();
      await other.close();
    }
  });
});
