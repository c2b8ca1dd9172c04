// `npm run discord:register`: the payload is the command definitions, and nothing is sent when nothing changed.
import { REST } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicationCommands } from '../../adapters/discord/commands.ts';
import { describeResult, registerCommands } from '../../adapters/discord/register.ts';
import type { CommandDef } from '../../src/core/command.ts';
import { type FakeDiscord, startFakeDiscord } from '../support/fakeDiscord.ts';
import { startTestBot, type TestBot } from '../support/harness.ts';

let fake: FakeDiscord;
let bot: TestBot;
let rest: REST;
let definitions: readonly CommandDef[];

beforeAll(async () => {
  fake = await startFakeDiscord();
  bot = await startTestBot();
  definitions = bot.core.definitions();
  rest = new REST({ api: fake.apiUrl }).setToken(fake.token);
});
afterAll(async () => {
  await bot?.close();
  await fake?.close();
});

const register = (guildId?: string, defs = definitions) =>
  registerCommands({ rest, applicationId: fake.applicationId, guildId, definitions: defs });

describe('the generated payload', () => {
  const cmds = () => applicationCommands(definitions) as any[];

  it('has one slash command per family, subcommands for each definition, and the "Open ticket" menu', () => {
    const families = [...new Set(definitions.map((d) => d.command))];
    expect(cmds().map((c) => c.name)).toEqual([...families, 'Open ticket']);
    const ticket = cmds().find((c) => c.name === 'ticket');
    expect(ticket.options.map((o: any) => o.name)).toEqual(
      definitions.filter((d) => d.command === 'ticket').map((d) => d.name),
    );
    expect(ticket.options.every((o: any) => o.type === 1)).toBe(true);
    expect(cmds().find((c) => c.name === 'Open ticket')).toEqual({ type: 3, name: 'Open ticket' });
  });

  it('types every option from its kind, with choices and ticket autocomplete', () => {
    const ticket = cmds().find((c) => c.name === 'ticket');
    const sub = (n: string) => ticket.options.find((o: any) => o.name === n).options;
    const neu = sub('new');
    expect(neu.find((o: any) => o.name === 'type')).toMatchObject({
      type: 3,
      choices: ['incident', 'request', 'problem', 'change'].map((c) => ({ name: c, value: c })),
    });
    // A command with a form registers its options as optional, or the bare command could never open the form.
    expect(neu.find((o: any) => o.name === 'title')).toMatchObject({ type: 3, required: false });
    expect(sub('assign').find((o: any) => o.name === 'assignee')).toMatchObject({ type: 6 });
    expect(sub('show')[0]).toMatchObject({ name: 'id', type: 3, required: true, autocomplete: true });
    expect(sub('remind')[0]).toMatchObject({ name: 'id', type: 3, required: true, autocomplete: true });
    expect(sub('comment').find((o: any) => o.name === 'internal')).toMatchObject({ type: 5, required: false });
  });

  it("text options carry the definition's length limit, so Discord refuses longer text before sending it", () => {
    const ticket = cmds().find((c) => c.name === 'ticket');
    for (const d of definitions.filter((x) => x.command === 'ticket')) {
      const sub = ticket.options.find((o: any) => o.name === d.name);
      for (const o of d.options.filter((x) => x.kind === 'text')) {
        expect(sub.options.find((x: any) => x.name === o.name).max_length, `${d.name} ${o.name}`).toBe(
          o.maxLength ?? 4000,
        );
      }
    }
    const neu = ticket.options.find((o: any) => o.name === 'new').options;
    expect(neu.find((o: any) => o.name === 'title').max_length).toBeLessThan(4000);
  });

  it('puts required options first, as Discord demands', () => {
    for (const c of cmds()) {
      const lists = c.options?.[0]?.type === 1 ? c.options.map((s: any) => s.options) : [c.options ?? []];
      for (const opts of lists) {
        const firstOptional = opts.findIndex((o: any) => !o.required);
        if (firstOptional !== -1) expect(opts.slice(firstOptional).some((o: any) => o.required)).toBe(false);
      }
    }
  });

  it('single-command families (help, link) are plain commands with options', () => {
    const help = cmds().find((c) => c.name === 'help');
    expect(help.options).toEqual([expect.objectContaining({ name: 'command', type: 3, required: false })]);
  });
});

describe("Discord's limits", () => {
  const def = (over: Partial<CommandDef>): CommandDef => ({
    command: 'oncall',
    name: 'page',
    summary: 'Page a team.',
    examples: [],
    options: [],
    minRole: 'agent',
    run: async () => ({ text: '', visibility: 'ephemeral' }),
    ...over,
  });
  const text = (name: string, description = 'x') => ({ name, kind: 'text' as const, description });

  it('a definition past a limit is refused by name, before anything is read from or sent to Discord', async () => {
    const requests = fake.requests.length;
    const tooMany = def({ options: Array.from({ length: 26 }, (_, i) => text(`opt${i}`)) });
    const choices = def({
      name: 'escalate',
      options: [
        { name: 'level', kind: 'choice', description: 'x', choices: Array.from({ length: 26 }, (_, i) => `l${i}`) },
      ],
    });
    const clash = def({ name: 'handover', options: [text('due.at'), text('due-at')] });
    const longChoice = def({
      name: 'silence',
      options: [{ name: 'reason', kind: 'choice', description: 'x', choices: ['r'.repeat(101)] }],
    });
    const err = await register(fake.guild.id, [...definitions, tooMany, choices, clash, longChoice]).catch((e) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err.message).toContain('/oncall page has 26 options; Discord takes 25');
    expect(err.message).toContain('/oncall escalate level has 26 choices; Discord takes 25');
    expect(err.message).toContain('/oncall handover: two options are both named "due-at"');
    expect(err.message).toContain('/oncall silence reason: the choice "rrrrrrrrrrrrrrrrrrrr…" is longer than 100');
    expect(fake.requests.length).toBe(requests);
  });

  it('a command whose names, descriptions and choices together pass 8000 characters is refused', () => {
    const wordy = Array.from({ length: 20 }, (_, s) =>
      def({
        name: `sub${s}`,
        summary: 's'.repeat(100),
        options: Array.from({ length: 4 }, (_, o) => ({
          name: `o${o}`,
          kind: 'choice' as const,
          description: 'd'.repeat(100),
          choices: Array.from({ length: 25 }, (_, c) => `choice-${c}`),
        })),
      }),
    );
    expect(() => applicationCommands(wordy)).toThrow(/\/oncall is \d+ characters .*Discord takes 8000/);
  });
});

describe('registering', () => {
  it('guild-scoped: puts everything the first time, then sends nothing while nothing changed', async () => {
    const first = await register(fake.guild.id);
    expect(first.wrote).toBe(true);
    expect(first.created).toContain('/ticket');
    const puts = fake.sent('PUT', `/applications/${fake.applicationId}/guilds/${fake.guild.id}/commands`);
    expect(puts).toHaveLength(1);
    expect(puts[0]?.body).toEqual(applicationCommands(definitions));

    const second = await register(fake.guild.id);
    expect(second.wrote).toBe(false);
    expect(describeResult(second)).toMatch(/up to date/);
    expect(fake.sent('PUT', /commands$/)).toHaveLength(1);
    expect(fake.sent('GET', `/applications/${fake.applicationId}/guilds/${fake.guild.id}/commands`)).toHaveLength(2);
  });

  it('a changed definition is updated, a removed family removed', async () => {
    const changed = definitions
      .filter((d) => !(d.command === 'role' && d.name === 'revoke') && d.command !== 'link')
      .map((d) => (d.command === 'help' ? { ...d, summary: 'Help, reworded.' } : d));
    const r = await register(fake.guild.id, changed);
    expect([...r.updated].sort()).toEqual(['/help', '/role']);
    expect(r.removed).toEqual(['/link']);
    expect(r.created).toEqual([]);
    expect(fake.sent('PUT', /commands$/)).toHaveLength(2);
    expect(fake.commands.guild.get(fake.guild.id)?.find((c) => c.name === 'help')?.description).toBe('Help, reworded.');
  });

  it('global without a guild id', async () => {
    const r = await register(undefined);
    expect(r.scope).toBe('global');
    expect(fake.sent('PUT', `/applications/${fake.applicationId}/commands`)).toHaveLength(1);
    expect((await register(undefined)).wrote).toBe(false);
  });
});
