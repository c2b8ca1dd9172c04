// One person linked on Slack and Discord, both adapters on one core: the outbox sends one DM on each platform.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ticket } from '../../src/domain/entities.ts';
import { buttonLabels, type DiscordTestBot, startDiscordTestBot, textOf } from '../support/fakeDiscordBot.ts';
import { type FakeSlack, startFakeSlack } from '../support/fakeSlack.ts';
import { buttonsOf, fieldOf, headerOf, type SlackBot, slackEnv, startSlackBot } from '../support/fakeSlackBot.ts';
import { payloads } from '../support/fakeSlackSender.ts';
import { storedTicket } from '../support/storedTickets.ts';

let fakeSlack: FakeSlack;
let d: DiscordTestBot;
let s: SlackBot;

beforeAll(async () => {
  fakeSlack = await startFakeSlack();
  fakeSlack.addUser({ id: 'UALICE', name: 'alice', display_name: 'Alice on Slack' });
  // Workspace T1 and the Discord server are one organisation, so an identity on each can be one person.
  d = await startDiscordTestBot({ env: { ...slackEnv(fakeSlack), SWITCHBOARD_ORGS: 'acme=slack:T1,discord:{guild}' } });
  d.fake.knowUser(d.alice);
  s = await startSlackBot({ shared: { fake: fakeSlack, bot: d.bot } });
});
afterAll(async () => {
  await s?.close();
  await d?.close();
  await fakeSlack?.close();
});

describe('a person linked on Slack and Discord', () => {
  it('gets the DM once on each platform, and a press on either runs the command', async () => {
    // Alice asks for a code on Discord and gives it on Slack, as a person would.
    const asked = await d.answer(d.slash(d.alice, 'link', null));
    const code = /link code is (\d{6})/.exec(textOf(asked.message))?.[1] as string;
    const linked = await s.send.command('/link', code, { user: 'UALICE', channel: 'CDESK' });
    const said = await fakeSlack.waitFor((c) =>
      c.find((x) => x.method === 'response_url' && x.responseId === linked.responseId),
    );
    expect(String(said.body.text)).toContain('are now one person');

    await d.answer(d.slash(d.admin, 'role', 'grant', { user: d.alice, role: 'agent' }));
    const opened = await d.answer(d.slash(d.admin, 'ticket', 'new', { title: 'Core switch down' }));
    const id = /^(\S+) ·/.exec(opened.message?.embeds[0]?.title ?? '')?.[1] as string;
    await d.answer(d.slash(d.admin, 'ticket', 'assign', { id, assignee: d.alice }));

    const tenant = d.bot.core.tenantOf('discord', d.fake.guild.id);
    expect(tenant).toBe('acme');
    const ticket = (await storedTicket(d.bot.db.connection, tenant, id)) as Ticket;
    const { outbox } = d.bot.core.services;
    const ids = await outbox.toPerson(tenant, ticket.assignee?.id as string, await d.show(id), { ticketId: id });
    expect(ids).toHaveLength(2);
    await outbox.drained();

    const onDiscord = d.fake.dmsTo(d.alice.id);
    const onSlack = fakeSlack.dmsTo('UALICE');
    expect(onDiscord).toHaveLength(1);
    expect(onSlack).toHaveLength(1);
    expect(buttonLabels(onDiscord[0])).toEqual(['Assign to me', 'Start', 'Resolve']);
    expect(headerOf(onSlack[0] as never)).toBe(`${id} · Core switch down`);
    const ledger = (await outbox.deliveriesFor(tenant, id)).filter((x) => x.what === 'DM');
    expect(ledger.map((x) => [x.platform, x.outcome]).sort()).toEqual([
      ['discord', 'delivered'],
      ['slack', 'delivered'],
    ]);

    // Pressed on Slack: the ticket starts, as the same person who was assigned on Discord.
    const responseUrl = fakeSlack.responseUrl();
    await s.send.interaction(
      payloads.button({
        user: 'UALICE',
        channel: fakeSlack.dmChannelOf('UALICE') as string,
        messageTs: onSlack[0]?.ts as string,
        actionId: 'ticket.start',
        value: buttonsOf(onSlack[0] as never)['ticket.start'] as string,
        responseUrl,
      }),
    );
    const answer = await fakeSlack.waitFor((c) =>
      c.find((x) => x.method === 'response_url' && x.responseId === responseUrl.split('/').pop()),
    );
    expect(String(answer.body.text)).toContain(`${id} is in progress.`);
    expect(fieldOf(await d.show(id), 'State')).toBe('in_progress');
  });
});
