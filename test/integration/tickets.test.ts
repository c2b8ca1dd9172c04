// Every /ticket subcommand end to end through the real core on the real database.
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createConsoleAdapter } from '../../adapters/console/index.ts';
import type { Reply } from '../../src/present/reply.ts';
import type { Ticket } from '../../src/store/ticketStore.ts';
import { personAt, startTestBot, type TestBot } from '../support/harness.ts';
import { recordingSender } from '../support/recordingSender.ts';
import { storedTicket, ticketCount } from '../support/storedTickets.ts';

let bot: TestBot;
let root: (line: string) => Promise<Reply>;
let bob: (line: string) => Promise<Reply>;
let ada: (line: string) => Promise<Reply>;

const stored = async (ticketId: string): Promise<Ticket> => {
  const t = await storedTicket(bot.db.connection, 'console:local', ticketId);
  if (!t) throw new Error(`${ticketId} is not stored`);
  return t as unknown as Ticket;
};
const field = (r: Reply, label: string) => r.fields?.find((f) => f.label === label)?.value;
async function open(as: (line: string) => Promise<Reply>, rest: string): Promise<string> {
  const r = await as(`/ticket new ${rest}`);
  expect(r.error, r.text).toBeUndefined();
  return r.card?.ticketId as string;
}
const ok = (r: Reply): Reply => {
  expect(r.error, r.text).toBeUndefined();
  return r;
};

beforeAll(async () => {
  bot = await startTestBot();
  root = personAt(bot.core, 'root');
  bob = personAt(bot.core, 'bob');
  ada = personAt(bot.core, 'ada');
  // A role goes only to someone Switchboard has seen.
  ok(await bob('/role show'));
  ok(await root('/role grant @bob agent'));
  // --team names a team that exists.
  ok(await root('/team create Network'));
});
afterAll(async () => {
  await bot?.close();
});

describe('/ticket new', () => {
  it('opens an incident with every flag and answers with its card', async () => {
    const r = await ada(
      '/ticket new "VPN drops every 5 minutes" --description "since the 14:00 push" --type incident --impact high --urgency high --service VPN --team Network',
    );
    expect(r.error).toBeUndefined();
    expect(r.visibility).toBe('channel');
    const id = r.card?.ticketId as string;
    expect(id).toMatch(/^INC-\d+$/);
    expect(r.header).toBe(`${id} · VPN drops every 5 minutes`);
    expect(field(r, 'Priority')).toBe('P1');
    expect(field(r, 'State')).toBe('new');
    expect(field(r, 'Service')).toBe('vpn');
    expect(field(r, 'Type')).toBe('incident');
    expect(field(r, 'Description')).toBe('since the 14:00 push');
    expect(field(r, 'Team')).toBe('network');
    expect(r.text).toMatch(
      new RegExp(`^${id} · P1 · new · VPN drops every 5 minutes · service vpn · team network · SLA: respond by`),
    );

    const t = await stored(id);
    expect(t).toMatchObject({
      tenant: 'console:local',
      type: 'incident',
      title: 'VPN drops every 5 minutes',
      description: 'since the 14:00 push',
      impact: 'high',
      urgency: 'high',
      priority: 'P1',
      state: 'new',
      service: 'vpn',
      team: 'network',
      requester: { id: 'console:ada', identity: 'console:ada', name: 'ada' },
      assignee: null,
      watchers: ['console:ada'],
      source: { platform: 'console', workspace: 'local', channel: 'general' },
      comments: [],
      resolvedAt: null,
      closedAt: null,
    });
    expect(t.sla.responseDueAt.getTime() - t.openedAt.getTime()).toBe(15 * 60_000);
    expect(t.sla.resolutionDueAt.getTime() - t.openedAt.getTime()).toBe(4 * 3_600_000);
    expect(t.history).toEqual([
      expect.objectContaining({ action: 'opened', to: 'new', platform: 'console', actor: t.requester }),
    ]);
  });

  it('opens a service request as REQ-n, defaults to impact and urgency medium (P3)', async () => {
    const req = await open(ada, 'Need a new laptop --type request');
    expect(req).toMatch(/^REQ-\d+$/);
    expect(await stored(req)).toMatchObject({ type: 'request', impact: 'medium', urgency: 'medium', priority: 'P3' });
    expect(await open(ada, 'Root cause of VPN drops --type problem')).toMatch(/^PRB-\d+$/);
    expect(await open(ada, 'Upgrade the VPN concentrator --type change')).toMatch(/^CHG-\d+$/);
  });

  it('takes --priority over the impact x urgency matrix, from an agent', async () => {
    const id = await open(bob, 'Printer jammed --impact low --urgency low --priority P1');
    expect(await stored(id)).toMatchObject({ impact: 'low', urgency: 'low', priority: 'P1' });
    expect((await stored(await open(ada, 'Printer low --impact low --urgency low'))).priority).toBe('P4');
  });

  it('leaves choosing the priority outright to agents: a requester says impact and urgency', async () => {
    const before = await ticketCount(bot.db.connection);
    const r = await ada('/ticket new "Everything is on fire" --priority P1');
    expect(r.error).toBe('PERMISSION.DENIED');
    expect(r.text).toContain('--impact and --urgency');
    expect(await ticketCount(bot.db.connection)).toBe(before);
  });
});

describe('/ticket show', () => {
  it('shows the card with comments and history', async () => {
    const id = await open(ada, 'Mail is slow --service mail');
    ok(await bob(`/ticket comment ${id} looking at the queue`));
    const r = ok(await bob(`/ticket show ${id.toLowerCase()}`));
    expect(r.visibility).toBe('ephemeral');
    expect(r.card).toBeUndefined();
    expect(r.header).toBe(`${id} · Mail is slow`);
    expect(r.text).toContain('💬 bob: looking at the queue');
    expect(r.text).toMatch(/• (\d{1,2} \w{3} (\d{4} )?)?\d\d:\d\d ada opened → new/);
    expect(r.list).toContain('💬 bob: looking at the queue');
  });
});

describe('/ticket list', () => {
  let ids: Record<string, string>;
  beforeAll(async () => {
    // A private tenant so other tests' tickets stay out of the counts.
    const at = (who: string) => personAt(bot.core, who, 'console', 'listing');
    const lroot = at('root');
    const lada = at('lada');
    const lbob = at('lbob');
    ok(await lbob('/role show'));
    ok(await lroot('/role grant @lbob agent'));
    ids = {
      vpn: await open(lada, 'VPN drops --service vpn --impact high --urgency high'),
      mail: await open(lada, 'Mail bounces --service mail'),
      laptop: await open(lada, 'Laptop please --type request'),
      printer: await open(lroot, 'Printer on fire --priority P2'),
    };
    ok(await lbob(`/ticket assign ${ids.mail} me`));
    ok(await lbob(`/ticket resolve ${ids.printer} put it out`));
  });
  const list = async (line: string): Promise<string[]> => {
    const r = ok(await personAt(bot.core, 'lbob', 'console', 'listing')(`/ticket list ${line}`));
    return (r.list ?? []).map((l) => l.split(' · ')[0] as string).sort();
  };

  it('lists open tickets by default, newest first', async () => {
    const r = ok(await personAt(bot.core, 'lbob', 'console', 'listing')('/ticket list'));
    expect(r.header).toBe('3 open tickets');
    expect(r.list?.map((l) => l.split(' · ')[0])).toEqual([ids.laptop, ids.mail, ids.vpn]);
  });

  it('filters by state', async () => {
    expect(await list('--state resolved')).toEqual([ids.printer]);
    expect(await list('--state assigned')).toEqual([ids.mail]);
    expect(await list('--state new')).toEqual([ids.laptop, ids.vpn].sort());
    expect(await list('--state all')).toEqual(Object.values(ids).sort());
    expect(await list('--state closed')).toEqual([]);
  });

  it('filters by priority, type, service, assignee, mine and text', async () => {
    expect(await list('--priority P1')).toEqual([ids.vpn]);
    expect(await list('--type request')).toEqual([ids.laptop]);
    expect(await list('--service VPN')).toEqual([ids.vpn]);
    expect(await list('--assignee @lbob')).toEqual([ids.mail]);
    expect(await list('--mine')).toEqual([ids.mail]);
    expect(await list('--text BOUNCE')).toEqual([ids.mail]);
    expect(await list('--text "on fire" --state all')).toEqual([ids.printer]);
    expect(await list('--text .*')).toEqual([]);
  });

  it('says when there are more than it shows, and not when there are exactly as many', async () => {
    const many = personAt(bot.core, 'root', 'console', 'many');
    for (let i = 1; i <= 20; i++) ok(await many(`/ticket new "Batch ${i}"`));
    expect(ok(await many('/ticket list')).header).toBe('20 open tickets');
    ok(await many('/ticket new "Batch 21"'));
    const r = ok(await many('/ticket list'));
    expect(r.list).toHaveLength(20);
    expect(r.header).toBe('Open tickets 1–20, newest first (page 1; more: --page 2)');
  });

  it('pages: --page N, and a Next page button that comes back as the same list one page on', async () => {
    const paged = personAt(bot.core, 'root', 'console', 'paged');
    for (let i = 1; i <= 45; i++) ok(await paged(`/ticket new "Paged ${i}" --service web`));
    const first = ok(await paged('/ticket list --service web'));
    expect(first.list?.[0]).toContain('Paged 45');
    const next = first.actions?.find((a) => a.id === 'ticket.list');
    expect(next?.label).toBe('Next page');
    // A button press arrives as the action's id with its value as the `id` option, on every platform.
    const pressed = await bot.core.handle({
      actor: { id: 'console:root', platform: 'console', displayName: 'root' },
      origin: { platform: 'console', workspace: 'paged', channel: 'general' },
      command: 'ticket',
      subcommand: 'list',
      options: { id: next?.value },
    });
    expect(pressed.error, pressed.text).toBeUndefined();
    expect(pressed.list?.[0]).toContain('Paged 25');
    expect(pressed.list).toHaveLength(20);
    const typed = ok(await paged('/ticket list --service web --page 3'));
    expect(typed.list?.map((l) => l.split(' · ')[3])).toEqual(['Paged 5', 'Paged 4', 'Paged 3', 'Paged 2', 'Paged 1']);
    expect(typed.actions ?? []).toEqual([]);
    expect(typed.header).toBe('Open tickets 41–45, newest first (page 3)');
    expect(ok(await paged('/ticket list --page 9')).header).toBe('No open tickets on page 9');
    expect((await paged('/ticket list --page 0')).error).toBe('USAGE.BAD_VALUE');
    expect((await paged('/ticket list --page two')).error).toBe('USAGE.BAD_VALUE');
  });

  it('shows the terminal a next page it can type, the filters kept', async () => {
    for (let i = 1; i <= 21; i++) ok(await root(`/ticket new "Queue ${i}" --service print queue --type request`));
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = '';
    output.on('data', (b) => (printed += b));
    const terminal = createConsoleAdapter({
      core: bot.core,
      user: 'root',
      input,
      output,
      interactive: true,
      onEnd: () => {},
    });
    // What other tests sent this person by DM may be printed at any moment: wait for the answer, not the prompt.
    const typed = async (line: string, answer: RegExp): Promise<string> => {
      const from = printed.length;
      input.write(`${line}\n`);
      await vi.waitFor(() => expect(printed.slice(from)).toMatch(answer), { timeout: 15_000 });
      return printed.slice(from);
    };
    await terminal.start();
    try {
      const first = await typed('/ticket list --type request --service print queue', /\n {2}next: \/ticket list.*\n/);
      expect(first).toContain('(page 1; more: --page 2)');
      const hint = /\n {2}next: (\/ticket list.*)\n/.exec(first)?.[1];
      expect(hint).toBe('/ticket list --page 2 --type request --service "print queue"');
      const second = await typed(hint as string, / · Queue 1 · .*\n/);
      expect(second).toContain('Open ticket 21–21, newest first (page 2)\n');
      expect(second).toMatch(/ · Queue 1 · service print queue · /);
    } finally {
      input.end();
      await terminal.stop();
      bot.core.registerSender(recordingSender('console'));
    }
  });

  it('says when nothing matches', async () => {
    const r = ok(await personAt(bot.core, 'lbob', 'console', 'listing')('/ticket list --priority P4'));
    expect(r.header).toBe('No open tickets');
    expect(r.list).toEqual([]);
  });
});

describe('working a ticket', () => {
  it('assigns to someone, then to me', async () => {
    const id = await open(ada, 'Wifi flaky');
    const r = ok(await root(`/ticket assign ${id} @bob`));
    expect(r.text).toContain(`${id} is assigned to bob.`);
    expect(await stored(id)).toMatchObject({
      state: 'assigned',
      assignee: { id: 'console:bob', name: 'bob' },
      watchers: ['console:ada', 'console:bob'],
    });
    ok(await root(`/ticket assign ${id} me`));
    expect((await stored(id)).assignee?.identity).toBe('console:root');
    expect((await root(`/ticket assign ${id} me`)).error).toBe('TICKET.UNCHANGED');
  });

  it('starts, pends with a reason, resumes, resolves, closes', async () => {
    const id = await open(ada, 'Disk full');
    expect(ok(await bob(`/ticket start ${id}`)).text).toContain(`${id} is in progress.`);
    expect(await stored(id)).toMatchObject({ state: 'in_progress', assignee: { id: 'console:bob' } });

    expect(ok(await bob(`/ticket pending ${id} waiting for the vendor`)).text).toContain('SLA clock is paused');
    const pending = await stored(id);
    expect(pending.state).toBe('pending');
    expect(pending.sla.pausedAt).not.toBeNull();
    expect(pending.comments.at(-1)).toMatchObject({ text: 'Pending: waiting for the vendor', internal: false });

    ok(await bob(`/ticket start ${id}`));
    expect((await stored(id)).sla.pausedAt).toBeNull();

    expect(ok(await bob(`/ticket resolve ${id} cleaned up old logs`)).text).toContain(`${id} is resolved.`);
    const resolved = await stored(id);
    expect(resolved).toMatchObject({ state: 'resolved', resolution: 'cleaned up old logs' });
    expect(resolved.resolvedAt).toBeInstanceOf(Date);
    expect(resolved.sla.ttrMs).toBeGreaterThanOrEqual(0);

    expect(ok(await bob(`/ticket close ${id}`)).text).toContain(`${id} is closed.`);
    const closed = await stored(id);
    expect(closed.state).toBe('closed');
    expect(closed.closedAt).toBeInstanceOf(Date);
  });

  it('comments publicly and adds internal work notes the requester does not see', async () => {
    const id = await open(ada, 'Badge does not open door 3');
    expect(ok(await ada(`/ticket comment ${id} "it worked yesterday"`)).text).toContain(`Comment added to ${id}.`);
    expect(ok(await bob(`/ticket comment ${id} badge reader firmware is old --internal`)).text).toContain(
      `Work note added to ${id}.`,
    );
    expect((await stored(id)).comments).toEqual([
      expect.objectContaining({
        text: 'it worked yesterday',
        internal: false,
        author: expect.objectContaining({ name: 'ada' }),
      }),
      expect.objectContaining({ text: 'badge reader firmware is old', internal: true }),
    ]);

    const asRequester = ok(await ada(`/ticket show ${id}`));
    expect(asRequester.text).toContain('ada: it worked yesterday');
    expect(asRequester.text).not.toContain('firmware');
    expect(JSON.stringify(asRequester)).not.toContain('firmware');

    const asAgent = ok(await bob(`/ticket show ${id}`));
    expect(asAgent.text).toContain('[work note] bob: badge reader firmware is old');
    // The card's "latest" field shows public comments only.
    expect(asAgent.fields?.find((f) => f.label.startsWith('Latest from'))?.value).toBe('it worked yesterday');
  });

  it('reopens a resolved ticket back to in progress, with the reason as a comment', async () => {
    const id = await open(ada, 'Printer offline');
    ok(await bob(`/ticket resolve ${id} power cycled`));
    expect(ok(await ada(`/ticket reopen ${id} still offline`)).text).toContain(
      `${id} is reopened and in progress again.`,
    );
    const t = await stored(id);
    expect(t).toMatchObject({ state: 'in_progress', resolution: null, resolvedAt: null });
    expect(t.sla.ttrMs).toBeNull();
    expect(t.comments.at(-1)).toMatchObject({ text: 'Reopened: still offline', author: { name: 'ada' } });
  });

  it('changes priority and moves the SLA due times', async () => {
    const id = await open(ada, 'Slow VPN --impact low --urgency low');
    const before = await stored(id);
    expect(before.priority).toBe('P4');
    expect(ok(await bob(`/ticket priority ${id} p1`)).text).toContain(`${id} is now P1.`);
    const after = await stored(id);
    expect(after.priority).toBe('P1');
    expect(after.sla.responseDueAt.getTime() - after.openedAt.getTime()).toBe(15 * 60_000);
    expect(after.sla.resolutionDueAt.getTime() - after.openedAt.getTime()).toBe(4 * 3_600_000);
    expect((await bob(`/ticket priority ${id} P1`)).error).toBe('TICKET.UNCHANGED');
  });
});
