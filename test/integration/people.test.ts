// @module-tag time-of-day
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Invocation } from '../../src/core/invocation.ts';
import type { Reply } from '../../src/present/reply.ts';
import type { Ticket } from '../../src/store/ticketStore.ts';
import { anotherProcess, personAt, startTestBot, type TestBot } from '../support/harness.ts';
import { storedTicket } from '../support/storedTickets.ts';

type Person = (line: string) => Promise<Reply>;
let bot: TestBot;
let clock = new Date('2025-03-03T09:00:00Z');
let root: Person;
let ada: Person;
let bob: Person;
let cat: Person;

const stored = async (ticketId: string): Promise<Ticket> =>
  (await storedTicket(bot.db.connection, 'acme', ticketId)) as Ticket;
const ok = (r: Reply): Reply => {
  expect(r.error, r.text).toBeUndefined();
  return r;
};
const open = async (as: Person, title: string) => ok(await as(`/ticket new ${title}`)).card?.ticketId as string;

beforeAll(async () => {
  // The terminal and Slack workspace T1 are one organisation, so identities there can be linked.
  bot = await startTestBot({ now: () => clock, env: { SWITCHBOARD_ORGS: 'acme=console:local,slack:T1' } });
  root = personAt(bot.core, 'root');
  ada = personAt(bot.core, 'ada');
  bob = personAt(bot.core, 'bob');
  cat = personAt(bot.core, 'cat');
  // A role goes only to someone Switchboard has seen.
  ok(await bob('/role show'));
  ok(await root('/role grant @bob agent'));
});
afterAll(async () => {
  await bot?.close();
});

describe('a requester', () => {
  it.each([
    ['assign ID me', 'ticket assign', 'agent'],
    ['assign ID @bob', 'ticket assign', 'agent'],
    ['start ID', 'ticket start', 'agent'],
    ['pending ID', 'ticket pending', 'agent'],
    ['resolve ID fixed it myself', 'ticket resolve', 'agent'],
    ['close ID', 'ticket close', 'agent'],
    ['priority ID P1', 'ticket priority', 'agent'],
  ])('cannot "%s" even on their own ticket; the refusal names the role', async (step, command, role) => {
    const id = await open(ada, 'Mine');
    const before = await stored(id);
    const r = await ada(`/ticket ${step.replace('ID', id)}`);
    expect(r).toMatchObject({ visibility: 'ephemeral', error: 'PERMISSION.DENIED' });
    expect(r.text).toBe(
      `/${command} needs the ${role} role; you are a requester. Ask an admin: /role grant @you ${role}`,
    );
    expect(await stored(id)).toEqual(before);
  });

  it('opens, views, comments on and reopens their own tickets', async () => {
    const id = await open(ada, 'My laptop');
    expect(ok(await ada(`/ticket show ${id}`)).header).toBe(`${id} · My laptop`);
    ok(await ada(`/ticket comment ${id} more detail`));
    ok(await bob(`/ticket resolve ${id} replaced`));
    ok(await ada(`/ticket reopen ${id} still broken`));
    expect((await stored(id)).state).toBe('in_progress');
  });

  it("cannot see, comment on, reopen or list other people's tickets", async () => {
    const id = await open(cat, "Cat's ticket");
    ok(await bob(`/ticket resolve ${id} done`));
    const before = await stored(id);
    for (const step of ['show ID', 'comment ID nosy', 'reopen ID']) {
      const r = await ada(`/ticket ${step.replace('ID', id)}`);
      expect(r.error, step).toBe('PERMISSION.DENIED');
      expect(r.text).toContain(`${id} is not yours: seeing other people's tickets needs the agent role.`);
      expect(r.text).not.toContain("Cat's ticket");
    }
    expect(await stored(id)).toEqual(before);

    const listed = ok(await ada('/ticket list --state all'));
    expect(listed.list?.length).toBeGreaterThan(0);
    expect(listed.text).not.toContain(id);
    for (const line of listed.list ?? [])
      expect((await stored(line.split(' · ')[0] as string)).requester.name).toBe('ada');
    expect(ok(await ada('/ticket list --state all --text "Cat"')).list).toEqual([]);
  });

  it("is not offered other people's tickets by autocomplete; an agent is", async () => {
    const theirs = await open(cat, 'Payroll export for the board');
    const mine = await open(ada, 'My payroll question');
    const actor = (who: string) => ({ id: `console:${who}`, platform: 'console' as const, displayName: who });
    const ids = async (who: string, q: string) =>
      (await bot.core.suggestTickets('console', 'local', q, actor(who))).map((s) => s.id);

    for (const q of ['payroll', '', 'INC']) {
      expect(await ids('ada', q), q).toContain(mine);
      expect(await ids('ada', q), q).not.toContain(theirs);
    }
    expect(await ids('bob', 'payroll')).toEqual(expect.arrayContaining([mine, theirs]));
  });

  it('cannot add internal work notes', async () => {
    const id = await open(ada, 'Note attempt');
    const r = await ada(`/ticket comment ${id} secret --internal`);
    expect(r.error).toBe('PERMISSION.DENIED');
    expect(r.text).toContain('Internal work notes need the agent role.');
    expect((await stored(id)).comments).toEqual([]);
  });

  it('cannot manage roles', async () => {
    for (const line of ['/role grant @ada admin', '/role revoke @bob']) {
      const r = await ada(line);
      expect(r.error).toBe('PERMISSION.DENIED');
      expect(r.text).toContain('needs the admin role; you are a requester');
    }
    expect((await ada('/role show --all')).text).toContain('needs the admin role');
    expect(ok(await ada('/role show')).text).toBe('You are a requester.');
    expect(ok(await bob('/role show')).text).toBe('You are an agent.');
  });
});

describe('an agent', () => {
  it("works anyone's ticket and sees work notes", async () => {
    const id = await open(ada, 'Agent works it');
    for (const step of [
      'assign ID me',
      'start ID',
      'pending ID',
      'start ID',
      'comment ID note --internal',
      'priority ID P2',
      'resolve ID ok',
      'close ID',
    ]) {
      ok(await bob(`/ticket ${step.replace('ID', id)}`));
    }
    expect(ok(await bob(`/ticket show ${id}`)).text).toContain('[work note] bob: note');
    expect(ok(await bob('/ticket list --state all')).text).toContain(id);
  });

  it('still cannot manage roles', async () => {
    const r = await bob('/role grant @cat agent');
    expect(r.text).toContain('needs the admin role; you are an agent');
  });
});

describe('roles granted in chat', () => {
  it('are granted, shown and revoked by an admin', async () => {
    const dan = personAt(bot.core, 'dan');
    const id = await open(ada, 'For dan');
    expect((await dan(`/ticket assign ${id} me`)).error).toBe('PERMISSION.DENIED');

    expect(ok(await root('/role grant @dan manager')).text).toBe('dan is now a manager.');
    expect(ok(await root('/role show @dan')).text).toBe('dan is a manager.');
    // A manager outranks an agent.
    ok(await dan(`/ticket assign ${id} me`));
    const all = ok(await root('/role show --all'));
    expect(all.list).toEqual(expect.arrayContaining(['dan: manager', 'bob: agent']));
    expect(all.list).toContain('root: admin (configured)');

    expect(ok(await root('/role revoke @dan')).text).toBe('dan is a requester again.');
    expect((await dan(`/ticket start ${id}`)).error).toBe('PERMISSION.DENIED');
    expect((await root('/role revoke @dan')).error).toBe('ROLE.NONE');
    expect((await root('/role revoke @root')).error).toBe('ROLE.CONFIGURED');
  });

  it('an admin from SWITCHBOARD_ADMINS is an admin on their platform', async () => {
    const slackAdmin = personAt(bot.core, 'UADMIN', 'slack', 'T1');
    expect(ok(await slackAdmin('/role show')).text).toBe('You are an admin.');
    const eve = personAt(bot.core, 'UEVE', 'slack', 'T1');
    expect(ok(await eve('/role show')).text).toBe('You are a requester.');
    expect(ok(await slackAdmin('/role grant @slack:UEVE agent')).text).toBe('UEVE is now an agent.');
    expect(ok(await eve('/role show')).text).toBe('You are an agent.');
  });
});

describe('/link', () => {
  it('joins a terminal and a Slack identity into one person sharing role and "mine"', async () => {
    const fay = personAt(bot.core, 'fay');
    const slackFay = personAt(bot.core, 'UFAY', 'slack', 'T1');
    expect(ok(await slackFay('/role show')).text).toBe('You are a requester.');

    const asked = ok(await fay('/link'));
    const code = /link code is (\d{6})/.exec(asked.text)?.[1] as string;
    expect(code).toMatch(/^\d{6}$/);
    expect(asked.visibility).toBe('ephemeral');

    expect(ok(await slackFay(`/link ${code}`)).text).toBe('Linked: you and fay (console) are now one person.');
    // The code works once.
    expect((await personAt(bot.core, 'UOTHER', 'slack', 'T1')(`/link ${code}`)).error).toBe('LINK.BAD_CODE');

    ok(await root('/role grant @fay agent'));
    expect(ok(await slackFay('/role show')).text).toBe('You are an agent.');

    const id = await open(ada, 'For fay');
    ok(await fay(`/ticket assign ${id} me`));
    expect(ok(await slackFay('/ticket list --mine')).list?.map((l) => l.split(' · ')[0])).toEqual([id]);
    // Work from Slack is recorded as the same person.
    ok(await slackFay(`/ticket start ${id}`));
    const t = await stored(id);
    expect(t.assignee?.id).toBe('console:fay');
    expect(t.history.at(-1)?.actor).toEqual({ id: 'console:fay', identity: 'slack:UFAY', name: 'UFAY' });

    // A ticket opened from Slack is fay's own from the terminal too.
    const mine = await open(slackFay, 'From slack');
    ok(await root('/role revoke @fay'));
    expect(ok(await fay(`/ticket show ${mine}`)).header).toBe(`${mine} · From slack`);
  });

  it('refuses bad, reused, own and expired codes', async () => {
    const gus = personAt(bot.core, 'gus');
    const slackGus = personAt(bot.core, 'UGUS', 'slack', 'T1');
    expect((await slackGus('/link abc')).error).toBe('USAGE.BAD_VALUE');
    expect((await slackGus('/link 000001')).error).toBe('LINK.BAD_CODE');

    const own = /(\d{6})/.exec(ok(await gus('/link')).text)?.[1] as string;
    expect((await gus(`/link ${own}`)).error).toBe('LINK.SAME_IDENTITY');

    const late = /(\d{6})/.exec(ok(await gus('/link')).text)?.[1] as string;
    clock = new Date(clock.getTime() + 11 * 60_000);
    const r = await slackGus(`/link ${late}`);
    expect(r.error).toBe('LINK.BAD_CODE');
    expect(r.text).toContain('expired');
    expect(ok(await slackGus('/role show')).text).toBe('You are a requester.');
  });
});

describe('the configured admin', () => {
  const codeOf = (r: Reply) => /(\d{6})/.exec(ok(r).text)?.[1] as string;

  it('is one person with the identity they link, whichever side the code was asked on', async () => {
    // root (SWITCHBOARD_ADMINS) asks for the code on the terminal, enters it in Slack.
    const slackRoot = personAt(bot.core, 'UROOT1', 'slack', 'T1');
    ok(await slackRoot(`/link ${codeOf(await root('/link'))}`));
    expect(ok(await slackRoot('/role show')).text).toBe('You are an admin.');

    // The other way round: the code comes from Slack and root enters it on the terminal.
    const slackOther = personAt(bot.core, 'UROOT2', 'slack', 'T1');
    ok(await slackOther('/role show'));
    ok(await personAt(bot.core, 'UADMIN', 'slack', 'T1')('/role grant @slack:UROOT2 agent'));
    expect(ok(await slackOther('/role show')).text).toBe('You are an agent.');
    const asAdmin = personAt(bot.core, 'root');
    ok(await asAdmin(`/link ${codeOf(await slackOther('/link'))}`));
    expect(ok(await slackOther('/role show')).text).toBe('You are an admin.');
    expect(ok(await asAdmin('/role show')).text).toBe('You are an admin.');
  });

  it('cannot be demoted or granted a lesser role in chat, directly or through a linked identity', async () => {
    const admin = personAt(bot.core, 'UADMIN', 'slack', 'T1');
    for (const line of [
      '/role revoke console:root',
      '/role grant console:root requester',
      '/role grant @slack:UROOT1 agent',
    ]) {
      const r = await admin(line);
      expect(r.error, line).toBe('ROLE.CONFIGURED');
      expect(r.text).toContain('admin by configuration (SWITCHBOARD_ADMINS)');
    }
    expect(ok(await root('/role show')).text).toBe('You are an admin.');
    expect(ok(await personAt(bot.core, 'UROOT1', 'slack', 'T1')('/role show')).text).toBe('You are an admin.');
  });
});

describe('link codes', () => {
  it('cannot be guessed: after five wrong codes an identity must wait, even for a right one', async () => {
    const hal = personAt(bot.core, 'hal');
    const guesser = personAt(bot.core, 'UGUESS', 'slack', 'T1');
    const real = /(\d{6})/.exec(ok(await hal('/link')).text)?.[1] as string;
    const wrong = (n: number) => String(((Number(real) - 100_000 + n) % 900_000) + 100_000);
    for (let i = 1; i <= 5; i++) expect((await guesser(`/link ${wrong(i)}`)).error).toBe('LINK.BAD_CODE');
    const r = await guesser(`/link ${real}`);
    expect(r.error).toBe('LINK.TOO_MANY');
    expect(ok(await guesser('/role show')).text).toBe('You are a requester.');

    // After the wait, a fresh code links.
    clock = new Date(clock.getTime() + 10 * 60_000);
    const fresh = /(\d{6})/.exec(ok(await hal('/link')).text)?.[1] as string;
    expect(ok(await guesser(`/link ${fresh}`)).text).toBe('Linked: you and hal (console) are now one person.');
  });
});

describe('roles across processes', () => {
  it('a revocation made by one process holds within a second in another that knew the role', async () => {
    const second = await anotherProcess(bot, { now: () => clock });
    try {
      const other = second.core;
      const ivy = personAt(bot.core, 'ivy');
      const ivyElsewhere = personAt(other, 'ivy');
      const id = await open(ada, 'For ivy');
      ok(await ivy('/role show'));
      ok(await root('/role grant @ivy agent'));
      ok(await ivyElsewhere(`/ticket show ${id}`));
      ok(await root('/role revoke @ivy'));
      // The other process reads the tenant's people epoch at most once a second.
      for (let i = 0; i < 60 && (await ivyElsewhere('/role show')).text !== 'You are a requester.'; i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      const r = await ivyElsewhere(`/ticket assign ${id} me`);
      expect(r.error).toBe('PERMISSION.DENIED');
      expect((await ivyElsewhere(`/ticket show ${id}`)).error).toBe('PERMISSION.DENIED');
      expect(ok(await ivy('/role show')).text).toBe('You are a requester.');
    } finally {
      await second.close();
    }
  });
});

describe('roles go to people, and only to people Switchboard has seen', () => {
  const people = () => bot.db.connection.collection('identities').countDocuments();
  const roles = async () => JSON.stringify(await bot.db.connection.collection('roles').find().toArray());

  it.each([
    ['console', '/role grant @everyone admin'],
    ['console', '/role grant here admin'],
    ['slack', '/role grant @channel agent'],
    ['slack', '/role grant @group:S0OPS agent'],
    ['discord', '/role grant @everyone admin'],
    ['discord', '/role revoke @here'],
  ] as const)('on %s, %j is refused: a crowd is not a person; nothing is written', async (platform, line) => {
    const admin =
      platform === 'console'
        ? root
        : personAt(bot.core, platform === 'slack' ? 'UADMIN' : '100000000000000001', platform, 'T1');
    ok(await admin('/role show'));
    const [before, granted] = [await people(), await roles()];
    const r = await admin(line);
    expect(r.error, r.text).toBe('USAGE.NOT_A_PERSON');
    expect(r.text).toContain('is not a person');
    expect([await people(), await roles()]).toEqual([before, granted]);
  });

  it('granting or revoking for someone never seen says so and writes nothing', async () => {
    const [before, granted] = [await people(), await roles()];
    for (const line of ['/role grant @zed admin', '/role grant slack:UNEVER agent', '/role revoke @zed']) {
      const r = await root(line);
      expect(r.error, line).toBe('PERSON.UNKNOWN');
      expect(r.text).toMatch(/^Switchboard has never seen (console:zed|slack:UNEVER) here, so nothing was changed\./);
      expect(r.text).toContain('They need to use Switchboard once');
    }
    expect([await people(), await roles()]).toEqual([before, granted]);
    // Once zed has been seen, the grant goes through.
    ok(await personAt(bot.core, 'zed')('/help'));
    expect(ok(await root('/role grant @zed agent')).text).toBe('zed is now an agent.');
  });
});

describe('a person is named by their display name', () => {
  /** Someone on Slack workspace T1 whose display name is not their id. */
  const named = (id: string, displayName: string): Person => {
    return async (line: string) => {
      const m = /^\/(\S+)\s*([\s\S]*)$/.exec(line) as RegExpExecArray;
      const inv: Invocation = {
        actor: { id: `slack:${id}`, platform: 'slack', displayName },
        origin: { platform: 'slack', workspace: 'T1', channel: 'general' },
        command: m[1] as string,
        text: m[2] as string,
      };
      return bot.core.handle(inv);
    };
  };

  it('in roles, teams, escalation policies, pages and escalations, never by an identity', async () => {
    ok(await named('UCAROL', 'Carol Danvers')('/help'));
    ok(await named('UDAVE', 'Dave Lister')('/help'));
    expect(ok(await root('/role show @slack:UCAROL')).text).toBe('Carol Danvers is a requester.');
    expect(ok(await root('/role grant @slack:UCAROL agent')).text).toBe('Carol Danvers is now an agent.');
    const all = ok(await root('/role show --all')).list ?? [];
    expect(all).toContain('Carol Danvers: agent');
    expect(all).toContain('root: admin (configured)');
    expect(all.join('\n')).not.toContain('slack:UCAROL');

    ok(await root('/team create names'));
    ok(await root('/team add names @slack:UCAROL @slack:UDAVE'));
    expect(ok(await root('/oncall policy names "@slack:UCAROL; @slack:UDAVE after 5m"')).text).toBe(
      'names pages: @Carol Danvers; @Dave Lister after 5m.',
    );
    expect(ok(await root('/team show names')).text).toContain('Escalation: @Carol Danvers; @Dave Lister after 5m');

    expect(ok(await root('/oncall page @slack:UDAVE the disk is full')).text).toMatch(/^Paging Dave Lister about /);
    const paged = ok(await root('/oncall page names the disk is full'));
    const id = /about (INC-\d+)/.exec(paged.text)?.[1] as string;
    expect(ok(await root(`/oncall escalate ${id}`)).text).toBe(`Escalated ${id} to level 2: paging Dave Lister now.`);
    // Its line is written right after the reply, by the job engine: the settle waits for it.
    await bot.core.settled();
    expect(ok(await root(`/ticket show ${id}`)).text).toContain('escalated to level 2 (Dave Lister)');

    ok(await root('/team remove names @slack:UDAVE'));
    expect((await root('/team remove names @slack:UDAVE')).text).toContain('Dave Lister is not in names.');
  });
});
