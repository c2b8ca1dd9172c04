// A captured request replayed inside Slack's 5-minute window (same bytes, same signature) changes nothing twice.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { askCore, buttonsOf, type SlackBot, startSlackBot, waitForCard } from '../support/fakeSlackBot.ts';
import { payloads } from '../support/fakeSlackSender.ts';

describe('Slack replayed requests', () => {
  let s: SlackBot;
  beforeEach(async () => {
    s = await startSlackBot();
  });
  afterEach(async () => {
    await s.close();
  });

  const ticketCount = async () => (await askCore(s.bot.core, 'ticket list --state all')).list?.length ?? 0;

  it('a replayed /ticket new opens one ticket', async () => {
    const first = await s.send.command('/ticket', 'new Replayed printer', { user: 'UADA', channel: 'CREPLAY' });
    await waitForCard(s, 'CREPLAY');
    const again = await first.replay();
    // Acked like any request (the signature is valid), but the command does not run a second time.
    expect(again.status).toBe(200);
    // A later, genuine command proves the replay was read and passed over, not still queued.
    await s.send.command('/ticket', 'new Genuine second', { user: 'UADA', channel: 'CLATER' });
    await waitForCard(s, 'CLATER');
    await s.bot.core.settled();
    expect(await ticketCount()).toBe(2);
    const cards = s.fake.callsTo('chat.postMessage').filter((c) => !c.body.thread_ts);
    expect(cards.map((c) => c.body.channel)).toEqual(['CREPLAY', 'CLATER']);
  });

  it('a replayed button press and a replayed modal submission change the ticket once', async () => {
    await s.send.command('/ticket', 'new Replayed buttons', { user: 'UADMIN', channel: 'CREPLAY' });
    const card = await waitForCard(s, 'CREPLAY');
    const cardTs = card.response?.ts as string;
    const press = await s.send.interaction(
      payloads.button({
        user: 'UADMIN',
        channel: 'CREPLAY',
        messageTs: cardTs,
        actionId: 'ticket.start',
        value: buttonsOf(card.body)['ticket.start'] as string,
        responseUrl: s.fake.responseUrl(),
      }),
    );
    await s.fake.waitFor((c) => c.find((x) => x.method === 'chat.update'), 5000, 'the card update');
    expect((await press.replay()).status).toBe(200);

    const since = s.fake.calls.length;
    await s.send.command('/ticket', 'new', { user: 'UADMIN', channel: 'CREPLAY' });
    const opened = await s.fake.waitFor((c) => c.slice(since).find((x) => x.method === 'views.open'));
    const submit = await s.send.interaction(
      payloads.viewSubmission({ user: 'UADMIN', view: opened.body.view, values: { title: 'From the modal' } }),
    );
    await waitForCard(s, 'CREPLAY', since);
    expect((await submit.replay()).status).toBe(200);

    await s.send.command('/ticket', 'new Marker', { user: 'UADMIN', channel: 'CMARK' });
    await waitForCard(s, 'CMARK');
    await s.bot.core.settled();
    expect(await ticketCount()).toBe(3);
    const shown = await askCore(s.bot.core, 'ticket show INC-1');
    expect(shown.list?.filter((l) => l.includes('→ in_progress'))).toHaveLength(1);
  });
});
