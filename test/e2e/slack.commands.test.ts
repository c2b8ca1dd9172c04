// Slash commands and mentions through the real Bolt app, the real core and database, against the fake Slack.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  askCore,
  fieldOf,
  headerOf,
  readable,
  type SlackBot,
  startSlackBot,
  ticketIdOf,
  waitForCard,
} from '../support/fakeSlackBot.ts';
import { holdCore } from '../support/harness.ts';

describe('Slack slash commands', () => {
  let s: SlackBot;
  beforeEach(async () => {
    s = await startSlackBot();
  });
  afterEach(async () => {
    await s.close();
  });

  it('/ticket new posts a card in the channel, records it, and the ticket is in the database', async () => {
    s.fake.addUser({
      id: 'UADA',
      name: 'ada',
      display_name: 'Ada Lovelace',
      tz: 'Europe/London',
      email: 'ada@example.com',
    });
    const res = await s.send.command('/ticket', 'new "Printer on fire" --impact high --urgency high --service print', {
      user: 'UADA',
      channel: 'COPS',
    });
    expect(res.status).toBe(200);

    const card = await waitForCard(s, 'COPS');
    expect(ticketIdOf(card)).toBe('INC-1');
    expect(headerOf(card.body)).toBe('INC-1 · Printer on fire');
    const text = readable(card.body);
    expect(text).toContain('*Priority*\nP1');
    expect(text).toContain('*State*\nnew');
    expect(text).toContain('*Service*\nprint');
    expect(text).toContain('Requested by Ada Lovelace');
    expect(
      Object.keys(
        Object.fromEntries(card.body.blocks.at(-1).elements.map((e: { action_id: string }) => [e.action_id, 1])),
      ),
      // A P1 card also offers to declare it a major incident.
    ).toEqual(['ticket.assign', 'ticket.start', 'ticket.resolve', 'incident.declare']);

    // Recorded where it was posted, so it can be updated in place.
    const cards = await s.bot.core.cardsFor('slack:T1', 'INC-1');
    expect(cards).toEqual([
      expect.objectContaining({
        platform: 'slack',
        channel: 'COPS',
        messageId: card.response?.ts,
        thread: card.response?.ts,
      }),
    ]);
    const shown = await askCore(s.bot.core, 'ticket show INC-1');
    expect(fieldOf(shown, 'Priority')).toBe('P1');
    expect(fieldOf(shown, 'Service')).toBe('print');
    expect(shown.context).toContain('Requested by Ada Lovelace');
    // Nothing ephemeral was needed: the card is the answer.
    expect(s.fake.callsTo('response_url')).toHaveLength(0);
  });

  it('joins a public channel where it posted a card (once), so replies in the card thread reach it', async () => {
    await s.send.command('/ticket', 'new One', { channel: 'CPUBLIC' });
    await waitForCard(s, 'CPUBLIC');
    const before = s.fake.calls.length;
    await s.send.command('/ticket', 'new Two', { channel: 'CPUBLIC' });
    await waitForCard(s, 'CPUBLIC', before);
    await s.send.command('/ticket', 'new Three', { channel: 'GPRIVATE' });
    await waitForCard(s, 'GPRIVATE');
    expect(s.fake.callsTo('conversations.join').map((c) => c.body.channel)).toEqual(['CPUBLIC']);
  });

  it('bad input is answered only to the asker, and nothing is created', async () => {
    await s.send.command('/ticket', 'new Printer --impact enormous', { channel: 'COPS' });
    const answer = await s.fake.waitFor(
      (c) => c.find((x) => x.method === 'response_url'),
      5000,
      'the ephemeral answer',
    );
    expect(answer.body.response_type).toBe('ephemeral');
    expect(readable(answer.body)).toMatch(/impact/);
    expect(s.fake.callsTo('chat.postMessage')).toHaveLength(0);
    const list = await askCore(s.bot.core, 'ticket list --state all');
    expect(list.text).toMatch(/^No /);
  });

  it('a permission refusal is ephemeral too', async () => {
    await s.send.command('/ticket', 'new Laptop broken', { user: 'UADA', channel: 'COPS' });
    await waitForCard(s, 'COPS');
    await s.send.command('/ticket', 'close INC-1', { user: 'UBOB', channel: 'COPS' });
    const answer = await s.fake.waitFor((c) => c.find((x) => x.method === 'response_url'), 5000, 'the refusal');
    expect(answer.body.response_type).toBe('ephemeral');
    expect(readable(answer.body)).toContain('needs the agent role');
    expect(s.fake.callsTo('chat.update')).toHaveLength(0);
  });

  it('/ticket help answers like /help ticket', async () => {
    const a = await s.send.command('/ticket', 'help', { channel: 'COPS' });
    const b = await s.send.command('/help', 'ticket', { channel: 'COPS' });
    const [ra, rb] = await s.fake.waitFor((c) => {
      const x = c.find((y) => y.responseId === a.responseId);
      const y = c.find((z) => z.responseId === b.responseId);
      return x && y ? [x, y] : undefined;
    });
    expect(readable(ra.body)).toContain('/ticket new');
    expect(ra.body.blocks).toEqual(rb.body.blocks);
    expect(ra.body.response_type).toBe('ephemeral');
  });

  it('/help ticket new shows the usage, options and examples', async () => {
    const sent = await s.send.command('/help', 'ticket new', { channel: 'COPS' });
    const answer = await s.fake.waitFor((c) => c.find((x) => x.responseId === sent.responseId));
    const text = readable(answer.body);
    expect(text).toContain('Help: /ticket new');
    expect(text).toContain('Examples:');
    expect(text).toContain('--impact');
  });

  it('every command family of the core is answered, none hand-written', async () => {
    const families = [...new Set(s.bot.core.definitions().map((d) => d.command))];
    expect(families).toEqual(expect.arrayContaining(['ticket', 'help', 'role', 'link']));
    for (const family of families) {
      const sent = await s.send.command(`/${family}`, family === 'help' ? '' : 'help', { channel: 'CHELP' });
      const answer = await s.fake.waitFor((c) => c.find((x) => x.responseId === sent.responseId), 5000, `/${family}`);
      expect(readable(answer.body)).toContain(`/${family}`);
    }
  });

  it('a user picked by mention is passed on as their Slack identity', async () => {
    s.fake.addUser({ id: 'UCARL', name: 'carl', display_name: 'Carl' });
    await s.send.command('/role', 'grant <@UCARL|carl> agent', { user: 'UADMIN', channel: 'COPS' });
    await s.fake.waitFor((c) => c.find((x) => x.method === 'response_url'));
    await s.send.command('/ticket', 'new VPN down', { user: 'UCARL', channel: 'COPS' });
    await waitForCard(s, 'COPS');
    await s.send.command('/ticket', 'assign INC-1 <@UCARL|carl>', { user: 'UADMIN', channel: 'COPS' });
    await s.fake.waitFor((c) => c.find((x) => x.method === 'chat.update'), 5000, 'the card update');
    const shown = await askCore(s.bot.core, 'ticket show INC-1');
    expect(fieldOf(shown, 'Assignee')).toBe('Carl');
    expect(shown.text).toContain('assigned');
  });

  it('the Slack profile is looked up once and cached', async () => {
    s.fake.addUser({ id: 'UADA', name: 'ada', display_name: 'Ada' });
    await s.send.command('/ticket', 'new One', { user: 'UADA', channel: 'COPS' });
    await waitForCard(s, 'COPS');
    const before = s.fake.calls.length;
    await s.send.command('/ticket', 'new Two', { user: 'UADA', channel: 'COPS' });
    await waitForCard(s, 'COPS', before);
    expect(s.fake.callsTo('users.info')).toHaveLength(1);
  });

  it('in a channel the bot cannot post to, the card still reaches people through response_url', async () => {
    s.fake.failNext('chat.postMessage', 'not_in_channel');
    const sent = await s.send.command('/ticket', 'new Private trouble', { channel: 'GPRIVATE' });
    const answer = await s.fake.waitFor((c) => c.find((x) => x.responseId === sent.responseId));
    expect(answer.body.response_type).toBe('in_channel');
    expect(headerOf(answer.body)).toBe('INC-1 · Private trouble');
  });

  it('text arrives the way Slack escapes it (&amp; &lt; &gt;, <links>) and is stored as the person typed it', async () => {
    // Typed: /ticket new Printer & scanner <floor 3> down, see wiki.example.com
    await s.send.command(
      '/ticket',
      'new Printer &amp; scanner &lt;floor 3&gt; down, see <http://wiki.example.com|wiki.example.com>',
      {
        channel: 'CESC',
      },
    );
    const card = await waitForCard(s, 'CESC');
    expect(headerOf(card.body)).toBe('INC-1 · Printer & scanner <floor 3> down, see wiki.example.com');
    const shown = await askCore(s.bot.core, 'ticket show INC-1');
    expect(shown.header).toBe('INC-1 · Printer & scanner <floor 3> down, see wiki.example.com');
  });

  it('an unknown slash command is answered, not dropped', async () => {
    const sent = await s.send.command('/frobnicate', 'now', { channel: 'COPS' });
    const answer = await s.fake.waitFor((c) => c.find((x) => x.responseId === sent.responseId));
    expect(readable(answer.body)).toContain('/help');
  });
});

describe('Slack mentions', () => {
  let s: SlackBot;
  beforeEach(async () => {
    s = await startSlackBot();
  });
  afterEach(async () => {
    await s.close();
  });

  it('@switchboard ticket new … opens a ticket like the slash command', async () => {
    const msgTs = '1700000500.000100';
    await s.send.event({
      type: 'app_mention',
      user: 'UADA',
      text: '<@UBOT> ticket new printer on fire',
      ts: msgTs,
      channel: 'CMENTION',
      event_ts: msgTs,
    });
    const card = await waitForCard(s, 'CMENTION');
    expect(headerOf(card.body)).toBe('INC-1 · printer on fire');
    const shown = await askCore(s.bot.core, 'ticket show INC-1');
    expect(shown.context).toContain(`https://fake.slack.test/archives/CMENTION/p${msgTs.replace('.', '')}`);
  });

  it('a mention’s text is unescaped like a slash command’s', async () => {
    await s.send.event({
      type: 'app_mention',
      user: 'UADA',
      text: '<@UBOT> ticket new R&amp;D printer &gt; jammed',
      ts: '1700000503.000100',
      channel: 'CMENTION',
    });
    const card = await waitForCard(s, 'CMENTION');
    expect(headerOf(card.body)).toBe('INC-1 · R&D printer > jammed');
  });

  it('a mention that would need a form (no trigger to open it) answers with the usage, only to the asker', async () => {
    await s.send.event({
      type: 'app_mention',
      user: 'UADA',
      text: '<@UBOT> ticket new',
      ts: '1700000502.000100',
      channel: 'CMENTION',
    });
    const answer = await s.fake.waitFor((c) => c.find((x) => x.method === 'chat.postEphemeral'), 5000, 'the usage');
    expect(readable(answer.body)).toContain('/ticket new');
    expect(s.fake.callsTo('views.open')).toHaveLength(0);
  });

  it('a direct message to the bot is a command line too, answered in the DM', async () => {
    await s.send.event({
      type: 'message',
      channel_type: 'im',
      user: 'UADA',
      text: 'ticket new laptop will not boot',
      ts: '1700000504.000100',
      channel: 'DADA',
    });
    const card = await waitForCard(s, 'DADA');
    expect(headerOf(card.body)).toBe('INC-1 · laptop will not boot');
    await s.send.event({
      type: 'message',
      channel_type: 'im',
      user: 'UADA',
      text: 'ticket list --mine',
      ts: '1700000505.000100',
      channel: 'DADA',
    });
    const answer = await s.fake.waitFor(
      (c) => c.find((x) => x.method === 'chat.postEphemeral' && x.body.channel === 'DADA'),
      5000,
      'the list in the DM',
    );
    expect(answer.body.user).toBe('UADA');
  });

  it('a mention without a known command gets help, visible only to the asker', async () => {
    await s.send.event({
      type: 'app_mention',
      user: 'UADA',
      text: '<@UBOT> hello?',
      ts: '1700000501.000100',
      channel: 'CMENTION',
    });
    const answer = await s.fake.waitFor((c) => c.find((x) => x.method === 'chat.postEphemeral'), 5000, 'help');
    expect(answer.body.user).toBe('UADA');
    expect(readable(answer.body)).toContain('/ticket');
  });
});

describe('Slack acks before the work', () => {
  it('acks a slash command while the core is still busy (a slow database cannot make Slack time out)', async () => {
    const { wrap: held, release } = holdCore();
    const s = await startSlackBot({ wrapCore: held });
    try {
      const res = await s.send.command('/ticket', 'new Slow database day', { channel: 'CSLOW' });
      // The HTTP answer is already back although the core has not run yet.
      expect(res.status).toBe(200);
      expect(s.fake.callsTo('chat.postMessage')).toHaveLength(0);
      release();
      const card = await waitForCard(s, 'CSLOW');
      expect(ticketIdOf(card)).toBe('INC-1');
    } finally {
      release();
      await s.close();
    }
  });
});

describe('Slack identity check (auth.test) never holds requests', () => {
  it('a slow auth.test does not hold the ack, and the command still runs', async () => {
    let release: () => void = () => {};
    const s = await startSlackBot({
      beforeStart: (fake) => {
        release = fake.hold('auth.test');
      },
    });
    try {
      const res = await s.send.command('/ticket', 'new Slack is slow today', { channel: 'CSLOWAPI' });
      expect(res.status).toBe(200);
      // The ack came back while auth.test was still unanswered.
      expect(s.fake.callsTo('auth.test')).toHaveLength(0);
      const card = await waitForCard(s, 'CSLOWAPI');
      expect(ticketIdOf(card)).toBe('INC-1');
    } finally {
      release();
      await s.close();
    }
  });

  it('a failed auth.test at start is asked again, not remembered as a failure', async () => {
    const s = await startSlackBot({ beforeStart: (fake) => fake.failNext('auth.test', 'service_unavailable') });
    try {
      await s.fake.waitFor((c) => c.find((x) => x.method === 'auth.test'));
      await s.send.command('/ticket', 'new After the outage', { channel: 'CAUTH' });
      await waitForCard(s, 'CAUTH');
      expect(s.fake.callsTo('auth.test').length).toBeGreaterThanOrEqual(2);
    } finally {
      await s.close();
    }
  });
});

describe('Slack with more work waiting than it keeps', () => {
  it('answers “busy” at once instead of queueing without bound (a stalled database)', async () => {
    const { wrap: held, release } = holdCore();
    const s = await startSlackBot({ wrapCore: held, adapter: { concurrency: 1, maxWaiting: 1 } });
    try {
      await s.send.command('/ticket', 'new Running', { channel: 'CBUSY' });
      await s.send.command('/ticket', 'new Waiting', { channel: 'CBUSY' });
      const third = await s.send.command('/ticket', 'new One too many', { channel: 'CBUSY' });
      expect(third.status).toBe(200);
      const answer = await s.fake.waitFor((c) => c.find((x) => x.responseId === third.responseId), 5000, 'busy');
      expect(answer.body.response_type).toBe('ephemeral');
      expect(readable(answer.body)).toMatch(/busy.*not done.*try again/is);
      release();
      await waitForCard(s, 'CBUSY');
      await s.fake.waitFor(
        (c) => c.filter((x) => x.method === 'chat.postMessage' && x.body.channel === 'CBUSY').length === 2 || undefined,
        5000,
        'both queued tickets’ cards',
      );
      await s.bot.core.settled();
      const titles = (await askCore(s.bot.core, 'ticket list --state all')).list?.join('\n') ?? '';
      expect(titles).toContain('Running');
      expect(titles).toContain('Waiting');
      expect(titles).not.toContain('One too many');
    } finally {
      release();
      await s.close();
    }
  });
});
