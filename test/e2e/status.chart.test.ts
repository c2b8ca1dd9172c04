// /status through the real Bolt and discord.js clients: the summary arrives, and its chart as an uploaded PNG.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createCanvas, loadImage } from '@napi-rs/canvas';
import { afterEach, describe, expect, it } from 'vitest';
import { createConsoleAdapter } from '../../adapters/console/index.ts';
import { CHART_HEIGHT, CHART_WIDTH } from '../../src/services/statusChart.ts';
import { type DiscordTestBot, startDiscordTestBot, textOf } from '../support/fakeDiscordBot.ts';
import { type SlackBot, startSlackBot } from '../support/fakeSlackBot.ts';
import { startTestBot, type TestBot } from '../support/harness.ts';

/** A PNG as a viewer would take it: the signature, the IHDR size, and pixels that decode. */
async function expectChartPng(png: Buffer | undefined): Promise<void> {
  expect(png).toBeDefined();
  const bytes = png as Buffer;
  expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(bytes.subarray(12, 16).toString('ascii')).toBe('IHDR');
  expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([CHART_WIDTH, CHART_HEIGHT]);
  const img = await loadImage(bytes);
  const c = createCanvas(img.width, img.height);
  c.getContext('2d').drawImage(img, 0, 0);
  const px = c.getContext('2d').getImageData(0, 0, img.width, img.height).data;
  let inked = 0;
  for (let i = 0; i < px.length; i += 4) if ((px[i] as number) < 200) inked++;
  expect(inked).toBeGreaterThan(2_000);
}

describe('/status with its chart on Slack', () => {
  let s: SlackBot;
  afterEach(async () => {
    await s?.close();
  });

  it('answers with the summary and uploads the chart to the channel (get URL, POST bytes, complete)', async () => {
    s = await startSlackBot();
    await s.send.command('/ticket', 'new "Disk full" --impact high --urgency high --service db', { channel: 'COPS' });
    await s.send.command('/ticket', 'new "Slow VPN" --service vpn', { channel: 'COPS' });
    const res = await s.send.command('/status', 'week', { channel: 'COPS', user: 'UADMIN' });
    expect(res.status).toBe(200);

    const summary = await s.fake.waitFor(
      (calls) => calls.find((c) => JSON.stringify(c.body).includes('Status · everything')),
      5000,
      'the status summary',
    );
    expect(JSON.stringify(summary.body)).toContain('Open now');

    const done = await s.fake.waitFor(
      (calls) => calls.find((c) => c.method === 'files.completeUploadExternal' && c.status === 200),
      5000,
      'files.completeUploadExternal',
    );
    expect(done.body.channel_id).toBe('COPS');
    expect(done.body.initial_comment).toMatch(/^Chart · everything · \d{4}-\d\d-\d\d\.\.\d{4}-\d\d-\d\d/);
    const fileId = done.body.files[0].id as string;
    expect(s.fake.callsTo('files.getUploadURLExternal')[0]?.body.filename).toMatch(/^status-everything-.*\.png$/);
    await expectChartPng(s.fake.uploaded(fileId));
  });
});

describe('/status with its chart on Discord', () => {
  let t: DiscordTestBot;
  afterEach(async () => {
    await t?.close();
  });

  it('answers with the summary, then posts the chart as a message with the PNG attached', async () => {
    t = await startDiscordTestBot();
    await t.answer(
      t.slash(t.admin, 'ticket', 'new', { title: 'Disk full', impact: 'high', urgency: 'high', service: 'db' }),
    );
    const a = await t.answer(t.slash(t.admin, 'status', null, { period: 'week' }));
    expect(textOf(a.message)).toContain('Status · everything');

    const chart = await t.fake.waitFor(
      () => [...t.fake.messages.values()].find((m) => m.channel_id === t.channel.id && m.files?.length),
      'the chart message',
    );
    expect(chart.content).toMatch(/^Chart · everything · /);
    expect(chart.files[0].name).toMatch(/^status-everything-.*\.png$/);
    expect(chart.files[0].contentType).toBe('image/png');
    expect(t.fake.state.wire(chart).attachments[0]).toMatchObject({ filename: chart.files[0].name });
    await expectChartPng(chart.files[0].bytes);
  });
});

describe('/status with its chart in the terminal', () => {
  let bot: TestBot;
  let dir: string;
  afterEach(async () => {
    await bot?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('prints the summary, then the chart as a table and the path of the PNG it wrote', async () => {
    bot = await startTestBot();
    dir = await mkdtemp(join(tmpdir(), 'switchboard-charts-'));
    const input = new PassThrough();
    const output = new PassThrough();
    let printed = '';
    output.on('data', (b) => (printed += b));
    const terminal = createConsoleAdapter({
      core: bot.core,
      user: 'root',
      input,
      output,
      interactive: false,
      onEnd: () => {},
      fileDir: dir,
    });
    await terminal.start();
    try {
      input.write('/ticket new "Disk full" --impact high --urgency high\n/status week\n');
      const path = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no chart path in:\n${printed}`)), 5000);
        const look = () => {
          const m = /: (\S+\.png)$/m.exec(printed);
          if (m) {
            clearTimeout(timer);
            resolve(m[1] as string);
          } else setTimeout(look, 20);
        };
        look();
      });
      expect(printed).toContain('Status · everything');
      expect(printed).toMatch(/day {9}opened {2}resolved\n/);
      expect(printed).toContain('open now by priority: P1 1 · P2 0 · P3 0 · P4 0');
      expect(path.startsWith(`${dir}/status-everything-`)).toBe(true);
      await expectChartPng(await readFile(path));
    } finally {
      input.end();
      await terminal.stop();
    }
  });
});
