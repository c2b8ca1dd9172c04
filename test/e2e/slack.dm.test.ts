// DMs on Slack through the outbox: a card with buttons reaches the person, a press in the DM runs the command.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Ticket } from '../../src/domain/entities.ts';
import type { RecordedCall } from '../support/fakeSlack.ts';
import { askCore, buttonsOf, fieldOf, headerOf, type SlackBot, startSlackBot } from '../support/fakeSlackBot.ts';
import { payloads } from '../support/fakeSlackSender.ts';
import { storedTicket } from '../support/storedTickets.ts';

let s: SlackBot;
let tenant: string;

const stored = async (ticketId: string): Promise<Ticket> =>
  (await storedTicket(s.bot.db.connection, tenant, ticketId)) as Ticket;
const ok = async (line: string, user = 'UADMIN') => {
  const r = await askCore(s.bot.core, line, user);
  expect(r.error, r.text).toBeUndefined();
  return r;
};

/** A ticket assigned to the agent `user`; resolves with its id. */
async function ticketFor(user: string, title: string): Promise<string> {
  const id = (await ok(`ticket new ${title}`)).card?.ticketId as string;
  await ok(`ticket assign ${id} @slack:${user}`);
  return id;
}

/** What the response_url of a press was sent, once it was. */
const answerAt = (responseUrl: string): Promise<RecordedCall> =>
  s.fake.waitFor(
    (c) => c.find((x) => x.method === 'response_url' && x.responseId === responseUrl.split('/').pop()),
    5000,
    'the answer to the press',
  );

beforeEach(async () => {
  s = await startSlackBot();
  s.fake.addUser({ id: 'UADMIN', name: 'root', display_name: 'Grace' });
  s.fake.addUser({ id: 'UADA', name: 'ada', display_name: 'Ada' });
  tenant = s.bot.core.tenantOf('slack', s.fake.bot.teamId);
  // Ada uses Switchboard from Slack once, so it knows her by the name Slack shows.
  const seen = await s.send.command('/role', 'show', { user: 'UADA', channel: 'CDESK' });
  await s.fake.waitFor((c) => c.find((x) => x.method === 'response_url' && x.responseId === seen.responseId));
  await ok('role grant @slack:UADA agent');
});
afterEach(async () => {
  await s.close();
});

describe('a Slack DM from the outbox', () => {
  it('reaches the assignee with the card and its buttons; Start pressed in the DM starts the ticket', async () => {
    const id = await ticketFor('UADA', 'Printer on fire');
    const card = await ok(`ticket show ${id}`);
    const { outbox } = s.bot.core.services;
    await outbox.toPerson(tenant, (await stored(id)).assignee?.id as string, card, { ticketId: id });
    await outbox.drained();

    // conversations.open for Ada, then the card posted in that D… channel, buttons included.
    expect(s.fake.callsTo('conversations.open').map((c) => c.body.users)).toEqual(['UADA']);
    const channel = s.fake.dmChannelOf('UADA') as string;
    expect(channel).toMatch(/^D[A-Z0-9]+$/);
    const [dm, ...more] = s.fake.dmsTo('UADA');
    expect(more).toEqual([]);
    expect(headerOf(dm as never)).toBe(`${id} · Printer on fire`);
    const buttons = buttonsOf(dm as never);
    expect(Object.keys(buttons)).toEqual(['ticket.assign', 'ticket.start', 'ticket.resolve']);

    const responseUrl = s.fake.responseUrl();
    const res = await s.send.interaction(
      payloads.button({
        user: 'UADA',
        channel,
        messageTs: dm?.ts as string,
        actionId: 'ticket.start',
        value: buttons['ticket.start'] as string,
        responseUrl,
      }),
    );
    expect(res.status).toBe(200);
    const answer = await answerAt(responseUrl);
    expect(answer.body.response_type).toBe('ephemeral');
    expect(String(answer.body.text)).toContain(`${id} is in progress.`);
    expect(fieldOf(await ok(`ticket show ${id}`), 'State')).toBe('in_progress');
    expect((await stored(id)).history.at(-1)?.actor.identity).toBe('slack:UADA');

    const sent = (await outbox.deliveriesFor(tenant, id)).filter((d) => d.what === 'DM');
    expect(sent).toMatchObject([{ platform: 'slack', to: 'slack DM to Ada', outcome: 'delivered', attempts: 1 }]);
    expect(sent[0]?.platformMessageId).toBe(dm?.ts);
  });

  it('Resolve pressed in the DM opens the note form; submitting it resolves the ticket and tells the person', async () => {
    const id = await ticketFor('UADA', 'VPN drops');
    const { outbox } = s.bot.core.services;
    await outbox.toPerson(tenant, (await stored(id)).assignee?.id as string, await ok(`ticket show ${id}`), {
      ticketId: id,
    });
    await outbox.drained();
    const channel = s.fake.dmChannelOf('UADA') as string;
    const dm = s.fake.dmsTo('UADA').at(-1);
    const since = s.fake.calls.length;
    await s.send.interaction(
      payloads.button({
        user: 'UADA',
        channel,
        messageTs: dm?.ts as string,
        actionId: 'ticket.resolve',
        value: buttonsOf(dm as never)['ticket.resolve'] as string,
        responseUrl: s.fake.responseUrl(),
      }),
    );
    const opened = await s.fake.waitFor(
      (c) => c.slice(since).find((x) => x.method === 'views.open'),
      5000,
      'the resolve form',
    );
    const after = s.fake.calls.length;
    const ack = await s.send.interaction(
      payloads.viewSubmission({ user: 'UADA', view: opened.body.view, values: { resolution: 'Reset the tunnel' } }),
    );
    expect(ack.status).toBe(200);
    // The form came from the DM: its answer goes back there, to Ada only.
    // (The requester's satisfaction question, a DM of its own, may go out first: it is not the answer.)
    const told = await s.fake.waitFor(
      (c) =>
        c
          .slice(after)
          .find(
            (x) =>
              (x.method === 'chat.postEphemeral' || x.method === 'chat.postMessage') &&
              !String(x.body.text).startsWith('How did we do'),
          ),
      5000,
      'the answer to the form',
    );
    expect(told.body).toMatchObject({ channel, user: 'UADA' });
    expect(String(told.body.text)).toContain(`${id} is resolved`);
    expect(fieldOf(await ok(`ticket show ${id}`), 'State')).toBe('resolved');
    expect(fieldOf(await ok(`ticket show ${id}`), 'Resolution')).toBe('Reset the tunnel');
  });

  it('a person Slack does not know: recorded as failed with the reason, and not tried again', async () => {
    await ok('role show', 'UGONE');
    await ok('role grant @slack:UGONE agent');
    const id = await ticketFor('UGONE', 'Badge reader offline');
    s.fake.forgetUser('UGONE');
    const { outbox } = s.bot.core.services;
    await outbox.toPerson(tenant, (await stored(id)).assignee?.id as string, await ok(`ticket show ${id}`), {
      ticketId: id,
    });
    await outbox.drained();
    const sent = (await outbox.deliveriesFor(tenant, id)).filter((d) => d.what === 'DM');
    expect(sent).toMatchObject([{ platform: 'slack', outcome: 'failed', reason: 'user_not_found', attempts: 1 }]);
    // Transient failures are retried after 50 ms here: wait several of those; still one attempt.
    await new Promise((r) => setTimeout(r, 300));
    await outbox.drained();
    expect(s.fake.calls.filter((c) => c.method === 'conversations.open')).toHaveLength(1);
    expect(s.fake.callsTo('chat.postMessage').filter((c) => String(c.body.channel).startsWith('D'))).toEqual([]);
  });
});
