// DMs on Discord through the outbox: a card with buttons reaches the person, a press in the DM runs the command.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ticket } from '../../src/domain/entities.ts';
import {
  buttonLabels,
  buttonOf,
  type DiscordTestBot,
  isEphemeral,
  startDiscordTestBot,
  textOf,
} from '../support/fakeDiscordBot.ts';
import { fakeUser } from '../support/fakeDiscordPayloads.ts';
import { storedTicket } from '../support/storedTickets.ts';

let t: DiscordTestBot;
let tenant: string;

const stored = async (ticketId: string): Promise<Ticket> =>
  (await storedTicket(t.bot.db.connection, tenant, ticketId)) as Ticket;
const stateOf = async (ticketId: string) => (await t.show(ticketId)).fields?.find((f) => f.label === 'State')?.value;

/** Opens a ticket as the admin and assigns it to `who`; resolves with its id. */
async function ticketFor(who: typeof t.alice, title: string): Promise<string> {
  const opened = await t.answer(t.slash(t.admin, 'ticket', 'new', { title }));
  const id = /^(\S+) ·/.exec(opened.message?.embeds[0]?.title ?? '')?.[1] as string;
  const assigned = await t.answer(t.slash(t.admin, 'ticket', 'assign', { id, assignee: who }));
  expect(textOf(assigned.message)).toContain(`${id} is assigned to`);
  return id;
}

beforeAll(async () => {
  t = await startDiscordTestBot();
  t.fake.knowUser(t.alice);
  tenant = t.bot.core.tenantOf('discord', t.fake.guild.id);
  await t.answer(t.slash(t.admin, 'role', 'grant', { user: t.alice, role: 'agent' }));
});
afterAll(async () => {
  await t?.close();
});

describe('a DM from the outbox', () => {
  it('reaches the assignee with the card and its buttons; Start pressed in the DM starts the ticket', async () => {
    const id = await ticketFor(t.alice, 'VPN drops every hour');
    const ticket = await stored(id);
    const card = await t.show(id);
    const { outbox } = t.bot.core.services;
    await outbox.toPerson(tenant, ticket.assignee?.id as string, card, { ticketId: id });
    await outbox.drained();

    // The bot opened the DM channel with Alice and posted the card there, buttons included.
    const channel = t.fake.dmChannelOf(t.alice.id);
    expect(channel?.type).toBe(1);
    expect(t.fake.sent('POST', '/users/@me/channels').map((r) => r.body)).toEqual([{ recipient_id: t.alice.id }]);
    const [dm, ...more] = t.fake.dmsTo(t.alice.id);
    expect(more).toEqual([]);
    expect(dm?.guild_id).toBeUndefined();
    expect(dm?.embeds[0]?.title).toBe(`${id} · VPN drops every hour`);
    expect(buttonLabels(dm)).toEqual(['Assign to me', 'Start', 'Resolve']);
    expect(buttonOf(dm, 'a|ticket.start|')).toBe(`a|ticket.start|${id}`);

    // She presses Start in the DM: it runs as her, on the ticket of the right organisation.
    const answer = await t.answer(t.pressInDm(t.alice, buttonOf(dm, 'a|ticket.start|'), dm?.id as string));
    expect(textOf(answer.message)).toContain(`${id} is in progress.`);
    expect(answer.message?.channel_id).toBe(channel?.id);
    expect(isEphemeral(answer.message)).toBe(true);
    expect(await stateOf(id)).toBe('in_progress');
    expect((await stored(id)).history.at(-1)?.actor.identity).toBe(`discord:${t.alice.id}`);

    const { outbox: ledger } = t.bot.core.services;
    const sent = (await ledger.deliveriesFor(tenant, id)).filter((d) => d.what === 'DM');
    expect(sent).toMatchObject([
      { platform: 'discord', to: 'discord DM to Alice Liddell', outcome: 'delivered', attempts: 1 },
    ]);
    expect(sent[0]?.platformMessageId).toBe(dm?.id);
  });

  it('a plain Reply with a button works the same way', async () => {
    const id = await ticketFor(t.alice, 'Printer jams');
    const { outbox } = t.bot.core.services;
    await outbox.toPerson(
      tenant,
      (await stored(id)).assignee?.id as string,
      {
        text: `${id} needs you`,
        visibility: 'channel',
        actions: [{ id: 'ticket.start', label: 'Start', value: id, style: 'primary' }],
      },
      { ticketId: id },
    );
    await outbox.drained();
    const dm = t.fake.dmsTo(t.alice.id).at(-1);
    expect(dm?.content).toBe(`${id} needs you`);
    expect(buttonLabels(dm)).toEqual(['Start']);

    const answer = await t.answer(t.pressInDm(t.alice, buttonOf(dm, 'a|ticket.start|'), dm?.id as string));
    expect(textOf(answer.message)).toContain(`${id} is in progress.`);
    expect(answer.message?.channel_id).toBe(t.fake.dmChannelOf(t.alice.id)?.id);
    expect(await stateOf(id)).toBe('in_progress');
    expect((await stored(id)).history.at(-1)?.actor.identity).toBe(`discord:${t.alice.id}`);
  });

  it('a person whose DMs are closed: recorded as failed with the reason, and not tried again', async () => {
    const bob = fakeUser('bob', { global_name: 'Bob Closed' });
    t.fake.knowUser(bob);
    t.fake.closeDms(bob.id);
    await t.answer(t.slash(t.admin, 'role', 'grant', { user: bob, role: 'agent' }));
    const id = await ticketFor(bob, 'Disk full on build agent');
    const { outbox } = t.bot.core.services;
    await outbox.toPerson(tenant, (await stored(id)).assignee?.id as string, await t.show(id), { ticketId: id });
    await outbox.drained();

    const sent = (await outbox.deliveriesFor(tenant, id)).filter((d) => d.what === 'DM');
    expect(sent).toMatchObject([
      {
        platform: 'discord',
        to: 'discord DM to Bob Closed',
        outcome: 'failed',
        reason: '403 user has DMs closed (50007)',
        attempts: 1,
      },
    ]);
    const channel = t.fake.dmChannelOf(bob.id)?.id as string;
    const posts = () => t.fake.sent('POST', `/channels/${channel}/messages`);
    expect(posts().map((p) => p.status)).toEqual([403]);
    // Retries of transient failures come after 50 ms here: wait several of those; still one attempt.
    await new Promise((r) => setTimeout(r, 300));
    await outbox.drained();
    expect(posts()).toHaveLength(1);
    expect(t.fake.dmsTo(bob.id)).toEqual([]);
  });
});
