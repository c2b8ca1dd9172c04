// A per-minute review typed in a Discord server channel posts there each minute, through the job engine, the outbox
// and discord.js.
// @module-tag time-of-day

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DiscordTestBot, startDiscordTestBot, textOf } from '../support/fakeDiscordBot.ts';

// Fixed and moved by the test only: the engine sees a minute pass when the test says so.
let clock = new Date('2026-03-10T12:00:20Z');
const later = (ms: number) => {
  clock = new Date(clock.getTime() + ms);
};
let t: DiscordTestBot;

/** Every job due by now has run, and what it handed the outbox has reached Discord. */
const settle = async () => {
  await t.bot.jobs.drained();
  await t.bot.core.settled();
  await t.bot.core.services.outbox.drained();
};
/** What the bot posted in the channel itself (not interaction answers). */
const postsIn = (channelId: string) =>
  t.fake.sent('POST', `/channels/${channelId}/messages`).filter((r) => r.status === 200);

/** `/review <sub>` by the admin in the fake's channel; resolves with the text of the answer. */
async function review(sub: string, options: Record<string, string>): Promise<string> {
  return textOf((await t.answer(t.slash(t.admin, 'review', sub, options))).message);
}

beforeAll(async () => {
  t = await startDiscordTestBot({ now: () => clock });
});
afterAll(async () => {
  await t?.close();
});

describe('a per-minute review on Discord', () => {
  it('typed in a server channel, posts "Ping: ping" there once each minute, and no more once removed', async () => {
    const channel = t.channel.id;
    // Discord shows the header and the next runs (Discord gives no timezone: the organisation's, UTC).
    expect(await review('add', { name: 'Ping', when: '* * * * *', text: 'ping' })).toBe(
      'RV-1 · Ping\n12:01\n12:02\n12:03',
    );
    expect((await review('list', {})).split('\n')).toContain(`RV-1 · Ping · reminder · discord:${channel}`);
    await settle();
    expect(postsIn(channel)).toEqual([]);

    later(40_000); // 12:01:00, the first run
    await settle();
    expect(postsIn(channel)).toHaveLength(1);

    later(30_000); // 12:01:30: nothing new within the minute
    await settle();
    expect(postsIn(channel)).toHaveLength(1);

    later(30_000); // 12:02:00
    await settle();
    later(60_000); // 12:03:00
    await settle();
    const posted = t.fake.channelMessages(channel).filter((m) => textOf(m).includes('Ping: ping'));
    expect(posted).toHaveLength(3);
    expect(postsIn(channel)).toHaveLength(3);

    const shown = await review('show', { id: 'RV-1' });
    expect(shown.split('\n').filter((l) => l.endsWith(': delivered'))).toHaveLength(3);
    expect(await review('remove', { id: 'RV-1' })).toContain('RV-1 · Ping is removed.');
    later(60_000); // 12:04:00
    await settle();
    expect(postsIn(channel)).toHaveLength(3);
  });
});
