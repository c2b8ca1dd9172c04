// Every /ticket subcommand, help, role and link through the real discord.js client and a local fake Discord.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DiscordTestBot,
  eventually,
  isEphemeral,
  startDiscordTestBot,
  textOf,
} from '../support/fakeDiscordBot.ts';
import { fakeUser } from '../support/fakeDiscordPayloads.ts';

let t: DiscordTestBot;
beforeAll(async () => {
  t = await startDiscordTestBot();
});
afterAll(async () => {
  await t?.close();
});

/** Runs a slash command and returns the visible answer. */
async function run(user: 'admin' | 'alice', command: string, sub: string | null, options: Record<string, any> = {}) {
  const id = t.slash(t[user], command, sub, options);
  const a = await t.answer(id);
  return { id, a, message: a.message, text: textOf(a.message) };
}

describe('/ticket through Discord', () => {
  it('new: posts a public card, records it, and opens a thread for it', async () => {
    const { message, a } = await run('admin', 'ticket', 'new', {
      title: 'VPN drops every 5 minutes',
      impact: 'high',
      urgency: 'high',
      service: 'vpn',
    });
    expect(a.callbackType).toBe(4);
    expect(isEphemeral(message)).toBe(false);
    const embed = message?.embeds[0];
    expect(embed.title).toBe('INC-1 · VPN drops every 5 minutes');
    expect(embed.fields).toContainEqual({ name: 'Priority', value: 'P1', inline: true });
    expect(embed.footer.text).toContain('Requested by Root Admin');
    expect(message?.components[0].components.map((c: any) => c.label)).toEqual([
      'Assign to me',
      'Start',
      'Resolve',
      'Declare major incident',
    ]);

    const thread = await t.fake.waitFor(() => t.fake.messages.get(message?.id as string)?.thread, 'the card thread');
    expect(thread.name).toBe('INC-1 · VPN drops every 5 minutes');
    const recorded = await pollCards('INC-1', 1);
    expect(recorded[0]).toMatchObject({
      platform: 'discord',
      channel: t.channel.id,
      messageId: message?.id,
      thread: thread.id,
    });
  });

  it('new with a user-picked type and priority keeps them', async () => {
    const { text } = await run('admin', 'ticket', 'new', {
      title: 'Laptop for the new hire',
      type: 'request',
      priority: 'P4',
    });
    expect(text).toContain('REQ-1 · Laptop for the new hire');
    expect(text).toContain('Priority: P4');
  });

  it('show: an ephemeral card with history, no buttons recorded as a card', async () => {
    const { message } = await run('admin', 'ticket', 'show', { id: 'inc-1' });
    expect(isEphemeral(message)).toBe(true);
    expect(textOf(message)).toContain('INC-1 · VPN drops every 5 minutes');
    expect(textOf(message)).toMatch(/Root Admin opened/);
    expect((await t.bot.core.cardsFor(t.bot.core.tenantOf('discord', t.fake.guild.id), 'INC-1')).length).toBe(1);
  });

  it('list: open tickets, filtered by typed options', async () => {
    const all = await run('admin', 'ticket', 'list', {});
    expect(isEphemeral(all.message)).toBe(true);
    expect(all.text).toContain('2 open tickets');
    const mine = await run('alice', 'ticket', 'list', {});
    expect(mine.text).toContain('No open tickets'); // a requester sees only their own
    const p1 = await run('admin', 'ticket', 'list', { priority: 'P1' });
    expect(p1.text).toContain('INC-1');
    expect(p1.text).not.toContain('REQ-1');
  });

  it('assign: a USER option becomes discord:<id> and names the person', async () => {
    await run('admin', 'role', 'grant', { user: t.alice, role: 'agent' });
    const { text } = await run('admin', 'ticket', 'assign', { id: 'INC-1', assignee: t.alice });
    expect(text).toContain('INC-1 is assigned to Alice Liddell');
    const shown = await t.show('INC-1');
    expect(shown.fields).toContainEqual({ label: 'Assignee', value: 'Alice Liddell', inline: true });
    expect(shown.fields).toContainEqual({ label: 'State', value: 'assigned', inline: true });
  });

  it('start, pending, comment, priority, resolve, close, reopen walk the lifecycle', async () => {
    expect((await run('alice', 'ticket', 'start', { id: 'INC-1' })).text).toContain('INC-1 is in progress');
    expect((await run('alice', 'ticket', 'pending', { id: 'INC-1', reason: 'waiting for the ISP' })).text).toContain(
      'pending',
    );
    expect((await run('alice', 'ticket', 'start', { id: 'INC-1' })).text).toContain('in progress');
    expect(
      (await run('alice', 'ticket', 'comment', { id: 'INC-1', text: 'ISP confirms an outage', internal: true })).text,
    ).toContain('Work note added');
    expect((await run('alice', 'ticket', 'priority', { id: 'INC-1', priority: 'P2' })).text).toContain(
      'INC-1 is now P2',
    );
    expect(
      (await run('alice', 'ticket', 'resolve', { id: 'INC-1', resolution: 'ISP fixed their router' })).text,
    ).toContain('INC-1 is resolved');
    expect((await run('alice', 'ticket', 'reopen', { id: 'INC-1', reason: 'dropped again' })).text).toContain(
      'reopened',
    );
    await run('alice', 'ticket', 'resolve', { id: 'INC-1', resolution: 'replaced the router' });
    expect((await run('alice', 'ticket', 'close', { id: 'INC-1' })).text).toContain('INC-1 is closed');

    const shown = await t.show('INC-1');
    expect(shown.fields).toContainEqual({ label: 'State', value: 'closed', inline: true });
    expect(shown.fields).toContainEqual({ label: 'Priority', value: 'P2', inline: true });
    expect(shown.text).toContain('[work note] Alice Liddell: ISP confirms an outage');
  });

  it('refusals are ephemeral: a requester may not start work, a bad transition names what is allowed', async () => {
    const bob = { ...t.alice, id: '100000000000000777', username: 'bob', global_name: 'Bob' };
    const denied = await run('admin', 'help', null, {});
    expect(isEphemeral(denied.message)).toBe(true);
    const id = t.slash(bob, 'ticket', 'start', { id: 'REQ-1' });
    const a = await t.answer(id);
    expect(isEphemeral(a.message)).toBe(true);
    expect(textOf(a.message)).toContain('needs the agent role');
    const bad = await run('alice', 'ticket', 'close', { id: 'REQ-1' });
    expect(isEphemeral(bad.message)).toBe(true);
    expect(bad.text).toMatch(/REQ-1 is new and cannot become closed/);
  });

  it('a malformed option is refused at once, without running anything', async () => {
    const before = t.fake.requests.length;
    const { message, a } = await run('alice', 'ticket', 'show', { id: 'not-a-ticket' });
    expect(a.callbackType).toBe(4);
    expect(isEphemeral(message)).toBe(true);
    expect(textOf(message)).toContain('is not a ticket id');
    expect(t.fake.requests.length).toBe(before + 1);
  });
});

describe('modals', () => {
  it('/ticket new with nothing opens the form; submitting it posts the card', async () => {
    const { a } = await run('alice', 'ticket', 'new', {});
    expect(a.callbackType).toBe(9);
    const modal = a.modal;
    expect(modal.title).toBe('Open a ticket');
    const inputs = modal.components.map((c: any) => c.component.custom_id);
    expect(inputs).toEqual(['title', 'description', 'type', 'impact', 'urgency']);
    expect(modal.components[2].component.options.map((o: any) => o.value)).toEqual([
      'incident',
      'request',
      'problem',
      'change',
    ]);

    const sub = t.submit(t.alice, modal.custom_id, {
      title: 'Printer on floor 3 jams',
      description: 'Every page',
      type: ['request'],
    });
    const answered = await t.answer(sub);
    expect(isEphemeral(answered.message)).toBe(false);
    expect(textOf(answered.message)).toContain('REQ-2 · Printer on floor 3 jams');
    await pollCards('REQ-2', 1);
  });

  it('/ticket new with options but no title opens the form and keeps what was given', async () => {
    const { a } = await run('alice', 'ticket', 'new', { priority: 'P2', service: 'mail' });
    expect(a.callbackType).toBe(9);
    const service = a.modal.components.find((c: any) => c.component.custom_id === 'service');
    expect(service).toBeUndefined(); // the sixth field does not fit a Discord modal
    expect(a.modal.custom_id).toContain('priority=P2');
    const sub = t.submit(t.alice, a.modal.custom_id, { title: 'Mail is slow' });
    const answered = await t.answer(sub);
    const text = textOf(answered.message);
    expect(text).toContain('INC-2 · Mail is slow');
    expect(text).toContain('Priority: P2');
    expect(text).toContain('Service: mail');
  });

  it('/ticket new with a title that is too long is refused in words, not turned into a form that would cut it', async () => {
    const { a, message } = await run('alice', 'ticket', 'new', { title: 'y'.repeat(240), service: 'mail' });
    expect(a.callbackType).toBe(4);
    expect(isEphemeral(message)).toBe(true);
    expect(textOf(message)).toContain('title is too long');
  });

  it('a form submitted with a bad value is refused ephemerally, naming the field', async () => {
    const sub = t.submit(t.alice, 'f|ticket.new|', { title: 'x'.repeat(250) });
    const a = await t.answer(sub);
    expect(isEphemeral(a.message)).toBe(true);
    expect(textOf(a.message)).toContain('title is too long');
  });
});

describe('autocomplete, help, role, link', () => {
  it('ticket options complete from open tickets', async () => {
    const id = t.autocomplete(t.alice, 'ticket', 'show', 'id', 'REQ');
    const a = await t.answer(id);
    expect(a.callbackType).toBe(8);
    const values = (a.choices ?? []).map((c) => c.value);
    expect(values).toContain('REQ-1');
    expect(values).toContain('REQ-2');
    expect(values).not.toContain('INC-1');
    expect(a.choices?.find((c) => c.value === 'REQ-1')?.name).toBe('REQ-1 · Laptop for the new hire');
  });

  it("/ticket remind's first word (a ticket id, or list, or cancel) completes from open tickets too", async () => {
    const id = t.autocomplete(t.alice, 'ticket', 'remind', 'id', 'REQ');
    const a = await t.answer(id);
    expect(a.callbackType).toBe(8);
    expect((a.choices ?? []).map((c) => c.value)).toContain('REQ-1');
  });

  it("a requester's completions are only their own tickets", async () => {
    const mallory = fakeUser('mallory', { global_name: 'Mallory' });
    const id = t.autocomplete(mallory, 'ticket', 'show', 'id', 'REQ');
    const a = await t.answer(id);
    expect(a.callbackType).toBe(8);
    expect(a.choices ?? []).toEqual([]);
  });

  it('/help and /help command are single commands', async () => {
    expect((await run('alice', 'help', null, {})).text).toContain('Switchboard commands');
    expect((await run('alice', 'help', null, { command: 'ticket new' })).text).toContain('/ticket new <title');
  });

  it('/role show and /link answer privately', async () => {
    const role = await run('alice', 'role', 'show', {});
    expect(role.text).toContain('You are an agent');
    const link = await run('alice', 'link', null, {});
    expect(isEphemeral(link.message)).toBe(true);
    expect(link.text).toMatch(/Your link code is \d{6}/);
  });
});

async function pollCards(ticketId: string, n: number) {
  const tenant = t.bot.core.tenantOf('discord', t.fake.guild.id);
  return eventually(async () => {
    const cards = await t.bot.core.cardsFor(tenant, ticketId);
    return cards.length >= n && cards.every((c) => c.thread) ? cards : undefined;
  }, `${n} recorded cards with threads for ${ticketId}`);
}
