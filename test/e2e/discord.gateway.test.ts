// Discord's promises: gateway drops survived by resuming (nothing lost, nothing twice), 429s waited out, heartbeats.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DiscordTestBot,
  eventually,
  isEphemeral,
  startDiscordTestBot,
  textOf,
} from '../support/fakeDiscordBot.ts';

let t: DiscordTestBot;
/** Every delivery claim the adapter made and what the database answered: shows redeliveries reached the bot. */
const claims: Array<[string, boolean]> = [];
beforeAll(async () => {
  t = await startDiscordTestBot({
    heartbeatIntervalMs: 250,
    wrapCore: (core) => ({
      ...core,
      async claimDelivery(key) {
        const first = await core.claimDelivery(key);
        claims.push([key, first]);
        return first;
      },
    }),
  });
});
afterAll(async () => {
  await t?.close();
});

/** Tickets with this title, as the database has them (through the core). */
async function ticketsTitled(title: string): Promise<string[]> {
  const r = await t.bot.core.handle({
    actor: { id: 'discord:100000000000000001', platform: 'discord', displayName: 'Root Admin' },
    origin: { platform: 'discord', workspace: t.fake.guild.id },
    command: 'ticket',
    subcommand: 'list',
    options: { state: 'all', text: title },
  });
  return (r.list ?? []).filter((l) => l.includes(title));
}

const succeeded = (id: string) => (t.fake.interactions.get(id)?.callbacks ?? []).filter((c) => c.status < 300).length;

describe('gateway', () => {
  it('heartbeats are sent and acknowledged', async () => {
    await t.fake.waitFor(() => t.fake.gateway.received.filter((m) => m.op === 1).length >= 2, 'two heartbeats');
    await t.fake.waitFor(() => t.adapter.client.ws.ping >= 0, 'a measured ping');
  });

  it('a dropped connection resumes: interactions sent meanwhile arrive once, replayed ones are not run again', async () => {
    const before = t.slash(t.admin, 'ticket', 'new', { title: 'Before the drop' });
    await t.answer(before);
    const seqBefore = t.fake.gateway.seq;

    t.fake.gateway.drop(4000);
    // Sent while the bot is away: Discord keeps it for the resume.
    const during = t.slash(t.admin, 'ticket', 'new', { title: 'During the drop' });
    // And the resume replays the "before" interaction again too, as an at-least-once redelivery would.
    t.fake.gateway.resumeOverlap = t.fake.gateway.seq - seqBefore + 2;

    await t.fake.waitFor(() => t.fake.gateway.resumes === 1 && t.fake.gateway.open, 'the client to resume');
    expect(t.fake.gateway.identifies).toBe(1);
    const a = await t.answer(during);
    expect(textOf(a.message)).toContain('During the drop');

    const after = t.slash(t.admin, 'ticket', 'new', { title: 'After the resume' });
    await t.answer(after);
    await t.bot.core.settled();
    expect(await ticketsTitled('Before the drop')).toHaveLength(1);
    expect(await ticketsTitled('During the drop')).toHaveLength(1);
    expect(await ticketsTitled('After the resume')).toHaveLength(1);
    // The replayed interaction reached the bot again and was recognised before any answer went out.
    expect(claims.filter(([k]) => k === `discord:interaction:${before}`)).toEqual([
      [`discord:interaction:${before}`, true],
      [`discord:interaction:${before}`, false],
    ]);
    expect(t.fake.interactions.get(before)?.callbacks).toHaveLength(1);
    expect(succeeded(during)).toBe(1);
    expect(succeeded(after)).toBe(1);
  });

  it('an abrupt disconnect (no close frame) also resumes', async () => {
    const resumes = t.fake.gateway.resumes;
    t.fake.gateway.drop();
    const during = t.slash(t.admin, 'ticket', 'show', { id: 'INC-1' });
    await t.fake.waitFor(() => t.fake.gateway.resumes === resumes + 1, 'another resume');
    const a = await t.answer(during);
    expect(isEphemeral(a.message)).toBe(true);
    expect(textOf(a.message)).toContain('Before the drop');
  });

  it('is ready for /readyz while the gateway is connected, and not while it reconnects', async () => {
    expect(t.adapter.ready?.()).toEqual({ ok: true });
    const resumes = t.fake.gateway.resumes;
    const seen: Array<{ ok: boolean; reason?: string } | undefined> = [];
    // discord.js marks the shard before it announces the reconnect: what a probe at that moment would see.
    t.adapter.client.once('shardReconnecting', () => seen.push(t.adapter.ready?.()));
    t.fake.gateway.drop();
    await t.fake.waitFor(() => t.fake.gateway.resumes === resumes + 1, 'the resume');
    expect(seen).toEqual([{ ok: false, reason: expect.stringMatching(/^gateway not ready \(shard 0 /) }]);
    await t.fake.waitFor(() => t.adapter.ready?.().ok === true, 'ready again after the resume');
  });

  it('an invalid session makes the client identify again and keep working', async () => {
    const identifies = t.fake.gateway.identifies;
    t.fake.gateway.invalidate(false);
    await t.fake.waitFor(
      () => t.fake.gateway.identifies === identifies + 1 && t.fake.gateway.open,
      'a new identify',
      15_000,
    );
    const id = t.slash(t.admin, 'help', null, {});
    const a = await t.answer(id, undefined);
    expect(textOf(a.message)).toContain('Switchboard commands');
  }, 30_000);
});

describe('REST rate limits', () => {
  it('a 429 on a card edit is waited out and the edit goes through', async () => {
    const a = await t.answer(t.slash(t.admin, 'ticket', 'new', { title: 'Rate limited card' }));
    const cardId = a.message?.id as string;
    await t.fake.waitFor(() => t.fake.messages.get(cardId)?.thread, 'its thread');
    const ticketId = /^(\S+) ·/.exec(a.message?.embeds[0]?.title)?.[1] as string;
    await eventually(
      async () => (await t.bot.core.cardsFor(t.bot.core.tenantOf('discord', t.fake.guild.id), ticketId))[0],
      'the card',
    );

    const edit = new RegExp(`^/channels/${t.channel.id}/messages/${cardId}$`);
    t.fake.rateLimit('PATCH', edit, 2, 0.2);
    const press = t.press(t.admin, `a|ticket.start|${ticketId}`, cardId);
    await t.answer(press);
    await t.fake.waitFor(
      () =>
        t.fake.messages.get(cardId)?.embeds[0]?.fields.find((f: any) => f.name === 'State')?.value === 'in_progress',
      'the card edit after the rate limit',
    );
    const statuses = t.fake.sent('PATCH', edit).map((r) => r.status);
    expect(statuses.slice(0, 3)).toEqual([429, 429, 200]);
  });

  it('a 429 on opening a thread is waited out too', async () => {
    t.fake.rateLimit('POST', /\/threads$/, 1, 0.2);
    const a = await t.answer(t.slash(t.admin, 'ticket', 'new', { title: 'Thread after a 429' }));
    const thread = await t.fake.waitFor(() => t.fake.messages.get(a.message?.id as string)?.thread, 'the thread');
    expect(thread).toBeTruthy();
    const statuses = t.fake.sent('POST', /\/threads$/).map((r) => r.status);
    expect(statuses.slice(-2)).toEqual([429, 201]);
  });
});
