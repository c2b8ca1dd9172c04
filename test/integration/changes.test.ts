// Change tickets through the core on the real database: windows, CAB decisions, quorum, freezes and the agenda.
// @module-tag time-of-day
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Invocation } from '../../src/core/invocation.ts';
import type { Reply } from '../../src/present/reply.ts';
import { ChangeService } from '../../src/services/changes.ts';
import { TicketRepository } from '../../src/store/ticketStore.ts';
import { personAt, startTestBot, type TestBot } from '../support/harness.ts';
import { storedTicket, ticketCount } from '../support/storedTickets.ts';

type Person = (line: string) => Promise<Reply>;
const TENANT = 'console:local';
const ok = (r: Reply): Reply => {
  expect(r.error, r.text).toBeUndefined();
  return r;
};
const idOf = (r: Reply): string => /\b(CHG|INC|REQ)-\d+/.exec(r.header ?? r.text)?.[0] ?? '';
// The test clock starts 2026-03-10 12:00 UTC (a Tuesday); the organisation's zone is UTC.
const WINDOW = '--window "2026-03-12 22:00..2026-03-13 02:00"';

let bot: TestBot;
let root: Person;
let ada: Person;
let bob: Person;
let cat: Person;
const agenda = () => new ChangeService(new TicketRepository(bot.db.connection), bot.core.services.tickets.cab);
const press = (who: string, subcommand: string, options: Invocation['options']): Promise<Reply> =>
  bot.core.handle({
    actor: { id: `console:${who}`, platform: 'console', displayName: who },
    origin: { platform: 'console', workspace: 'local', channel: 'cab' },
    command: 'ticket',
    subcommand,
    options,
  });
const openChange = async (title: string, window = WINDOW): Promise<string> =>
  idOf(ok(await cat(`/ticket new "${title}" --type change ${window}`)));

beforeAll(async () => {
  bot = await startTestBot();
  root = personAt(bot.core, 'root');
  ada = personAt(bot.core, 'ada');
  bob = personAt(bot.core, 'bob');
  cat = personAt(bot.core, 'cat');
  for (const p of [ada, bob, cat]) ok(await p('/role show'));
  ok(await root('/role grant @ada manager'));
  ok(await root('/role grant @bob manager'));
});
afterAll(async () => {
  await bot?.close();
});

describe('the planned window', () => {
  it('is read in the asker zone and shown on the card with the approval state', async () => {
    const card = ok(await cat(`/ticket new "Upgrade the core switch" --type change ${WINDOW}`));
    const id = idOf(card);
    expect(id).toMatch(/^CHG-\d+$/);
    expect(card.fields).toEqual(
      expect.arrayContaining([
        { label: 'Window', value: '12 Mar 22:00 → 13 Mar 02:00 (UTC)', inline: true },
        { label: 'Approval', value: 'pending', inline: true },
      ]),
    );
    expect(card.text.split('\n')[1]).toBe('Window: 12 Mar 22:00 → 13 Mar 02:00 (UTC) · Approval: pending');
    const t = await storedTicket(bot.db.connection, TENANT, id);
    expect(t?.change).toEqual({
      window: { from: new Date('2026-03-12T22:00:00Z'), to: new Date('2026-03-13T02:00:00Z') },
      approval: 'pending',
      decisions: [],
    });
  });

  it('follows the asker timezone (Berlin is UTC+1 in March)', async () => {
    const r = ok(
      await bot.core.handle({
        actor: { id: 'console:cat', platform: 'console', displayName: 'cat', timezone: 'Europe/Berlin' },
        origin: { platform: 'console', workspace: 'local' },
        command: 'ticket',
        text: 'new "Patch in Berlin" --type change --window "tomorrow 22:00..tomorrow 23:30"',
      }),
    );
    const t = await storedTicket(bot.db.connection, TENANT, idOf(r));
    expect(t?.change?.window).toEqual({ from: new Date('2026-03-11T21:00:00Z'), to: new Date('2026-03-11T22:30:00Z') });
  });

  it('leaves a change without one unplanned and other tickets without a change record', async () => {
    const chg = ok(await cat('/ticket new "Unplanned change" --type change'));
    expect(chg.fields).toContainEqual({ label: 'Window', value: 'not planned', inline: true });
    const inc = ok(await cat('/ticket new "Printer on fire"'));
    expect(inc.fields?.map((f) => f.label)).not.toContain('Approval');
    expect((await storedTicket(bot.db.connection, TENANT, idOf(inc)))?.change).toBeUndefined();
  });

  const refused: Array<[string, string, string, RegExp]> = [
    [
      'on an incident',
      `/ticket new "Not a change" ${WINDOW}`,
      'TICKET.WINDOW_NOT_CHANGE',
      /change tickets only; this would be an incident/,
    ],
    ['on a request', `/ticket new "Laptop" --type request ${WINDOW}`, 'TICKET.WINDOW_NOT_CHANGE', /would be a request/],
    [
      'without ..',
      '/ticket new X --type change --window "tomorrow 22:00"',
      'TICKET.BAD_WINDOW',
      /two times joined by "\.\."/,
    ],
    [
      'ending first',
      '/ticket new X --type change --window "2026-03-13 02:00..2026-03-12 22:00"',
      'TICKET.BAD_WINDOW',
      /must end after it starts/,
    ],
    [
      'in the past',
      '/ticket new X --type change --window "2026-03-01 22:00..2026-03-12 02:00"',
      'TICKET.BAD_WINDOW',
      /start: .*in the past/,
    ],
    [
      'unreadable end',
      '/ticket new X --type change --window "tomorrow 22:00..blursday"',
      'TICKET.BAD_WINDOW',
      /end: "blursday" is not a time/,
    ],
    [
      'not a date',
      '/ticket new X --type change --window "2026-02-30 22:00..2026-03-12 23:00"',
      'TICKET.BAD_WINDOW',
      /2026-02-30 is not a date/,
    ],
  ];
  it.each(refused)('is refused %s, and nothing is stored', async (_name, line, code, message) => {
    const before = await ticketCount(bot.db.connection);
    const r = await cat(line);
    expect(r.error).toBe(code);
    expect(r.text).toMatch(message);
    expect(await ticketCount(bot.db.connection)).toBe(before);
  });
});

describe('CAB decisions', () => {
  it('approve with a reason: the decision is on the history and in the decisions', async () => {
    const id = await openChange('Rotate TLS certs');
    const r = ok(await ada(`/ticket approve ${id} rollback plan looks good`));
    expect(r.text).toContain(`${id} is approved.`);
    const t = await storedTicket(bot.db.connection, TENANT, id);
    expect(t?.change?.approval).toBe('approved');
    expect(t?.change?.decisions).toEqual([
      expect.objectContaining({
        decision: 'approve',
        reason: 'rollback plan looks good',
        by: expect.objectContaining({ name: 'ada' }),
      }),
    ]);
    expect(t?.history.at(-1)).toMatchObject({
      action: 'approved',
      field: 'approval',
      from: 'pending',
      to: 'approved',
      note: 'rollback plan looks good',
      actor: { name: 'ada' },
    });
    const shown = ok(await ada(`/ticket show ${id}`));
    expect(shown.fields).toContainEqual({ label: 'Approval', value: 'approved (approved by ada)', inline: true });
    expect(shown.text).toMatch(/ada approved → approved \(rollback plan looks good\)/);
    // The terminal shows only the text: the window, its zone and who decided are in it, on the card and in show.
    expect(shown.text.split('\n')[1]).toBe(
      'Window: 12 Mar 22:00 → 13 Mar 02:00 (UTC) · Approval: approved (approved by ada)',
    );
  });

  it('one reject rejects; deciding on a decided change is refused', async () => {
    const id = await openChange('Drop the legacy VLAN');
    ok(await bob(`/ticket reject ${id} no rollback plan`));
    const t = await storedTicket(bot.db.connection, TENANT, id);
    expect(t?.change?.approval).toBe('rejected');
    const again = await ada(`/ticket approve ${id}`);
    expect(again.error).toBe('CHANGE.DECIDED');
    expect(again.text).toContain(`${id} is already rejected`);
    expect((await storedTicket(bot.db.connection, TENANT, id))?.version).toBe(t?.version);
  });

  it('is for managers and admins, on change tickets only', async () => {
    const id = await openChange('Self-approval attempt');
    const r = await cat(`/ticket approve ${id}`);
    expect(r.error).toBe('PERMISSION.DENIED');
    expect(r.text).toContain('needs the manager role');
    const inc = idOf(ok(await cat('/ticket new "Not a change either"')));
    const notChange = await ada(`/ticket approve ${inc}`);
    expect(notChange.error).toBe('CHANGE.NOT_A_CHANGE');
    expect(notChange.text).toContain('is an incident; only changes are approved or rejected');
    expect((await ada('/ticket reject CHG-999')).error).toBe('TICKET.NOT_FOUND');
    ok(await root(`/ticket approve ${id}`));
  });
});

describe('a quorum of 2', () => {
  let q: TestBot;
  beforeAll(async () => {
    q = await startTestBot({ env: { SWITCHBOARD_CAB_QUORUM: '2' } });
    for (const who of ['ada', 'bob', 'cat']) ok(await personAt(q.core, who)('/role show'));
    ok(await personAt(q.core, 'root')('/role grant @ada manager'));
    ok(await personAt(q.core, 'root')('/role grant @bob manager'));
  });
  afterAll(async () => {
    await q?.close();
  });

  it('needs two distinct approvers; the same one twice is "already decided"', async () => {
    const [qa, qb, qc] = ['ada', 'bob', 'cat'].map((w) => personAt(q.core, w)) as [Person, Person, Person];
    const id = idOf(ok(await qc(`/ticket new "Migrate DNS" --type change ${WINDOW}`)));
    const first = ok(await qa(`/ticket approve ${id}`));
    expect(first.text).toContain('Your approval of');
    expect(first.text).toContain('it needs 2 in all');
    expect((await storedTicket(q.db.connection, TENANT, id))?.change?.approval).toBe('pending');
    const twice = await qa(`/ticket approve ${id} really`);
    expect(twice.error).toBe('CHANGE.ALREADY_DECIDED');
    expect(twice.text).toBe(`You already decided on ${id} (approved).`);
    ok(await qb(`/ticket approve ${id}`));
    const t = await storedTicket(q.db.connection, TENANT, id);
    expect(t?.change?.approval).toBe('approved');
    expect(t?.change?.decisions.map((d) => d.by.name)).toEqual(['ada', 'bob']);
    expect(t?.history.filter((h) => h.field === 'approval').map((h) => `${h.actor.name}:${h.from}->${h.to}`)).toEqual([
      'ada:pending->pending',
      'bob:pending->approved',
    ]);
  });

  it('is read from SWITCHBOARD_CAB_QUORUM, and a bad value is refused at start-up', async () => {
    const { loadConfig } = await import('../../config/index.ts');
    expect(loadConfig({}).cabQuorum).toBe(1);
    expect(() => loadConfig({ SWITCHBOARD_CAB_QUORUM: '0' })).toThrow(/SWITCHBOARD_CAB_QUORUM: must be at least 1/);
    expect(() => loadConfig({ SWITCHBOARD_CAB_QUORUM: 'two' })).toThrow(/SWITCHBOARD_CAB_QUORUM/);
  });
});

describe('freeze windows', () => {
  it('are added, listed and removed, with bad input refused', async () => {
    const added = ok(await ada('/freeze add "2026-03-12 18:00" "2026-03-13 06:00" quarter close'));
    expect(added.text).toMatch(/^FRZ-\d+ added: changes frozen 12 Mar 18:00 → 13 Mar 06:00 \(UTC\): quarter close$/);
    const fid = /FRZ-\d+/.exec(added.text)?.[0] as string;
    const listed = ok(await cat('/freeze list'));
    expect(listed.list).toContainEqual(`${fid} · 12 Mar 18:00 → 13 Mar 06:00 (UTC) · quarter close · by ada`);

    const bad: Array<[Person, string, string, RegExp]> = [
      [cat, '/freeze add "in 1h" "in 2h" mine', 'PERMISSION.DENIED', /needs the manager role/],
      [ada, '/freeze add "blursday" "in 2h" x', 'FREEZE.BAD_TIME', /<from>: "blursday" is not a time/],
      [ada, '/freeze add "in 3h" "in 2h" x', 'FREEZE.BAD_WINDOW', /must end after it starts/],
      [ada, '/freeze add "2026-01-01 00:00" "in 2h" x', 'FREEZE.BAD_TIME', /in the past/],
      [ada, '/freeze add "in 1h" "in 2h"', 'USAGE.MISSING', /Missing <reason/],
      [ada, '/freeze remove FRZ-999', 'FREEZE.NOT_FOUND', /There is no freeze FRZ-999 here/],
      [ada, '/freeze remove banana', 'FREEZE.BAD_ID', /"banana" is not a freeze id/],
      [cat, `/freeze remove ${fid}`, 'PERMISSION.DENIED', /needs the manager role/],
    ];
    for (const [who, line, code, message] of bad) {
      const r = await who(line);
      expect(r.error, line).toBe(code);
      expect(r.text, line).toMatch(message);
    }
    expect(ok(await cat('/freeze list')).list).toHaveLength(1);

    const tmp = /FRZ-\d+/.exec(ok(await bob('/freeze add "in 1h" "in 2h" tmp')).text)?.[0] as string;
    expect(ok(await bob(`/freeze remove ${tmp.toLowerCase()}`)).text).toBe(`${tmp} removed (tmp).`);
    expect(ok(await cat('/freeze list')).list).toHaveLength(1);
    // A removed number is never handed out again.
    const next = /FRZ-\d+/.exec(ok(await bob('/freeze add "in 1h" "in 2h" tmp2')).text)?.[0] as string;
    expect(next).not.toBe(tmp);
    ok(await bob(`/freeze remove ${next}`));
  });

  it('flag an overlapping change: a manager may not approve it, an admin may', async () => {
    const inside = await openChange('Change in the freeze');
    const r = await ada(`/ticket approve ${inside}`);
    expect(r.error).toBe('CHANGE.FROZEN');
    expect(r.text).toMatch(
      new RegExp(`${inside} is planned inside freeze FRZ-\\d+ \\(quarter close\\): approving it needs an admin`),
    );
    expect((await storedTicket(bot.db.connection, TENANT, inside))?.change?.decisions).toEqual([]);
    // A manager may still reject it.
    const rejectable = await openChange('Another in the freeze');
    ok(await ada(`/ticket reject ${rejectable} not during close`));
    ok(await root(`/ticket approve ${inside} emergency fix, accepted`));
    expect((await storedTicket(bot.db.connection, TENANT, inside))?.change?.approval).toBe('approved');
    // Outside any freeze (touching its end is outside): a manager's approval does.
    const after = await openChange('After the freeze', '--window "2026-03-13 06:00..2026-03-13 07:00"');
    ok(await ada(`/ticket approve ${after}`));
  });
});

describe('the CAB agenda', () => {
  it('lists the changes awaiting approval with window, freeze flag, tally and buttons; a press decides', async () => {
    const frozen = await openChange('Agenda: frozen one');
    const plain = await openChange('Agenda: plain one', '--window "2026-03-20 22:00..2026-03-20 23:00"');
    const a = await agenda().cabAgenda(TENANT, bot.now(), 'UTC');
    expect(a.header).toBe('CAB agenda');
    expect(a.visibility).toBe('channel');
    const line = (id: string) => a.list?.find((l) => l.startsWith(`${id} ·`));
    expect(line(frozen)).toMatch(
      /^CHG-\d+ · Agenda: frozen one · window 12 Mar 22:00 → 13 Mar 02:00 \(UTC\) · FREEZE FRZ-\d+ \(quarter close\): admin approval · 0 of 1 approvals$/,
    );
    expect(line(plain)).toBe(
      `${plain} · Agenda: plain one · window 20 Mar 22:00 → 20 Mar 23:00 (UTC) · 0 of 1 approvals`,
    );
    // Decided changes and non-changes are not on it.
    expect(a.list?.some((l) => l.includes('Rotate TLS certs') || l.includes('Printer'))).toBe(false);
    expect(a.actions).toEqual(
      expect.arrayContaining([
        { id: 'ticket.approve', label: `Approve ${plain}`, value: plain, style: 'primary' },
        expect.objectContaining({
          id: 'ticket.reject',
          label: `Reject ${plain}`,
          value: plain,
          style: 'danger',
          form: expect.objectContaining({
            id: 'ticket.reject',
            hidden: { id: plain },
            fields: [expect.objectContaining({ name: 'reason', required: true })],
          }),
        }),
      ]),
    );

    // Pressing Approve comes back as an Invocation of the same command, under the same rules.
    const approve = a.actions?.find((x) => x.id === 'ticket.approve' && x.value === plain);
    ok(await press('bob', 'approve', { id: approve?.value }));
    expect((await storedTicket(bot.db.connection, TENANT, plain))?.change?.approval).toBe('approved');
    const frozenPress = await press('bob', 'approve', { id: frozen });
    expect(frozenPress.error).toBe('CHANGE.FROZEN');
    const byRequester = await press('cat', 'approve', { id: frozen });
    expect(byRequester.error).toBe('PERMISSION.DENIED');
    // The Reject form submits its reason with the hidden id.
    ok(await press('bob', 'reject', { id: frozen, reason: 'not during quarter close' }));
    const t = await storedTicket(bot.db.connection, TENANT, frozen);
    expect(t?.change?.decisions).toEqual([
      expect.objectContaining({ decision: 'reject', reason: 'not during quarter close' }),
    ]);

    const later = await agenda().cabAgenda(TENANT, bot.now(), 'UTC');
    expect(later.list?.some((l) => l.startsWith(`${plain} ·`) || l.startsWith(`${frozen} ·`))).toBe(false);
  });

  it('says so when nothing awaits approval', async () => {
    const empty = await agenda().cabAgenda('console:nobody', bot.now(), 'UTC');
    expect(empty.text).toBe('CAB agenda: no change awaits approval.');
    expect(empty.actions).toBeUndefined();
  });
});
