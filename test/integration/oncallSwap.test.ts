// /oncall swap on the real database, on an injected clock: the proposal DM, Accept as two overrides, Decline,
// answered once (also by two processes at once), only by the person asked, lapsed, stale and unknown swaps.
// @module-tag time-of-day
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reply } from '../../src/present/reply.ts';
import { anotherProcess, personAt, startTestBot, type TestBot } from '../support/harness.ts';
import { recordingSender } from '../support/recordingSender.ts';

// A Tuesday, 10:00 UTC. Every team below: daily at 09:00 UTC, ada today (10th), bob the 11th, ada the 12th, bob the 13th.
let clock = new Date('2026-03-10T10:00:00Z');
const now = () => clock;
const tenant = 'console:local';
let bot: TestBot;
type Person = (line: string) => Promise<Reply>;
let root: Person;
let ada: Person;
let bob: Person;
let cat: Person;
let terminal: ReturnType<typeof recordingSender>;
const ok = (r: Reply): Reply => {
  expect(r.error, r.text).toBeUndefined();
  return r;
};
let teams = 0;
async function team(): Promise<string> {
  clock = new Date('2026-03-10T10:00:00Z');
  const name = `swap${++teams}`;
  ok(await root(`/team create ${name}`));
  ok(await root(`/oncall rotation ${name} @ada @bob --every 1d --handoff 09:00 --tz UTC`));
  return name;
}
const onCall = async (name: string, at: string) =>
  bot.services.teams.onCallIn(await bot.services.teams.get(tenant, name), new Date(at)).person?.name ?? 'nobody';
/** The DMs a person got since call number `since`. */
const dmsTo = async (who: string, since = 0) => {
  await bot.services.outbox.drained();
  return terminal.calls.slice(since).filter((c) => c.op === 'dm' && c.channel === who);
};
/** Ada proposes; returns the swap id from the buttons on bob's DM. */
async function propose(name: string, when = '"2026-03-12 10:00"'): Promise<string> {
  const since = terminal.calls.length;
  ok(await ada(`/oncall swap ${name} @bob ${when}`));
  const [dm] = await dmsTo('bob', since);
  const accept = dm?.reply.actions?.find((a) => a.id === 'oncall.swap-accept');
  expect(dm?.reply.actions?.map((a) => a.id)).toEqual(['oncall.swap-accept', 'oncall.swap-decline']);
  return accept?.value as string;
}

beforeAll(async () => {
  bot = await startTestBot({ now });
  root = personAt(bot.core, 'root');
  ada = personAt(bot.core, 'ada');
  bob = personAt(bot.core, 'bob');
  cat = personAt(bot.core, 'cat');
  terminal = recordingSender('console');
  bot.core.registerSender(terminal);
  for (const p of [ada, bob, cat]) ok(await p('/help'));
  for (const p of ['ada', 'bob', 'cat']) ok(await root(`/role grant @${p} agent`));
});
afterAll(async () => {
  await bot?.close();
});

describe('/oncall swap', () => {
  it('asks the person by DM; Accept swaps the two shifts as two overrides and tells the proposer', async () => {
    const name = await team();
    const since = terminal.calls.length;
    const asked = ok(await ada(`/oncall swap ${name} @bob "2026-03-12 10:00"`));
    expect(asked.text).toBe(
      `Asked bob to swap in ${name}: they cover your shift 12 Mar 09:00 → 13 Mar 09:00, you cover theirs 11 Mar 09:00 → 12 Mar 09:00 (UTC). You will be told their answer.`,
    );
    const [dm] = await dmsTo('bob', since);
    expect(dm?.reply.text).toBe(
      `ada asks to swap on-call shifts in ${name}: you cover their shift 12 Mar 09:00 → 13 Mar 09:00, they cover your next one 11 Mar 09:00 → 12 Mar 09:00 (UTC). Answer by 11 Mar 09:00.`,
    );
    const id = dm?.reply.actions?.[0]?.value as string;
    const before = (await bot.services.teams.get(tenant, name)).version;

    const took = ok(await bob(`/oncall swap-accept ${id}`));
    expect(took.text).toBe(
      `Swapped in ${name}: you cover 12 Mar 09:00 → 13 Mar 09:00, ada covers 11 Mar 09:00 → 12 Mar 09:00 (UTC).`,
    );
    const after = await bot.services.teams.get(tenant, name);
    // Both overrides in one change of the team.
    expect(after.version).toBe(before + 1);
    expect(after.overrides).toHaveLength(2);
    expect(await onCall(name, '2026-03-11T10:00:00Z')).toBe('ada');
    expect(await onCall(name, '2026-03-12T10:00:00Z')).toBe('bob');
    expect(await onCall(name, '2026-03-13T10:00:00Z')).toBe('bob');
    const told = await dmsTo('ada', since);
    expect(told.map((c) => c.reply.text)).toEqual([
      `bob accepted your swap in ${name}: they cover your shift 12 Mar 09:00 → 13 Mar 09:00, you cover theirs 11 Mar 09:00 → 12 Mar 09:00 (UTC).`,
    ]);

    // Answered once: a second press, either button, is refused and changes nothing.
    expect((await bob(`/oncall swap-accept ${id}`)).error).toBe('ONCALL.SWAP_ANSWERED');
    expect((await bob(`/oncall swap-decline ${id}`)).text).toBe('This swap was accepted already, at 10:00.');
    expect((await bot.services.teams.get(tenant, name)).version).toBe(after.version);
  });

  it('Decline changes nothing and tells the proposer', async () => {
    const name = await team();
    const id = await propose(name);
    const since = terminal.calls.length;
    expect(ok(await bob(`/oncall swap-decline ${id}`)).text).toBe(`Declined ada's swap in ${name}; ada is told.`);
    expect((await dmsTo('ada', since)).map((c) => c.reply.text)).toEqual([
      `bob declined your swap in ${name} (your shift 12 Mar 09:00 → 13 Mar 09:00 for theirs 11 Mar 09:00 → 12 Mar 09:00, UTC).`,
    ]);
    expect((await bot.services.teams.get(tenant, name)).overrides).toHaveLength(0);
    expect((await bob(`/oncall swap-accept ${id}`)).error).toBe('ONCALL.SWAP_ANSWERED');
  });

  it('is answered only by the person asked', async () => {
    const name = await team();
    const id = await propose(name);
    for (const who of [ada, cat, root]) {
      const r = await who(`/oncall swap-accept ${id}`);
      expect(r.error).toBe('PERMISSION.DENIED');
      expect(r.text).toContain('Only bob, who was asked, can answer this swap.');
    }
    expect((await bot.services.teams.get(tenant, name)).overrides).toHaveLength(0);
    ok(await bob(`/oncall swap-accept ${id}`));
  });

  it('takes the current shift from now, when <when> is now', async () => {
    const name = await team();
    const id = await propose(name, 'now');
    clock = new Date('2026-03-10T11:00:00Z');
    ok(await bob(`/oncall swap-accept ${id}`));
    expect(await onCall(name, '2026-03-10T12:00:00Z')).toBe('bob');
    expect(await onCall(name, '2026-03-11T12:00:00Z')).toBe('ada');
  });

  it('refuses a lapsed swap: after a day, or once the other shift has started', async () => {
    const name = await team();
    const id = await propose(name);
    clock = new Date('2026-03-11T09:00:00Z');
    const r = await bob(`/oncall swap-accept ${id}`);
    expect(r.error).toBe('ONCALL.SWAP_EXPIRED');
    expect(r.text).toContain('This swap lapsed at 09:00');
    expect((await bot.services.teams.get(tenant, name)).overrides).toHaveLength(0);
  });

  it('refuses a swap whose shifts the schedule no longer has', async () => {
    const name = await team();
    const id = await propose(name);
    ok(await root(`/oncall rotation ${name} @bob @ada --every 1d --handoff 09:00 --tz UTC`));
    const version = (await bot.services.teams.get(tenant, name)).version;
    expect((await bob(`/oncall swap-accept ${id}`)).error).toBe('ONCALL.SWAP_STALE');
    expect((await bot.services.teams.get(tenant, name)).version).toBe(version);
  });

  it.each([
    ['/oncall swap-accept sw-0000000000', 'ONCALL.SWAP_UNKNOWN'],
    ['/oncall swap-decline not-a-swap', 'ONCALL.SWAP_UNKNOWN'],
    ['/oncall swap-decline "sw-\u0007"', 'USAGE.BAD_VALUE'],
    ['/oncall swap nosuch @bob now', 'TEAM.NOT_FOUND'],
    ['/oncall swap {team} @ada now', 'ONCALL.SWAP_SELF'],
    ['/oncall swap {team} @cat now', 'TEAM.NOT_A_MEMBER'],
    ['/oncall swap {team} @bob "every blursday"', 'ONCALL.BAD_TIME'],
    // The 11th is bob's: ada has no shift then.
    ['/oncall swap {team} @bob "2026-03-11 10:00"', 'ONCALL.SWAP_NO_SHIFT'],
  ])('refuses %s (%s)', async (line, code) => {
    const name = await team();
    const r = await ada(line.replace('{team}', name));
    expect(r.error, r.text).toBe(code);
    expect(r.text.replaceAll('\n', '')).not.toMatch(/\p{Cc}/u);
  });

  it('refuses an agent-less person and a person with no coming shift', async () => {
    const name = await team();
    ok(await root(`/team add ${name} @cat`));
    expect((await ada(`/oncall swap ${name} @cat now`)).error).toBe('ONCALL.SWAP_NO_SHIFT');
    const dan = personAt(bot.core, 'dan');
    ok(await dan('/help'));
    expect((await dan(`/oncall swap ${name} @bob now`)).error).toBe('PERMISSION.DENIED');
  });

  it('two processes pressing Accept at the same moment swap once', async () => {
    const second = await anotherProcess(bot);
    try {
      for (let round = 0; round < 3; round++) {
        const name = await team();
        const id = await propose(name);
        const bobThere = personAt(second.core, 'bob');
        const answers = await Promise.all([
          bob(`/oncall swap-accept ${id}`),
          bobThere(`/oncall swap-accept ${id}`),
          bob(`/oncall swap-decline ${id}`),
        ]);
        expect(
          answers.filter((a) => a.error === undefined),
          answers.map((a) => a.text).join(' | '),
        ).toHaveLength(1);
        expect(answers.filter((a) => a.error === 'ONCALL.SWAP_ANSWERED')).toHaveLength(2);
        const overrides = (await bot.services.teams.get(tenant, name)).overrides;
        expect([0, 2]).toContain(overrides.length);
      }
    } finally {
      await second.close();
    }
  });
});
