// Who may do what holds in the services themselves: a scheduled job or a webhook calling them obeys the same rules as a command.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Acting } from '../../src/services/acting.ts';
import { personAt, startTestBot, type TestBot } from '../support/harness.ts';
import { ticketCount } from '../support/storedTickets.ts';

let bot: TestBot;
const acting = async (who: string): Promise<Acting> => {
  const at = bot.now();
  const known = await bot.core.services.people.recognise(
    'console:local',
    { identity: `console:${who}`, displayName: who },
    at,
  );
  return {
    tenant: 'console:local',
    person: known.person,
    role: known.role,
    source: { platform: 'console', workspace: 'local' },
    now: at,
    timezone: 'UTC',
  };
};

beforeAll(async () => {
  bot = await startTestBot();
  const root = personAt(bot.core, 'root');
  // A role goes only to someone Switchboard has seen.
  await personAt(bot.core, 'bob')('/role show');
  expect((await root('/role grant @bob agent')).error).toBeUndefined();
  await personAt(bot.core, 'cat')('/ticket new "cat has a problem"');
});
afterAll(async () => {
  await bot?.close();
});

describe('rules in the ticket service', () => {
  it('refuses --priority outright from a requester, and writes nothing', async () => {
    const ada = await acting('ada');
    await expect(
      bot.core.services.tickets.openTicket(ada, { title: 'mine first', priority: 'P1' }),
    ).rejects.toMatchObject({
      code: 'PERMISSION.DENIED',
      field: 'priority',
    });
    expect(await ticketCount(bot.db.connection, { title: 'mine first' })).toBe(0);
    const bob = await acting('bob');
    const t = await bot.core.services.tickets.openTicket(bob, { title: 'triaged', priority: 'P1' });
    expect(t.priority).toBe('P1');
  });

  it('assigns only to agents (or to oneself)', async () => {
    const bob = await acting('bob');
    const t = await bot.core.services.tickets.openTicket(bob, { title: 'who works it' });
    await expect(bot.core.services.tickets.assignTicket(bob, t.ticketId, 'console:ada')).rejects.toMatchObject({
      code: 'TICKET.ASSIGNEE_NOT_AGENT',
    });
    const mine = await bot.core.services.tickets.assignTicket(bob, t.ticketId, 'console:bob');
    expect(mine.assignee?.name).toBe('bob');
  });

  it("offers a requester only their own tickets in autocomplete, an agent everyone's", async () => {
    const ada = await acting('ada');
    await bot.core.services.tickets.openTicket(ada, { title: 'ada printer' });
    const forAda = await bot.core.services.tickets.suggestTickets(ada, '');
    expect(forAda.map((s) => s.title)).toEqual(['ada printer']);
    const forBob = await bot.core.services.tickets.suggestTickets(await acting('bob'), 'problem');
    expect(forBob.map((s) => s.title)).toEqual(['cat has a problem']);
  });
});
