// Problems on the real database, typed as people type them: incidents linked to a problem (both show it), a problem
// opened from incidents, every wrong link refused with what was wrong, a known error told once in the thread of a
// new incident on its service (two processes, a retried delivery), and the PIR of a repeated incident naming it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reply } from '../../src/present/reply.ts';
import { anotherProcess, personAt, startTestBot, type TestBot } from '../support/harness.ts';
import { recordingSender } from '../support/recordingSender.ts';

let clock = new Date('2026-03-10T10:00:00Z');
const now = () => clock;
const later = (ms: number) => {
  clock = new Date(clock.getTime() + ms);
};
const tenant = 'console:local';
let bot: TestBot;
type Person = (line: string) => Promise<Reply>;
let root: Person;
let ada: Person;
let carol: Person;
const ok = (r: Reply): Reply => {
  expect(r.error, r.text).toBeUndefined();
  return r;
};
const field = (r: Reply, label: string) => r.fields?.find((f) => f.label === label)?.value;
const idOf = (r: Reply) => r.card?.ticketId as string;
const refused = async (p: Promise<Reply>, code: string, words: string) => {
  const r = await p;
  expect(r.error, r.text).toBe(code);
  expect(r.text).toContain(words);
  return r;
};

beforeAll(async () => {
  bot = await startTestBot({ now });
  root = personAt(bot.core, 'root');
  ada = personAt(bot.core, 'ada');
  carol = personAt(bot.core, 'carol');
  ok(await ada('/help'));
  ok(await carol('/help'));
  ok(await root('/role grant @ada agent'));
});
afterAll(async () => {
  await bot?.close();
});

describe('linking incidents to a problem', () => {
  let inc1 = '';
  let inc2 = '';
  let prb = '';

  it('opens a problem from incidents: it lists them, each names it, and the service is theirs', async () => {
    inc1 = idOf(ok(await carol('/ticket new "VPN drops at 9" --service vpn')));
    inc2 = idOf(ok(await carol('/ticket new "VPN drops again" --service vpn')));
    const opened = ok(await ada(`/ticket new "VPN gateway leaks sessions" --type problem --from ${inc1},${inc2}`));
    prb = idOf(opened);
    expect(prb).toMatch(/^PRB-\d+$/);
    expect(field(opened, 'Incidents')).toBe(`${inc1}, ${inc2}`);
    expect(field(opened, 'Service')).toBe('vpn');
    expect(opened.text).toContain(`${prb} links ${inc1}, ${inc2}.`);
    const shown = ok(await ada(`/ticket show ${inc1}`));
    expect(field(shown, 'Problem')).toBe(prb);
    expect(shown.text).toContain(`Problem: ${prb}`);
    expect(shown.list?.some((l) => l.includes(`ada problem_linked → ${prb}`))).toBe(true);
  });

  it('links one more, says so once, and a second link changes nothing', async () => {
    const inc3 = idOf(ok(await carol('/ticket new "VPN down in Leeds" --service vpn')));
    expect(ok(await ada(`/ticket link ${inc3} ${prb}`)).text).toBe(`Linked ${inc3} to problem ${prb}.`);
    expect(ok(await ada(`/ticket link ${inc3.toLowerCase()} ${prb}`)).text).toBe(
      `${inc3} is already linked to ${prb}; nothing changed.`,
    );
    expect(field(ok(await ada(`/ticket show ${prb}`)), 'Incidents')).toBe(`${inc1}, ${inc2}, ${inc3}`);
    expect(field(ok(await ada(`/ticket show ${inc3}`)), 'Problem')).toBe(prb);

    expect(ok(await ada(`/ticket unlink ${inc3} ${prb}`)).text).toBe(`Unlinked ${inc3} from problem ${prb}.`);
    expect(field(ok(await ada(`/ticket show ${prb}`)), 'Incidents')).toBe(`${inc1}, ${inc2}`);
    expect(field(ok(await ada(`/ticket show ${inc3}`)), 'Problem')).toBeUndefined();
    await refused(ada(`/ticket unlink ${inc3} ${prb}`), 'PROBLEM.NOT_LINKED', `${inc3} is not linked to ${prb}`);
  });

  it('finishes a link cut short between its two writes when it is asked again', async () => {
    const inc = idOf(ok(await carol('/ticket new "VPN slow" --service vpn')));
    // As if the process died after writing the incident's side: only the incident names the problem.
    await bot.db.connection
      .collection('tickets_open')
      .updateOne({ _id: `${tenant}/${inc}` as never }, { $set: { problemId: prb } });
    const other = await anotherProcess(bot);
    try {
      expect(ok(await personAt(other.core, 'ada')(`/ticket link ${inc} ${prb}`)).text).toBe(
        `Linked ${inc} to problem ${prb}.`,
      );
    } finally {
      await other.close();
    }
    expect(field(ok(await ada(`/ticket show ${prb}`)), 'Incidents')).toContain(inc);
    ok(await ada(`/ticket unlink ${inc} ${prb}`));
  });

  it('links a closed incident on the problem side only (a closed ticket is final)', async () => {
    const old = idOf(ok(await carol('/ticket new "VPN dropped last month" --service vpn')));
    ok(await ada(`/ticket resolve ${old} restarted`));
    ok(await ada(`/ticket close ${old}`));
    expect(ok(await ada(`/ticket link ${old} ${prb}`)).text).toBe(
      `Linked ${old} to problem ${prb}. ${old} is closed, so only ${prb} lists it.`,
    );
    expect(ok(await ada(`/ticket link ${old} ${prb}`)).text).toContain('already linked');
    expect(field(ok(await ada(`/ticket show ${prb}`)), 'Incidents')).toContain(old);
  });

  it('refuses every wrong link with what was wrong, and writes nothing', async () => {
    const req = idOf(ok(await carol('/ticket new "New laptop" --type request')));
    const other = idOf(ok(await ada('/ticket new "Mail bounces" --type problem --service mail')));
    await refused(carol(`/ticket link ${inc1} ${prb}`), 'PERMISSION.DENIED', 'agent role');
    await refused(
      ada(`/ticket link ${inc1} ${inc2}`),
      'PROBLEM.NOT_A_PROBLEM',
      `${inc2} is an incident, not a problem`,
    );
    await refused(ada(`/ticket link ${req} ${prb}`), 'PROBLEM.NOT_AN_INCIDENT', `${req} is a request, not an incident`);
    await refused(ada(`/ticket link INC-999 ${prb}`), 'TICKET.NOT_FOUND', 'INC-999');
    await refused(ada(`/ticket link ${inc1} PRB-999`), 'TICKET.NOT_FOUND', 'PRB-999');
    await refused(ada(`/ticket link ${inc1} ${other}`), 'PROBLEM.LINKED_ELSEWHERE', `${inc1} is linked to ${prb}`);
    expect(field(ok(await ada(`/ticket show ${other}`)), 'Incidents')).toBe('none linked yet');
    // Opening from incidents checks them all before anything is written.
    const before = await bot.db.connection.collection('tickets_open').countDocuments({ type: 'problem' });
    await refused(
      ada(`/ticket new "Two things" --type problem --from ${inc2},${req}`),
      'PROBLEM.NOT_AN_INCIDENT',
      `${req} is not an incident`,
    );
    await refused(
      ada(`/ticket new "Again" --type problem --from ${inc1}`),
      'PROBLEM.LINKED_ELSEWHERE',
      `${inc1} is linked to ${prb} already`,
    );
    const mail = idOf(ok(await carol('/ticket new "Mail slow" --service mail')));
    const free = idOf(ok(await carol('/ticket new "Printer" --service printers')));
    await refused(
      ada(`/ticket new "Odd" --type problem --from ${mail},${free}`),
      'PROBLEM.SERVICES_DIFFER',
      'different services (mail, printers)',
    );
    await refused(ada(`/ticket new "Odd" --type request --from ${mail}`), 'USAGE.BAD_OPTION', 'Add --type problem');
    await refused(carol(`/ticket new "Mine" --type problem --from ${mail}`), 'PERMISSION.DENIED', 'agent role');
    expect(await bot.db.connection.collection('tickets_open').countDocuments({ type: 'problem' })).toBe(before);
    // Closed problems take no more links.
    ok(await ada(`/ticket resolve ${other} fixed`));
    ok(await ada(`/ticket close ${other}`));
    await refused(ada(`/ticket link ${mail} ${other}`), 'PROBLEM.CLOSED', `${other} is closed`);
  });
});

describe('known errors', () => {
  it('refuses a known error on a non-problem, without a workaround, or on a problem with no service', async () => {
    const bare = idOf(ok(await ada('/ticket new "Something odd" --type problem')));
    await refused(ada('/ticket known-error INC-1 "reboot"'), 'PROBLEM.NOT_A_PROBLEM', 'INC-1 is an incident');
    expect((await ada(`/ticket known-error ${bare}`)).error).toBe('USAGE.MISSING');
    await refused(ada(`/ticket known-error ${bare} "reboot"`), 'PROBLEM.NO_SERVICE', `${bare} names no service`);
    await refused(carol(`/ticket known-error ${bare} "reboot"`), 'PERMISSION.DENIED', 'agent role');
  });

  it('posts the workaround once in the thread of a new incident on the service, whichever process records its cards', async () => {
    // On Slack (workspace T1: its own tenant), where incidents have threads; Grace is an admin by configuration.
    const grace = personAt(bot.core, 'UADMIN', 'slack', 'T1');
    const onSlack = 'slack:T1';
    const problem = idOf(ok(await grace('/ticket new "SSO token cache corrupt" --type problem --service sso')));
    // The other process's cache clock is the test's: a second passes when the test says, not on the wall clock.
    let elapsed = 0;
    const other = await anotherProcess(bot, { cacheClock: () => elapsed });
    let failures = 0;
    // The first try of the workaround's post fails as a network fault would, whichever process sends it: the outbox
    // retries it.
    const flaky = (c: { reply: Reply }) =>
      c.reply.header === 'Known error' && failures++ === 0 ? new Error('socket hang up') : undefined;
    const here = recordingSender('slack', flaky);
    const there = recordingSender('slack', flaky);
    bot.core.registerSender(here);
    other.core.registerSender(there);
    try {
      const elsewhere = personAt(other.core, 'UCAROL', 'slack', 'T1');
      // An incident before the known error hears nothing (and the other process reads the known errors now).
      const before = idOf(ok(await elsewhere('/ticket new "SSO loops" --service sso')));
      await other.core.recordCard({
        tenant: onSlack,
        ticketId: before,
        platform: 'slack',
        channel: 'C1',
        messageId: '1.0',
        thread: '1.0',
      });

      later(60_000);
      expect(ok(await grace(`/ticket known-error ${problem} "Clear the SSO cookie, then sign in again"`)).text).toBe(
        `${problem} is a known error. New incidents on sso get its workaround in their thread.`,
      );
      expect(field(ok(await grace(`/ticket show ${problem}`)), 'Known error')).toBe(
        'Workaround: Clear the SSO cookie, then sign in again',
      );
      // The other process sees the change within a second (the people epoch moved).
      elapsed += 1_100;
      later(60_000);
      const fresh = idOf(ok(await elsewhere('/ticket new "SSO fails for finance" --service sso')));
      const other2 = idOf(ok(await elsewhere('/ticket new "Mail down" --service mail')));
      // Its cards recorded by both processes at once, in two channels, and one again: one post.
      // A card in a Slack channel `n` (its message and thread `n.0`), recorded by one process.
      const card = (core: typeof bot.core, ticketId: string, n: number) =>
        core.recordCard({
          tenant: onSlack,
          ticketId,
          platform: 'slack',
          channel: `C${n}`,
          messageId: `${n}.0`,
          thread: `${n}.0`,
        });
      await Promise.all([
        card(other.core, fresh, 2),
        card(bot.core, fresh, 3),
        card(bot.core, fresh, 3),
        card(other.core, other2, 4),
      ]);
      for (let i = 0; i < 6; i++) {
        await Promise.all([bot.core.settled(), other.core.settled()]);
        later(600_000);
        bot.services.outbox.kick();
        other.services.outbox.kick();
      }
      const told = [...here.calls, ...there.calls].filter((c) => c.reply.header === 'Known error');
      expect(told).toHaveLength(1);
      expect(told[0]?.thread).toMatch(/^[23]\.0$/);
      expect(told[0]?.reply.text).toBe(
        `Known error on this service. Workaround: ${problem} (SSO token cache corrupt): Clear the SSO cookie, then sign in again\nIf this is the same, link it: /ticket link ${fresh} ${problem}`,
      );
      expect(failures).toBeGreaterThan(1);
    } finally {
      await other.close();
    }
  });

  it('says the workaround at the terminal, which has no threads, when an incident is opened there', async () => {
    const problem = idOf(ok(await ada('/ticket new "Wiki editor loses drafts" --type problem --service wiki-edit')));
    ok(await ada(`/ticket known-error ${problem} "Save a copy before you publish"`));
    const terminal = recordingSender('console');
    bot.core.registerSender(terminal);
    const inc = idOf(ok(await carol('/ticket new "Lost my page" --service wiki-edit')));
    ok(await carol('/ticket new "Lost another page" --service wiki'));
    await bot.core.settled();
    await bot.services.outbox.drained();
    const told = terminal.calls.filter((c) => c.reply.header === 'Known error');
    expect(told.map((c) => [c.channel, c.thread, c.reply.text.split('\n')[0]])).toEqual([
      [
        'console',
        undefined,
        `Known error on this service. Workaround: ${problem} (Wiki editor loses drafts): Save a copy before you publish`,
      ],
    ]);
    expect(told[0]?.reply.text).toContain(`/ticket link ${inc} ${problem}`);
  });

  it('stops telling it once the problem is resolved, and tells it again when it is reopened', async () => {
    const problem = idOf(ok(await ada('/ticket new "Wiki search index stale" --type problem --service wiki')));
    ok(await ada(`/ticket known-error ${problem} "Search by page title"`));
    expect(await bot.db.connection.collection('known_errors').countDocuments({ problemId: problem })).toBe(1);
    ok(await ada(`/ticket resolve ${problem} reindexed nightly`));
    expect(await bot.db.connection.collection('known_errors').countDocuments({ problemId: problem })).toBe(0);
    await refused(ada(`/ticket known-error ${problem} "again"`), 'PROBLEM.CLOSED', `${problem} is resolved`);
    ok(await ada(`/ticket reopen ${problem} came back`));
    expect(await bot.db.connection.collection('known_errors').countDocuments({ problemId: problem })).toBe(1);
    expect(ok(await ada(`/ticket known-error ${problem} "Search by page title"`)).text).toContain('already');
  });
});

describe('the PIR of a repeated incident', () => {
  const pirOf = (id: string) => bot.db.connection.collection('pirs').findOne({ _id: `${tenant}/${id}` as never });

  it('names the problem: the one it is linked to, or the one open on its service', async () => {
    const problem = idOf(ok(await ada('/ticket new "Payroll batch deadlocks" --type problem --service payroll')));
    const first = idOf(ok(await ada('/ticket new "Payroll run failed" --service payroll --priority P1')));
    ok(await ada(`/ticket link ${first} ${problem}`));
    ok(await ada(`/ticket resolve ${first} reran the batch`));
    const second = idOf(ok(await ada('/ticket new "Payroll run failed again" --service payroll --priority P2')));
    ok(await ada(`/ticket resolve ${second} reran the batch`));
    const elsewhere = idOf(ok(await ada('/ticket new "HR portal down" --service hr --priority P1')));
    ok(await ada(`/ticket resolve ${elsewhere} restarted`));
    // Each resolve files its PIR's opening; the job engine opens them right after (the settle waits for them).
    await bot.core.settled();
    expect((await pirOf(first))?.problem).toEqual({
      ticketId: problem,
      title: 'Payroll batch deadlocks',
      linked: true,
    });
    expect((await pirOf(second))?.problem).toEqual({
      ticketId: problem,
      title: 'Payroll batch deadlocks',
      linked: false,
    });
    expect((await pirOf(elsewhere))?.problem).toBeUndefined();
    // A major incident's draft (written from its timeline) ends by naming the problem too.
    const major = (await ada('/incident declare "Payroll down for everyone" --sev 1 --service payroll')).text;
    const majorId = /\b(INC-\d+)\b/.exec(major)?.[1] as string;
    ok(await ada(`/incident status resolved "reran the batch" --incident ${majorId}`));
    ok(await ada(`/ticket resolve ${majorId} reran the batch`));
    await bot.core.settled();
    const draft = (await pirOf(majorId))?.draft as string;
    expect(draft).toContain(`# Post-incident review: ${majorId}`);
    expect(draft.trimEnd().split('\n').slice(-3)).toEqual([
      '## Problem',
      '',
      `A repeated incident: problem ${problem} (Payroll batch deadlocks) is open on this service (link it with /ticket link).`,
    ]);
    const list = ok(await ada('/ticket pir list'));
    expect(list.list?.find((l) => l.startsWith(`${second} `))).toContain(`problem ${problem}`);
    expect(list.list?.find((l) => l.startsWith(`${elsewhere} `))).not.toContain('problem');
  });

  it('names the problem as its opening job runs (off the resolve’s path); an opening filed before keeps the one it carries', async () => {
    // The resolve files the opening; a problem opened on its service before the job runs is the one named.
    await bot.jobs.stop();
    let id = '';
    let problem = '';
    try {
      id = idOf(ok(await ada('/ticket new "Ledger export failed" --service ledger --priority P1')));
      ok(await ada(`/ticket resolve ${id} reran it`));
      await bot.core.settled();
      expect(await pirOf(id)).toBeNull();
      problem = idOf(ok(await ada('/ticket new "Ledger exports time out" --type problem --service ledger')));
    } finally {
      bot.jobs.start();
    }
    // The engine's first look after its start finds the opening filed while it was held: the settle waits for it.
    await bot.core.settled();
    expect((await pirOf(id))?.problem).toEqual({ ticketId: problem, title: 'Ledger exports time out', linked: false });
    // An opening filed before openings looked the problem up carries it in its PIR: opened as it was written down.
    const old = idOf(ok(await ada('/ticket new "Ledger down" --service ledger2 --priority P1')));
    const carried = { ticketId: 'PRB-99', title: 'Written down at the resolve', linked: false };
    const openedAt = '2026-03-10T12:00:00.000Z';
    const job = {
      _id: `pir-open:${tenant}/${old}@${openedAt}`,
      tenant,
      kind: 'pir.open',
      dueAt: new Date(openedAt),
      payload: {
        pir: {
          tenant,
          ticketId: old,
          title: 'Ledger down',
          priority: 'P1',
          assignee: null,
          channel: null,
          openedAt,
          dueAt: '2026-03-13T12:00:00.000Z',
          timezone: 'UTC',
          draft: null,
          problem: carried,
        },
      },
      createdAt: new Date(openedAt),
      by: null,
      ticketId: old,
    };
    expect(await bot.services.pirs.runOpen(job)).toBeUndefined();
    expect((await pirOf(old))?.problem).toEqual(carried);
  });
});
