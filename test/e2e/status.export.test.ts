// /status export through the real Bolt and discord.js clients: the CSV is uploaded to the channel, parses, and matches the database.
// @module-tag time-of-day
import { parse } from 'csv-parse/sync';
import { afterEach, describe, expect, it } from 'vitest';
import { EXPORT_COLUMNS } from '../../src/domain/exportRows.ts';
import { type DiscordTestBot, startDiscordTestBot, textOf } from '../support/fakeDiscordBot.ts';
import { type SlackBot, startSlackBot } from '../support/fakeSlackBot.ts';
import { adminActing, type TestBot } from '../support/harness.ts';

const TRICKY = '=SUM(A1:A9), "quoted"';

/** The CSV as a spreadsheet reads it, checked row by row against the tickets in the database. */
async function expectMatchesDatabase(bot: TestBot, tenant: string, csv: Buffer | undefined, ids: string[]) {
  expect(csv).toBeDefined();
  const raw = (csv as Buffer).toString('utf8');
  const rows: string[][] = parse(raw, { record_delimiter: '\r\n' });
  expect(rows[0]).toEqual([...EXPORT_COLUMNS]);
  const body = rows.slice(1).map((row) => Object.fromEntries(EXPORT_COLUMNS.map((c, i) => [c, row[i]])));
  // Oldest first; two commands typed together may open in either order, so the ids are compared as a set.
  expect(body.map((r) => r.id).sort()).toEqual([...ids].sort());
  for (const row of body) {
    const t = await bot.services.tickets.getTicket(adminActing(tenant), row.id as string);
    expect(row).toMatchObject({
      id: t.ticketId,
      title: /^[=+\-@]/.test(t.title) ? `'${t.title}` : t.title,
      state: t.state,
      priority: t.priority,
      service: t.service ?? '',
      opened: t.openedAt.toISOString(),
    });
  }
  expect(body.some((r) => r.title === `'${TRICKY}`)).toBe(true);
}

describe('/status export on Slack', () => {
  let s: SlackBot;
  afterEach(async () => {
    await s?.close();
  });

  it('says what it exported, and uploads the CSV to the channel (get URL, POST bytes, complete)', async () => {
    s = await startSlackBot();
    await s.send.command('/ticket', `new '${TRICKY}' --service db`, { channel: 'COPS' });
    await s.send.command('/ticket', 'new "Slow VPN" --service vpn --impact high --urgency high', { channel: 'COPS' });
    await s.fake.waitFor(
      (calls) => {
        const cards = calls.filter((c) => c.method === 'chat.postMessage' && /^INC-[12] /.test(String(c.body.text)));
        return cards.length >= 2 ? cards : undefined;
      },
      5000,
      'both cards',
    );
    const res = await s.send.command('/status', 'export week --format csv', { channel: 'COPS', user: 'UADMIN' });
    expect(res.status).toBe(200);

    const said = await s.fake.waitFor(
      (calls) => calls.find((c) => JSON.stringify(c.body).includes('Exported 2 tickets')),
      5000,
      'the export reply',
    );
    expect(JSON.stringify(said.body)).toMatch(
      /tickets-\d{4}-\d\d-\d\d\.\.\d{4}-\d\d-\d\d\.csv, uploaded to this channel/,
    );
    const done = await s.fake.waitFor(
      (calls) => calls.find((c) => c.method === 'files.completeUploadExternal' && c.status === 200),
      5000,
      'files.completeUploadExternal',
    );
    expect(done.body.channel_id).toBe('COPS');
    expect(done.body.initial_comment).toMatch(
      /^Tickets opened \d{4}-\d\d-\d\d\.\.\d{4}-\d\d-\d\d \(UTC\): 2 rows, CSV/,
    );
    expect(s.fake.callsTo('files.getUploadURLExternal')[0]?.body.filename).toMatch(/^tickets-.*\.csv$/);
    const tenant = s.bot.core.tenantOf('slack', s.fake.bot.teamId);
    await expectMatchesDatabase(s.bot, tenant, s.fake.uploaded(done.body.files[0].id as string), ['INC-1', 'INC-2']);
    // The outbox carried the file's ref, not its bytes: the message left it (once its delivery is written down,
    // which may come a moment after the platform's answer), and the ledger says delivered.
    await s.bot.services.outbox.drained();
    const ledger = await s.bot.services.outbox.stats();
    expect(ledger.depth).toBe(0);
  });
});

describe('/status export on Discord', () => {
  let t: DiscordTestBot;
  afterEach(async () => {
    await t?.close();
  });

  it('says what it exported, then posts the CSV as an attachment in the channel', async () => {
    t = await startDiscordTestBot();
    await t.answer(t.slash(t.admin, 'ticket', 'new', { title: TRICKY, service: 'db' }));
    await t.answer(t.slash(t.admin, 'ticket', 'new', { title: 'Slow VPN', service: 'vpn' }));
    const a = await t.answer(t.slash(t.admin, 'status', null, { scope: 'export', period: 'week', format: 'csv' }));
    expect(textOf(a.message)).toMatch(/Exported 2 tickets .* uploaded to this channel/);

    const posted = await t.fake.waitFor(
      () => [...t.fake.messages.values()].find((m) => m.channel_id === t.channel.id && m.files?.length),
      'the CSV message',
    );
    expect(posted.content).toMatch(/^Tickets opened .*: 2 rows, CSV/);
    expect(posted.files[0].name).toMatch(/^tickets-.*\.csv$/);
    expect(posted.files[0].contentType).toBe('text/csv');
    const tenant = t.bot.core.tenantOf('discord', t.fake.guild.id);
    await expectMatchesDatabase(t.bot, tenant, posted.files[0].bytes, ['INC-1', 'INC-2']);
  });
});
