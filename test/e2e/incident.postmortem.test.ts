// /incident postmortem through the real Bolt and discord.js clients: the post-incident draft is uploaded to the
// channel it was asked in, as a markdown file (the outbox carrying its ref, as /status export's CSV).
import { afterEach, describe, expect, it } from 'vitest';
import { type DiscordTestBot, startDiscordTestBot, textOf } from '../support/fakeDiscordBot.ts';
import { type SlackBot, startSlackBot } from '../support/fakeSlackBot.ts';

const DRAFT_START = '# Post-incident review: INC-1 VPN down\n';

describe('/incident postmortem on Slack', () => {
  let s: SlackBot;
  afterEach(async () => {
    await s?.close();
  });

  it('uploads the draft to the channel (get URL, POST bytes, complete)', async () => {
    s = await startSlackBot();
    await s.send.command('/incident', 'declare "VPN down" --sev 1', { channel: 'COPS', user: 'UADMIN' });
    await s.fake.waitFor(
      (calls) =>
        calls.find((c) => c.method === 'chat.postMessage' && /INC-1 · SEV1 major incident/.test(String(c.body.text))),
      5000,
      'the incident card',
    );
    const res = await s.send.command('/incident', 'postmortem INC-1', { channel: 'COPS', user: 'UADMIN' });
    expect(res.status).toBe(200);
    const done = await s.fake.waitFor(
      (calls) => calls.find((c) => c.method === 'files.completeUploadExternal' && c.status === 200),
      5000,
      'files.completeUploadExternal',
    );
    expect(done.body.channel_id).toBe('COPS');
    expect(done.body.initial_comment).toBe('Post-incident draft for INC-1, written from its timeline (markdown)');
    expect(s.fake.callsTo('files.getUploadURLExternal')[0]?.body.filename).toBe('postmortem-INC-1.md');
    const md = s.fake.uploaded(done.body.files[0].id as string)?.toString('utf8') ?? '';
    expect(md.startsWith(DRAFT_START)).toBe(true);
    expect(md).toContain('## Timeline (UTC)');
  });
});

describe('/incident postmortem on Discord', () => {
  let t: DiscordTestBot;
  afterEach(async () => {
    await t?.close();
  });

  it('says so, then posts the draft as a markdown attachment in the channel', async () => {
    t = await startDiscordTestBot();
    await t.answer(t.slash(t.admin, 'incident', 'declare', { what: 'VPN down', sev: '1' }));
    const a = await t.answer(t.slash(t.admin, 'incident', 'postmortem', { incident: 'INC-1' }));
    expect(textOf(a.message)).toBe(
      'The post-incident draft for INC-1 is uploaded to this channel: postmortem-INC-1.md',
    );
    const posted = await t.fake.waitFor(
      () => [...t.fake.messages.values()].find((m) => m.channel_id === t.channel.id && m.files?.length),
      'the draft message',
    );
    expect(posted.files[0].name).toBe('postmortem-INC-1.md');
    expect(posted.files[0].contentType).toBe('text/markdown');
    expect(posted.files[0].bytes.toString('utf8').startsWith(DRAFT_START)).toBe(true);
  });
});
