// Interactivity the bot does not expect (old buttons, unknown modals and shortcuts, garbage state) is acked and answered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askCore, readable, type SlackBot, startSlackBot } from '../support/fakeSlackBot.ts';
import { payloads } from '../support/fakeSlackSender.ts';
import { rawControlIn } from '../support/rawText.ts';

describe('Slack interactivity the bot does not know', () => {
  let s: SlackBot;
  beforeAll(async () => {
    s = await startSlackBot();
  });
  afterAll(async () => {
    await s.close();
  });

  const user = { id: 'UADA', username: 'ada', name: 'ada', team_id: 'T1' };
  const team = { id: 'T1', domain: 'fake' };

  it('a button with an action id it does not know is acked, and the presser is told', async () => {
    const responseUrl = s.fake.responseUrl('oldbutton');
    const res = await s.send.interaction(
      payloads.button({ messageTs: '1700000000.000100', actionId: 'escalate_v1', value: 'INC-1', responseUrl }),
    );
    expect(res.status).toBe(200);
    const answer = await s.fake.waitFor((c) => c.find((x) => x.responseId === 'oldbutton'), 5000, 'the answer');
    expect(answer.body.response_type).toBe('ephemeral');
    expect(readable(answer.body)).toMatch(/button/i);
  });

  it('a modal submission with a callback id it does not know is acked (the modal closes)', async () => {
    const res = await s.send.interaction({
      type: 'view_submission',
      team,
      user,
      view: { id: 'VOLD', type: 'modal', callback_id: 'legacy_form', blocks: [], state: { values: {} } },
    });
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
  });

  it('a closed modal (view_closed) is acked', async () => {
    const res = await s.send.interaction({
      type: 'view_closed',
      team,
      user,
      is_cleared: false,
      view: { id: 'VCLOSED', type: 'modal', callback_id: 'ticket.new', blocks: [], state: { values: {} } },
    });
    expect(res.status).toBe(200);
  });

  it('a shortcut it does not define is acked', async () => {
    const res = await s.send.interaction({
      type: 'shortcut',
      callback_id: 'old_global_shortcut',
      trigger_id: 'trigger.old',
      action_ts: '1700000000.000200',
      team,
      user,
    });
    expect(res.status).toBe(200);
  });

  it('a ticket.new submission whose state is missing or garbage shows the error on the title field', async () => {
    await s.send.command('/ticket', 'new', { user: 'UADA', channel: 'CINPUT' });
    const opened = await s.fake.waitFor((c) => c.find((x) => x.method === 'views.open'), 5000, 'the modal');
    const view = opened.body.view;
    for (const state of [
      undefined,
      { values: 'garbage' },
      { values: { title: null } },
      { values: { title: { title: 7 } } },
    ]) {
      const payload = payloads.viewSubmission({ user: 'UADA', view, values: {} });
      const garbled = { ...payload, view: { ...payload.view, state } };
      const res = await s.send.interaction(garbled);
      expect(res.status).toBe(200);
      expect(res.json()).toEqual({ response_action: 'errors', errors: { title: expect.any(String) } });
    }
    await s.bot.core.settled();
    expect((await askCore(s.bot.core, 'ticket list --state all')).text).toMatch(/^No /);
  });

  it('a slash command echoing what was typed shows control characters made visible, never raw', async () => {
    const sent = await s.send.command('/ticket', 'show \u001b]0;pwned\u0007', { user: 'UADA', channel: 'CINPUT' });
    const answer = await s.fake.waitFor((c) => c.find((x) => x.responseId === sent.responseId), 5000, 'the answer');
    expect(answer.body.response_type).toBe('ephemeral');
    expect(readable(answer.body)).toContain('<id> contains U+001B, a control character; type plain text.');
    expect(rawControlIn(JSON.stringify(answer.body))).toBeNull();
  });

  it('/role grant <!everyone> is refused: a broadcast is not a person, and no role is written', async () => {
    for (const who of ['<!everyone>', '<!here>', '<!channel>', '<!subteam^S0OPS|@ops>']) {
      const sent = await s.send.command('/role', `grant ${who} admin`, { user: 'UADMIN', channel: 'CINPUT' });
      const answer = await s.fake.waitFor((c) => c.find((x) => x.responseId === sent.responseId), 5000, who);
      expect(readable(answer.body), who).toMatch(/<user> must be one person; (@\w+|a group) is not a person/);
    }
    expect(await s.bot.db.connection.collection('roles').countDocuments()).toBe(0);
  });

  it('a person mentioned in a slash command is someone Slack knows: the role is granted', async () => {
    s.fake.addUser({ id: 'UNEWBIE', name: 'newbie', display_name: 'Newbie' });
    const sent = await s.send.command('/role', 'grant <@UNEWBIE|newbie> agent', { user: 'UADMIN', channel: 'CINPUT' });
    const answer = await s.fake.waitFor((c) => c.find((x) => x.responseId === sent.responseId), 5000, 'the grant');
    expect(readable(answer.body)).toContain('Newbie is now an agent.');
  });

  it('a modal title with a right-to-left override is refused on the title field, naming U+202E', async () => {
    await s.send.command('/ticket', 'new', { user: 'UADA', channel: 'CINPUT' });
    const opened = await s.fake.waitFor(
      (c) => [...c].reverse().find((x) => x.method === 'views.open'),
      5000,
      'the modal',
    );
    const res = await s.send.interaction(
      payloads.viewSubmission({ user: 'UADA', view: opened.body.view, values: { title: 'Invoice \u202efdp.exe' } }),
    );
    expect(res.json()).toEqual({
      response_action: 'errors',
      errors: { title: '<title> contains U+202E, a text-direction control; type plain text.' },
    });
  });
});
