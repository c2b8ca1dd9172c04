// Follow-up actions on the real database with an injected clock, typed as people type them: refusals that write
// nothing, actions numbered once across two processes, the owner reminded once on the due day and each business day
// after it by both processes, quiet hours kept, done and defer stopping the chain, the register listed, and the PIR
// refused while its incident has actions open.
// @module-tag time-of-day
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reply } from '../../src/present/reply.ts';
import type { JobEnd } from '../../src/store/jobStore.ts';
import { anotherProcess, personAt, startTestBot, type TestBot } from '../support/harness.ts';
import { recordingSender } from '../support/recordingSender.ts';

// Monday 9 March 2026, noon UTC (the organisation's zone is UTC).
let clock = new Date('2026-03-09T12:00:00Z');
const now = () => clock;
const at = (iso: string) => {
  clock = new Date(iso);
};
let bot: TestBot;
let other: Awaited<ReturnType<typeof anotherProcess>>;
let root: ReturnType<typeof personAt>;
let ada: ReturnType<typeof personAt>;
let bo: ReturnType<typeof personAt>;
let zed: ReturnType<typeof personAt>;
let sent: ReturnType<typeof recordingSender>;
let inc = '';
const actionDocs = async () =>
  (
    await bot.db.connection
      .collection('actions')
      .find({ state: { $exists: true } })
      .toArray()
  ).map((d) => d._id);
const dmsToBo = () =>
  sent.calls
    .filter((c) => c.op === 'dm' && c.channel === 'bo' && c.reply.text.startsWith('Action '))
    .map((c) => c.reply.text);
const ok = (r: Reply): Reply => {
  expect(r.error, r.text).toBeUndefined();
  return r;
};
const settle = async () => {
  for (let i = 0; i < 2; i++) {
    await Promise.all([bot.jobs.drained(), other.jobs.drained()]);
    await Promise.all([bot.core.settled(), other.core.settled()]);
    // A reminder goes out from the memory of the process that ran it.
    await Promise.all([bot.services.outbox.drained(), other.services.outbox.drained()]);
  }
};
/** Bo's quiet hours, set in both processes: another process sees a setting within a second of real time (the
 * people epoch, tested in profile.test.ts); here either may run the reminder at once. */
const boQuiet = async (hours: string) => {
  ok(await bo(`/profile quiet ${hours}`));
  ok(await personAt(other.core, 'bo')(`/profile quiet ${hours}`));
};
const idOf = (r: Reply) => r.card?.ticketId as string;
const due = (n: number, step: number) =>
  step === 0
    ? `Action ACT-${n} on ${inc} (VPN down) is due today, Fri 13 Mar 09:00`
    : `Action ACT-${n} on ${inc} (VPN down) is overdue by ${step} business day${step === 1 ? '' : 's'} (was due Fri 13 Mar 09:00)`;

beforeAll(async () => {
  bot = await startTestBot({ now });
  other = await anotherProcess(bot, { now });
  root = personAt(bot.core, 'root');
  ada = personAt(bot.core, 'ada');
  bo = personAt(bot.core, 'bo');
  zed = personAt(bot.core, 'zed');
  for (const p of [ada, bo, zed]) ok(await p('/role show'));
  ok(await root('/role grant @ada agent'));
  sent = recordingSender('console');
  bot.core.registerSender(sent);
  other.core.registerSender(sent);
  inc = idOf(ok(await root('/ticket new "VPN down" --priority P1 --service vpn')));
  ok(await root(`/ticket assign ${inc} @ada`));
  ok(await ada(`/ticket resolve ${inc} rolled back`));
});
afterAll(async () => {
  await other?.close();
  await bot?.close();
});

describe('recording an action', () => {
  it('refuses, with the right form, and writes nothing: no role, no owner, an unknown owner, a bad or past due', async () => {
    const line = (rest: string) => `/ticket action ${inc} "Alert on disk usage" ${rest}`;
    expect((await zed(line('--owner @bo --due "friday 9am"'))).error).toBe('PERMISSION.DENIED');
    const noOwner = await ada(line('--due "friday 9am"'));
    expect(noOwner.error).toBe('USAGE.MISSING');
    expect(noOwner.text).toContain('--owner @person');
    expect((await ada(`/ticket action ${inc} --owner @bo --due "friday 9am"`)).error).toBe('USAGE.MISSING');
    expect((await ada(line('--owner @bo'))).error).toBe('USAGE.MISSING');
    const unknown = await ada(line('--owner @nobody --due "friday 9am"'));
    expect(unknown.error).toBe('PERSON.UNKNOWN');
    expect(unknown.text).toContain('never seen console:nobody');
    const bad = await ada(line('--owner @bo --due "when pigs fly"'));
    expect(bad.error).toBe('USAGE.BAD_TIME');
    expect(bad.text).toContain('--due "tomorrow 9am"');
    const past = await ada(line('--owner @bo --due "2026-03-01 09:00"'));
    expect(past.error).toBe('USAGE.BAD_TIME');
    expect(past.text).toContain('is in the past');
    expect((await ada(`/ticket action INC-999 "x" --owner @bo --due "friday 9am"`)).error).toBe('TICKET.NOT_FOUND');
    expect(await actionDocs()).toEqual([]);
  });

  it('refuses a request, and a closed ticket', async () => {
    const req = idOf(ok(await root('/ticket new "Laptop" --type request')));
    const r = await ada(`/ticket action ${req} "x" --owner @bo --due "friday 9am"`);
    expect(r.error).toBe('ACTION.WRONG_TICKET');
    expect(r.text).toContain('an incident or a problem');
    const gone = idOf(ok(await root('/ticket new "Printer jam" --priority P3')));
    ok(await root(`/ticket resolve ${gone} cleared`));
    ok(await root(`/ticket close ${gone}`));
    const closed = await ada(`/ticket action ${gone} "x" --owner @bo --due "friday 9am"`);
    expect(closed.error).toBe('ACTION.CLOSED_TICKET');
    expect(closed.text).toContain(`${gone} is closed`);
    expect(await actionDocs()).toEqual([]);
  });

  it('refuses a ticket closed in another process since this one last saw it, and nothing stands', async () => {
    // Opened here, so this process knows it (open); the other process resolves and closes it.
    const gone = idOf(ok(await root('/ticket new "Disk full" --priority P3')));
    const elsewhere = personAt(other.core, 'root');
    ok(await elsewhere(`/ticket resolve ${gone} cleared`));
    ok(await elsewhere(`/ticket close ${gone}`));
    const closed = await ada(`/ticket action ${gone} "x" --owner @bo --due "friday 9am"`);
    expect(closed.error).toBe('ACTION.CLOSED_TICKET');
    expect(closed.text).toContain(`${gone} is closed`);
    // Not in the register, no reminder filed, and its number given to the next action.
    expect(await actionDocs()).toEqual([]);
    const reminders = await bot.db.connection
      .collection('job_slots')
      .countDocuments({ 'job.kind': 'action.remind' } as never);
    expect(reminders).toBe(0);
  });

  it('records ACT-1 and ACT-2 (the second in another process), on the ticket and in the register', async () => {
    const r = ok(await ada(`/ticket action ${inc} "Alert on disk usage" --owner @bo --due "2026-03-13 09:00"`));
    expect(r.text).toBe(
      `Recorded ACT-1 on ${inc}: Alert on disk usage. Owner bo, due 13 Mar 09:00 (UTC). bo is reminded by DM from 13 Mar 09:00, then each business day (Mon–Fri, UTC) until /ticket action done ACT-1.`,
    );
    const elsewhere = personAt(other.core, 'ada');
    ok(await elsewhere(`/ticket action ${inc} "Failover runbook" --owner @bo --due "2026-03-13 09:00"`));
    expect((await actionDocs()).sort()).toEqual(['console:local/ACT-1', 'console:local/ACT-2']);
    const show = ok(await root(`/ticket show ${inc}`));
    expect(show.text).toContain('🛠 Action ACT-1 · Alert on disk usage · bo · due Fri 13 Mar 09:00');
    expect(show.text).toContain('🛠 Action ACT-2 · Failover runbook · bo · due Fri 13 Mar 09:00');
    const list = ok(await ada('/ticket action list'));
    expect(list.text).toBe(
      [
        'Open actions: 2 open, 0 overdue (times in UTC)',
        `• ACT-1 · ${inc} · Alert on disk usage · bo · due Fri 13 Mar 09:00`,
        `• ACT-2 · ${inc} · Failover runbook · bo · due Fri 13 Mar 09:00`,
      ].join('\n'),
    );
    expect(ok(await bo('/ticket action list --mine')).text).toContain('Open actions of yours: 2 open');
    expect(ok(await ada('/ticket action list --mine')).text).toBe('Open actions of yours: none.');
    expect(ok(await ada('/ticket action list --overdue')).text).toBe('Overdue actions: none.');
    expect(ok(await ada('/ticket action list --service vpn')).text).toContain('Open actions on vpn: 2 open');
    expect(ok(await ada('/ticket action list --service dns')).text).toBe('Open actions on dns: none.');
    expect((await zed('/ticket action list')).error).toBe('PERMISSION.DENIED');
    expect((await ada('/ticket action list --owner @bo')).error).toBe('USAGE.BAD_OPTION');
  });

  it('keeps the PIR from being done while they are open, and says which', async () => {
    const r = await ada(`/ticket pir ${inc} done https://wiki.example.com/pir/${inc}`);
    expect(r.error).toBe('PIR.OPEN_ACTIONS');
    expect(r.text).toContain(`The PIR for ${inc} cannot be done while 2 actions are open:`);
    expect(r.text).toContain('• ACT-1 · Alert on disk usage · bo · due Fri 13 Mar 09:00');
    expect(r.text).toContain('/ticket action defer ACT-n');
  });
});

describe('reminders', () => {
  it('come once each on the due day, with two processes running the job engine', async () => {
    at('2026-03-13T08:59:00Z');
    await settle();
    expect(dmsToBo()).toEqual([]);
    at('2026-03-13T09:00:00Z');
    await settle();
    expect(dmsToBo().sort()).toEqual([
      `${due(1, 0)}: Alert on disk usage. When it is done: /ticket action done ACT-1 [link]`,
      `${due(2, 0)}: Failover runbook. When it is done: /ticket action done ACT-2 [link]`,
    ]);
    expect(ok(await ada('/ticket action list --overdue')).text).toContain('Overdue actions: 2 open, 2 overdue');
  });

  it('skip the weekend and come again on Monday, once each', async () => {
    for (const day of ['2026-03-14T09:00:00Z', '2026-03-15T09:00:00Z']) {
      at(day);
      await settle();
    }
    expect(dmsToBo()).toHaveLength(2);
    at('2026-03-16T09:00:00Z');
    await settle();
    expect(dmsToBo().slice(2).sort()).toEqual([
      `${due(1, 1)}: Alert on disk usage. When it is done: /ticket action done ACT-1 [link]`,
      `${due(2, 1)}: Failover runbook. When it is done: /ticket action done ACT-2 [link]`,
    ]);
  });

  it('stop for an action marked done (by its owner, with a link), and only for that one', async () => {
    at('2026-03-16T10:00:00Z');
    expect((await zed('/ticket action done ACT-1')).error).toBe('PERMISSION.DENIED');
    expect((await bo('/ticket action done ACT-1 not-a-link')).error).toBe('USAGE.BAD_LINK');
    expect((await bo('/ticket action done ACT-99')).error).toBe('ACTION.NOT_FOUND');
    expect((await bo('/ticket action done INC-1')).error).toBe('ACTION.BAD_ID');
    expect((await bo('/ticket action done')).error).toBe('USAGE.MISSING');
    const link = 'https://git.example.com/infra/pull/42';
    const r = ok(await bo(`/ticket action done ACT-1 ${link}`));
    expect(r.text).toBe(`ACT-1 on ${inc} (Alert on disk usage) is done: ${link}. bo is not reminded of it any more.`);
    const again = await ada('/ticket action done act-1');
    expect(again.error).toBe('ACTION.ENDED');
    expect(again.text).toContain(`ACT-1 was done by bo already: ${link}`);
    expect(ok(await root(`/ticket show ${inc}`)).text).toContain(
      `🛠 Action ACT-1 · Alert on disk usage · bo · done by bo (${link})`,
    );
    at('2026-03-17T09:00:00Z');
    await settle();
    expect(dmsToBo().slice(4)).toEqual([
      `${due(2, 2)}: Failover runbook. When it is done: /ticket action done ACT-2 [link]`,
    ]);
    const end = (await bot.services.jobs.all<JobEnd>('job_ends')).find((e) => e._id === 'action:console:local/ACT-1#2');
    expect(end).toMatchObject({ outcome: 'done', reason: 'done' });
  });

  it('keep the owner quiet hours: held until they end, then sent once', async () => {
    await boQuiet('20:00-09:30');
    at('2026-03-18T09:00:00Z');
    await settle();
    expect(dmsToBo()).toHaveLength(5);
    at('2026-03-18T09:29:00Z');
    await settle();
    expect(dmsToBo()).toHaveLength(5);
    at('2026-03-18T09:30:00Z');
    await settle();
    expect(dmsToBo().slice(5)).toEqual([
      `${due(2, 3)}: Failover runbook. When it is done: /ticket action done ACT-2 [link]`,
    ]);
    await boQuiet('off');
  });

  it('stop for an action deferred with a reason (agents only); then the PIR can be done', async () => {
    at('2026-03-18T10:00:00Z');
    expect((await bo('/ticket action defer ACT-2 "no time"')).error).toBe('PERMISSION.DENIED');
    expect((await ada('/ticket action defer ACT-2')).error).toBe('ACTION.NO_REASON');
    const r = ok(await ada('/ticket action defer ACT-2 "replaced by the monitoring project"'));
    expect(r.text).toContain('is deferred: replaced by the monitoring project');
    expect(ok(await ada('/ticket action list')).text).toBe('Open actions: none.');
    ok(await ada(`/ticket pir ${inc} done https://wiki.example.com/pir/${inc}`));
    at('2026-03-19T09:00:00Z');
    await settle();
    expect(dmsToBo()).toHaveLength(6);
    const end = (await bot.services.jobs.all<JobEnd>('job_ends')).find((e) => e._id === 'action:console:local/ACT-2#4');
    expect(end).toMatchObject({ outcome: 'done', reason: 'deferred' });
  });

  it('are recorded on a problem too, and listed as the owner own', async () => {
    const prb = idOf(ok(await root('/ticket new "VPN keeps dropping" --type problem')));
    expect(prb).toMatch(/^PRB-/);
    const r = ok(
      await ada(`/ticket action ${prb} "Replace the VPN concentrator" --owner @bo --due "2026-03-25 09:00"`),
    );
    expect(r.text).toContain(`Recorded ACT-3 on ${prb}: Replace the VPN concentrator.`);
    expect(ok(await bo('/ticket action list --mine')).text).toBe(
      [
        'Open actions of yours: 1 open, 0 overdue (times in UTC)',
        `• ACT-3 · ${prb} · Replace the VPN concentrator · bo · due Wed 25 Mar 09:00`,
      ].join('\n'),
    );
  });
});

describe('after a restart', () => {
  it('sends the reminder that fell due while every process was down, late and once, from the process that starts', async () => {
    await bot.jobs.stop();
    await other.close();
    // Wednesday 25 March, 09:20: ACT-3 fell due at 09:00 with no process running.
    at('2026-03-25T09:20:00Z');
    other = await anotherProcess(bot, { now });
    other.core.registerSender(sent);
    await other.jobs.drained();
    await other.core.settled();
    await other.services.outbox.drained();
    const act3 = () => dmsToBo().filter((t) => t.startsWith('Action ACT-3 '));
    expect(act3()).toEqual([
      expect.stringContaining('Action ACT-3 on PRB-1 (VPN keeps dropping) is due today, Wed 25 Mar 09:00'),
    ]);
    // The first process back too: nothing is sent twice.
    bot.jobs.start();
    await settle();
    expect(act3()).toHaveLength(1);
    // The chain goes on from the job the late one filed: Thursday's.
    at('2026-03-26T09:00:00Z');
    await settle();
    expect(act3()).toHaveLength(2);
  });
});
