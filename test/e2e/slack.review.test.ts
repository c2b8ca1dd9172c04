// A per-minute review typed in a Slack channel posts there each minute, through the job engine, the outbox and Bolt.
// @module-tag time-of-day

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedCall } from '../support/fakeSlack.ts';
import { readable, type SlackBot, startSlackBot } from '../support/fakeSlackBot.ts';

// Fixed and moved by the test only: the engine sees a minute pass when the test says so.
let clock = new Date('2026-03-10T12:00:20Z');
const later = (ms: number) => {
  clock = new Date(clock.getTime() + ms);
};
let s: SlackBot;

/** Every job due by now has run, and what it handed the outbox has reached Slack. */
const settle = async () => {
  await s.bot.jobs.drained();
  await s.bot.core.settled();
  await s.bot.core.services.outbox.drained();
};
const postsIn = (channel: string): RecordedCall[] =>
  s.fake.callsTo('chat.postMessage').filter((c) => c.body.channel === channel && c.status === 200);

/** `/review <text>` typed by the admin in #COPS; resolves with the text of the answer Slack shows them. */
async function review(text: string): Promise<string> {
  const sent = await s.send.command('/review', text, { user: 'UADMIN', channel: 'COPS' });
  expect(sent.status).toBe(200);
  const answer = await s.fake.waitFor(
    (c) => c.find((x) => x.method === 'response_url' && x.responseId === sent.responseId),
    5000,
    `the answer to /review ${text}`,
  );
  return String(answer.body.text);
}

beforeAll(async () => {
  s = await startSlackBot({ now: () => clock });
  s.fake.addUser({ id: 'UADMIN', name: 'root', display_name: 'Grace', tz: 'Europe/Berlin' });
});
afterAll(async () => {
  await s?.close();
});

describe('a per-minute review on Slack', () => {
  it('typed in #COPS, posts "Ping: ping" there once each minute, and no more once removed', async () => {
    // In the asker's Slack timezone: 12:01 UTC is 13:01 in Berlin.
    expect(await review('add "Ping" * * * * * --text ping')).toBe(
      'RV-1 · Ping is scheduled (reminder, in slack:COPS).\nNext runs (Europe/Berlin): 13:01, 13:02, 13:03',
    );
    await settle();
    expect(postsIn('COPS')).toEqual([]);

    later(40_000); // 12:01:00, the first run
    await settle();
    expect(postsIn('COPS').map((c) => readable(c.body))).toEqual([expect.stringContaining('Ping: ping')]);
    expect(postsIn('COPS')[0]?.body.thread_ts).toBeUndefined();

    later(30_000); // 12:01:30: nothing new within the minute
    await settle();
    expect(postsIn('COPS')).toHaveLength(1);

    later(30_000); // 12:02:00
    await settle();
    later(60_000); // 12:03:00
    await settle();
    expect(postsIn('COPS').map((c) => readable(c.body))).toEqual(Array(3).fill(expect.stringContaining('Ping: ping')));

    const shown = await review('show RV-1');
    expect(shown.split('\n').filter((l) => l.endsWith(': delivered'))).toHaveLength(3);
    expect(await review('remove RV-1')).toBe('RV-1 · Ping is removed.');
    later(60_000); // 12:04:00
    await settle();
    expect(postsIn('COPS')).toHaveLength(3);
  });
});
