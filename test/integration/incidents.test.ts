// Major incidents at the terminal, on the real database with an injected clock: declared once, roles for people the
// bot has seen, statuses in order, stakeholder updates to the room and to subscribers, and the timeline.
// @module-tag time-of-day
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reply } from '../../src/present/reply.ts';
import { anotherProcess, personAt, startTestBot, type TestBot } from '../support/harness.ts';
import { recordingSender } from '../support/recordingSender.ts';

let clock = new Date('2026-03-12T14:00:00Z');
const now = () => clock;
const at = (iso: string) => {
  clock = new Date(iso);
};
let bot: TestBot;
let root: ReturnType<typeof personAt>;
let ada: ReturnType<typeof personAt>;
let zed: ReturnType<typeof personAt>;
let sent: ReturnType<typeof recordingSender>;
const ok = (r: Reply): Reply => {
  expect(r.error, r.text).toBeUndefined();
  return r;
};
const refused = async (r: Promise<Reply>, code: string): Promise<string> => {
  const got = await r;
  expect(got.error, got.text).toBe(code);
  return got.text;
};
/** What the room (the terminal, its lines marked with the room's name) heard. */
const room = (name: string) =>
  sent.calls.filter((c) => c.op === 'post' && c.reply.text.startsWith(`[#${name}]`)).map((c) => c.reply.text);
const dmsTo = (who: string) => sent.calls.filter((c) => c.op === 'dm' && c.channel === who).map((c) => c.reply.text);
const settle = async () => {
  await bot.core.settled();
  await bot.services.outbox.drained();
};
const incidents = () => bot.db.connection.collection('incidents').find({}).toArray();

beforeAll(async () => {
  bot = await startTestBot({ now, env: { SWITCHBOARD_TIMEZONE: 'Europe/Berlin' } });
  root = personAt(bot.core, 'root');
  ada = personAt(bot.core, 'ada');
  zed = personAt(bot.core, 'zed');
  ok(await ada('/role show'));
  ok(await zed('/role show'));
  ok(await root('/role grant @ada agent'));
  ok(await ada('/profile tz America/New_York'));
  sent = recordingSender('console');
  bot.core.registerSender(sent);
});
afterAll(async () => {
  await bot?.close();
});

describe('declaring a major incident', () => {
  it('refuses first what cannot be done, and writes nothing', async () => {
    await refused(zed('/incident declare "VPN down"'), 'PERMISSION.DENIED');
    const unknown = await refused(root('/incident declare "VPN down" --commander @nobody'), 'PERSON.UNKNOWN');
    expect(unknown).toContain('never seen nobody');
    await refused(root('/incident declare "VPN down" --sev 3'), 'USAGE.BAD_CHOICE');
    await refused(root('/incident declare "VPN\u0007down"'), 'USAGE.BAD_VALUE');
    await refused(root('/incident roles INC-99'), 'INCIDENT.NOT_FOUND');
    await refused(root('/incident roles'), 'INCIDENT.WHICH');
    expect(await incidents()).toEqual([]);
    expect(await bot.db.connection.collection('tickets_open').countDocuments({})).toBe(0);
  });

  it('opens a P1 incident with its room at the terminal, commander the declarer; refuses declaring it twice', async () => {
    const r = ok(await root('/incident declare "VPN down for everyone" --sev 1 --service vpn'));
    expect(r.text).toBe(
      [
        'INC-1 declared a SEV1 major incident: VPN down for everyone. Commander: root.',
        'Room: #inc-1-vpn-down-for-everyone (at the terminal: its lines are printed with its name).',
        'First stakeholder update due 15:30: /incident update "<text>"',
      ].join('\n'),
    );
    await settle();
    expect(room('inc-1-vpn-down-for-everyone')).toEqual([
      '[#inc-1-vpn-down-for-everyone] INC-1 · SEV1 major incident · investigating · VPN down for everyone\nCommander: root · service vpn',
    ]);
    const t = ok(await root('/ticket show INC-1'));
    expect(t.text).toContain('P1');
    const twice = await refused(root('/incident declare INC-1'), 'INCIDENT.ALREADY_DECLARED');
    expect(twice).toContain('INC-1 is a major incident already, declared by root; nothing was changed.');
    await refused(root('/incident declare CHG-1'), 'TICKET.BAD_ID');
  });

  it('declares an open incident by its id once, across two processes declaring together', async () => {
    const other = await anotherProcess(bot, { now });
    try {
      ok(await root('/ticket new "Mail queue stuck" --priority P2'));
      const there = personAt(other.core, 'root');
      const [a, b] = await Promise.all([root('/incident declare INC-2'), there('/incident declare INC-2')]);
      expect([a.error, b.error].sort()).toEqual(['INCIDENT.ALREADY_DECLARED', undefined]);
      const docs = (await incidents()).filter((d) => d.ticketId === 'INC-2');
      expect(docs).toHaveLength(1);
      expect(docs[0]).toMatchObject({ severity: 2, status: 'investigating', seq: 1 });
    } finally {
      await other.close();
    }
  });
});

describe('running it', () => {
  it('gives roles to people the bot has seen, announces them, and keeps them in the history', async () => {
    await refused(root('/incident role commander @nobody --incident INC-1'), 'PERSON.UNKNOWN');
    await refused(root('/incident role commander @ada'), 'INCIDENT.WHICH');
    await refused(root('/incident role pilot @ada --incident INC-1'), 'USAGE.BAD_CHOICE');
    at('2026-03-12T14:05:00Z');
    ok(await root('/incident role commander @ada --incident INC-1'));
    ok(await root('/incident role comms @zed --incident INC-1'));
    await refused(root('/incident role comms @zed --incident INC-1'), 'INCIDENT.ROLE_HELD');
    const roles = ok(await zed('/incident roles INC-1'));
    expect(roles.text).toBe('INC-1 roles\ncommander: ada\ncomms: zed\nscribe: —');
    await settle();
    expect(room('inc-1-vpn-down-for-everyone').slice(1)).toEqual([
      '[#inc-1-vpn-down-for-everyone] ada is now commander of INC-1 (was root), set by root.',
      '[#inc-1-vpn-down-for-everyone] zed is now comms of INC-1, set by root.',
    ]);
  });

  it('moves the status in order, with what we know; a status it has already is refused', async () => {
    at('2026-03-12T14:10:00Z');
    ok(await ada('/incident status identified "bad config push on the concentrators" --incident INC-1'));
    await refused(ada('/incident status identified --incident INC-1'), 'INCIDENT.INVALID_STATUS');
    await refused(ada('/incident status fixed --incident INC-1'), 'USAGE.BAD_CHOICE');
    await settle();
    expect(room('inc-1-vpn-down-for-everyone').at(-1)).toBe(
      '[#inc-1-vpn-down-for-everyone] INC-1 is identified (was investigating), by ada: bad config push on the concentrators',
    );
  });

  it('sends a formatted update to the room and to each subscriber by DM, with the next one due', async () => {
    ok(await zed('/incident subscribe INC-1'));
    await refused(zed('/incident subscribe INC-1'), 'INCIDENT.ALREADY_SUBSCRIBED');
    at('2026-03-12T14:25:00Z');
    const r = ok(await ada('/incident update "Rolled back; VPN back for most" --status monitoring --incident INC-1'));
    // ada reads in New York: 14:55 UTC is 10:55 there.
    expect(r.text).toBe('Update 1 on INC-1 posted to the room and sent to 2 subscribers. Next update due 10:55.');
    await settle();
    const update = [
      'Update on INC-1: VPN down for everyone',
      'Rolled back; VPN back for most',
      'Status: monitoring · Severity: SEV1 · Commander: ada · Since start: 25m · Next update: by 10:55 (America/New_York)',
      '(posted by ada)',
    ].join('\n');
    expect(room('inc-1-vpn-down-for-everyone').at(-1)).toBe(`[#inc-1-vpn-down-for-everyone] ${update}`);
    expect(dmsTo('zed')).toEqual([update]);
    expect(dmsTo('root')).toEqual([update]);
    ok(await zed('/incident unsubscribe INC-1'));
    await refused(zed('/incident unsubscribe INC-1'), 'INCIDENT.NOT_SUBSCRIBED');
  });

  it('keeps notes, and refuses an update once resolved', async () => {
    at('2026-03-12T14:40:00Z');
    ok(await ada('/incident note "vendor confirmed the firmware bug" --incident INC-1'));
    ok(await ada('/incident status resolved "stable for 15 minutes" --incident INC-1'));
    const text = await refused(ada('/incident update "all good" --incident INC-1'), 'INCIDENT.RESOLVED');
    expect(text).toContain('INC-1 is resolved');
    await refused(ada('/incident status monitoring --incident INC-1'), 'INCIDENT.INVALID_STATUS');
  });

  it('shows the timeline in the reader’s timezone (who follows it is kept, not shown)', async () => {
    const mine = ok(await root('/incident timeline INC-1'));
    expect(mine.text).toBe(
      [
        'INC-1 timeline (Europe/Berlin)',
        '• 15:00 · root · declared · declared SEV1 major incident, commander root',
        '• 15:05 · root · role · ada is commander (was root)',
        '• 15:05 · root · role · zed is comms',
        '• 15:10 · ada · status · investigating → identified: bad config push on the concentrators',
        '• 15:25 · ada · update · Rolled back; VPN back for most (identified → monitoring)',
        '• 15:40 · ada · note · vendor confirmed the firmware bug',
        '• 15:40 · ada · status · monitoring → resolved: stable for 15 minutes',
      ].join('\n'),
    );
    const hers = ok(await ada('/incident timeline INC-1'));
    expect(hers.text.split('\n').slice(0, 2)).toEqual([
      'INC-1 timeline (America/New_York)',
      '• 10:00 · root · declared · declared SEV1 major incident, commander root',
    ]);
  });
});

describe('stakeholder updates', () => {
  it('refuses a stakeholder channel that cannot be posted in here, before anything is written', async () => {
    const before = (await incidents()).length;
    const text = await refused(root('/incident declare "Disk full" --stakeholders #C0123'), 'USAGE.BAD_CHANNEL');
    expect(text).toContain('--channel console');
    expect(await incidents()).toHaveLength(before);
    expect(await bot.db.connection.collection('tickets_open').countDocuments({})).toBe(2);
  });

  it("go to the service team's channel by default, as well as the room and the subscribers", async () => {
    ok(await root('/team create dba --channel console --services db'));
    at('2026-03-12T16:00:00Z');
    const r = ok(await root('/incident declare "DB slow" --sev 2 --service db'));
    expect(r.text).toContain('INC-3 declared a SEV2 major incident: DB slow. Commander: root.');
    expect(r.text).toContain('Stakeholder updates also go to console.');
    ok(await root('/incident role commander @ada --incident INC-3'));
    at('2026-03-12T16:30:00Z');
    const before = sent.calls.length;
    const u = ok(await ada('/incident update "replica lag at 40s" --incident INC-3'));
    expect(u.text).toBe(
      'Update 1 on INC-3 posted to the room, console (stakeholders) and sent to 1 subscriber. Next update due 13:30.',
    );
    await settle();
    const update = [
      'Update on INC-3: DB slow',
      'replica lag at 40s',
      'Status: investigating · Severity: SEV2 · Commander: ada · Since start: 30m · Next update: by 13:30 (America/New_York)',
      '(posted by ada)',
    ].join('\n');
    // Only the update: the incident's page to the dba team is sent meanwhile too.
    const after = sent.calls
      .slice(before)
      .filter((c) => c.reply.text.includes('Update on INC-3'))
      .map((c) => [c.op, c.channel, c.reply.text]);
    // Lanes (the terminal, root's DMs) deliver side by side: the order between them is not fixed.
    expect(after.sort()).toEqual(
      [
        ['post', 'console', `[#inc-3-db-slow] ${update}`],
        ['post', 'console', update],
        ['dm', 'root', update],
      ].sort(),
    );
  });
});

describe('pages on the timeline', () => {
  it('puts the acknowledgement of a major incident’s page on its timeline', async () => {
    // INC-3 (service db) pages the dba team from the moment its ticket opens: that page may come before the
    // declaration is written, so only what follows the update is checked.
    at('2026-03-12T16:32:00Z');
    await bot.jobs.drained();
    await settle();
    ok(await ada('/oncall ack INC-3'));
    // The ack's line is written right after the reply, by the job engine: the settle waits for it.
    await settle();
    const lines = ok(await root('/incident timeline INC-3')).text.split('\n');
    expect(lines.slice(lines.findIndex((l) => l.includes('· update ·')) + 1)).toEqual([
      '• 17:32 · ada · ack · acknowledged by ada, MTTA 32m',
    ]);
  });
});
