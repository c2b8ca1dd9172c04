// What `core.settled()` means in a test (test/support/harness.ts): the jobs a command leaves to the job engine right
// after its reply have run too, so a test reads what they did after it alone, however late the engine gets to them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reply } from '../../src/present/reply.ts';
import { jobKindsOf } from '../../src/scheduler/startJobs.ts';
import { CSAT_ASK_KIND } from '../../src/services/csat.ts';
import type { JobHandler, PlacedJobKind } from '../../src/services/jobKinds.ts';
import { personAt, startTestBot, type TestBot } from '../support/harness.ts';
import { recordingSender } from '../support/recordingSender.ts';

let bot: TestBot;
let sent: ReturnType<typeof recordingSender>;
const ok = (r: Reply): Reply => {
  expect(r.error, r.text).toBeUndefined();
  return r;
};
const asks = (ticketId: string) =>
  sent.calls.filter((c) => c.op === 'dm' && c.reply.header === `How did we do on ${ticketId}?`);

/**
 * The CSAT ask (a job the resolve files, due at once) held back until the test has read what the settle left, or
 * half a second at most: a settle that does not wait for the job returns before it sends anything, every time.
 */
function holdAsks(): { read(): void; held(): number } {
  const kind = jobKindsOf(Object.values(bot.services)).get(CSAT_ASK_KIND) as PlacedJobKind;
  let read = false;
  let held = 0;
  const run: JobHandler = async (job, at) => {
    held++;
    for (let waited = 0; !read && waited < 500; waited += 10) await new Promise((r) => setTimeout(r, 10));
    return kind.run(job, at);
  };
  bot.jobs.handle(CSAT_ASK_KIND, run, kind.runsHere, kind.late);
  return {
    read: () => {
      read = true;
    },
    held: () => held,
  };
}

beforeAll(async () => {
  bot = await startTestBot();
  sent = recordingSender('console');
  bot.core.registerSender(sent);
});
afterAll(async () => {
  await bot?.close();
});

describe('core.settled() in tests', () => {
  it('waits for the job a command files to run right after its reply, and what the job sends', async () => {
    const root = personAt(bot.core, 'root');
    const zed = personAt(bot.core, 'zed');
    ok(await zed('/role show'));
    const gate = holdAsks();
    const id = ok(await zed('/ticket new "Printer offline"')).card?.ticketId as string;
    ok(await root(`/ticket resolve ${id} "replaced the toner"`));
    await bot.core.settled();
    // Read at once: the job, held until now, could not have sent the ask unless the settle waited for it.
    const found = asks(id).length;
    gate.read();
    expect({ held: gate.held(), asked: found }).toEqual({ held: 1, asked: 1 });
  });
});
