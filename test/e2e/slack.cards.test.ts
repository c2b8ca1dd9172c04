// Ticket cards: buttons through the whole lifecycle, cards edited in place, thread replies as comments.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RecordedCall } from '../support/fakeSlack.ts';
import {
  askCore,
  buttonsOf,
  fieldOf,
  readable,
  type SlackBot,
  startSlackBot,
  waitForCard,
} from '../support/fakeSlackBot.ts';
import { payloads } from '../support/fakeSlackSender.ts';
import { holdCore, personAt } from '../support/harness.ts';

const CHANNEL = 'CCARDS';

describe('Slack ticket cards', () => {
  let s: SlackBot;
  let cardTs: string;

  /** The buttons on the card as Slack shows it now (its last post or update). */
  function currentButtons(): Record<string, string> {
    const versions = s.fake.calls.filter(
      (c) =>
        c.status === 200 &&
        ((c.method === 'chat.postMessage' && c.response?.ts === cardTs) ||
          (c.method === 'chat.update' && c.body.ts === cardTs)),
    );
    const last = versions.at(-1);
    return last ? buttonsOf(last.body) : {};
  }

  /** Presses a button of the card as `user`, sending the value Slack would (the one rendered on it). */
  async function press(actionId: string, user = 'UADMIN') {
    const value = currentButtons()[actionId];
    if (value === undefined)
      throw new Error(`the card has no ${actionId} button now: ${Object.keys(currentButtons())}`);
    const since = s.fake.calls.length;
    const responseUrl = s.fake.responseUrl();
    const res = await s.send.interaction(
      payloads.button({ user, channel: CHANNEL, messageTs: cardTs, actionId, value, responseUrl }),
    );
    expect(res.status).toBe(200);
    return { since, responseUrl };
  }

  /** The next chat.update of the card after call number `since`. */
  const nextUpdate = (since: number): Promise<RecordedCall> =>
    s.fake.waitFor(
      (c) => c.slice(since).find((x) => x.method === 'chat.update' && x.status === 200 && x.body.ts === cardTs),
      5000,
      'the card update',
    );

  // "opened" can race the card's own post (the change may arrive before the card is recorded): left out.
  const summariesInThread = () =>
    s.fake
      .callsTo('chat.postMessage')
      .filter((c) => c.body.thread_ts === cardTs)
      .map((c) => String(c.body.text));

  beforeEach(async () => {
    // Slack and the terminal belong to one organisation, so a change at the terminal reaches the Slack card.
    s = await startSlackBot({ env: { SWITCHBOARD_ORGS: 'acme=slack:T1,console:local' } });
    s.fake.addUser({ id: 'UADMIN', name: 'root', display_name: 'Grace' });
    s.fake.addUser({ id: 'UADA', name: 'ada', display_name: 'Ada' });
    await s.send.command('/ticket', 'new Printer on fire', { user: 'UADA', channel: CHANNEL });
    const card = await waitForCard(s, CHANNEL);
    cardTs = card.response?.ts as string;
  });
  afterEach(async () => {
    await s.close();
  });

  it('buttons drive the whole lifecycle, and the one card is updated in place each time', async () => {
    // Assign to me
    let p = await press('ticket.assign');
    let update = await nextUpdate(p.since);
    expect(readable(update.body)).toContain('*State*\nassigned');
    expect(readable(update.body)).toContain('*Assignee*\nGrace');
    const confirmation = await s.fake.waitFor((c) =>
      c.find((x) => x.method === 'response_url' && x.responseId === p.responseUrl.split('/').pop()),
    );
    expect(confirmation.body.response_type).toBe('ephemeral');
    expect(Object.keys(buttonsOf(update.body))).toEqual(['ticket.assign', 'ticket.start', 'ticket.resolve']);

    // Start
    p = await press('ticket.start');
    update = await nextUpdate(p.since);
    expect(readable(update.body)).toContain('*State*\nin_progress');
    expect(Object.keys(buttonsOf(update.body))).toEqual(['ticket.assign', 'ticket.resolve']);

    // Resolve: the button opens a modal for the note; its submission resolves.
    p = await press('ticket.resolve');
    const opened = await s.fake.waitFor(
      (c) => c.slice(p.since).find((x) => x.method === 'views.open'),
      5000,
      'the resolve modal',
    );
    const view = opened.body.view;
    expect(view.callback_id).toBe('ticket.resolve');
    expect(view.blocks.map((b: { block_id: string }) => b.block_id)).toEqual(['resolution']);
    const since = s.fake.calls.length;
    const ack = await s.send.interaction(
      payloads.viewSubmission({ user: 'UADMIN', view, values: { resolution: 'Replaced the fuser' } }),
    );
    expect(ack.status).toBe(200);
    expect(ack.text).toBe('');
    update = await nextUpdate(since);
    expect(readable(update.body)).toContain('*State*\nresolved');
    expect(readable(update.body)).toContain('Replaced the fuser');
    expect(Object.keys(buttonsOf(update.body))).toEqual(['ticket.close', 'ticket.reopen']);

    // Reopen (the requester may), resolve again, close.
    p = await press('ticket.reopen', 'UADA');
    update = await nextUpdate(p.since);
    expect(readable(update.body)).toContain('*State*\nin_progress');
    const before = s.fake.calls.length;
    await personAt(s.bot.core, 'root', 'console', 'local')('ticket resolve INC-1 "toner swapped too"');
    await nextUpdate(before);
    p = await press('ticket.close');
    update = await nextUpdate(p.since);
    expect(readable(update.body)).toContain('*State*\nclosed');
    expect(buttonsOf(update.body)).toEqual({});

    // Every update edited the same message; no second card was posted.
    const updates = s.fake.callsTo('chat.update');
    expect(new Set(updates.map((u) => `${u.body.channel}/${u.body.ts}`))).toEqual(new Set([`${CHANNEL}/${cardTs}`]));
    const topLevel = s.fake.callsTo('chat.postMessage').filter((c) => !c.body.thread_ts);
    expect(topLevel.filter((c) => c.body.channel === CHANNEL)).toHaveLength(1);
    // The one other message is the requester's satisfaction question, asked once across the reopen.
    expect(topLevel.filter((c) => c.body.channel !== CHANNEL).map((c) => String(c.body.text).slice(0, 24))).toEqual([
      'How did we do on INC-1 "',
    ]);
    // Each change was told in the card's thread.
    await s.bot.core.settled();
    expect(summariesInThread().filter((t) => !t.includes(' opened '))).toEqual([
      'Grace assigned INC-1 to Grace',
      'Grace started work on INC-1',
      'Grace resolved INC-1: Replaced the fuser',
      'Ada reopened INC-1',
      'root resolved INC-1: toner swapped too',
      'Grace closed INC-1',
    ]);

    const shown = await askCore(s.bot.core, 'ticket show INC-1');
    expect(fieldOf(shown, 'State')).toBe('closed');
    expect(fieldOf(shown, 'Resolution')).toBe('toner swapped too');
  });

  it('a change made at the terminal updates the Slack card and is told in its thread', async () => {
    await personAt(s.bot.core, 'root', 'console', 'local')('ticket priority INC-1 P1');
    const update = await nextUpdate(0);
    expect(readable(update.body)).toContain('*Priority*\nP1');
    await s.fake.waitFor(() => summariesInThread().find((t) => t.includes('priority')), 5000, 'the thread summary');
  });

  it('a card deleted in Slack is forgotten: no more updates, nothing more in its thread', async () => {
    const admin = personAt(s.bot.core, 'root', 'console', 'local');
    s.fake.failNext('chat.update', 'message_not_found');
    await admin('ticket priority INC-1 P1');
    await s.bot.core.settled();
    expect(await s.bot.core.cardsFor('acme', 'INC-1')).toEqual([]);
    const since = s.fake.calls.length;
    await admin('ticket priority INC-1 P2');
    await s.bot.core.settled();
    expect(s.fake.calls.slice(since).filter((c) => c.method.startsWith('chat.'))).toEqual([]);
  });

  it('a modal submission with a bad field shows the error on that field and changes nothing', async () => {
    const p = await press('ticket.resolve');
    const opened = await s.fake.waitFor((c) => c.slice(p.since).find((x) => x.method === 'views.open'));
    const ack = await s.send.interaction(
      payloads.viewSubmission({ user: 'UADMIN', view: opened.body.view, values: {} }),
    );
    expect(ack.status).toBe(200);
    const body = ack.json();
    expect(body.response_action).toBe('errors');
    expect(Object.keys(body.errors)).toEqual(['resolution']);
    const shown = await askCore(s.bot.core, 'ticket show INC-1');
    expect(fieldOf(shown, 'State')).toBe('new');
  });

  it('a button refused by the core is told only to the presser', async () => {
    const p = await press('ticket.start', 'UADA');
    const answer = await s.fake.waitFor((c) =>
      c.find((x) => x.method === 'response_url' && x.responseId === p.responseUrl.split('/').pop()),
    );
    expect(answer.body.response_type).toBe('ephemeral');
    expect(readable(answer.body)).toContain('needs the agent role');
    expect(s.fake.callsTo('chat.update')).toHaveLength(0);
  });

  it('pressing a button again after it worked is refused, only to the presser', async () => {
    const first = await press('ticket.start');
    await nextUpdate(first.since);
    // "Again after it worked": once the first press has run to its end (during it, a second is a double click).
    await s.adapter.idle();
    const responseUrl = s.fake.responseUrl();
    await s.send.interaction(
      payloads.button({
        user: 'UADMIN',
        channel: CHANNEL,
        messageTs: cardTs,
        actionId: 'ticket.start',
        value: 'INC-1',
        responseUrl,
      }),
    );
    const answer = await s.fake.waitFor((c) => c.find((x) => x.responseId === responseUrl.split('/').pop()));
    expect(answer.body.response_type).toBe('ephemeral');
    expect(readable(answer.body)).toMatch(/in_progress/);
    await s.bot.core.settled();
    expect(summariesInThread().filter((t) => t.includes('started work'))).toHaveLength(1);
  });

  it('a reply in the card thread becomes a comment, once, even when Slack retries the event', async () => {
    const reply = {
      type: 'message',
      channel: CHANNEL,
      user: 'UADA',
      text: 'It is smoking again',
      ts: '1700009999.000200',
      thread_ts: cardTs,
      event_ts: '1700009999.000200',
      channel_type: 'channel',
    };
    const first = await s.send.event(reply);
    expect(first.status).toBe(200);
    const update = await nextUpdate(0);
    expect(readable(update.body)).toContain('It is smoking again');
    // Slack did not see the ack in time and sends the same event again.
    const retry = await s.send.event(reply, { eventId: first.eventId, retryNum: 1 });
    expect(retry.status).toBe(200);
    await s.bot.core.settled();
    const shown = await askCore(s.bot.core, 'ticket show INC-1');
    expect(shown.list?.filter((l) => l.includes('It is smoking again'))).toHaveLength(1);
    // The card shows the comment; it is not echoed back under the person's own words.
    expect(summariesInThread().filter((t) => t.includes('smoking'))).toHaveLength(0);
  });

  it('a thread reply is recorded as the person wrote it, not as Slack escaped it', async () => {
    await s.send.event({
      type: 'message',
      channel: CHANNEL,
      user: 'UADA',
      text: 'Fuser &amp; toner &lt;both&gt; replaced, see <https://wiki.example.com/fuser|the wiki>',
      ts: '1700009999.000800',
      thread_ts: cardTs,
    });
    await nextUpdate(0);
    await s.bot.core.settled();
    const shown = await askCore(s.bot.core, 'ticket show INC-1');
    expect(shown.list?.filter((l) => l.startsWith('💬'))).toEqual([
      '💬 Ada: Fuser & toner <both> replaced, see the wiki',
    ]);
  });

  it('bot messages, other threads and top-level messages are not comments', async () => {
    await s.send.event({
      type: 'message',
      channel: CHANNEL,
      bot_id: 'BOTHER',
      text: 'beep',
      ts: '1700009999.000300',
      thread_ts: cardTs,
    });
    await s.send.event({
      type: 'message',
      channel: CHANNEL,
      user: 'UADA',
      text: 'elsewhere',
      ts: '1700009999.000400',
      thread_ts: '1600000000.000001',
    });
    await s.send.event({ type: 'message', channel: CHANNEL, user: 'UADA', text: 'top level', ts: '1700009999.000500' });
    await s.send.event({
      type: 'message',
      subtype: 'message_changed',
      channel: CHANNEL,
      ts: '1700009999.000600',
      thread_ts: cardTs,
    });
    // A person's reply after them proves the events above were processed and ignored, in order.
    await s.send.event({
      type: 'message',
      channel: CHANNEL,
      user: 'UADA',
      text: 'marker',
      ts: '1700009999.000700',
      thread_ts: cardTs,
    });
    await nextUpdate(0);
    await s.bot.core.settled();
    const shown = await askCore(s.bot.core, 'ticket show INC-1');
    const comments = shown.list?.filter((l) => l.startsWith('💬')) ?? [];
    expect(comments).toEqual(['💬 Ada: marker']);
  });
});

describe('Slack double clicks', () => {
  it('a second press while the first still runs is dropped: the ticket changes once', async () => {
    const handled: string[] = [];
    const { wrap: held, release } = holdCore((inv) => {
      if (inv.subcommand !== 'start') return false;
      handled.push(inv.deliveryId ?? '');
      return true;
    });
    const s = await startSlackBot({ wrapCore: held });
    try {
      await s.send.command('/ticket', 'new Printer on fire', { user: 'UADMIN', channel: CHANNEL });
      const cardTs = (await waitForCard(s, CHANNEL)).response?.ts as string;
      const responseUrl = s.fake.responseUrl();
      const click = () =>
        s.send.interaction(
          payloads.button({
            user: 'UADMIN',
            channel: CHANNEL,
            messageTs: cardTs,
            actionId: 'ticket.start',
            value: 'INC-1',
            responseUrl,
          }),
        );
      await click();
      await s.fake.waitFor(() => handled.length === 1 || undefined, 5000, 'the first press to reach the core');
      // The first press is held inside the core; the second arrives meanwhile (its ack proves it was read).
      expect((await click()).status).toBe(200);
      release();
      await s.fake.waitFor((c) =>
        c.find((x) => x.method === 'chat.postMessage' && String(x.body.text).includes('started work')),
      );
      await s.bot.core.settled();
      expect(handled).toHaveLength(1);
      const shown = await askCore(s.bot.core, 'ticket show INC-1');
      expect(shown.list?.filter((l) => l.includes('→ in_progress'))).toHaveLength(1);
    } finally {
      release();
      await s.close();
    }
  });
});

describe('Slack cards while Slack is slow', () => {
  it('a card is recorded, and replies in its thread count, while joining its channel is still pending', async () => {
    const s = await startSlackBot();
    const release = s.fake.hold('conversations.join');
    try {
      await s.send.command('/ticket', 'new Slow join', { user: 'UADA', channel: 'CJOIN' });
      const cardTs = (await waitForCard(s, 'CJOIN')).response?.ts as string;
      await s.send.event({
        type: 'message',
        channel: 'CJOIN',
        user: 'UADA',
        text: 'Reply while the bot is joining',
        ts: '1700009999.000900',
        thread_ts: cardTs,
      });
      await s.fake.waitFor((c) => c.find((x) => x.method === 'chat.update'), 5000, 'the card update');
      const shown = await askCore(s.bot.core, 'ticket show INC-1');
      expect(shown.list?.filter((l) => l.startsWith('💬'))).toEqual(['💬 uada: Reply while the bot is joining']);
    } finally {
      release();
      await s.close();
    }
  });
});

describe('Slack mentions in a card thread before the bot knows its own id', () => {
  it('a mention in the card thread is a command, not also a comment, while auth.test is unanswered', async () => {
    let release: () => void = () => {};
    const s = await startSlackBot({
      beforeStart: (fake) => {
        release = fake.hold('auth.test');
      },
    });
    try {
      await s.send.command('/ticket', 'new Printer on fire', { user: 'UADA', channel: CHANNEL });
      const cardTs = (await waitForCard(s, CHANNEL)).response?.ts as string;
      const said = {
        channel: CHANNEL,
        user: 'UADA',
        text: '<@UBOT> ticket comment INC-1 said once',
        ts: '1700009999.001000',
        thread_ts: cardTs,
      };
      await s.send.event({ type: 'message', ...said });
      await s.send.event({ type: 'app_mention', ...said });
      await s.fake.waitFor((c) => c.find((x) => x.method === 'chat.update'), 5000, 'the card update');
      await s.bot.core.settled();
      const shown = await askCore(s.bot.core, 'ticket show INC-1');
      expect(shown.list?.filter((l) => l.startsWith('💬'))).toEqual(['💬 uada: said once']);
    } finally {
      release();
      await s.close();
    }
  });
});
