import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allCommands } from '../../commands/index.ts';
import type { Invocation } from '../../src/core/invocation.ts';
import { ERROR_CODES } from '../../src/domain/errorCodes.ts';
import type { Reply } from '../../src/present/reply.ts';
import { anotherProcess, personAt, startTestBot, type TestBot } from '../support/harness.ts';
import { rawControlIn } from '../support/rawText.ts';
import { storedTicket, ticketCount } from '../support/storedTickets.ts';

type Person = (line: string) => Promise<Reply>;
let bot: TestBot;
let root: Person;
let ada: Person;
const count = () => ticketCount(bot.db.connection);
const ok = (r: Reply): Reply => {
  expect(r.error, r.text).toBeUndefined();
  return r;
};
const typed = (subcommand: string, options: Invocation['options']): Invocation => ({
  actor: { id: 'slack:U1', platform: 'slack', displayName: 'Ada' },
  origin: { platform: 'slack', workspace: 'T1', channel: 'C1' },
  command: 'ticket',
  subcommand,
  options,
});

beforeAll(async () => {
  bot = await startTestBot();
  root = personAt(bot.core, 'root');
  ada = personAt(bot.core, 'ada');
  ok(await root('/ticket new "The first ticket"'));
});
afterAll(async () => {
  await bot?.close();
});

describe('bad input', () => {
  const cases: Array<[string, string, string, RegExp]> = [
    ['unknown subcommand', '/ticket frobnicate INC-1', 'USAGE.UNKNOWN_SUBCOMMAND', /has no "frobnicate"/],
    ['missing title', '/ticket new', 'USAGE.MISSING', /^Missing <title>\./],
    ['missing title with flags', '/ticket new --impact high', 'USAGE.MISSING', /^Missing <title>\./],
    ['unknown flag', '/ticket new VPN down --colour red', 'USAGE.UNKNOWN_FLAG', /Unknown option --colour/],
    [
      'bad priority',
      '/ticket new VPN down --priority P9',
      'USAGE.BAD_CHOICE',
      /--priority must be one of P1, P2, P3, P4; got "P9"/,
    ],
    [
      'bad impact',
      '/ticket new VPN down --impact extreme',
      'USAGE.BAD_CHOICE',
      /--impact must be one of high, medium, low/,
    ],
    ['missing flag value', '/ticket new VPN down --service', 'USAGE.MISSING', /--service needs a value/],
    ['repeated flag', '/ticket new VPN --type request --type change', 'USAGE.REPEATED', /--type is given twice/],
    ['unknown ticket id', '/ticket show INC-999', 'TICKET.NOT_FOUND', /There is no ticket INC-999 here/],
    [
      'unknown ticket id on a change',
      '/ticket resolve INC-999 fixed',
      'TICKET.NOT_FOUND',
      /There is no ticket INC-999/,
    ],
    ['malformed id', '/ticket show FOO-1', 'USAGE.BAD_TICKET_ID', /"FOO-1" is not a ticket id/],
    ['missing id', '/ticket resolve', 'USAGE.MISSING', /^Missing <id>\./],
    ['missing resolution', '/ticket resolve INC-1', 'USAGE.MISSING', /^Missing <resolution>\./],
    ['bad person', '/ticket assign INC-1 "bob smith"', 'USAGE.BAD_USER', /<assignee> must be a mention or "me"/],
    ['bad priority change', '/ticket priority INC-1 urgent', 'USAGE.BAD_CHOICE', /<priority> must be one of P1/],
    ['extra words', '/ticket close INC-1 now please', 'USAGE.UNEXPECTED', /Unexpected "now please"/],
    ['bad role', '/role grant @bob boss', 'USAGE.BAD_CHOICE', /<role> must be one of requester, agent, manager, admin/],
  ];
  it.each(cases)('%s: names the problem, shows the right form, writes nothing', async (_what, line, code, says) => {
    const before = await count();
    const r = await root(line);
    expect(r.visibility).toBe('ephemeral');
    expect(r.error).toBe(code);
    expect(r.text).toMatch(says);
    expect(r.text).toMatch(/\nUsage: \/(ticket|role)/);
    expect(r.card).toBeUndefined();
    expect(await count()).toBe(before);
  });

  it('answers an unknown command with the commands there are', async () => {
    const r = await root('/tikcet new X');
    expect(r).toMatchObject({ visibility: 'ephemeral', error: 'USAGE.UNKNOWN_COMMAND' });
    expect(r.text).toContain(
      'There is no command /tikcet. Commands: /ticket, /incident, /freeze, /service, /review, /status, /team, /oncall, /role, /link, /profile, /help. Try /help.',
    );
  });

  it('refuses a title over 200 characters, naming the field', async () => {
    const before = await count();
    const r = await root(`/ticket new ${'x'.repeat(201)}`);
    expect(r).toMatchObject({ error: 'USAGE.TOO_LONG', errorField: 'title' });
    expect(r.text).toContain('at most 200');
    expect(await count()).toBe(before);
  });

  it.each([
    ['service', `/ticket new X --service ${'s'.repeat(101)}`, 'service', 100],
    ['team', `/ticket new X --team ${'t'.repeat(101)}`, 'team', 100],
    ['list text', `/ticket list --text ${'w'.repeat(201)}`, 'text', 200],
    ['pending reason', `/ticket pending INC-1 ${'r'.repeat(1001)}`, 'reason', 1000],
  ])('refuses a %s over its limit as a usage error naming the field', async (_what, line, field, max) => {
    const before = await count();
    const r = await root(line);
    expect(r).toMatchObject({ visibility: 'ephemeral', error: 'USAGE.TOO_LONG', errorField: field });
    expect(r.text).toContain(`The ${field} is too long (${max + 1} characters; at most ${max}).`);
    expect(r.text).toContain('Usage: /ticket');
    expect(await count()).toBe(before);
  });

  it('refuses control characters (terminal escapes, NUL) in any text, writing nothing', async () => {
    const before = await count();
    const history = async () => {
      const t = await storedTicket(bot.db.connection, 'console:local', 'INC-1');
      return (t?.history as unknown[] | undefined)?.length;
    };
    const was = await history();
    for (const [line, field, char] of [
      ['/ticket new "clear \u001b[2J screen"', 'title', 'U+001B'],
      ['/ticket new X --description "a\u0000b"', 'description', 'U+0000'],
      ['/ticket comment INC-1 "bell \u0007"', 'text', 'U+0007'],
      ['/ticket new "evil\u202etxt.exe"', 'title', 'U+202E'],
      ['/ticket new "zero\u200bwidth"', 'title', 'U+200B'],
      ['/ticket new form\ffeed', 'title', 'U+000C'],
    ] as const) {
      const r = await root(line);
      expect(r, line).toMatchObject({ error: 'USAGE.BAD_VALUE', errorField: field });
      expect(r.text).toContain(`contains ${char}`);
    }
    expect(await count()).toBe(before);
    expect(await history()).toBe(was);
  });

  it('keeps single-line fields on one line, and line breaks where they belong', async () => {
    const r = ok(
      await bot.core.handle(
        typed('new', { title: 'Printer\non  fire', service: 'print\tq', description: 'line one\r\nline two' }),
      ),
    );
    const t = await storedTicket(bot.db.connection, 'slack:T1', r.card?.ticketId as string);
    expect(t).toMatchObject({ title: 'Printer on fire', service: 'print q', description: 'line one\nline two' });
    expect(r.text.split('\n')).toHaveLength(1);
  });

  it('shows times in the organisation timezone when a platform sends one it does not know', async () => {
    const before = await count();
    const r = await bot.core.handle({
      ...typed('new', { title: 'Clock from elsewhere' }),
      actor: { id: 'slack:UTZ', platform: 'slack', displayName: 'Tz', timezone: 'Mars/Olympus_Mons' },
    });
    // Opened once, and told so: no apology after the ticket was already written.
    expect(r.error, r.text).toBeUndefined();
    expect(r.text).toMatch(/SLA: respond by \d\d:\d\d/);
    expect(await count()).toBe(before + 1);
  });

  it('offers the form when /ticket new comes with nothing', async () => {
    const r = await root('/ticket new');
    expect(r.form).toMatchObject({
      id: 'ticket.new',
      fields: expect.arrayContaining([expect.objectContaining({ name: 'title' })]),
    });
    expect(r.errorField).toBe('title');
  });
});

describe('ticket cards', () => {
  const actionsOf = (r: Reply) => r.actions?.map((a) => a.id);

  it('has a header, fields, context and the card marker', async () => {
    const r = ok(await ada('/ticket new "Card check" --service vpn --description "some detail"'));
    const id = r.card?.ticketId as string;
    expect(r).toMatchObject({
      visibility: 'channel',
      header: `${id} · Card check`,
      card: { tenant: 'console:local', ticketId: id },
    });
    expect(r.fields?.map((f) => [f.label, f.value])).toEqual([
      ['Priority', 'P3'],
      ['State', 'new'],
      ['Assignee', 'unassigned'],
      ['Service', 'vpn'],
      ['Type', 'incident'],
      ['SLA', expect.stringMatching(/^respond by .*, resolve by /)],
      ['Description', 'some detail'],
    ]);
    expect(r.context).toMatch(/^Requested by ada via console #general · opened /);
    for (const a of r.actions ?? []) expect(a.value).toBe(id);
  });

  it('offers the actions each state allows', async () => {
    const id = ok(await ada('/ticket new "Actions"')).card?.ticketId as string;
    const show = async () => ok(await root(`/ticket show ${id}`));
    expect(actionsOf(await show())).toEqual(['ticket.assign', 'ticket.start', 'ticket.resolve']);
    const refused = await root(`/ticket assign ${id} @bob`);
    expect(refused.error).toBe('TICKET.ASSIGNEE_NOT_AGENT');
    expect(refused.text).toContain('/role grant console:bob agent');
    expect(actionsOf(await show())).toEqual(['ticket.assign', 'ticket.start', 'ticket.resolve']);
    ok(await root('/role grant @bob agent'));
    ok(await root(`/ticket assign ${id} @bob`));
    expect(actionsOf(await show())).toEqual(['ticket.assign', 'ticket.start', 'ticket.resolve']);
    ok(await root(`/ticket start ${id}`));
    expect(actionsOf(await show())).toEqual(['ticket.assign', 'ticket.resolve']);
    ok(await root(`/ticket pending ${id}`));
    expect(actionsOf(await show())).toEqual(['ticket.assign', 'ticket.start', 'ticket.resolve']);
    const resolve = (await show()).actions?.find((a) => a.id === 'ticket.resolve');
    expect(resolve?.form).toMatchObject({
      id: 'ticket.resolve',
      hidden: { id },
      fields: [expect.objectContaining({ name: 'resolution', required: true })],
    });
    ok(await root(`/ticket resolve ${id} done`));
    const resolved = await show();
    expect(actionsOf(resolved)).toEqual(['ticket.close', 'ticket.reopen']);
    expect(resolved.fields?.find((f) => f.label === 'Resolution')?.value).toBe('done');
    ok(await root(`/ticket close ${id}`));
    expect(actionsOf(await show())).toEqual([]);
  });

  it('runs a card button as a typed invocation', async () => {
    const id = ok(await ada('/ticket new "Button"')).card?.ticketId as string;
    const r = await bot.core.handle({
      actor: { id: 'console:root', platform: 'console', displayName: 'root' },
      origin: { platform: 'console', workspace: 'local' },
      command: 'ticket',
      subcommand: 'assign',
      options: { id },
    });
    expect(r.text).toContain(`${id} is assigned to root.`);
  });
});

describe('core.check (form validation without running)', () => {
  it('names the bad field of a form submission and writes nothing', async () => {
    const before = await count();
    expect(bot.core.check(typed('new', { title: 'VPN', impact: 'extreme' }))).toMatchObject({
      error: 'USAGE.BAD_CHOICE',
      errorField: 'impact',
    });
    expect(bot.core.check(typed('resolve', { id: 'INC-1', resolution: '' }))).toMatchObject({
      errorField: 'resolution',
    });
    expect(bot.core.check(typed('show', { id: 'nope' }))).toMatchObject({
      error: 'USAGE.BAD_TICKET_ID',
      errorField: 'id',
    });
    expect(bot.core.check(typed('new', { title: 'x'.repeat(4001) }))).toMatchObject({ errorField: 'title' });
    expect(bot.core.check(typed('new', { title: 'VPN', impact: 'high' }))).toBeNull();
    expect(
      bot.core.check({ ...typed('new', undefined), subcommand: undefined, text: 'new VPN --urgency soon' }),
    ).toMatchObject({
      errorField: 'urgency',
    });
    expect(await count()).toBe(before);
  });
});

describe('/help', () => {
  it('gives an overview, and one command with its usage and examples', async () => {
    const all = ok(await ada('/help'));
    expect(all.header).toBe('Switchboard commands');
    // Every command, and the forms a bare command reads from its first word (/status export).
    expect(all.list?.length).toBe(allCommands.length + allCommands.flatMap((d) => d.forms ?? []).length);
    expect(all.text).toContain('/ticket new');

    const one = ok(await ada('/help ticket new'));
    expect(one.text).toContain('/ticket new <title…>');
    expect(one.text).toContain('Needs role: requester');
    expect(one.text).toContain('Examples:');

    expect((await ada('/help nothing')).error).toBe('HELP.UNKNOWN');
  });

  it('explains /status export, lists it in the overview, and offers no review kind that is always refused', async () => {
    const exp = ok(await root('/help status export'));
    expect(exp.text).toMatch(/^\/status export \[<period>\] \[--format csv\]\n.*CSV/);
    expect(exp.text).toContain('Needs role: agent');
    expect(exp.text).toContain('  /status export week');
    expect(ok(await root('/help status')).text).toContain('Also: /status export [<period>] [--format csv]');
    expect(ok(await ada('/help')).list).toContainEqual(
      expect.stringMatching(/^\/status export +The period's tickets as CSV/),
    );

    const add = ok(await ada('/help review add'));
    expect(add.text).toContain('[--kind reminder|change|digest|pir|stale|service-review]');
    expect(add.text).not.toContain('sla');
    // Asked for anyway, it is still told why not.
    expect((await root('/review add "SLA" every day at 09:00 --kind sla')).error).toBe('REVIEW.SLA_ALWAYS_ON');
  });

  it('lists the error codes from the catalogue with /help errors', async () => {
    const errors = ok(await ada('/help errors'));
    expect(errors.header).toBe('Help: errors');
    expect(errors.list).toContain('TICKET.NOT_FOUND: no such ticket (or not the person’s to see)');
    expect(errors.list?.length).toBe(Object.keys(ERROR_CODES).length);
  });

  it('says how long a line, and each value, may be', async () => {
    const all = ok(await ada('/help'));
    expect(all.text).toContain('A line holds at most 8,000 characters');
    expect(all.context).toContain('A line holds at most 8,000 characters');
    const one = ok(await ada('/help ticket new'));
    expect(one.text).toContain('<title> (required): ');
    expect(one.text).toMatch(/<title> \(required\): .* \(up to 200 characters\)\n/);
    expect(one.text).toMatch(/--description: .* \(up to 4,000 characters\)\n/);
    expect((await ada(`/ticket new ${'x'.repeat(8001)}`)).text).toContain(
      'That line is too long (at most 8,000 characters).',
    );
  });

  it('shows a change id for the commands that take a change', async () => {
    for (const sub of ['approve', 'reject']) {
      const r = ok(await ada(`/help ticket ${sub}`));
      expect(r.text).toContain(`/ticket ${sub} <CHG-1> [<reason…>]`);
      expect(r.text).toContain('<id> (required): Change id, like CHG-3');
      expect(r.text).not.toContain('INC-');
    }
    expect(ok(await ada('/help ticket show')).text).toContain('/ticket show <INC-1>');
  });

  it("says that a flag's value runs to the next flag, and a several-word --note is taken whole", async () => {
    expect(ok(await ada('/help')).text).toContain("A --flag's value runs to the next --flag");
    expect(ok(await ada('/help ticket remind')).text).toContain(
      "Options (a text option's value runs to the next --flag):",
    );
    expect(ok(await ada('/help ticket show')).text).toContain('\nOptions:\n');

    const r = ok(await root('/ticket remind INC-1 in 1 minute --note quiet test'));
    expect(r.text).toMatch(/^I will remind you about INC-1 /);
  });

  it('says how to put a quote inside a quoted value, and that way works', async () => {
    const all = ok(await ada('/help'));
    expect(all.text).toContain('inside the quotes, \\" is a quote');
    expect(all.context).toContain('inside the quotes, \\" is a quote');

    const r = ok(await ada('/ticket new "Quote \\"inside\\" test" --impact low'));
    const t = await storedTicket(bot.db.connection, 'console:local', r.card?.ticketId as string);
    expect(t?.title).toBe('Quote "inside" test');
    expect(t?.impact).toBe('low');
  });
});

describe('database unavailable', () => {
  it('answers "database unavailable, nothing was changed" and keeps answering', async () => {
    const { core, handle } = await anotherProcess(bot, { timeoutMs: 2_000 });
    const op = personAt(core, 'root');
    ok(await op('/ticket new "Before the outage"'));
    const before = await count();

    await handle.connection.close();
    const stranger = personAt(core, 'newcomer');
    for (const [as, line] of [
      [op, '/ticket new "During the outage"'],
      [op, '/ticket list'],
      [op, '/ticket show INC-1'],
      [stranger, '/help'],
    ] as const) {
      const r = await as(line);
      expect(r.visibility).toBe('ephemeral');
      expect(r.error, `${line}: ${r.text}`).toBe('SYSTEM.DB_UNAVAILABLE');
      expect(r.text).toMatch(/^Database unavailable, nothing was changed, try again\. \(ref [0-9a-f]{8}\)$/);
    }
    // Bad input is still answered: it needs no database.
    expect((await op('/ticket new X --priority P9')).error).toBe('USAGE.BAD_CHOICE');
    expect(await count()).toBe(before);

    // And when the database is back, so is the bot.
    await handle.connection.openUri(bot.db.uri, {
      dbName: bot.db.dbName,
      bufferCommands: false,
      serverSelectionTimeoutMS: 2_000,
    });
    ok(await op('/ticket new "After the outage"'));
    expect(await count()).toBe(before + 1);
    await handle.connection.close();
  });
});

describe('what was typed, shown back', () => {
  it.each([
    ['an unknown command', '/\u001b]0;pwned\u0007', 'There is no command /[U+001B]]0;pwned[U+0007].'],
    ['an unknown subcommand', '/ticket \u001b[2Jnew X', '/ticket has no "[U+001B][2jnew"'],
    ['an unknown flag', '/ticket new X --co\u001b[31mlour red', 'Unknown option --co[U+001B][31mlour.'],
    ['a bad choice', '/ticket new X --impact=\u009bhigh', '--impact contains U+009B, a control character'],
    ['a bad ticket id', '/ticket show \u202eINC-1', '<id> contains U+202E, a text-direction control'],
    ['words left over', '/ticket close INC-1 now\u0007', 'Unexpected "now[U+0007]".'],
  ])('%s is answered with the characters made visible, never raw', async (_what, line, says) => {
    const r = await root(line);
    expect(r.error).toMatch(/^USAGE\./);
    expect(r.text).toContain(says);
    expect(rawControlIn(JSON.stringify(r))).toBeNull();
  });

  it('a display name with a control character is shown neutralised in every reply', async () => {
    const r = await bot.core.handle({
      actor: { id: 'console:mallory', platform: 'console', displayName: 'Mal\u202elory\u001b[2J' },
      origin: { platform: 'console', workspace: 'local', channel: 'general' },
      command: 'ticket',
      text: 'new "Names are shown safely"',
    });
    expect(r.error, r.text).toBeUndefined();
    expect(r.context).toContain('Requested by Mal[U+202E]lory[U+001B][2J via console');
    expect(rawControlIn(JSON.stringify(r))).toBeNull();
  });
});

describe('times people read', () => {
  it('carry the year when it is not this year', async () => {
    const far = ok(await root('/ticket remind INC-1 in 5 years'));
    expect(far.text).toMatch(/ at 10 Mar 2031 \d\d:\d\d \(UTC\)/);
    const near = ok(await root('/ticket remind INC-1 in 2 days'));
    expect(near.text).toMatch(/ at 12 Mar \d\d:\d\d \(UTC\)/);
  });
});

describe("a team's escalation policy", () => {
  it('is shown with its --repeat, by /team show as by /oncall policy', async () => {
    ok(await root('/team create repeaters'));
    const set = ok(await root('/oncall policy repeaters "oncall; team after 5m" --repeat 2'));
    expect(set.text).toBe('repeaters pages: oncall; team after 5m (then 2 more times: --repeat 2).');
    const show = ok(await root('/team show repeaters'));
    expect(show.fields?.find((f) => f.label === 'Escalation')?.value).toBe(
      'oncall; team after 5m (then 2 more times: --repeat 2)',
    );
  });
});
