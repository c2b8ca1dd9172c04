// Closing out a major incident, on the real database with an injected clock and two processes: the room's summary
// once on resolve (by /incident status or by resolving the ticket), the PIR opened with the draft from the timeline,
// /incident postmortem at the terminal and in a chat channel, and /status and its export counting the close-outs.
// @module-tag time-of-day
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPORT_COLUMNS } from '../../src/domain/exportRows.ts';
import type { Reply } from '../../src/present/reply.ts';
import { adminActing, anotherProcess, personAt, startTestBot, type TestBot } from '../support/harness.ts';
import { recordingSender } from '../support/recordingSender.ts';

let clock = new Date('2026-03-12T14:00:00Z');
const now = () => clock;
const at = (iso: string) => {
  clock = new Date(iso);
};
let dir: string;
let bot: TestBot;
let other: Awaited<ReturnType<typeof anotherProcess>>;
let root: ReturnType<typeof personAt>;
let ada: ReturnType<typeof personAt>;
let zed: ReturnType<typeof personAt>;
let sent: ReturnType<typeof recordingSender>;
const ok = (r: Reply): Reply => {
  expect(r.error, r.text).toBeUndefined();
  return r;
};
const refused = async (r: Promise<Reply>, code: string): Promise<string> => {
  const got = await r;
  expect(got.error, got.text).toBe(code);
  return got.text;
};
/** Both processes run what is due at the clock's time, and deliver it. */
const settle = async () => {
  for (let i = 0; i < 3; i++) {
    await Promise.all([bot, other].map((p) => p.jobs.drained()));
    await Promise.all([bot, other].map((p) => p.core.settled()));
    await Promise.all([bot, other].map((p) => p.services.outbox.drained()));
  }
};
const summaries = (id: string) =>
  sent.calls.filter((c) => c.op === 'post' && c.reply.text.includes(`] ${id} is resolved:`)).map((c) => c.reply.text);
const pir = (id: string) => bot.db.connection.collection('pirs').findOne({ _id: `console:local/${id}` as never });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'switchboard-postmortems-'));
  bot = await startTestBot({
    now,
    env: { SWITCHBOARD_TIMEZONE: 'Europe/Berlin', SWITCHBOARD_POSTMORTEM_DIR: dir },
  });
  other = await anotherProcess(bot, { now });
  root = personAt(bot.core, 'root');
  ada = personAt(bot.core, 'ada');
  zed = personAt(bot.core, 'zed');
  ok(await ada('/role show'));
  ok(await zed('/role show'));
  ok(await root('/role grant @ada agent'));
  ok(await root('/role grant @zed agent'));
  sent = recordingSender('console');
  bot.core.registerSender(sent);
  other.core.registerSender(sent);
});
afterAll(async () => {
  await other?.close();
  await bot?.close();
});

describe('the close-out summary', () => {
  it('is posted in the room once when the incident is resolved, whichever process hears it and however often', async () => {
    ok(await root('/incident declare "VPN down" --sev 1 --service vpn'));
    at('2026-03-12T14:05:00Z');
    ok(await root('/incident role commander @ada --incident INC-1'));
    ok(await root('/incident role comms @zed --incident INC-1'));
    at('2026-03-12T14:20:00Z');
    ok(await zed('/incident update "failing over" --status monitoring --incident INC-1'));
    at('2026-03-12T14:50:00Z');
    ok(await ada('/incident status resolved "rolled back" --incident INC-1'));
    await settle();
    // Heard again, in the other process: planned once, run once.
    const incident = await other.services.incidents.get(adminActing('console:local', clock), 'INC-1');
    await other.services.incidentCloseout.onChanged(incident);
    await bot.services.incidentCloseout.onChanged(incident);
    await settle();
    expect(summaries('INC-1')).toEqual([
      [
        '[#inc-1-vpn-down] INC-1 is resolved: VPN down',
        'Duration: 50m · Time to acknowledge: not paged · Time to mitigate: 20m · Stakeholder updates: 1 · People involved: root, zed, ada',
        'The post-incident draft: /incident postmortem INC-1',
      ].join('\n'),
    ]);
  });

  it('is counted by /status: major incidents, mean time to mitigate and updates each', async () => {
    const r = ok(await root('/status today'));
    expect(r.text).toContain('Major incidents resolved: 1 (+1) · mean time to mitigate 20m (new) · 1 updates each');
  });

  it('opens the PIR with the draft when the ticket is resolved afterwards', async () => {
    at('2026-03-12T15:00:00Z');
    ok(await root('/ticket assign INC-1 @ada'));
    ok(await ada('/ticket resolve INC-1 "config rolled back"'));
    await settle();
    const draft = (await pir('INC-1'))?.draft as string;
    expect(draft.split('\n').slice(0, 16)).toEqual([
      '# Post-incident review: INC-1 VPN down',
      '',
      "_A draft written by Switchboard from the incident's timeline (times in Europe/Berlin). Edit it freely._",
      '',
      '## Summary',
      '',
      'SEV1 major incident on vpn, declared 2026-03-12 15:00 by root, resolved 2026-03-12 15:50.',
      'Roles: commander: ada, comms: zed, scribe: —.',
      '',
      '- Duration: 50m',
      '- Time to acknowledge: not paged',
      '- Time to mitigate: 20m',
      '- Stakeholder updates: 1',
      '- People involved: root, zed, ada',
      '',
      '## Impact',
    ]);
    expect(draft).toContain('| 2026-03-12 15:50 | ada | status | monitoring → resolved: rolled back |');
    expect(summaries('INC-1')).toHaveLength(1);
  });

  it('follows the ticket: resolving a major incident’s ticket resolves the incident, the room told once', async () => {
    at('2026-03-12T16:00:00Z');
    ok(await root('/incident declare "DB slow" --sev 2'));
    at('2026-03-12T16:30:00Z');
    ok(await ada('/ticket resolve INC-2 "failed over"'));
    await settle();
    expect(summaries('INC-2')).toEqual([
      [
        '[#inc-2-db-slow] INC-2 is resolved: DB slow',
        'Duration: 30m · Time to acknowledge: not paged · Time to mitigate: 30m · Stakeholder updates: 0 · People involved: root, ada',
        'The post-incident draft: /incident postmortem INC-2',
      ].join('\n'),
    ]);
    const lines = ok(await root('/incident timeline INC-2')).text.split('\n');
    expect(lines.at(-1)).toBe('• 17:30 · ada · status · investigating → resolved: INC-2 was resolved');
    expect((await pir('INC-2'))?.draft).toContain(
      '| 2026-03-12 17:30 | ada | status | investigating → resolved: INC-2 was resolved |',
    );
  });

  it('is posted once when two processes resolve it together, by the command and by the ticket', async () => {
    at('2026-03-12T17:00:00Z');
    ok(await root('/incident declare "Mail stuck" --sev 2'));
    at('2026-03-12T17:10:00Z');
    const there = personAt(other.core, 'root');
    const [a, b] = await Promise.all([
      root('/incident status resolved "queue drained" --incident INC-3'),
      there('/ticket resolve INC-3 "queue drained"'),
    ]);
    ok(b);
    expect([undefined, 'INCIDENT.INVALID_STATUS']).toContain(a.error);
    await settle();
    expect(summaries('INC-3')).toHaveLength(1);
    const resolvedEntries = ok(await root('/incident timeline INC-3'))
      .text.split('\n')
      .filter((l) => l.includes('→ resolved'));
    expect(resolvedEntries).toHaveLength(1);
  });
});

describe('/incident postmortem', () => {
  it('writes the draft to disk at the terminal, in the asker’s zone, and says where', async () => {
    ok(await ada('/profile tz America/New_York'));
    const r = ok(await ada('/incident postmortem INC-1'));
    const path = join(dir, 'console_local-INC-1.md');
    expect(r.text).toBe(`The post-incident draft for INC-1 is written to ${path}`);
    const md = await readFile(path, 'utf8');
    expect(md).toContain('(times in America/New_York)');
    expect(md).toContain('| 2026-03-12 10:50 | ada | status | monitoring → resolved: rolled back |');
    expect(md).toContain('## Contributing factors\n\n## What went well\n\n## Follow-up actions\n');
  });

  it('refuses clearly: an unknown incident, one that is not major, none named outside a room', async () => {
    await refused(ada('/incident postmortem INC-99'), 'TICKET.NOT_FOUND');
    ok(await ada('/ticket new "Printer jammed" --type incident'));
    const id = 'INC-4';
    const text = await refused(ada(`/incident postmortem ${id}`), 'INCIDENT.NOT_FOUND');
    expect(text).toContain(`${id} is not a major incident, so it has no post-incident draft.`);
    await refused(ada('/incident postmortem'), 'INCIDENT.WHICH');
    await refused(ada('/incident postmortem CHG-1'), 'USAGE.BAD_TICKET_ID');
  });

  it('uploads the draft as a markdown file to the chat channel it is asked in, through the outbox', async () => {
    const slack = recordingSender('slack');
    bot.core.registerSender(slack);
    other.core.registerSender(slack);
    const boss = personAt(bot.core, 'UADMIN', 'slack', 'T1');
    ok(await boss('/incident declare "Wiki down" --sev 2'));
    const r = ok(await boss('/incident postmortem INC-1'));
    expect(r.text).toBe('The post-incident draft for INC-1 is uploaded to this channel: postmortem-INC-1.md');
    await settle();
    const file = slack.calls.find((c) => c.reply.file)?.reply.file;
    expect(file).toMatchObject({ name: 'postmortem-INC-1.md', mime: 'text/markdown' });
    const md = Buffer.from(file?.base64 ?? '', 'base64').toString('utf8');
    expect(md.startsWith('# Post-incident review: INC-1 Wiki down\n')).toBe(true);
    expect(md).toContain('still investigating at');
  });
});

describe('/status export', () => {
  it('carries the close-out figures of the major incidents among the period’s tickets', async () => {
    const r = ok(await root('/status export today'));
    const path = /: (\S+\.csv)$/.exec(r.text)?.[1] as string;
    const rows: string[][] = parse(await readFile(path, 'utf8'), { record_delimiter: '\r\n' });
    expect(rows[0]).toEqual([...EXPORT_COLUMNS]);
    const byId = Object.fromEntries(
      rows.slice(1).map((row) => [row[0], Object.fromEntries(EXPORT_COLUMNS.map((c, i) => [c, row[i]]))]),
    );
    const figures = (id: string) => {
      const row = byId[id] as Record<string, string>;
      return [row['major incident'], row['minutes to mitigate'], row['stakeholder updates']];
    };
    expect(figures('INC-1')).toEqual(['yes', '20', '1']);
    expect(figures('INC-2')).toEqual(['yes', '30', '0']);
    expect(figures('INC-4')).toEqual(['', '', '']);
  });
});

describe('rollups:rebuild', () => {
  it('counts the close-outs again, from the incidents: /status reads the same after', async () => {
    const majorLine = async () =>
      ok(await root('/status today'))
        .text.split('\n')
        .find((l) => l.startsWith('Major incidents resolved:'));
    const before = await majorLine();
    expect(before).toBe('Major incidents resolved: 3 (+3) · mean time to mitigate 20m (new) · 0.3 updates each');
    await bot.services.rollups.rebuild();
    expect(await majorLine()).toBe(before);
  });
});

describe('the PIR', () => {
  it('reminds its assignee to start from the draft', async () => {
    // The first business day after the resolve (Thursday 15:00 UTC): Friday 15:00.
    at('2026-03-13T15:01:00Z');
    await settle();
    const dms = sent.calls.filter((c) => c.op === 'dm' && c.channel === 'ada').map((c) => c.reply.text);
    expect(dms.find((t) => t.startsWith('PIR for INC-1'))).toContain(
      'Start from its draft: /incident postmortem INC-1. When it is written: /ticket pir INC-1 done <link>',
    );
  });
});
