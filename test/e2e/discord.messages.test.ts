// Messages and people: intents asked for, mention and DM commands, and one person across Slack and Discord.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type DiscordTestBot,
  eventually,
  isEphemeral,
  startDiscordTestBot,
  textOf,
} from '../support/fakeDiscordBot.ts';
import { rawControlIn } from '../support/rawText.ts';

const INTENTS = {
  Guilds: 1,
  GuildMessages: 512,
  GuildMessageReactions: 1024,
  DirectMessages: 4096,
  MessageContent: 32768,
};

let t: DiscordTestBot;
beforeAll(async () => {
  t = await startDiscordTestBot({ env: { SWITCHBOARD_ORGS: 'acme=slack:T0ACME,discord:{guild}' } });
});
afterAll(async () => {
  await t?.close();
});

describe('intents', () => {
  it('identifies with guilds, guild messages, reactions (📌), DMs and (configured here) message content only', () => {
    const identify = t.fake.gateway.received.find((m) => m.op === 2);
    expect(identify?.d.intents).toBe(
      INTENTS.Guilds |
        INTENTS.GuildMessages |
        INTENTS.GuildMessageReactions |
        INTENTS.DirectMessages |
        INTENTS.MessageContent,
    );
    expect(identify?.d.compress).toBeFalsy();
  });

  it('without message content configured, that intent is not asked for', async () => {
    const other = await startDiscordTestBot({ messageContent: false });
    try {
      const identify = other.fake.gateway.received.find((m) => m.op === 2);
      expect(identify?.d.intents).toBe(
        INTENTS.Guilds | INTENTS.GuildMessages | INTENTS.GuildMessageReactions | INTENTS.DirectMessages,
      );
    } finally {
      await other.close();
    }
  });
});

describe('text commands', () => {
  it('a mention of the bot runs the rest as a command and answers in a reply', async () => {
    const said = t.say(
      t.admin,
      `<@${t.fake.bot.id}> ticket new Projector in room 2 flickers --type request`,
      t.channel,
      {
        mentions: [t.fake.bot],
      },
    );
    const answer = await t.fake.waitFor(
      () => t.fake.channelMessages(t.channel.id).find((m) => m.message_reference?.message_id === said.id),
      'the reply',
    );
    expect(textOf(answer)).toContain('REQ-1 · Projector in room 2 flickers');
    await t.fake.waitFor(() => t.fake.messages.get(answer.id)?.thread, 'the card thread');
  });

  it('a DM to the bot is a command too', async () => {
    const dm = { id: '100000000000009999', type: 1, recipients: [t.admin] };
    t.fake.addChannel(dm);
    const said = t.say(t.admin, 'help ticket list', dm, { guild_id: undefined, member: undefined, channel_type: 1 });
    const answer = await t.fake.waitFor(
      () => t.fake.channelMessages(dm.id).find((m) => m.message_reference?.message_id === said.id),
      'the DM reply',
    );
    expect(textOf(answer)).toContain('/ticket list');
  });

  it("a DM works the tickets of the bot's only server", async () => {
    const dm = { id: '100000000000009998', type: 1, recipients: [t.admin] };
    t.fake.addChannel(dm);
    const said = t.say(t.admin, 'ticket list --state all', dm, {
      guild_id: undefined,
      member: undefined,
      channel_type: 1,
    });
    const answer = await t.fake.waitFor(
      () => t.fake.channelMessages(dm.id).find((m) => m.message_reference?.message_id === said.id),
      'the DM reply',
    );
    expect(textOf(answer)).toContain('REQ-1 · P');
  });

  it('plain chatter is left alone', async () => {
    const before = t.fake.requests.length;
    t.say(t.alice, 'ticket new not for the bot', t.channel);
    await new Promise((r) => setTimeout(r, 200));
    expect(t.fake.requests.slice(before)).toEqual([]);
  });
});

describe('one person across Slack and Discord', () => {
  it('a ticket opened in Slack can be worked from Discord once the identities are linked', async () => {
    const slack = (text: string) =>
      t.bot.core.handle({
        actor: { id: 'slack:UALICE', platform: 'slack', displayName: 'Alice (Slack)' },
        origin: { platform: 'slack', workspace: 'T0ACME', channel: 'C1' },
        command: text.split(' ')[0] as string,
        text: text.split(' ').slice(1).join(' '),
      });
    const opened = await slack('ticket new Laptop will not boot');
    expect(opened.card?.ticketId).toBe('INC-1');

    const before = await t.answer(t.slash(t.alice, 'ticket', 'show', { id: 'INC-1' }));
    expect(textOf(before.message)).toContain('not yours');

    const code = /\d{6}/.exec((await slack('link')).text)?.[0] as string;
    const linked = await t.answer(t.slash(t.alice, 'link', null, { code }));
    expect(isEphemeral(linked.message)).toBe(true);
    expect(textOf(linked.message)).toContain('Linked');

    const after = await t.answer(t.slash(t.alice, 'ticket', 'show', { id: 'INC-1' }));
    expect(textOf(after.message)).toContain('INC-1 · Laptop will not boot');
    const comment = await t.answer(t.slash(t.alice, 'ticket', 'comment', { id: 'INC-1', text: 'Tried safe mode too' }));
    expect(textOf(comment.message)).toContain('Comment added to INC-1');
    const shown = await eventually(async () => {
      const r = await t.show('INC-1');
      return r.text.includes('Tried safe mode too') ? r : undefined;
    }, 'the comment');
    expect(shown.text).toContain('Tried safe mode too');
  });
});

describe('what people type, through Discord', () => {
  /** Says `text` to the bot in the channel and waits for its reply. */
  async function ask(text: string, mentions: unknown[] = []) {
    const said = t.say(t.admin, `<@${t.fake.bot.id}> ${text}`, t.channel, { mentions: [t.fake.bot, ...mentions] });
    return t.fake.waitFor(
      () => t.fake.channelMessages(t.channel.id).find((m) => m.message_reference?.message_id === said.id),
      `the reply to ${JSON.stringify(text)}`,
    );
  }

  it('a text command echoing what was typed shows control characters made visible, never raw', async () => {
    const answer = await ask('ticket frob\u001b]0;pwned\u0007');
    expect(textOf(answer)).toContain('/ticket has no "frob[U+001B]]0;pwned[U+0007]"');
    expect(rawControlIn(JSON.stringify(answer))).toBeNull();
  });

  it('@everyone, @here and a role mention are never a person; nothing is written', async () => {
    const roles = () => t.bot.db.connection.collection('roles').countDocuments();
    const before = await roles();
    for (const who of ['@everyone', '@here', '<@&100000000000007777>']) {
      const answer = await ask(`role grant ${who} admin`);
      expect(textOf(answer), who).toMatch(/<user> must be one person; (@\w+|a group) is not a person/);
    }
    expect(await roles()).toBe(before);
  });

  it('a person mentioned in a text command is someone Discord knows: the role is granted', async () => {
    const answer = await ask(`role grant <@${t.alice.id}> manager`, [t.alice]);
    expect(textOf(answer)).toMatch(/is now a manager\./);
    const shown = await t.answer(t.slash(t.admin, 'role', 'show', { user: t.alice }));
    expect(textOf(shown.message)).toContain('is a manager');
  });

  it('a slash option or a form field with a right-to-left override is refused, naming U+202E', async () => {
    const slash = await t.answer(t.slash(t.alice, 'ticket', 'new', { title: 'Invoice \u202efdp.exe' }));
    expect(isEphemeral(slash.message)).toBe(true);
    expect(textOf(slash.message)).toContain('<title> contains U+202E, a text-direction control');
    const form = await t.answer(t.submit(t.alice, 'f|ticket.new|', { title: 'zero\u200bwidth' }));
    expect(isEphemeral(form.message)).toBe(true);
    expect(textOf(form.message)).toContain('<title> contains U+200B, an invisible character');
    expect(rawControlIn(JSON.stringify([slash.message, form.message]))).toBeNull();
  });
});
