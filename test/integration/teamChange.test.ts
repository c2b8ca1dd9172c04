// /team set, rename and delete on the real database: each changes the team, and each is refused with its reason
// while the team is paged (a live escalation targets it) or on duty (someone is on call for it now).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reply } from '../../src/present/reply.ts';
import { anotherProcess, personAt, startTestBot, type TestBot } from '../support/harness.ts';

const clock = new Date('2026-03-10T10:00:00Z');
const now = () => clock;
const tenant = 'console:local';
let bot: TestBot;
type Person = (line: string) => Promise<Reply>;
let root: Person;
let ada: Person;
const ok = (r: Reply): Reply => {
  expect(r.error, r.text).toBeUndefined();
  return r;
};
const field = (r: Reply, label: string) => r.fields?.find((f) => f.label === label)?.value;

beforeAll(async () => {
  bot = await startTestBot({ now });
  root = personAt(bot.core, 'root');
  ada = personAt(bot.core, 'ada');
  ok(await ada('/help'));
  ok(await root('/role grant @ada agent'));
  ok(await root('/team create storage --services db'));
  ok(await root('/team create network --services vpn'));
});
afterAll(async () => {
  await bot?.close();
});

describe('/team set', () => {
  it("points /team show's missing channel at /team set, which sets the channel and the services", async () => {
    expect(field(ok(await root('/team show storage')), 'Channel')).toBe(
      'none (set one with /team set storage --channel …)',
    );
    expect(ok(await root('/team set storage --channel console --services db,backup')).text).toBe(
      'storage now tells console and owns backup, db.',
    );
    const shown = ok(await root('/team show storage'));
    expect(field(shown, 'Channel')).toBe('console');
    expect(field(shown, 'Services')).toBe('backup, db');
    // What a team owns lives in the service catalog, where every service has a team: --services takes services on
    // (declaring the new ones), and never takes them away.
    expect(field(ok(await root('/service show backup')), 'Team')).toBe('storage');
    const none = await root('/team set storage --services none');
    expect(none.error).toBe('TEAM.SERVICES_IN_CATALOG');
    expect(none.text).toContain('/service set <service> --team <team>');
    expect(ok(await root('/team set storage --services db')).text).toBe('storage now owns backup, db.');
  });

  it.each([
    ['/team set storage', 'USAGE.MISSING'],
    ['/team set storage --services vpn', 'TEAM.SERVICE_TAKEN'],
    ['/team set storage --channel #C0123ABC', 'USAGE.BAD_CHANNEL'],
    ['/team set nosuch --channel console', 'TEAM.NOT_FOUND'],
    ['/team rename storage network', 'TEAM.EXISTS'],
    ['/team rename storage "no spaces"', 'TEAM.BAD_NAME'],
    ['/team delete nosuch', 'TEAM.NOT_FOUND'],
  ])('refuses %s (%s) and changes nothing', async (line, code) => {
    const before = await bot.services.teams.list(tenant);
    expect((await root(line)).error).toBe(code);
    expect(await bot.services.teams.list(tenant)).toEqual(before);
  });

  it('lets only managers change teams', async () => {
    expect((await ada('/team set storage --channel console')).error).toBe('PERMISSION.DENIED');
    expect((await ada('/team rename storage store')).error).toBe('PERMISSION.DENIED');
    expect((await ada('/team delete storage')).error).toBe('PERMISSION.DENIED');
  });
});

describe('/team rename and /team delete', () => {
  it('renames a team (its services go with it), and deletes one', async () => {
    ok(await root('/team create scratch --services tmp'));
    expect(ok(await root('/team rename scratch sandbox')).text).toBe(
      'scratch is now called sandbox. Tickets opened for scratch keep the name they were opened with.',
    );
    expect((await root('/team show scratch')).error).toBe('TEAM.NOT_FOUND');
    expect(field(ok(await root('/team show sandbox')), 'Services')).toBe('tmp');
    expect(ok(await root('/oncall tmp')).list).toEqual(['sandbox: nobody']);
    expect(ok(await root('/team rename sandbox Sandbox')).text).toMatch(/^sandbox is now called Sandbox\./);
    // A team running services in the catalog stays until they go to another team or out of the catalog.
    const refused = await root('/team delete sandbox');
    expect(refused.error).toBe('TEAM.OWNS_SERVICES');
    expect(refused.text).toContain('Sandbox runs tmp in the service catalog, so it stays.');
    ok(await root('/service remove tmp'));
    expect(ok(await root('/team delete sandbox')).text).toBe('Team Sandbox is deleted.');
    expect((await bot.services.teams.list(tenant)).map((t) => t.name)).toEqual(['network', 'storage']);
  });
});

describe('a team at work is not changed', () => {
  it('refuses set, rename and delete while the team is paged, naming the page; once acknowledged, they go', async () => {
    ok(await root('/team create night --channel console'));
    const paged = ok(await root('/oncall page night the backup disk is full'));
    const id = /about (INC-\d+)/.exec(paged.text)?.[1] as string;
    for (const line of ['/team set night --channel none', '/team rename night late', '/team delete night']) {
      const r = await root(line);
      expect(r.error).toBe('TEAM.PAGED');
      expect(r.text).toContain(`it is being paged about ${id}`);
      expect(r.text).toContain(`/oncall ack ${id}`);
    }
    ok(await root(`/oncall ack ${id}`));
    ok(await root('/team delete night'));
  });

  it('refuses them while someone is on call for the team, saying who', async () => {
    ok(await root('/oncall rotation network @ada --every 1w'));
    for (const line of ['/team set network --channel console', '/team rename network net', '/team delete network']) {
      const r = await root(line);
      expect(r.error).toBe('TEAM.ON_DUTY');
      expect(r.text).toContain('network cannot be');
      expect(r.text).toContain('it is on duty (ada is on call)');
    }
    ok(await root('/team remove network @ada'));
    ok(await root('/team set network --channel console'));
  });
});

describe('teams kept in process', () => {
  it('a team created, renamed or deleted in one process is seen by another that had read the teams', async () => {
    const second = await anotherProcess(bot, { now });
    try {
      const there = personAt(second.core, 'root');
      const listed = async () => (ok(await there('/oncall')).list ?? []).join('\n');
      // Within a second (the other process reads the tenant's people epoch at most once a second).
      const until = async (seen: (text: string) => boolean) => {
        for (let i = 0; i < 40 && !seen(await listed()); i++) await new Promise((r) => setTimeout(r, 100));
        return listed();
      };
      expect(await listed()).not.toContain('kept');
      ok(await root('/team create kept'));
      expect(await until((t) => t.includes('kept'))).toContain('kept');
      ok(await root('/team rename kept kept-too'));
      expect(await until((t) => t.includes('kept-too'))).toContain('kept-too');
      ok(await root('/team delete kept-too'));
      expect(await until((t) => !t.includes('kept'))).not.toContain('kept');
      // In the process that made the change, at once.
      expect((ok(await root('/oncall')).list ?? []).join('\n')).not.toContain('kept');
    } finally {
      await second.close();
    }
  });
});

describe('/help', () => {
  it('lists set, rename and delete under /team', async () => {
    const help = ok(await ada('/help team')).text;
    expect(help).toContain('/team set <team> [--channel channel] [--services services]');
    expect(help).toContain('/team rename <team> <new>');
    expect(help).toContain('/team delete <team>');
  });
});
