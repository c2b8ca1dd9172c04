// /profile on the real database: a person's own timezone and quiet hours, across linked identities and processes.
// @module-tag time-of-day
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Bot } from '../../src/core/createBot.ts';
import type { Invocation } from '../../src/core/invocation.ts';
import type { Reply } from '../../src/present/reply.ts';
import { anotherProcess, personAt, startTestBot, type TestBot } from '../support/harness.ts';

type Person = (line: string) => Promise<Reply>;
let bot: TestBot;
// Monday 2025-03-03 09:00 UTC: 03:00 in Chicago, 10:00 in Berlin, 18:00 in Tokyo.
const clock = new Date('2025-03-03T09:00:00Z');

const ok = (r: Reply): Reply => {
  expect(r.error, r.text).toBeUndefined();
  return r;
};
const settingsDoc = (personId: string) =>
  bot.db.connection.collection('person_settings').findOne({ _id: `acme/${personId}` as never });

/** Someone in Slack workspace T1, whose timezone Slack sends with every invocation. */
function slackPerson(core: Bot, id: string, timezone?: string): Person {
  return async (line) => {
    const m = /^\/?(\S+)\s*([\s\S]*)$/.exec(line.trim());
    const inv: Invocation = {
      actor: { id: `slack:${id}`, platform: 'slack', displayName: id, timezone },
      origin: { platform: 'slack', workspace: 'T1', channel: 'C1' },
      command: m?.[1] ?? '',
      text: m?.[2] ?? '',
    };
    return core.handle(inv);
  };
}
const codeOf = (r: Reply): string => /(\d{6})/.exec(ok(r).text)?.[1] as string;

beforeAll(async () => {
  // The terminal and Slack workspace T1 are one organisation, so identities there can be linked.
  bot = await startTestBot({
    now: () => clock,
    env: { SWITCHBOARD_ORGS: 'acme=console:local,slack:T1', SWITCHBOARD_TIMEZONE: 'UTC' },
  });
});
afterAll(async () => {
  await bot?.close();
});

describe('/profile tz', () => {
  it('shows the default, sets a zone, shows it, and goes back with auto', async () => {
    const ada = personAt(bot.core, 'ada');
    const first = ok(await ada('/profile'));
    expect(first.text).toBe("Your settings:\nTimezone: UTC (the organisation's default)\nQuiet hours: none");
    expect(ok(await ada('/profile tz europe/berlin')).text).toBe(
      'Your timezone is now Europe/Berlin: times are shown in it, wherever you use Switchboard.',
    );
    expect(ok(await ada('/profile')).text).toContain(
      'Timezone: Europe/Berlin (set by you; /profile tz auto goes back to the default)',
    );
    expect(await settingsDoc('console:ada')).toMatchObject({ timezone: 'Europe/Berlin' });
    expect(await bot.core.services.people.settingsOf('acme', 'console:ada')).toEqual({
      timezone: 'Europe/Berlin',
      quiet: null,
    });
    ok(await ada('/profile tz auto'));
    expect(ok(await ada('/profile')).text).toContain("Timezone: UTC (the organisation's default)");
    ok(await ada('/profile tz Asia/Tokyo'));
    ok(await ada('/profile tz reset'));
    expect(await bot.core.services.people.settingsOf('acme', 'console:ada')).toEqual({ timezone: null, quiet: null });
  });

  it.each([['Mars/Olympus_Mons'], ['+02:00'], ['Berlin'], ['']])(
    'refuses %j with two examples that work, and stores nothing',
    async (zone) => {
      const bea = personAt(bot.core, 'bea');
      ok(await bea('/profile tz America/Chicago'));
      const r = await bea(`/profile tz ${zone}`);
      expect(r.error).toBe('PROFILE.BAD_TIMEZONE');
      expect(r.text).toContain('nothing was changed');
      expect(r.text).toContain('Examples: /profile tz Europe/Berlin, /profile tz America/New_York');
      expect(await settingsDoc('console:bea')).toMatchObject({ timezone: 'America/Chicago' });
    },
  );

  it('names the city a zone was meant to be', async () => {
    const r = await personAt(bot.core, 'bea')('/profile tz Berlin');
    expect(r.text).toContain('"Berlin" is not a timezone I know (did you mean Europe/Berlin?); nothing was changed.');
  });

  it('has help with examples', async () => {
    const r = ok(await personAt(bot.core, 'bea')('/help profile'));
    expect(r.text).toContain('/profile [<show|tz|quiet>] [<value…>]');
    expect(r.text).toContain('/profile quiet 20:00-08:00');
  });

  it('an unknown setting is a usage error naming the choices', async () => {
    const r = await personAt(bot.core, 'bea')('/profile colour blue');
    expect(r.error).toBe('USAGE.BAD_CHOICE');
    expect(r.text).toContain('<setting> must be one of show, tz, quiet');
  });
});

describe('/profile quiet', () => {
  it('sets, shows, and clears quiet hours', async () => {
    const cy = personAt(bot.core, 'cy');
    ok(await cy('/profile tz Europe/Berlin'));
    expect(ok(await cy('/profile quiet 22:00-07:00')).text).toBe(
      'Quiet hours set: 22:00-07:00 in your timezone (Europe/Berlin). ' +
        'Reminders that are not urgent wait until they end; pages for P1 and P2 never wait.',
    );
    expect(ok(await cy('/profile')).text).toContain('Quiet hours: 22:00-07:00 your time');
    expect(await bot.core.services.people.settingsOf('acme', 'console:cy')).toEqual({
      timezone: 'Europe/Berlin',
      quiet: { from: '22:00', to: '07:00' },
    });
    // 10:00 in Berlin: quiet from 08:00 to 12:00 holds now, and says until when.
    ok(await cy('/profile quiet 8am-12pm'));
    expect(ok(await cy('/profile')).text).toContain('Quiet hours: 08:00-12:00 your time; quiet now, until 12:00');
    expect(ok(await cy('/profile quiet off')).text).toBe('Quiet hours are off: reminders reach you at any hour.');
    expect(ok(await cy('/profile')).text).toContain('Quiet hours: none');
    expect((await settingsDoc('console:cy'))?.quiet).toBeNull();
  });

  it.each([
    ['25:00-08:00', 'The start: hour 25 does not exist (0-23); nothing was changed.'],
    ['20:00', '"20:00" is not a from-to pair of times; nothing was changed.'],
    ['20:00-20:00', 'that would be quiet all day, or never; nothing was changed.'],
    ['', 'Say from when to when, as two times of day; nothing was changed.'],
  ])('refuses %j with examples, and stores nothing', async (text, error) => {
    const dee = personAt(bot.core, 'dee');
    ok(await dee('/profile quiet 21:00-06:00'));
    const r = await dee(`/profile quiet ${text}`);
    expect(r.error).toBe('PROFILE.BAD_QUIET');
    expect(r.text).toContain(error);
    expect(r.text).toContain('Examples: /profile quiet 20:00-08:00, /profile quiet 22:30-07:00');
    expect((await settingsDoc('console:dee'))?.quiet).toEqual({ from: '21:00', to: '06:00' });
  });
});

describe('a timezone set with /profile', () => {
  it('wins over the one Slack sends, for the times shown; auto goes back to Slack’s', async () => {
    const eve = slackPerson(bot.core, 'UEVE', 'America/Chicago');
    expect(ok(await eve('/profile')).text).toContain('Timezone: America/Chicago (given by Slack)');
    const id = ok(await eve('/ticket new Printer on fire')).card?.ticketId as string;
    const history = async () => ok(await eve(`/ticket show ${id}`)).list?.filter((l) => l.startsWith('• ')) ?? [];
    expect((await history())[0]).toMatch(/^• 03:00 UEVE /);
    ok(await eve('/profile tz Asia/Tokyo'));
    expect((await history())[0]).toMatch(/^• 18:00 UEVE /);
    expect(ok(await eve('/profile')).text).toContain('Timezone: Asia/Tokyo (set by you;');
    expect(ok(await eve('/profile tz auto')).text).toBe('Your timezone follows Slack again: America/Chicago.');
    expect((await history())[0]).toMatch(/^• 03:00 UEVE /);
  });

  it('holds across linked identities: the person, not the identity', async () => {
    const fay = personAt(bot.core, 'fay');
    const slackFay = slackPerson(bot.core, 'UFAY', 'America/Chicago');
    ok(await fay('/profile tz Europe/Berlin'));
    ok(await slackFay(`/link ${codeOf(await fay('/link'))}`));
    expect(ok(await slackFay('/profile')).text).toContain('Timezone: Europe/Berlin (set by you;');
    ok(await slackFay('/profile quiet 20:00-08:00'));
    expect(ok(await fay('/profile')).text).toContain('Quiet hours: 20:00-08:00 your time');
    expect(await bot.core.services.people.settingsOf('acme', 'console:fay')).toEqual({
      timezone: 'Europe/Berlin',
      quiet: { from: '20:00', to: '08:00' },
    });
  });

  it('settings made before linking come along when the person linked to has none', async () => {
    const gil = personAt(bot.core, 'gil');
    const slackGil = slackPerson(bot.core, 'UGIL');
    ok(await slackGil('/profile tz America/New_York'));
    ok(await slackGil(`/link ${codeOf(await gil('/link'))}`));
    expect(ok(await gil('/profile')).text).toContain('Timezone: America/New_York (set by you;');
  });

  it('set in one process is seen by another within about a second', async () => {
    const second = await anotherProcess(bot, { now: () => clock });
    try {
      const hal = personAt(bot.core, 'hal');
      const halElsewhere = personAt(second.core, 'hal');
      // The other process knows hal (and has him in memory) before the change.
      expect(ok(await halElsewhere('/profile')).text).toContain("UTC (the organisation's default)");
      ok(await hal('/profile tz Asia/Tokyo'));
      ok(await hal('/profile quiet 23:00-06:00'));
      const seen = async () => ok(await halElsewhere('/profile')).text;
      for (let i = 0; i < 60 && !(await seen()).includes('Asia/Tokyo'); i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(await seen()).toBe(
        'Your settings:\nTimezone: Asia/Tokyo (set by you; /profile tz auto goes back to the default)\n' +
          'Quiet hours: 23:00-06:00 your time',
      );
      expect(await second.core.services.people.settingsOf('acme', 'console:hal')).toEqual({
        timezone: 'Asia/Tokyo',
        quiet: { from: '23:00', to: '06:00' },
      });
    } finally {
      await second.close();
    }
  });
});
