// On Slack a slash command has no option completion, so the service is picked where Slack can offer a list: the
// /ticket new form's Service is a type-ahead select (external_select) whose options Bolt's app.options() answers
// from the service catalog kept in process (block_suggestion), through the real Bolt app and the fake Slack.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askCore, readable, type SlackBot, startSlackBot, waitForCard } from '../support/fakeSlackBot.ts';
import { payloads } from '../support/fakeSlackSender.ts';

let s: SlackBot;
/** The /ticket new form as Slack was asked to open it. */
let view: any;

async function suggest(value: string, actionId = 'service', form = view) {
  const res = await s.send.interaction(payloads.blockSuggestion({ view: form, actionId, value }));
  expect(res.status).toBe(200);
  return res.json().options as Array<{ text: { type: string; text: string }; value: string }>;
}
const values = (options: Array<{ value: string }>) => options.map((o) => o.value);

async function ok(line: string) {
  const r = await askCore(s.bot.core, line);
  expect(r.error, r.text).toBeUndefined();
}

beforeAll(async () => {
  s = await startSlackBot();
  const since = s.fake.calls.length;
  const res = await s.send.command('/ticket', 'new', { user: 'UADA' });
  expect(res.status).toBe(200);
  const opened = await s.fake.waitFor((c) => c.slice(since).find((x) => x.method === 'views.open'), 5000, 'the form');
  view = opened.body.view;
});
afterAll(async () => {
  await s?.close();
});

describe('the service in the /ticket new form on Slack', () => {
  it('is a type-ahead select that asks for options as soon as it opens', () => {
    const block = view.blocks.find((b: any) => b.block_id === 'service');
    expect(block).toMatchObject({
      type: 'input',
      optional: true,
      element: { type: 'external_select', action_id: 'service', min_query_length: 0 },
    });
  });

  it('offers what was typed while no service is declared (any name is taken then)', async () => {
    expect(await suggest('Printers')).toEqual([
      { text: { type: 'plain_text', text: 'printers (as typed)' }, value: 'printers' },
    ]);
    // Something no ticket could carry is not offered.
    expect(await suggest('no such thing!')).toEqual([]);
  });

  it('offers the catalog once there is one, best match first, and only the catalog', async () => {
    await ok('/team create network');
    await ok('/team create hr-it');
    await ok('/service add vpn --team network --owner me --tier 1');
    await ok('/service add wifi --team network --owner me --tier 2');
    await ok('/service add corp-vpn-legacy --team hr-it --owner me');
    const vp = await suggest('vp');
    expect(vp).toEqual([
      { text: { type: 'plain_text', text: 'vpn · network · tier 1' }, value: 'vpn' },
      { text: { type: 'plain_text', text: 'corp-vpn-legacy · hr-it' }, value: 'corp-vpn-legacy' },
    ]);
    expect(values(await suggest(''))).toEqual(['corp-vpn-legacy', 'vpn', 'wifi']);
    expect(values(await suggest('network'))).toEqual(['vpn', 'wifi']);
    // The catalog binds a ticket now: an undeclared name is not offered as typed.
    expect(await suggest('printers')).toEqual([]);
  });

  it('a menu it does not know gets no options (and is still answered)', async () => {
    expect(await suggest('vp', 'title')).toEqual([]);
    expect(await suggest('vp', 'service', { ...view, callback_id: 'legacy_form' })).toEqual([]);
  });

  it('the picked service opens the ticket on it', async () => {
    const since = s.fake.calls.length;
    const ack = await s.send.interaction(
      payloads.viewSubmission({ user: 'UADA', view, values: { title: 'Tunnel drops', service: 'vpn' } }),
    );
    expect(ack.status).toBe(200);
    const card = await waitForCard(s, 'C1', since);
    expect(readable(card.body)).toContain('*Service*\nvpn');
  });
});
