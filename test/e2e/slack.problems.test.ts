// A known error on Slack, through Bolt and the fake Web API: a problem marked a known error, then a person opens an
// incident on its service with /ticket, and the workaround appears once in the new card's thread.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askCore, readable, type SlackBot, startSlackBot, waitForCard } from '../support/fakeSlackBot.ts';

const CHANNEL = 'CSSO';

describe('Slack: a known error told in a new incident’s thread', () => {
  let s: SlackBot;
  beforeAll(async () => {
    s = await startSlackBot();
    s.fake.addUser({ id: 'UADMIN', name: 'root', display_name: 'Grace' });
    s.fake.addUser({ id: 'UADA', name: 'ada', display_name: 'Ada' });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('posts the workaround once in the thread of the incident’s card', async () => {
    const problem = await askCore(s.bot.core, '/ticket new "SSO token cache corrupt" --type problem --service sso');
    expect(problem.error, problem.text).toBeUndefined();
    const prb = problem.card?.ticketId as string;
    const marked = await askCore(s.bot.core, `/ticket known-error ${prb} "Clear the SSO cookie, then sign in again"`);
    expect(marked.error, marked.text).toBeUndefined();

    const since = s.fake.calls.length;
    await s.send.command('/ticket', 'new "SSO fails for finance" --service sso', { user: 'UADA', channel: CHANNEL });
    const card = await waitForCard(s, CHANNEL, since);
    const cardTs = card.response?.ts as string;
    const incident = /\b(INC-\d+)\b/.exec(readable(card.body))?.[1];
    const inThread = () =>
      s.fake
        .callsTo('chat.postMessage')
        .filter(
          (c) => c.body.channel === CHANNEL && c.body.thread_ts === cardTs && readable(c.body).includes('Known error'),
        );
    await s.fake.waitFor(() => inThread()[0], 5000, 'the workaround in the card’s thread');
    await s.bot.core.settled();
    const told = inThread();
    expect(told).toHaveLength(1);
    expect(readable(told[0]?.body ?? {})).toContain(
      `${prb} (SSO token cache corrupt): Clear the SSO cookie, then sign in again`,
    );
    expect(readable(told[0]?.body ?? {})).toContain(`/ticket link ${incident} ${prb}`);
  });
});
