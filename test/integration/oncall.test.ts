// /team and /oncall schedules on the real database, on an injected clock: teams, rotations, overrides, taking a
// shift, the coming shifts and the coverage check, and every refusal with its reason.
// @module-tag time-of-day
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reply } from '../../src/present/reply.ts';
import { personAt, startTestBot, type TestBot } from '../support/harness.ts';
import { recordingSender } from '../support/recordingSender.ts';

// A Tuesday, 10:00 UTC.
let clock = new Date('2026-03-10T10:00:00Z');
const now = () => clock;
let bot: TestBot;
type Person = (line: string) => Promise<Reply>;
let root: Person;
let ada: Person;
let bob: Person;
const ok = (r: Reply): Reply => {
  expect(r.error, r.text).toBeUndefined();
  return r;
};

beforeAll(async () => {
  bot = await startTestBot({ now });
  root = personAt(bot.core, 'root');
  ada = personAt(bot.core, 'ada');
  bob = personAt(bot.core, 'bob');
  for (const p of [ada, bob]) ok(await p('/help'));
  ok(await root('/role grant @ada agent'));
  ok(await root('/role grant @bob agent'));
});
afterAll(async () => {
  await bot?.close();
});

describe('/team', () => {
  it('creates a team with its channel and services, adds people, and shows it', async () => {
    expect(ok(await root('/team create storage --channel console --services DB,backup')).text).toBe(
      'Team storage is created, telling console, owning backup, db. Add people with /team add storage @person.',
    );
    expect(ok(await root('/team add storage @ada @bob')).text).toBe('ada, bob joined storage (2 members).');
    expect(ok(await root('/team add storage @ada')).text).toBe('They are all in storage already.');
    const show = ok(await root('/team show Storage'));
    expect(show.fields?.find((f) => f.label === 'Members')?.value).toBe('ada, bob');
    expect(show.fields?.find((f) => f.label === 'On call now')?.value).toBe('nobody');
    expect(ok(await ada('/team list')).list).toEqual(['storage · 2 members · backup, db · on call: nobody']);
  });

  it.each([
    ['/team create "no spaces"', 'TEAM.BAD_NAME'],
    ['/team create storage', 'TEAM.EXISTS'],
    ['/team create other --services db', 'TEAM.SERVICE_TAKEN'],
    ['/team create other --services "bad name!"', 'TEAM.BAD_SERVICES'],
    ['/team create other --channel "#not a channel"', 'USAGE.BAD_CHANNEL'],
    ['/team add storage @everyone', 'USAGE.BAD_USER'],
    ['/team add nosuch @ada', 'TEAM.NOT_FOUND'],
    ['/team remove storage @cat', 'TEAM.NOT_A_MEMBER'],
  ])('refuses %s (%s) and changes nothing', async (line, code) => {
    const before = await bot.services.teams.list('console:local');
    expect((await root(line)).error).toBe(code);
    expect(await bot.services.teams.list('console:local')).toEqual(before);
  });

  it('refuses a #channel id at the terminal, advising what the terminal accepts, not the form refused', async () => {
    const r = await root('/team create other --channel #C0123ABC');
    expect(r.error).toBe('USAGE.BAD_CHANNEL');
    expect(r.text).toContain('"#C0123ABC" is not a channel I can post in.');
    expect(r.text).toContain('--channel console');
    expect(r.text).not.toContain('--channel #C0123ABC');
  });

  it('lets only managers manage teams; anyone may look', async () => {
    expect((await ada('/team create mine')).error).toBe('PERMISSION.DENIED');
    expect((await ada('/oncall rotation storage @ada')).error).toBe('PERMISSION.DENIED');
    ok(await ada('/team show storage'));
    ok(await ada('/oncall'));
  });
});

describe('/oncall', () => {
  it('sets a rotation and answers who is on call, by team and by service, until when', async () => {
    const r = ok(await root('/oncall rotation storage @ada @bob --every 1d --handoff 09:00 --tz UTC'));
    expect(r.text).toMatch(/^storage's rotation is set\. Coming shifts \(UTC\):\n• ada /);
    // The first shift is the one containing now: ada since 09:00 today, until 09:00 tomorrow.
    expect(ok(await bob('/oncall storage')).list).toEqual(['storage: ada until 11 Mar 09:00 (UTC)']);
    expect(ok(await bob('/oncall db')).list).toEqual(['storage: ada until 11 Mar 09:00 (UTC)']);
    expect(ok(await bob('/oncall')).list).toEqual(['storage: ada until 11 Mar 09:00 (UTC)']);
    expect((await bob('/oncall nosuch')).error).toBe('TEAM.NOT_FOUND');
    clock = new Date('2026-03-11T09:30:00Z');
    expect(ok(await bob('/oncall storage')).list).toEqual(['storage: bob until 12 Mar 09:00 (UTC)']);
  });

  it('lets a manager set an override and an agent take the current shift', async () => {
    ok(await root('/oncall override storage @ada "12:00" "14:00"'));
    clock = new Date('2026-03-11T12:30:00Z');
    expect(ok(await bob('/oncall storage')).list).toEqual(['storage: ada until 14:00 (UTC), covering bob']);
    clock = new Date('2026-03-11T15:00:00Z');
    const took = ok(await ada('/oncall take storage'));
    expect(took.text).toBe('You are on call for storage until 12 Mar 09:00 (UTC), covering bob.');
    // ada's own shift follows the one she took: on call (covering, then her own) until 13 Mar 09:00.
    expect(ok(await bob('/oncall storage')).list).toEqual(['storage: ada until 13 Mar 09:00 (UTC), covering bob']);
    expect(ok(await bob('/oncall now storage')).list).toEqual(['storage: ada until 13 Mar 09:00 (UTC), covering bob']);
    expect(ok(await bob('/team show storage')).fields?.find((f) => f.label === 'On call now')?.value).toBe(
      'ada until 13 Mar 09:00 (UTC), covering bob',
    );
    expect((await ada('/oncall override storage @bob 16:00 17:00')).error).toBe('PERMISSION.DENIED');
  });

  it('a shift taken where nobody was on call says who is on call, and covers nobody', async () => {
    ok(await root('/team create spare --services spare-disk'));
    expect(ok(await root('/oncall take spare until 18:00')).text).toBe(
      'You are on call for spare until 18:00 (UTC). You joined spare.',
    );
    const line = 'spare: root until 18:00 (UTC)';
    expect(ok(await bob('/oncall spare')).list).toEqual([line]);
    expect(ok(await bob('/oncall now spare')).list).toEqual([line]);
    expect(ok(await bob('/team show spare')).fields?.find((f) => f.label === 'On call now')?.value).toBe(
      'root until 18:00 (UTC)',
    );
  });

  it('lists the coming shifts and the gaps, and checks coverage', async () => {
    const s = ok(await bob('/oncall schedule storage --days 2'));
    expect(s.list?.[0]).toMatch(/^15:00 → 13 Mar 09:00 · ada \(override\)$/);
    expect(s.list?.length).toBeGreaterThanOrEqual(2);
    ok(await root('/team create quiet --services mail'));
    const gaps = ok(await bob('/oncall gaps'));
    expect(gaps.list).toEqual(
      expect.arrayContaining([
        'quiet: no rotation: nobody is ever on call',
        'quiet: step 1 pages whoever is on call, and there is no rotation',
        'quiet: no team channel: handoffs and escalations have nowhere to be told',
      ]),
    );
    expect(gaps.list?.some((l) => l.startsWith('storage:'))).toBe(false);
  });

  it.each([
    ['/oncall rotation storage @ada --every 5h', 'ONCALL.BAD_EVERY'],
    ['/oncall rotation storage @ada --tz Mars/Base', 'USAGE.BAD_TIMEZONE'],
    ['/oncall rotation storage here', 'USAGE.BAD_USER'],
    ['/oncall override storage @ada "every blursday" 14:00', 'ONCALL.BAD_TIME'],
    ['/oncall override storage @ada 14:00 13:00', 'ONCALL.BAD_SPAN'],
    ['/oncall schedule storage --days 99', 'USAGE.BAD_NUMBER'],
  ])('refuses %s (%s) and changes nothing', async (line, code) => {
    const before = await bot.services.teams.get('console:local', 'storage');
    const r = await root(line);
    expect(r.error, r.text).toBe(code);
    expect(r.text.replaceAll('\n', '')).not.toMatch(/\p{Cc}/u);
    expect((await bot.services.teams.get('console:local', 'storage')).version).toBe(before.version);
  });

  it('takes people out of the rotation when they leave the team', async () => {
    ok(await root('/team remove storage @bob'));
    const team = await bot.services.teams.get('console:local', 'storage');
    expect(team.layers[0]?.members).toHaveLength(1);
    clock = new Date('2026-03-13T10:00:00Z');
    expect(ok(await bob('/oncall storage')).list).toEqual([expect.stringMatching(/^storage: ada until /)]);
  });

  it('says who a rotation, an override or a taken shift brought into the team', async () => {
    ok(await root('/team create joiners'));
    ok(await root('/team add joiners @ada'));
    const r = ok(await root('/oncall rotation joiners @ada @cat --every 1d --handoff 09:00 --tz UTC'));
    expect(r.text).toMatch(/^joiners's rotation is set\. cat joined joiners\. Coming shifts \(UTC\):\n/);
    const again = ok(await root('/oncall rotation joiners @ada @cat --every 1d --handoff 09:00 --tz UTC'));
    expect(again.text).not.toContain('joined');
    const o = ok(await root('/oncall override joiners @dan "tomorrow 12:00" "tomorrow 14:00"'));
    expect(o.text).toMatch(/^dan covers joiners .*\(UTC\)\. dan joined joiners\.$/);
    expect(ok(await bob('/oncall take joiners')).text).toMatch(
      /^You are on call for joiners until .*\. You joined joiners\.$/,
    );
    expect(ok(await bob('/team show joiners')).fields?.find((f) => f.label === 'Members')?.value).toBe(
      'ada, cat, dan, bob',
    );
  });
});

describe('what on-call says by itself', () => {
  const settle = async () => {
    for (let i = 0; i < 2; i++) {
      await bot.jobs.drained();
      await bot.core.settled();
    }
  };
  it('announces each handoff in the team channel, naming who is on and who is off', async () => {
    const posts = recordingSender('console');
    bot.core.registerSender(posts);
    clock = new Date('2026-03-13T10:00:00Z');
    ok(await root('/team create night --channel console'));
    ok(await root('/oncall rotation night @ada @bob --every 12h --handoff 09:00 --tz UTC'));
    await settle();
    clock = new Date('2026-03-13T21:00:30Z');
    await settle();
    const said = posts.calls.filter((c) => c.reply.header === 'night on-call handoff').map((c) => c.reply.text);
    expect(said).toEqual(['night: bob is on call now until 14 Mar 09:00 (UTC); ada is off.']);
  });

  it('posts the daily coverage check where there are problems, at 09:00 in the team zone', async () => {
    const posts = recordingSender('console');
    bot.core.registerSender(posts);
    ok(await root('/team create gappy --channel console'));
    ok(await root('/oncall rotation gappy @ada --every 1d --handoff 09:00 --tz UTC --start "2026-03-16 09:00"'));
    clock = new Date('2026-03-14T09:00:30Z');
    await settle();
    const [check] = posts.calls.filter((c) => c.reply.header?.startsWith('gappy on-call coverage'));
    expect(check?.reply.header).toBe('gappy on-call coverage: 1 problem in the next 14 days');
    expect(check?.reply.list?.[0]).toMatch(/^nobody on call .* → 16 Mar 09:00$/);
    // The night team has no problems: nothing is posted for it.
    expect(posts.calls.some((c) => c.reply.header?.startsWith('night on-call coverage'))).toBe(false);
  });
});
