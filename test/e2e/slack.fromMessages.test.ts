// Tickets from the /ticket new modal, the message shortcut and the :ticket: reaction.
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLAIM_RETENTION_MS, startMaintenance } from '../../src/scheduler/maintenance.ts';
import {
  askCore,
  fieldOf,
  headerOf,
  readable,
  type SlackBot,
  startSlackBot,
  waitForCard,
} from '../support/fakeSlackBot.ts';
import { payloads } from '../support/fakeSlackSender.ts';

const reaction = (user: string, ts: string) => ({
  type: 'reaction_added',
  user,
  reaction: 'ticket',
  item_user: 'UBOB',
  item: { type: 'message', channel: 'CHELPDESK', ts },
  event_ts: `${ts}1`,
});

describe('Slack /ticket new modal', () => {
  let s: SlackBot;
  beforeEach(async () => {
    s = await startSlackBot();
  });
  afterEach(async () => {
    await s.close();
  });

  it('opens a modal with the trigger, and its submission posts the card where the command was typed', async () => {
    const sent = await s.send.command('/ticket', 'new', { user: 'UADA', channel: 'CMODAL' });
    const opened = await s.fake.waitFor((c) => c.find((x) => x.method === 'views.open'), 5000, 'views.open');
    expect(opened.body.trigger_id).toBe(sent.triggerId);
    const view = opened.body.view;
    expect(view.callback_id).toBe('ticket.new');
    expect(view.blocks.map((b: { block_id: string }) => b.block_id)).toEqual([
      'title',
      'description',
      'type',
      'impact',
      'urgency',
      'service',
    ]);

    const ack = await s.send.interaction(
      payloads.viewSubmission({
        user: 'UADA',
        view,
        values: {
          title: 'Wifi down on floor 3',
          description: 'Since 9am',
          type: 'incident',
          impact: 'high',
          urgency: 'high',
          service: 'wifi',
        },
      }),
    );
    expect(ack.status).toBe(200);
    expect(ack.text).toBe('');
    const card = await waitForCard(s, 'CMODAL');
    expect(headerOf(card.body)).toBe('INC-1 · Wifi down on floor 3');
    expect(readable(card.body)).toContain('*Priority*\nP1');
    expect(await s.bot.core.cardsFor('slack:T1', 'INC-1')).toHaveLength(1);
    const shown = await askCore(s.bot.core, 'ticket show INC-1');
    expect(fieldOf(shown, 'Description')).toBe('Since 9am');
    expect(fieldOf(shown, 'Service')).toBe('wifi');
  });

  it('a bad submission shows the error on the field, inside the ack, and creates nothing', async () => {
    await s.send.command('/ticket', 'new', { user: 'UADA', channel: 'CMODAL' });
    const opened = await s.fake.waitFor((c) => c.find((x) => x.method === 'views.open'));
    const ack = await s.send.interaction(
      payloads.viewSubmission({
        user: 'UADA',
        view: opened.body.view,
        values: { title: 'Wifi', impact: 'catastrophic' },
      }),
    );
    expect(ack.status).toBe(200);
    const body = ack.json();
    expect(body.response_action).toBe('errors');
    expect(Object.keys(body.errors)).toEqual(['impact']);
    expect(body.errors.impact).toMatch(/impact/i);
    await s.bot.core.settled();
    expect((await askCore(s.bot.core, 'ticket list --state all')).text).toMatch(/^No /);
    expect(s.fake.callsTo('chat.postMessage')).toHaveLength(0);
  });
});

describe('Slack tickets from messages', () => {
  let s: SlackBot;
  beforeEach(async () => {
    s = await startSlackBot();
    s.fake.addUser({ id: 'UBOB', name: 'bob', display_name: 'Bob' });
    s.fake.addUser({ id: 'UADA', name: 'ada', display_name: 'Ada' });
  });
  afterEach(async () => {
    await s.close();
  });

  it('the message shortcut opens a ticket quoting the message with its permalink', async () => {
    const msg = s.fake.addMessage({
      channel: 'CHELPDESK',
      user: 'UBOB',
      text: 'The VPN drops every 5 minutes\nsince the update <@UADA>',
    });
    const res = await s.send.interaction(
      payloads.messageShortcut({
        user: 'UADA',
        channel: 'CHELPDESK',
        message: { ts: msg.ts, text: msg.text, user: 'UBOB' },
        responseUrl: s.fake.responseUrl(),
      }),
    );
    expect(res.status).toBe(200);
    const card = await waitForCard(s, 'CHELPDESK');
    expect(headerOf(card.body)).toBe('INC-1 · The VPN drops every 5 minutes');
    const link = `https://fake.slack.test/archives/CHELPDESK/p${msg.ts.replace('.', '')}`;
    const shown = await askCore(s.bot.core, 'ticket show INC-1');
    expect(fieldOf(shown, 'Description')).toBe(
      `> The VPN drops every 5 minutes\n> since the update @UADA\n\n— message by Bob ${link}`,
    );
    expect(shown.context).toContain(link);
    expect(shown.context).toContain('Requested by Ada');
  });

  it('a :ticket: reaction opens one ticket, however many people react and however often Slack retries', async () => {
    const msg = s.fake.addMessage({ channel: 'CHELPDESK', user: 'UBOB', text: 'Printer on floor 2 jams' });
    const reaction = (user: string) => ({
      type: 'reaction_added',
      user,
      reaction: 'ticket',
      item_user: 'UBOB',
      item: { type: 'message', channel: 'CHELPDESK', ts: msg.ts },
      event_ts: `${msg.ts}1`,
    });
    const first = await s.send.event(reaction('UADA'));
    await Promise.all([
      s.send.event(reaction('UADA'), { eventId: first.eventId, retryNum: 1 }),
      s.send.event(reaction('UBOB')),
      s.send.event(reaction('UCARL')),
    ]);
    const card = await waitForCard(s, 'CHELPDESK');
    expect(headerOf(card.body)).toBe('INC-1 · Printer on floor 2 jams');
    await s.bot.core.settled();
    const list = await askCore(s.bot.core, 'ticket list --state all');
    expect(list.list).toHaveLength(1);
    expect(s.fake.callsTo('conversations.history')).toHaveLength(1);
    const shown = await askCore(s.bot.core, 'ticket show INC-1');
    expect(fieldOf(shown, 'Description')).toContain('> Printer on floor 2 jams');
  });

  it('a :ticket: reaction that could not open a ticket can be tried again', async () => {
    const msg = s.fake.addMessage({ channel: 'CHELPDESK', user: 'UBOB', text: 'Badge reader is dead' });
    const reaction = {
      type: 'reaction_added',
      user: 'UADA',
      reaction: 'ticket',
      item_user: 'UBOB',
      item: { type: 'message', channel: 'CHELPDESK', ts: msg.ts },
      event_ts: `${msg.ts}1`,
    };
    s.fake.failNext('conversations.history', 'internal_error');
    await s.send.event(reaction);
    await s.fake.waitFor((c) => c.find((x) => x.method === 'conversations.history'), 5000, 'the failed fetch');
    await s.bot.core.settled();
    expect((await askCore(s.bot.core, 'ticket list --state all')).list ?? []).toHaveLength(0);
    // The claim on the message is given back once the attempt is over.
    const claims = s.bot.db.connection.collection('claims');
    const claim = `message:slack:T1/slack:CHELPDESK:${msg.ts}`;
    for (let i = 0; i < 100 && (await claims.countDocuments({ _id: claim as never })) > 0; i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    // Ada takes the reaction off and puts it back: this time the message is read and the ticket opened.
    await s.send.event(reaction);
    const card = await waitForCard(s, 'CHELPDESK');
    expect(headerOf(card.body)).toBe('INC-1 · Badge reader is dead');
  });

  it('a ticket whose card failed to post is still the message’s one ticket: reacting again says which it is', async () => {
    const msg = s.fake.addMessage({ channel: 'CHELPDESK', user: 'UBOB', text: 'Door B will not lock' });
    s.fake.failNext('chat.postMessage', 'internal_error');
    await s.send.event(reaction('UADA', msg.ts));
    // The person is told something went wrong; the ticket itself was opened.
    await s.fake.waitFor((c) => c.find((x) => x.method === 'chat.postEphemeral' && x.body.user === 'UADA'));
    await s.bot.core.settled();
    expect((await askCore(s.bot.core, 'ticket list --state all')).list).toHaveLength(1);

    await s.send.event(reaction('UBOB', msg.ts));
    const told = await s.fake.waitFor((c) =>
      c.find((x) => x.method === 'chat.postEphemeral' && x.body.user === 'UBOB'),
    );
    expect(told.body.text).toContain('This message already has INC-1.');
    // The shortcut on the same message is answered the same way.
    await s.send.interaction(
      payloads.messageShortcut({
        user: 'UADA',
        channel: 'CHELPDESK',
        message: { ts: msg.ts, text: msg.text, user: 'UBOB' },
        responseUrl: s.fake.responseUrl(),
      }),
    );
    const answered = await s.fake.waitFor((c) => c.find((x) => x.method === 'response_url'));
    expect(answered.body.text).toContain('This message already has INC-1.');
    await s.bot.core.settled();
    expect((await askCore(s.bot.core, 'ticket list --state all')).list).toHaveLength(1);
  });

  it('a message reacted to again long after its claim was pruned still has its one ticket', async () => {
    const msg = s.fake.addMessage({ channel: 'CHELPDESK', user: 'UBOB', text: 'Laptop fan is loud' });
    await s.send.event(reaction('UADA', msg.ts));
    await waitForCard(s, 'CHELPDESK');
    const nextWeek = new Date(s.bot.now().getTime() + CLAIM_RETENTION_MS + 86_400_000);
    const maintenance = startMaintenance({
      pruneClaims: s.bot.core.pruneClaims,
      log: pino({ level: 'silent' }),
      timezone: 'UTC',
      now: () => nextWeek,
    });
    try {
      expect(await maintenance.runOnce()).toBeGreaterThan(0);
    } finally {
      maintenance.stop();
    }
    await s.send.event(reaction('UADA', msg.ts));
    const told = await s.fake.waitFor((c) => c.find((x) => x.method === 'chat.postEphemeral'));
    expect(told.body.text).toContain('This message already has INC-1.');
    await s.bot.core.settled();
    expect((await askCore(s.bot.core, 'ticket list --state all')).list).toHaveLength(1);
    expect(s.fake.callsTo('conversations.history')).toHaveLength(1);
  });

  it('a reaction on a thread reply finds the reply through conversations.replies', async () => {
    const parent = s.fake.addMessage({ channel: 'CHELPDESK', user: 'UBOB', text: 'Morning all' });
    const reply = s.fake.addMessage({
      channel: 'CHELPDESK',
      user: 'UBOB',
      text: 'Badge reader at door B is dead',
      thread_ts: parent.ts,
    });
    await s.send.event({
      type: 'reaction_added',
      user: 'UADA',
      reaction: 'ticket',
      item: { type: 'message', channel: 'CHELPDESK', ts: reply.ts },
      event_ts: `${reply.ts}1`,
    });
    const card = await waitForCard(s, 'CHELPDESK');
    expect(headerOf(card.body)).toBe('INC-1 · Badge reader at door B is dead');
    expect(s.fake.callsTo('conversations.replies')).toHaveLength(1);
  });

  it('other reactions do nothing', async () => {
    const msg = s.fake.addMessage({ channel: 'CHELPDESK', user: 'UBOB', text: 'lunch?' });
    const res = await s.send.event({
      type: 'reaction_added',
      user: 'UADA',
      reaction: 'tada',
      item: { type: 'message', channel: 'CHELPDESK', ts: msg.ts },
    });
    expect(res.status).toBe(200);
    await s.send.command('/help', '', { channel: 'CHELPDESK' });
    await s.fake.waitFor((c) => c.find((x) => x.method === 'response_url'));
    expect(
      s.fake.calls.filter((c) => c.method.startsWith('conversations.') || c.method === 'chat.postMessage'),
    ).toHaveLength(0);
  });
});
