// The monthly service review through the real Bolt and discord.js clients: services declared, an outage in March,
// and on the first run in April the review posts per service its objective, availability and SLA against targets,
// then the chart (a PNG) and the figures as a CSV, each uploaded to the channel. Time is the test's clock.
// @module-tag time-of-day
import { loadImage } from '@napi-rs/canvas';
import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, it } from 'vitest';
import { SERVICE_CHART_HEIGHT, SERVICE_CHART_WIDTH } from '../../src/services/serviceChart.ts';
import { SERVICE_CSV_COLUMNS } from '../../src/services/serviceStatus.ts';
import { type DiscordTestBot, startDiscordTestBot, textOf } from '../support/fakeDiscordBot.ts';
import { type SlackBot, startSlackBot } from '../support/fakeSlackBot.ts';

let clock = new Date('2026-03-02T10:00:00Z');
const at = (iso: string) => {
  clock = new Date(iso);
};
/** March in UTC has 744 hours; vpn was down 3 of them (portal with it: the incident said so). */
const MARCH_DOWN_3H = `${Number(((1 - 3 / 744) * 100).toFixed(4))}%`;

async function expectChart(png: Buffer | undefined): Promise<void> {
  expect(png).toBeDefined();
  const img = await loadImage(png as Buffer);
  expect([img.width, img.height]).toEqual([SERVICE_CHART_WIDTH, SERVICE_CHART_HEIGHT]);
}

function expectCsv(bytes: Buffer | undefined): void {
  expect(bytes).toBeDefined();
  const rows: string[][] = parse((bytes as Buffer).toString('utf8'), { record_delimiter: '\r\n' });
  expect(rows[0]).toEqual([...SERVICE_CSV_COLUMNS]);
  const byName = new Map(
    rows.slice(1).map((r) => [r[0], Object.fromEntries(SERVICE_CSV_COLUMNS.map((c, i) => [c, r[i]]))]),
  );
  expect(byName.get('vpn')).toMatchObject({
    availability: MARCH_DOWN_3H,
    availability_target: '99.9%',
    target_met: 'no',
    downtime_minutes: '180',
    incidents: '1',
    p1_p2_incidents: '1',
  });
  expect(byName.get('portal')).toMatchObject({
    objective: "'=Customers self-serve",
    availability: MARCH_DOWN_3H,
    target_met: 'yes',
    incidents: '0',
  });
}

describe('the monthly service review on Slack', () => {
  let s: SlackBot;
  afterEach(async () => {
    await s?.close();
  });

  it('posts the report, the chart and the CSV in the channel on its first run in April', async () => {
    at('2026-03-02T10:00:00Z');
    s = await startSlackBot({ now: () => clock });
    const settle = async () => {
      await s.bot.jobs.drained();
      await s.bot.core.settled();
      await s.bot.core.services.outbox.drained();
    };
    const say = async (command: string, text: string): Promise<string> => {
      const sent = await s.send.command(command, text, { user: 'UADMIN', channel: 'COPS' });
      expect(sent.status).toBe(200);
      const answer = await s.fake.waitFor(
        (c) => c.find((x) => x.method === 'response_url' && x.responseId === sent.responseId),
        5000,
        `the answer to ${command} ${text}`,
      );
      await settle();
      return String(answer.body.text);
    };
    await say('/team', 'create ops');
    expect(
      await say('/service', 'add vpn --team ops --owner <@UADMIN|root> --tier 1 --targets "availability=99.9%"'),
    ).toContain('Service vpn is in the catalog');
    await say(
      '/service',
      'add portal --team ops --owner <@UADMIN|root> --objective "=Customers self-serve" --targets "availability=99%" --depends-on vpn',
    );
    // A new ticket's card is posted in the channel (no answer to the command itself).
    await s.send.command('/ticket', 'new "VPN down" --priority P1 --service vpn --affects dependants', {
      user: 'UADMIN',
      channel: 'COPS',
    });
    await s.fake.waitFor(
      (calls) => calls.find((c) => c.method === 'chat.postMessage' && /^INC-1 /.test(String(c.body.text))),
      5000,
      'the card of INC-1',
    );
    await settle();
    at('2026-03-02T13:00:00Z');
    await say('/ticket', 'resolve INC-1 "tunnel restarted"');

    at('2026-04-01T12:00:20Z');
    expect(await say('/review', 'add "Service review" * * * * * --kind service-review')).toMatch(
      /^RV-1 · Service review is scheduled \(service-review, in slack:COPS\)/,
    );
    at('2026-04-01T12:01:00Z');
    await settle();

    const report = await s.fake.waitFor(
      (calls) =>
        calls.find(
          (c) =>
            c.method === 'chat.postMessage' &&
            JSON.stringify(c.body).includes('Service review · services 2026-03-01..2026-03-31 (UTC)'),
        ),
      5000,
      'the service review',
    );
    const text = JSON.stringify(report.body);
    expect(text).toContain(`vpn (tier 1): no objective set`);
    // February had no outage: the trend is down by 3 of 744 hours.
    expect(text).toContain(`Availability: ${MARCH_DOWN_3H} (target 99.9%: missed; -0.403 pts vs before), down 3h`);
    expect(text).toContain('SLA attainment: 100% in target (responses 0/0, resolutions 1/1; no previous figure)');
    expect(text).toContain('portal: =Customers self-serve');
    expect(text).toContain('Follow-up actions: 0 opened, 0 done, 0 overdue');

    const uploads = await s.fake.waitFor(
      (calls) => {
        const done = calls.filter((c) => c.method === 'files.completeUploadExternal' && c.status === 200);
        return done.length >= 2 ? done : undefined;
      },
      5000,
      'the chart and the CSV uploaded',
    );
    const names = s.fake.callsTo('files.getUploadURLExternal').map((c) => String(c.body.filename));
    expect(names).toEqual(['services-2026-03-01..2026-03-31.png', 'services-2026-03-01..2026-03-31.csv']);
    expect(uploads.map((u) => u.body.channel_id)).toEqual(['COPS', 'COPS']);
    expect(uploads[0]?.body.initial_comment).toMatch(/^Chart · services · 2026-03-01\.\.2026-03-31/);
    expect(uploads[1]?.body.initial_comment).toBe('Service review 2026-03-01..2026-03-31: 2 services, CSV');
    await expectChart(s.fake.uploaded(uploads[0]?.body.files[0].id as string));
    expectCsv(s.fake.uploaded(uploads[1]?.body.files[0].id as string));
  });
});

describe('the monthly service review on Discord', () => {
  let t: DiscordTestBot;
  afterEach(async () => {
    await t?.close();
  });

  it('posts the report, then the chart and the CSV as attachments in the channel', async () => {
    at('2026-03-02T10:00:00Z');
    t = await startDiscordTestBot({ now: () => clock });
    const settle = async () => {
      await t.bot.jobs.drained();
      await t.bot.core.settled();
      await t.bot.core.services.outbox.drained();
    };
    const run = async (command: string, sub: string | null, options: Record<string, unknown>) => {
      const a = textOf((await t.answer(t.slash(t.admin, command, sub, options as never))).message);
      await settle();
      return a;
    };
    await run('team', 'create', { name: 'ops' });
    await run('service', 'add', { name: 'vpn', team: 'ops', owner: t.admin, tier: '1', targets: 'availability=99.9%' });
    await run('service', 'add', {
      name: 'portal',
      team: 'ops',
      owner: t.admin,
      objective: '=Customers self-serve',
      targets: 'availability=99%',
      'depends-on': 'vpn',
    });
    expect(
      await run('ticket', 'new', { title: 'VPN down', priority: 'P1', service: 'vpn', affects: 'dependants' }),
    ).toContain('INC-1');
    at('2026-03-02T13:00:00Z');
    await run('ticket', 'resolve', { id: 'INC-1', resolution: 'tunnel restarted' });
    at('2026-04-01T12:00:20Z');
    // /status services on demand says what the review will for March.
    expect(await run('status', null, { scope: 'services', period: '2026-03-01..2026-03-31' })).toContain(
      `vpn: availability ${MARCH_DOWN_3H} (target 99.9%: missed;`,
    );
    expect(await run('review', 'add', { name: 'Service review', when: '* * * * *', kind: 'service-review' })).toMatch(
      /^RV-1 · Service review/,
    );
    at('2026-04-01T12:01:00Z');
    await settle();
    const channel = t.channel.id;
    const posted = await t.fake.waitFor(() => {
      const mine = [...t.fake.messages.values()].filter((m) => m.channel_id === channel);
      const review = mine.find((m) => textOf(m).includes('Service review · services 2026-03-01..2026-03-31 (UTC)'));
      const files = mine.filter((m) => m.files?.some((f: { name: string }) => f.name.startsWith('services-2026-03')));
      return review && files.length >= 2 ? { review, files } : undefined;
    }, 'the review, its chart and its CSV');
    expect(textOf(posted.review)).toContain(
      `Availability: ${MARCH_DOWN_3H} (target 99.9%: missed; -0.403 pts vs before)`,
    );
    const png = posted.files.find((m) => m.files[0].name.endsWith('.png'));
    const csv = posted.files.find((m) => m.files[0].name.endsWith('.csv'));
    expect(png?.files[0].contentType).toBe('image/png');
    expect(csv?.files[0].contentType).toBe('text/csv');
    expect(csv?.content).toBe('Service review 2026-03-01..2026-03-31: 2 services, CSV');
    await expectChart(png?.files[0].bytes);
    expectCsv(csv?.files[0].bytes);
  });
});
