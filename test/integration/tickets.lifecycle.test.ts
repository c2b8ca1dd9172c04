// The lifecycle through commands: allowed moves, refused ones naming the allowed states, audit history, id sequences.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reply } from '../../src/present/reply.ts';
import type { Ticket } from '../../src/store/ticketStore.ts';
import { personAt, startTestBot, type TestBot } from '../support/harness.ts';
import { storedTicket } from '../support/storedTickets.ts';

type Person = (line: string) => Promise<Reply>;
let bot: TestBot;
let root: Person;
let ada: Person;
let bob: Person;

const stored = async (ticketId: string, tenant = 'console:local'): Promise<Ticket> =>
  (await storedTicket(bot.db.connection, tenant, ticketId)) as Ticket;
const ok = (r: Reply): Reply => {
  expect(r.error, r.text).toBeUndefined();
  return r;
};
async function open(title = 'Something broke'): Promise<string> {
  return ok(await ada(`/ticket new ${title}`)).card?.ticketId as string;
}

/** A ticket walked into `state` through commands. */
async function ticketIn(state: Ticket['state']): Promise<string> {
  const id = await open(`in ${state}`);
  const steps: Record<Ticket['state'], string[]> = {
    new: [],
    assigned: ['assign ID @bob'],
    in_progress: ['assign ID @bob', 'start ID'],
    pending: ['assign ID @bob', 'start ID', 'pending ID vendor'],
    resolved: ['resolve ID fixed'],
    closed: ['resolve ID fixed', 'close ID'],
  };
  for (const step of steps[state]) ok(await bob(`/ticket ${step.replace('ID', id)}`));
  expect((await stored(id)).state).toBe(state);
  return id;
}

beforeAll(async () => {
  bot = await startTestBot();
  root = personAt(bot.core, 'root');
  ada = personAt(bot.core, 'ada');
  bob = personAt(bot.core, 'bob');
  // A role goes only to someone Switchboard has seen.
  ok(await bob('/role show'));
  ok(await root('/role grant @bob agent'));
});
afterAll(async () => {
  await bot?.close();
});

describe('ticket ids', () => {
  it('number each type on its own sequence, per tenant', async () => {
    const fresh = personAt(bot.core, 'root', 'console', 'sequences');
    const ids: string[] = [];
    for (const line of ['A', 'B --type request', 'C', 'D --type change', 'E --type request', 'F --type problem']) {
      ids.push(ok(await fresh(`/ticket new ${line}`)).card?.ticketId as string);
    }
    expect(ids).toEqual(['INC-1', 'REQ-1', 'INC-2', 'CHG-1', 'REQ-2', 'PRB-1']);
    const other = personAt(bot.core, 'root', 'console', 'elsewhere');
    expect(ok(await other('/ticket new G')).card?.ticketId).toBe('INC-1');
  });
});

describe('state machine through commands', () => {
  it('walks new -> assigned -> in_progress <-> pending -> resolved -> closed', async () => {
    const id = await open();
    const seen: string[] = [(await stored(id)).state];
    for (const step of [
      'assign ID @bob',
      'start ID',
      'pending ID',
      'start ID',
      'pending ID',
      'resolve ID done',
      'close ID',
    ]) {
      ok(await bob(`/ticket ${step.replace('ID', id)}`));
      seen.push((await stored(id)).state);
    }
    expect(seen).toEqual(['new', 'assigned', 'in_progress', 'pending', 'in_progress', 'pending', 'resolved', 'closed']);
  });

  it('resolves straight from new, assigned, in_progress and pending', async () => {
    for (const state of ['new', 'assigned', 'in_progress', 'pending'] as const) {
      const id = await ticketIn(state);
      ok(await bob(`/ticket resolve ${id} done`));
      expect((await stored(id)).state).toBe('resolved');
    }
  });

  it('start on a new ticket takes it and moves it through assigned', async () => {
    const id = await open();
    ok(await bob(`/ticket start ${id}`));
    const t = await stored(id);
    expect(t.state).toBe('in_progress');
    expect(t.assignee?.name).toBe('bob');
    expect(t.history.filter((h) => h.action === 'state').map((h) => `${h.from}->${h.to}`)).toEqual([
      'new->assigned',
      'assigned->in_progress',
    ]);
  });

  const refusals: Array<[Ticket['state'], string, RegExp]> = [
    [
      'new',
      'pending ID',
      /is new and cannot become pending; from new it can go to: assigned, resolved \(or straight to in_progress: \/ticket start takes it\)\./,
    ],
    [
      'new',
      'close ID',
      /is new and cannot become closed; from new it can go to: assigned, resolved \(or straight to in_progress: \/ticket start takes it\)\./,
    ],
    ['new', 'reopen ID', /is new; only a resolved ticket can be reopened.*from new it can go to: assigned, resolved/],
    [
      'assigned',
      'pending ID',
      /is assigned and cannot become pending; from assigned it can go to: in_progress, resolved\./,
    ],
    ['assigned', 'close ID', /from assigned it can go to: in_progress, resolved/],
    [
      'assigned',
      'reopen ID',
      /only a resolved ticket can be reopened.*from assigned it can go to: in_progress, resolved/,
    ],
    [
      'in_progress',
      'start ID',
      /is in_progress and cannot become in_progress; from in_progress it can go to: pending, resolved\./,
    ],
    ['in_progress', 'close ID', /from in_progress it can go to: pending, resolved/],
    ['in_progress', 'reopen ID', /from in_progress it can go to: pending, resolved/],
    [
      'pending',
      'pending ID',
      /is pending and cannot become pending; from pending it can go to: in_progress, resolved\./,
    ],
    ['pending', 'close ID', /from pending it can go to: in_progress, resolved/],
    [
      'resolved',
      'resolve ID again',
      /is resolved and cannot become resolved; from resolved it can go to: closed, in_progress\./,
    ],
    ['resolved', 'pending ID', /from resolved it can go to: closed, in_progress/],
    ['resolved', 'start ID', /is resolved.*\/ticket reopen/],
    ['resolved', 'assign ID @bob', /is resolved; reopen it before assigning/],
    ['resolved', 'priority ID P1', /is resolved; its priority can no longer change/],
    ['closed', 'reopen ID', /is closed; only a resolved ticket can be reopened.*closed is final/],
    ['closed', 'start ID', /closed is final/],
    ['closed', 'resolve ID again', /closed is final/],
    ['closed', 'close ID', /closed is final/],
    ['closed', 'pending ID', /closed is final/],
    ['closed', 'assign ID @bob', /is closed.*closed is final/],
    ['closed', 'comment ID hello', /is closed; comments are no longer taken/],
  ];
  it.each(refusals)('from %s refuses "%s", saying what is allowed, and changes nothing', async (state, step, says) => {
    const id = await ticketIn(state);
    const before = await stored(id);
    const r = await bob(`/ticket ${step.replace('ID', id)}`);
    expect(r.visibility).toBe('ephemeral');
    expect(r.error).toBe('TICKET.INVALID_TRANSITION');
    expect(r.text).toContain(id);
    expect(r.text).toMatch(says);
    const after = await stored(id);
    expect(after.state).toBe(state);
    expect(after.version).toBe(before.version);
    expect(after.history).toHaveLength(before.history.length);
  });
});

describe('audit history', () => {
  it('records who did what, from where, with old and new values, append-only', async () => {
    const id = await open('Audit me');
    for (const step of [
      'assign ID @bob',
      'start ID',
      'pending ID waiting',
      'start ID',
      'comment ID public words',
      'comment ID secret words --internal',
      'priority ID P1',
      'resolve ID fixed',
    ]) {
      ok(await bob(`/ticket ${step.replace('ID', id)}`));
    }
    ok(await ada(`/ticket reopen ${id} not fixed`));
    ok(await root(`/ticket assign ${id} me`));
    ok(await bob(`/ticket resolve ${id} fixed for real`));
    ok(await bob(`/ticket close ${id}`));

    const t = await stored(id);
    const rows = t.history.map((h) => [
      h.actor.name,
      h.action,
      h.field ?? null,
      h.from ?? null,
      h.to ?? null,
      ...(h.note ? [h.note] : []),
    ]);
    expect(rows).toEqual([
      ['ada', 'opened', null, null, 'new'],
      ['bob', 'assigned', 'assignee', null, 'bob'],
      ['bob', 'state', 'state', 'new', 'assigned'],
      ['bob', 'state', 'state', 'assigned', 'in_progress'],
      ['bob', 'state', 'state', 'in_progress', 'pending', 'waiting'],
      ['bob', 'state', 'state', 'pending', 'in_progress'],
      ['bob', 'comment', null, null, null],
      ['bob', 'work_note', null, null, null],
      ['bob', 'priority', 'priority', 'P3', 'P1'],
      ['bob', 'state', 'state', 'in_progress', 'resolved'],
      ['bob', 'resolution', 'resolution', null, 'fixed'],
      ['ada', 'state', 'state', 'resolved', 'in_progress', 'not fixed'],
      ['ada', 'resolution', 'resolution', 'fixed', null],
      ['root', 'assigned', 'assignee', 'bob', 'root'],
      ['bob', 'state', 'state', 'in_progress', 'resolved'],
      ['bob', 'resolution', 'resolution', null, 'fixed for real'],
      ['bob', 'state', 'state', 'resolved', 'closed'],
    ]);
    const shown = ok(await ada(`/ticket show ${id}`)).text;
    expect(shown).toContain('ada state → in_progress (not fixed)');
    expect(shown).toContain('ada resolution cleared');
    expect(shown).toContain('bob resolution → fixed for real');
    for (const h of t.history) {
      expect(h.platform).toBe('console');
      expect(h.at).toBeInstanceOf(Date);
      expect(h.actor.identity).toBe(`console:${h.actor.name}`);
    }
    const times = t.history.map((h) => h.at.getTime());
    expect([...times].sort((a, b) => a - b)).toEqual(times);
  });

  it('records the platform an action came from', async () => {
    const slack = personAt(bot.core, 'UADMIN', 'slack', 'T1');
    const id = ok(await slack('/ticket new From slack')).card?.ticketId as string;
    ok(await slack(`/ticket assign ${id} me`));
    const t = await stored(id, 'slack:T1');
    expect(t.source).toMatchObject({ platform: 'slack', workspace: 'T1' });
    expect(t.history.map((h) => [h.platform, h.actor.identity])).toEqual([
      ['slack', 'slack:UADMIN'],
      ['slack', 'slack:UADMIN'],
      ['slack', 'slack:UADMIN'],
    ]);
  });
});
