// An Alertmanager alert to a page on two platforms and back: webhook -> incident -> DMs on Slack and Discord -> Acknowledge -> no more pages.
// @module-tag time-of-day
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAlertWebhooks, WEBHOOK_PREFIX } from '../../src/http/webhooks.ts';
import type { Reply } from '../../src/present/reply.ts';
import { ADMIN_ID, buttonOf, type DiscordTestBot, startDiscordTestBot, textOf } from '../support/fakeDiscordBot.ts';
import { type FakeSlack, startFakeSlack } from '../support/fakeSlack.ts';
import { buttonsOf, readable, type SlackBot, slackEnv, startSlackBot } from '../support/fakeSlackBot.ts';
import { payloads } from '../support/fakeSlackSender.ts';
import { personAt } from '../support/harness.ts';

const TOKEN = 'e2e-webhook-token-5f0c2a';
const MIN = 60_000;
let clock = new Date('2026-03-10T10:00:00Z');
const now = () => clock;

let fakeSlack: FakeSlack;
let d: DiscordTestBot;
let s: SlackBot;

const ok = (r: Reply): Reply => {
  expect(r.error, r.text).toBeUndefined();
  return r;
};

/** Moves the injected clock on half a minute at a time, letting the job engine and the outbox catch up at each. */
async function advance(minutes: number) {
  const to = clock.getTime() + minutes * MIN;
  while (clock.getTime() < to) {
    clock = new Date(Math.min(to, clock.getTime() + MIN / 2));
    for (let i = 0; i < 2; i++) {
      await d.bot.jobs.drained();
      await d.bot.core.settled();
      await d.bot.services.outbox.drained();
    }
  }
}

beforeAll(async () => {
  fakeSlack = await startFakeSlack();
  fakeSlack.addUser({ id: 'UALICE', name: 'alice', display_name: 'Alice on Slack' });
  fakeSlack.addUser({ id: 'UBOB', name: 'bob', display_name: 'Bob' });
  d = await startDiscordTestBot({
    env: {
      ...slackEnv(fakeSlack),
      SWITCHBOARD_ORGS: 'acme=slack:T1,discord:{guild}',
      WEBHOOK_TOKEN: TOKEN,
      ALERT_TENANT: 'acme',
    },
    now,
  });
  d.fake.knowUser(d.alice);
  s = await startSlackBot({ shared: { fake: fakeSlack, bot: d.bot } });
  // The webhooks on the bot's one HTTP server, as main.ts mounts them beside Slack's receiver.
  s.http.mount(
    WEBHOOK_PREFIX,
    createAlertWebhooks({
      token: d.bot.config.alerts.token,
      alerts: d.bot.services.alerts,
      log: pino({ level: 'silent' }),
    }),
  );
});
afterAll(async () => {
  await s?.close();
  await d?.close();
  await fakeSlack?.close();
});

describe('an alert pages the on-call person on Slack and Discord', () => {
  it('opens the incident, DMs both platforms, and one Acknowledge stops the escalation and updates the other copy', async () => {
    // Alice links her Discord and Slack identities into one person.
    const asked = await d.answer(d.slash(d.alice, 'link', null));
    const code = /link code is (\d{6})/.exec(textOf(asked.message))?.[1] as string;
    await s.send.command('/link', code, { user: 'UALICE', channel: 'CDESK' });
    await fakeSlack.waitFor((c) =>
      c.find((x) => x.method === 'response_url' && String(x.body.text).includes('are now one person')),
    );

    const admin = personAt(d.bot.core, ADMIN_ID, 'discord', d.fake.guild.id);
    const alice = `discord:${d.alice.id}`;
    ok(await admin(`/role grant ${alice} agent`));
    ok(await admin(`/team create storage --services db --channel #${d.channel.id}`));
    ok(await admin(`/oncall rotation storage ${alice} --every 1w`));
    ok(await admin('/oncall policy storage "oncall; @slack:UBOB after 5m"'));

    const res = await fetch(`${s.botUrl}/webhooks/alertmanager`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        version: '4',
        groupKey: '{}:{alertname="DbDown"}',
        status: 'firing',
        receiver: 'switchboard',
        groupLabels: { alertname: 'DbDown' },
        commonLabels: {},
        commonAnnotations: {},
        externalURL: 'http://alertmanager.local',
        alerts: [
          {
            status: 'firing',
            labels: { alertname: 'DbDown', severity: 'critical', service: 'db', instance: 'db1' },
            annotations: { summary: 'Primary database is down' },
            startsAt: '2026-03-10T09:59:00Z',
            endsAt: '0001-01-01T00:00:00Z',
            generatorURL: 'http://prometheus.local/graph?g0.expr=up',
            fingerprint: 'fp-dbdown',
          },
        ],
      }),
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ outcome: 'opened', ticket: 'INC-1' });

    // The first step is due at once: Alice's page reaches both platforms, each with Acknowledge.
    const onSlack = await fakeSlack.waitFor(() => fakeSlack.dmsTo('UALICE')[0], 10_000, 'the page DM on Slack');
    const onDiscord = await d.fake.waitFor(() => d.fake.dmsTo(d.alice.id)[0], 'the page DM on Discord');
    expect(readable(onSlack as never)).toContain('PAGE (storage on-call, level 1): INC-1 P1 Primary database is down');
    expect(buttonsOf(onSlack as never)['oncall.ack']).toBe('INC-1');
    expect(textOf(onDiscord)).toContain('PAGE · INC-1 · Primary database is down');
    const discordAck = buttonOf(onDiscord, 'a|oncall.ack|');
    expect(fakeSlack.dmsTo('UBOB')).toHaveLength(0);

    // A minute in, Alice presses Acknowledge on Slack.
    await advance(1);
    const responseUrl = fakeSlack.responseUrl();
    await s.send.interaction(
      payloads.button({
        user: 'UALICE',
        channel: fakeSlack.dmChannelOf('UALICE') as string,
        messageTs: onSlack?.ts as string,
        actionId: 'oncall.ack',
        value: 'INC-1',
        responseUrl,
      }),
    );
    const answer = await fakeSlack.waitFor((c) =>
      c.find((x) => x.method === 'response_url' && x.responseId === responseUrl.split('/').pop()),
    );
    expect(String(answer.body.text)).toContain('You acknowledged INC-1');

    // The Discord copy is edited in place to say who took it.
    const dmChannel = d.fake.dmChannelOf(d.alice.id)?.id as string;
    await d.fake.waitFor(
      () => d.fake.sent('PATCH', `/channels/${dmChannel}/messages/${onDiscord.id}`).length > 0,
      'the Discord page to be edited',
    );
    await d.fake.waitFor(
      () => /acknowledged/i.test(textOf(d.fake.dmsTo(d.alice.id)[0])),
      'the Discord page to say it was acknowledged',
    );

    // Well past the repeat (2m) and the next level (5m): nobody is paged again, on either platform.
    await advance(20);
    expect(fakeSlack.dmsTo('UBOB')).toHaveLength(0);
    expect(fakeSlack.dmsTo('UALICE')).toHaveLength(1);
    expect(d.fake.dmsTo(d.alice.id)).toHaveLength(1);
    // Pressing Acknowledge on Discord now is told it was taken already.
    const late = await d.answer(d.pressInDm(d.alice, discordAck, onDiscord.id));
    expect(textOf(late.message)).toContain('was acknowledged already by');
  }, 60_000);
});

describe('the coverage check asks each platform about team channels', () => {
  it('names a team channel Slack does not know, one the bot is not in, and one Discord does not know', async () => {
    fakeSlack.channelMissing('CGONE');
    fakeSlack.botOutside('COUTSIDE');
    const admin = personAt(d.bot.core, ADMIN_ID, 'discord', d.fake.guild.id);
    ok(await admin('/team create gone --channel slack:CGONE'));
    ok(await admin('/team create outside --channel slack:COUTSIDE'));
    ok(await admin('/team create lost --channel discord:999999999999999999'));
    ok(await admin('/team create fine --channel slack:CDESK'));
    const lines = ok(await admin('/oncall gaps')).list ?? [];
    const about = (team: string) => lines.filter((l) => l.startsWith(`${team}: the team channel`));
    expect(about('gone')).toEqual([
      'gone: the team channel slack:CGONE cannot be posted to: Slack does not know it (channel_not_found)',
    ]);
    expect(about('outside')).toEqual([
      'outside: the team channel slack:COUTSIDE cannot be posted to: the bot is not a member (invite it: /invite @Switchboard)',
    ]);
    expect(about('lost')).toEqual([
      'lost: the team channel discord:999999999999999999 cannot be posted to: Discord does not know it (Unknown Channel)',
    ]);
    expect(about('fine')).toEqual([]);
    expect(about('storage')).toEqual([]);
  });
});
