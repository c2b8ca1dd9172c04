// What a ticket change tells the platforms: public threads never carry a work note's text.
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { TicketChange } from '../../src/core/bot.ts';
import { personAt, startTestBot, type TestBot } from '../support/harness.ts';

let bot: TestBot;
beforeAll(async () => {
  bot = await startTestBot();
});
afterAll(async () => bot?.close());

it('announces a work note without its text, and a public comment with it', async () => {
  const heard: TicketChange[] = [];
  bot.core.onTicketChanged(async (c) => {
    heard.push(c);
  });
  const root = personAt(bot.core, 'root');
  await root('/ticket new "Disk full on db-3"');
  await root('/ticket comment INC-1 "customer password is hunter2" --internal');
  await root('/ticket comment INC-1 "cleaning up old logs"');
  await bot.core.settled();
  const summaries = heard.map((c) => c.summary);
  expect(summaries).toContain('root added a work note to INC-1');
  expect(summaries.join('\n')).not.toContain('hunter2');
  expect(summaries).toContain('root commented on INC-1: cleaning up old logs');
  const last = heard.at(-1);
  expect(JSON.stringify(last?.card)).not.toContain('hunter2');
});
