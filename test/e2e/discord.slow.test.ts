// A slow database: interactions are deferred at once and settled later, with the right visibility.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ephemeral } from '../../src/present/reply.ts';
import {
  buttonOf,
  type DiscordTestBot,
  eventually,
  isEphemeral,
  startDiscordTestBot,
  textOf,
} from '../support/fakeDiscordBot.ts';

const DB_DELAY_MS = 400;
/** A title the slow core refuses when it runs: a refusal only the database could make, after the deferral. */
const REFUSED_TITLE = 'Refused once it runs';
let t: DiscordTestBot;

beforeAll(async () => {
  // The slow database stand-in sits at the core's port: every command takes DB_DELAY_MS longer.
  t = await startDiscordTestBot({
    slowReplyMs: 50,
    wrapCore: (core) => ({
      ...core,
      async handle(inv) {
        await new Promise((r) => setTimeout(r, DB_DELAY_MS));
        if (inv.options?.title === REFUSED_TITLE) {
          return ephemeral('That title is taken by another open ticket.', { error: 'TICKET.DUPLICATE' });
        }
        return core.handle(inv);
      },
    }),
  });
});
afterAll(async () => {
  await t?.close();
});

const tenant = () => t.bot.core.tenantOf('discord', t.fake.guild.id);

it('a slow /ticket new is deferred, then the card goes out publicly and is recorded with its thread', async () => {
  const id = t.slash(t.admin, 'ticket', 'new', { title: 'Slow database ticket' });
  const a = await t.answer(id, (x) => Boolean(x.followups?.length));
  expect(a.callbackType).toBe(5);
  // Nothing was known about /ticket new yet, so the deferral was private; the card still ends public.
  expect(isEphemeral(t.fake.original(id))).toBe(true);
  expect(t.fake.original(id)?.content).toBe('Posted INC-1 below.');
  const card = a.followups?.[0];
  expect(isEphemeral(card)).toBe(false);
  expect(textOf(card)).toContain('INC-1 · Slow database ticket');
  await t.fake.waitFor(() => t.fake.messages.get(card?.id as string)?.thread, 'the thread');
  const cards = await eventually(
    async () => (await t.bot.core.cardsFor(tenant(), 'INC-1')).find((c) => c.thread),
    'the card',
  );
  expect(cards.messageId).toBe(card?.id);
});

it('the next one is deferred publicly (learned) and the deferred reply is edited into the card', async () => {
  const id = t.slash(t.admin, 'ticket', 'new', { title: 'Second slow ticket' });
  const a = await t.answer(id, (x) => textOf(x.message).includes('INC-2'));
  expect(a.callbackType).toBe(5);
  expect(isEphemeral(a.message)).toBe(false);
  expect(a.message?.id).toBe(t.fake.original(id)?.id);
  expect(t.fake.sent('PATCH', /\/messages\/@original$/).length).toBeGreaterThan(0);
  await eventually(
    async () => (await t.bot.core.cardsFor(tenant(), 'INC-2')).find((c) => c.messageId === a.message?.id && c.thread),
    'the card',
  );
});

it('a refusal after a public deferral is answered privately and the public placeholder removed', async () => {
  const id = t.slash(t.admin, 'ticket', 'new', { title: REFUSED_TITLE });
  const a = await t.answer(id, (x) => Boolean(x.followups?.length) && Boolean(t.fake.original(id)?.deleted));
  expect(a.callbackType).toBe(5);
  expect(t.fake.original(id)?.deleted).toBe(true);
  const private_ = a.followups?.[0];
  expect(isEphemeral(private_)).toBe(true);
  expect(textOf(private_)).toContain('taken by another open ticket');
});

it('a slow ephemeral answer (show) settles in its private deferral', async () => {
  const id = t.slash(t.admin, 'ticket', 'show', { id: 'INC-1' });
  const a = await t.answer(id, (x) => textOf(x.message).includes('Slow database ticket'));
  expect(a.callbackType).toBe(5);
  expect(isEphemeral(a.message)).toBe(true);
});

it('a slow button press is deferred privately and then confirmed', async () => {
  const card = [...t.fake.messages.values()].find(
    (m) => textOf(m).includes('INC-2 · Second slow ticket') && !m.deleted,
  );
  const id = t.press(t.admin, buttonOf(card, 'a|ticket.start|'), card?.id as string);
  const a = await t.answer(id, (x) => textOf(x.message).includes('in progress'));
  expect(a.callbackType).toBe(5);
  expect(isEphemeral(a.message)).toBe(true);
  await t.fake.waitFor(
    () =>
      t.fake.messages.get(card?.id as string)?.embeds[0]?.fields.find((f: any) => f.name === 'State')?.value ===
      'in_progress',
    'the card to update',
  );
});

it('modals still open at once: opening one needs no database', async () => {
  const id = t.slash(t.admin, 'ticket', 'new', {});
  const a = await t.answer(id);
  expect(a.callbackType).toBe(9);
});
