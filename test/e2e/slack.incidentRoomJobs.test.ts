// A major incident's room jobs across processes, on Slack through Bolt and the fake Slack, on an injected clock:
// the room of an incident whose declaring process did not open it (it has no Slack, or it claimed the opening and
// died) is opened by the process that has Slack, once, when the job `incident-room-open:…` falls due (or once the
// dead holder's lease is over); and the archive job, in a process without Slack, is left for the one with Slack, not
// recorded as failed.
// @module-tag time-of-day

import { afterEach, describe, expect, it } from 'vitest';
import type { Reply } from '../../src/present/reply.ts';
import { askCore, readable, type SlackBot, startSlackBot } from '../support/fakeSlackBot.ts';
import { anotherProcess } from '../support/harness.ts';

const SEC = 1000;
const DAY = 86_400_000;
const OPEN_JOB = 'incident-room-open:slack:T1/INC-1';

let clock = new Date('2026-03-10T12:00:00Z');
let s: SlackBot;
let other: Awaited<ReturnType<typeof anotherProcess>> | undefined;

afterEach(async () => {
  await other?.close();
  other = undefined;
  await s?.close();
});

const ok = (r: Reply): Reply => {
  expect(r.error, r.text).toBeUndefined();
  return r;
};

async function start(env: Record<string, string> = {}): Promise<void> {
  clock = new Date('2026-03-10T12:00:00Z');
  s = await startSlackBot({ now: () => clock, env });
  s.fake.addUser({ id: 'UADMIN', name: 'root', display_name: 'Grace' });
  // A second process on the same database and clock, with no Slack: it cannot open or archive a Slack room.
  other = await anotherProcess(s.bot, { now: () => clock });
}

/** The clock moves to `at`; both job engines run what is due then, and the outboxes deliver. */
async function moveTo(at: Date): Promise<void> {
  clock = at;
  for (let i = 0; i < 3; i++) {
    await Promise.all([s.bot.jobs.drained(), other?.jobs.drained()]);
    await s.bot.core.settled();
    await s.bot.core.services.outbox.drained();
  }
}

const endOf = (id: string) => s.bot.services.jobs.endOf({ _id: id, dueAt: clock });

describe('major incident room jobs across processes', () => {
  it('declared where Slack is not connected: the Slack process opens the room when the job falls due', async () => {
    await start();
    // Typed on Slack, handled by the process without it (a restart between the two, as far as the room is concerned).
    const declared = ok(
      await askCore((other as NonNullable<typeof other>).core, '/incident declare "VPN down" --sev 1'),
    );
    expect(declared.text).toContain('INC-1 declared a SEV1 major incident');
    expect(s.fake.callsTo('conversations.create')).toHaveLength(0);
    // Due a minute after the declaration: before that nothing, and the process without Slack never takes it.
    await moveTo(new Date(clock.getTime() + 59 * SEC));
    expect(s.fake.callsTo('conversations.create')).toHaveLength(0);
    await other?.close();
    other = undefined;
    await moveTo(new Date(clock.getTime() + 2 * SEC));
    await s.fake.waitFor(() => s.fake.rooms.byName('inc-1-vpn-down'), 5000, 'the room opened by the job');
    const room = s.fake.rooms.byName('inc-1-vpn-down');
    expect(room?.members).toContain('UADMIN');
    expect(s.fake.callsTo('conversations.create')).toHaveLength(1);
    expect((await endOf(OPEN_JOB))?.outcome).toBe('done');
    // The incident knows its room: a command typed there implies it, and the channel it came from has the link.
    expect(ok(await askCore(s.bot.core, '/incident roles INC-1')).text).toContain('commander: uadmin');
    await s.fake.waitFor(
      (calls) =>
        calls.find(
          (c) =>
            c.method === 'chat.postMessage' && c.body.channel === 'CINSPECT' && readable(c.body).includes('Its room'),
        ),
      5000,
      'the link to the room',
    );
  });

  it('claimed by a process that died before the room opened: taken over once its lease is over', async () => {
    await start();
    const o = other as NonNullable<typeof other>;
    ok(await askCore(o.core, '/incident declare "Mail queue stuck" --sev 2'));
    // What a process that claimed the opening and died leaves: the claim, no end, no heartbeat.
    const job = await s.bot.services.jobs.get({ _id: 'incident-room-open:slack:T1/INC-1', dueAt: clock });
    if (!job) throw new Error('the opening job was not planned');
    expect(await s.bot.services.jobs.claim(job, 0, clock, 'a-process-that-died')).toBe(true);
    await moveTo(new Date(job.dueAt.getTime() + SEC));
    expect(s.fake.callsTo('conversations.create')).toHaveLength(0);
    await moveTo(new Date(job.dueAt.getTime() + 62 * SEC));
    await moveTo(new Date(job.dueAt.getTime() + 63 * SEC));
    await s.fake.waitFor(() => s.fake.rooms.byName('inc-1-mail-queue-stuck'), 5000, 'the room opened on takeover');
    expect(s.fake.callsTo('conversations.create')).toHaveLength(1);
  });

  it('the archive job, in a process without Slack, is left for the Slack process and not recorded as failed', async () => {
    // A day's wait, not the default week: fewer empty hours for the engines to walk.
    await start({ SWITCHBOARD_ROOM_ARCHIVE_DAYS: '1' });
    const declared = ok(await askCore(s.bot.core, '/incident declare "Printer on fire" --sev 2'));
    expect(declared.text).toContain('The room is open: #inc-1-printer-on-fire');
    const room = s.fake.rooms.byName('inc-1-printer-on-fire');
    if (!room) throw new Error('no room');
    ok(await askCore(s.bot.core, '/ticket resolve INC-1 toner replaced'));
    ok(await askCore(s.bot.core, '/ticket close INC-1'));
    await s.bot.core.settled();
    // Only the process without Slack runs its job engine when the archive falls due.
    await s.bot.jobs.stop();
    await moveTo(new Date(clock.getTime() + DAY + 60 * SEC));
    const archive = 'incident-room-archive:slack:T1/INC-1';
    expect(await endOf(archive)).toBeNull();
    expect(room.archived).toBe(false);
    s.bot.jobs.start();
    await moveTo(new Date(clock.getTime() + SEC));
    await s.fake.waitFor(() => room.archived, 5000, 'the room archived by the Slack process');
    expect((await endOf(archive))?.outcome).toBe('done');
  });
});
