// A follow-up action typed in a Slack channel: its owner's reminder DM arrives through the job engine, the outbox and
// Bolt on the due day, and no more once she marks it done from Slack.
// @module-tag time-of-day

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RecordedCall } from '../support/fakeSlack.ts';
import { askCore, readable, type SlackBot, startSlackBot } from '../support/fakeSlackBot.ts';

// Tuesday 10 March 2026, noon UTC; moved by the test only.
let clock = new Date('2026-03-10T12:00:00Z');
let s: SlackBot;

const settle = async () => {
  await s.bot.jobs.drained();
  await s.bot.core.settled();
  await s.bot.core.services.outbox.drained();
};
const dmsToAda = (): RecordedCall[] => {
  const dm = s.fake.dmChannelOf('UADA');
  return s.fake.callsTo('chat.postMessage').filter((c) => dm && c.body.channel === dm && c.status === 200);
};

/** `/ticket <text>` typed by `user` in #COPS; resolves with the text of the answer Slack shows them. */
async function ticket(text: string, user = 'UADMIN'): Promise<string> {
  const sent = await s.send.command('/ticket', text, { user, channel: 'COPS' });
  expect(sent.status).toBe(200);
  const answer = await s.fake.waitFor(
    (c) => c.find((x) => x.method === 'response_url' && x.responseId === sent.responseId),
    5000,
    `the answer to /ticket ${text}`,
  );
  return String(answer.body.text);
}

beforeAll(async () => {
  s = await startSlackBot({ now: () => clock });
  s.fake.addUser({ id: 'UADMIN', name: 'root', display_name: 'Grace' });
  s.fake.addUser({ id: 'UADA', name: 'ada', display_name: 'Ada' });
  // Ada uses Switchboard from Slack once, so it knows her.
  const seen = await s.send.command('/role', 'show', { user: 'UADA', channel: 'COPS' });
  await s.fake.waitFor((c) => c.find((x) => x.method === 'response_url' && x.responseId === seen.responseId));
});
afterAll(async () => {
  await s?.close();
});

describe('a follow-up action on Slack', () => {
  it('DMs its owner on the due day, and stops once she marks it done', async () => {
    // The incident itself (its card goes to the channel, not an answer): opened at the core, as Grace.
    expect((await askCore(s.bot.core, 'ticket new "VPN down" --priority P2', 'UADMIN')).card?.ticketId).toBe('INC-1');
    const recorded = await ticket('action INC-1 "Alert on VPN errors" --owner <@UADA|ada> --due 2026-03-11T08:00:00Z');
    expect(recorded).toContain('Recorded ACT-1 on INC-1: Alert on VPN errors. Owner Ada');

    clock = new Date('2026-03-11T07:59:00Z');
    await settle();
    expect(dmsToAda()).toEqual([]);

    clock = new Date('2026-03-11T08:00:00Z');
    await settle();
    expect(dmsToAda().map((c) => readable(c.body))).toEqual([
      expect.stringContaining('Action ACT-1 on INC-1 (VPN down) is due today'),
    ]);
    expect(readable(dmsToAda()[0]?.body ?? {})).toContain('/ticket action done ACT-1');

    expect(await ticket('action done ACT-1 https://git.example.com/infra/pull/7', 'UADA')).toContain(
      'ACT-1 on INC-1 (Alert on VPN errors) is done',
    );
    clock = new Date('2026-03-12T08:00:00Z');
    await settle();
    expect(dmsToAda()).toHaveLength(1);
  });
});
