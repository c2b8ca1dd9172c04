// /ticket new's service option completes from the service catalog on Discord: the registered option asks for
// autocomplete, and an APPLICATION_COMMAND_AUTOCOMPLETE interaction (type 4) is answered with choices (type 8)
// from the catalog kept in process, through the real discord.js client and the fake Discord.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applicationCommands } from '../../adapters/discord/commands.ts';
import { countRoundTrips, type RoundTrips } from '../../src/store/roundTrips.ts';
import { type TestDatabase, testDatabase } from '../support/db.ts';
import { type DiscordTestBot, startDiscordTestBot, textOf } from '../support/fakeDiscordBot.ts';

let db: TestDatabase;
let t: DiscordTestBot;
let wire: RoundTrips;

async function run(command: string, sub: string | null, options: Record<string, any>) {
  const a = await t.answer(t.slash(t.admin, command, sub, options));
  return textOf(a.message);
}

async function complete(command: string, sub: string, option: string, typed: string, filled = {}) {
  const a = await t.answer(t.autocomplete(t.alice, command, sub, option, typed, filled));
  expect(a.callbackType).toBe(8);
  return a.choices ?? [];
}

beforeAll(async () => {
  db = await testDatabase(undefined, { monitorCommands: true });
  t = await startDiscordTestBot({ database: db });
  wire = countRoundTrips(db.connection);
});
afterAll(async () => {
  wire?.stop();
  await t?.close();
  await db?.close();
});

describe('service autocomplete on Discord', () => {
  it('registers the service options of /ticket new, /ticket list and /incident declare with autocomplete', () => {
    const cmds = applicationCommands(t.bot.core.definitions()) as any[];
    const option = (family: string, sub: string, name: string) =>
      cmds
        .find((c) => c.name === family)
        .options.find((o: any) => o.name === sub)
        .options.find((o: any) => o.name === name);
    expect(option('ticket', 'new', 'service')).toMatchObject({ type: 3, autocomplete: true });
    expect(option('ticket', 'list', 'service')).toMatchObject({ type: 3, autocomplete: true });
    expect(option('incident', 'declare', 'service')).toMatchObject({ type: 3, autocomplete: true });
    // Discord refuses `choices` beside `autocomplete`.
    expect(option('ticket', 'new', 'service').choices).toBeUndefined();
  });

  it('offers nothing while the catalog is empty (anything typed is still taken as typed)', async () => {
    expect(await complete('ticket', 'new', 'service', 'vp')).toEqual([]);
  });

  it('offers the catalog, best match first, named with team and tier, the value being the name', async () => {
    expect(await run('team', 'create', { name: 'network' })).toContain('Team network is created');
    expect(await run('team', 'create', { name: 'hr-it' })).toContain('Team hr-it is created');
    for (const [name, team, tier] of [
      ['vpn', 'network', '1'],
      ['wifi', 'network', '2'],
      ['payroll', 'hr-it', '1'],
      ['corp-vpn-legacy', 'hr-it', '3'],
    ] as const) {
      expect(await run('service', 'add', { name, team, owner: t.admin, tier })).toContain(`Service ${name} is in`);
    }
    expect(await complete('ticket', 'new', 'service', 'vp', { title: 'VPN is down' })).toEqual([
      { name: 'vpn · network · tier 1', value: 'vpn' },
      { name: 'corp-vpn-legacy · hr-it · tier 3', value: 'corp-vpn-legacy' },
    ]);
    // A team's name finds its services too; nothing typed is the whole catalog by name.
    expect((await complete('ticket', 'new', 'service', 'netw')).map((c) => c.value)).toEqual(['vpn', 'wifi']);
    expect((await complete('ticket', 'new', 'service', '')).map((c) => c.value)).toEqual([
      'corp-vpn-legacy',
      'payroll',
      'vpn',
      'wifi',
    ]);
    expect((await complete('incident', 'declare', 'service', 'PAY')).map((c) => c.value)).toEqual(['payroll']);
    expect(await complete('ticket', 'list', 'service', 'nothing-like-it')).toEqual([]);
  });

  it('answers from the catalog kept in process: a completion reads no service from the database', async () => {
    await complete('ticket', 'new', 'service', 'w');
    wire.reset();
    expect((await complete('ticket', 'new', 'service', 'wi')).map((c) => c.value)).toEqual(['wifi']);
    // At most the tenant's people epoch (read once a second by whichever command comes first), never the catalog.
    expect(wire.seen().filter((c) => c !== 'find people_epochs')).toEqual([]);
  });

  it('offers at most 25, as Discord takes', async () => {
    for (let n = 0; n < 27; n++) {
      const name = `app-${String(n).padStart(2, '0')}`;
      expect(await run('service', 'add', { name, team: 'hr-it', owner: t.admin })).toContain(`Service ${name} is in`);
    }
    const choices = await complete('ticket', 'new', 'service', 'app');
    expect(choices).toHaveLength(25);
    expect(choices[0]?.value).toBe('app-00');
  });

  it('the chosen name opens the ticket on that service', async () => {
    const a = await t.answer(t.slash(t.alice, 'ticket', 'new', { title: 'Tunnel drops', service: 'vpn' }));
    expect(a.message?.embeds[0].fields).toContainEqual(expect.objectContaining({ name: 'Service', value: 'vpn' }));
  });
});
