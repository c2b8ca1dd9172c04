// Every interaction answered, on the unhappy paths too: a hanging or failing database, a core that throws,
// garbage from Discord, kinds of interaction the bot never asked for.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CardRef } from '../../src/core/bot.ts';
import {
  type DiscordTestBot,
  eventually,
  isEphemeral,
  startDiscordTestBot,
  textOf,
} from '../support/fakeDiscordBot.ts';
import { type FakeUser, fakeUser, nextSnowflake, selectMenu, userCommand } from '../support/fakeDiscordPayloads.ts';
import { personAt } from '../support/harness.ts';

/** Switches the tests flip: each stands for one way the database or the core lets the adapter down. */
const faults = {
  /** While set, saving a person waits for it (a database that hangs). */
  rememberGate: null as Promise<void> | null,
  /** Replaces claiming a delivery. */
  claim: null as ((key: string) => Promise<boolean>) | null,
  recordCardFails: false,
  handleThrows: false,
  recordCardAttempts: 0,
};

let t: DiscordTestBot;
let cardId: string;
let threadId: string;

beforeAll(async () => {
  t = await startDiscordTestBot({
    slowReplyMs: 200,
    wrapCore: (core) => ({
      ...core,
      async rememberPerson(actor, workspace) {
        if (faults.rememberGate) await faults.rememberGate;
        return core.rememberPerson(actor, workspace);
      },
      claimDelivery: (key) => (faults.claim ? faults.claim(key) : core.claimDelivery(key)),
      async recordCard(card: CardRef) {
        faults.recordCardAttempts++;
        if (faults.recordCardFails) throw new Error('MongoNetworkError: connection reset');
        return core.recordCard(card);
      },
      async handle(inv) {
        if (faults.handleThrows) throw new Error('a bug in a command');
        return core.handle(inv);
      },
    }),
  });
  await t.answer(t.slash(t.admin, 'role', 'grant', { user: t.alice, role: 'agent' }));
  await t.answer(t.slash(t.admin, 'ticket', 'new', { title: 'Mail server queue grows' }));
  // The card as recorded: the answer itself when it came at once, the follow-up below a deferral when the
  // answer took longer than slowReplyMs (the first ticket of a day is slower: collections are created).
  const card = await eventually(
    async () => (await t.bot.core.cardsFor(t.bot.core.tenantOf('discord', t.fake.guild.id), 'INC-1'))[0],
    'the card recorded',
  );
  cardId = card.messageId;
  threadId = (await t.fake.waitFor(() => t.fake.messages.get(cardId)?.thread, 'the card thread', 30_000)).id;
});
afterAll(async () => {
  faults.rememberGate = null;
  faults.claim = null;
  await t?.close();
});

const accepted = (id: string) => (t.fake.interactions.get(id)?.callbacks ?? []).filter((c) => c.status < 300);

/** The claim of interaction `id` waits until its deferral has reached Discord, then fails like a dropped connection. */
function claimFailsAfterDeferral(): void {
  faults.claim = async (key) => {
    const id = key.replace('discord:interaction:', '');
    await t.fake.waitFor(() => accepted(id).some((c) => c.type === 5), `the deferral of ${id}`);
    throw new Error('MongoNetworkError: connection reset');
  };
}

describe('the database', () => {
  it('hanging while a picked person is saved: the interaction is still deferred, then answered', async () => {
    let release!: () => void;
    faults.rememberGate = new Promise<void>((r) => {
      release = r;
    });
    try {
      // Someone picked for the first time: the adapter saves them before the command runs.
      const carol = fakeUser('carol', { global_name: 'Carol Shaw' });
      const id = t.slash(t.admin, 'ticket', 'list', { assignee: carol });
      // Bounded wait, no clock: the deferral must go out while the save still hangs.
      await t.fake.waitFor(() => accepted(id).some((c) => c.type === 5), 'a deferral while the database hangs');
      release();
      const a = await t.answer(id);
      expect(isEphemeral(a.message)).toBe(true);
      expect(textOf(a.message)).toContain('No open tickets');
      expect(accepted(id)).toHaveLength(1);
    } finally {
      faults.rememberGate = null;
      release();
    }
  });

  it('failing after a private deferral: the placeholder becomes the apology, with a ref that is in the log', async () => {
    await t.answer(t.slash(t.admin, 'ticket', 'show', { id: 'INC-1' })); // show answers privately: learned
    claimFailsAfterDeferral();
    try {
      const id = t.slash(t.admin, 'ticket', 'show', { id: 'INC-1' });
      const a = await t.answer(id);
      expect(a.callbackType).toBe(5);
      expect(isEphemeral(a.message)).toBe(true);
      expect(a.message?.id).toBe(t.fake.original(id)?.id); // the placeholder itself, not a follow-up beside it
      const ref = /\(ref ([0-9a-f]{8})\)/.exec(textOf(a.message))?.[1];
      expect(textOf(a.message)).toContain('Sorry, something went wrong on our side.');
      expect(t.logs.some((l) => l.ref === ref && l.level >= 50)).toBe(true);
    } finally {
      faults.claim = null;
    }
  });

  it('failing after a public deferral: the public placeholder is removed and the apology is private', async () => {
    await t.answer(t.slash(t.admin, 'ticket', 'new', { title: 'Teaches the adapter that new is public' }));
    claimFailsAfterDeferral();
    try {
      const id = t.slash(t.admin, 'ticket', 'new', { title: 'Never opened' });
      const a = await t.answer(id, (x) => Boolean(t.fake.original(id)?.deleted) && Boolean(x.followups?.length));
      expect(a.callbackType).toBe(5);
      expect(isEphemeral(t.fake.original(id))).toBe(false);
      const apology = a.followups?.[0];
      expect(isEphemeral(apology)).toBe(true);
      expect(textOf(apology)).toContain('Sorry, something went wrong on our side.');
    } finally {
      faults.claim = null;
    }
  });

  it('failing to record a posted card: the card stays the answer, with no apology for a ticket that was opened', async () => {
    faults.recordCardFails = true;
    const attempts = faults.recordCardAttempts;
    const logged = t.logs.length;
    try {
      const id = t.slash(t.admin, 'ticket', 'new', { title: 'Card that cannot be recorded' });
      const a = await t.answer(id);
      await t.fake.waitFor(() => faults.recordCardAttempts > attempts, 'the attempt to record the card');
      // Said in the log for whoever runs the bot: this card will not follow the ticket's changes.
      const line = await t.fake.waitFor(
        () => t.logs.slice(logged).find((l) => /card could not be recorded/.test(l.msg)),
        'the failure to be logged',
      );
      expect(line).toMatchObject({ level: 50, ticketId: expect.stringMatching(/^INC-\d+$/) });
      expect(line.ref).toMatch(/^[0-9a-f]{8}$/);
      expect(textOf(a.message)).toContain('Card that cannot be recorded');
      expect(isEphemeral(a.message)).toBe(false);
      expect(t.fake.interactions.get(id)?.followups).toEqual([]);
    } finally {
      faults.recordCardFails = false;
    }
  });
});

describe('the core', () => {
  it('throwing before anything was sent: a private apology at once', async () => {
    faults.handleThrows = true;
    try {
      const a = await t.answer(t.slash(t.admin, 'help', null, {}));
      expect(isEphemeral(a.message)).toBe(true);
      expect(textOf(a.message)).toMatch(/Sorry, something went wrong on our side\. \(ref [0-9a-f]{8}\)/);
    } finally {
      faults.handleThrows = false;
    }
  });
});

describe('what Discord sends', () => {
  it('an autocomplete with no focused option is answered with no suggestions', async () => {
    const id = t.autocomplete(t.alice, 'ticket', 'show', 'id', 'INC');
    // The same request without the focused flag: what a client out of step could send.
    const rec = t.fake.interactions.get(id);
    expect(rec).toBeDefined();
    const payload = structuredClone(rec?.payload);
    payload.id = nextSnowflake();
    payload.token = `itoken-${payload.id}`;
    delete payload.data.options[0].options[0].focused;
    const unfocused = t.fake.interact(payload);
    const a = await t.answer(unfocused);
    expect(a.callbackType).toBe(8);
    expect(a.choices).toEqual([]);
  });

  it('a user menu command and a select menu, which the bot never registered or rendered, are answered privately', async () => {
    const w = t.where(t.alice);
    const userMenu = t.fake.interact(userCommand(w, 'Page this person', t.admin));
    const card = t.fake.wire(t.fake.messages.get(cardId) as any);
    const select = t.fake.interact(selectMenu(w, 'pick-a-team', ['network'], card));
    for (const id of [userMenu, select]) {
      const a = await t.answer(id);
      expect(isEphemeral(a.message)).toBe(true);
      expect(textOf(a.message)).toContain('Switchboard does not handle that here');
    }
  });

  it('a form button for an action no command stands for, or one with nothing to ask, opens no empty form', async () => {
    for (const customId of ['m|ticket.vanished|INC-1', 'm|ticket.start|INC-1']) {
      const a = await t.answer(t.press(t.alice, customId, cardId));
      expect(a.callbackType).toBe(4);
      expect(isEphemeral(a.message)).toBe(true);
      expect(textOf(a.message)).toContain('This button is from an older version');
    }
  });

  it('garbage custom ids and form fields are refused in words, and the process carries on', async () => {
    const unknownButton = await t.answer(t.press(t.alice, 'no-such-thing', cardId));
    expect(textOf(unknownButton.message)).toContain('older version');
    const expired = await t.answer(t.submit(t.alice, 'f|ticket.new|~gone', { title: 'x' }));
    expect(textOf(expired.message)).toContain('That form has expired');
    const extra = await t.answer(t.submit(t.alice, 'f|ticket.new|', { title: 'Fine title', bogus: 'x' }));
    expect(isEphemeral(extra.message)).toBe(true);
    expect(textOf(extra.message)).toContain('Unknown option bogus');
    const noId = await t.answer(t.submit(t.alice, 'f|ticket.resolve|', { resolution: 'done' }));
    expect(isEphemeral(noId.message)).toBe(true);
    expect(textOf(noId.message)).toContain('Missing <id>');
    // Still serving.
    expect(textOf((await t.answer(t.slash(t.alice, 'help', null, {}))).message)).toContain('Switchboard commands');
  });
});

describe('the ticket thread', () => {
  it("a refused comment does not silence the thread: the ticket's next change is still posted there", async () => {
    const bob: FakeUser = { ...t.alice, id: '100000000000000778', username: 'bob', global_name: 'Bob' };
    const thread = t.fake.channels.get(threadId) as any;
    const said = t.say(bob, 'Any news on this?', thread);
    const refusal = await t.fake.waitFor(
      () => t.fake.channelMessages(threadId).find((m) => m.message_reference?.message_id === said.id),
      'the refusal',
    );
    expect(textOf(refusal)).toContain('not yours');
    const reply = await t.show('INC-1');
    expect(reply.error).toBeUndefined();
    await personAt(t.bot.core, '100000000000000001', 'discord', t.fake.guild.id)('ticket priority INC-1 P4');
    await t.fake.waitFor(
      () => t.fake.channelMessages(threadId).some((m) => m.content.includes('P4')),
      "the priority change in the ticket's thread",
    );
  });
});
