// /status export on the real database: the period's tickets (asker's local days, open and archived) as a CSV that parses and matches.
// @module-tag time-of-day
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Ticket } from '../../src/domain/entities.ts';
import { UserError } from '../../src/domain/errors.ts';
import { EXPORT_COLUMNS } from '../../src/domain/exportRows.ts';
import type { Reply } from '../../src/present/reply.ts';
import { ExportService } from '../../src/services/exports.ts';
import { TicketRepository } from '../../src/store/ticketStore.ts';
import { personAt, startTestBot, type TestBot } from '../support/harness.ts';

let clock = new Date('2026-03-01T12:00:00Z');
let bot: TestBot;
let root: ReturnType<typeof personAt>;
let zed: ReturnType<typeof personAt>;
const ok = (r: Reply): Reply => {
  expect(r.error, r.text).toBeUndefined();
  return r;
};
async function at(iso: string, as: ReturnType<typeof personAt>, line: string): Promise<Reply> {
  clock = new Date(iso);
  return ok(await as(line));
}
const INJECTION = `=cmd|' /C calc'!A0`;
const TRICKY = 'Printer, 3rd floor: "jammed"';

beforeAll(async () => {
  bot = await startTestBot({ now: () => clock });
  root = personAt(bot.core, 'root');
  zed = personAt(bot.core, 'zed');
  ok(await zed('/role show'));
  // New York is UTC-5: 04:00 UTC on the 3rd is still the 2nd there, and 03:00 UTC on the 10th still the 9th.
  ok(await root('/profile tz America/New_York'));
  await at('2026-03-03T04:00:00Z', zed, '/ticket new "before the period, locally"');
  await at('2026-03-05T09:00:00Z', zed, `/ticket new "${INJECTION}" --service db`);
  await at('2026-03-05T09:10:00Z', root, '/ticket assign INC-2 me');
  await at('2026-03-05T11:00:00Z', root, '/ticket resolve INC-2 "restarted"');
  await at('2026-03-05T11:05:00Z', zed, '/ticket csat INC-2 5');
  await at('2026-03-06T10:00:00Z', zed, `/ticket new '${TRICKY}' --type request`);
  await at('2026-03-06T10:30:00Z', root, '/ticket resolve REQ-1 "cleared"');
  await at('2026-03-06T10:31:00Z', root, '/ticket close REQ-1');
  await at('2026-03-09T08:00:00Z', root, '/ticket new "+1 more @ops -urgent" --priority P2');
  await at('2026-03-10T03:00:00Z', zed, '/ticket new "late on the 9th, locally"');
  await at('2026-03-10T06:00:00Z', zed, '/ticket new "after the period, locally"');
  await bot.core.settled();
});
afterAll(async () => {
  await bot?.close();
});

const acting = () => ({
  tenant: 'console:local',
  person: { id: 'console:root', identity: 'console:root', name: 'root' },
  role: 'admin' as const,
  source: { platform: 'console', workspace: 'local' },
  now: clock,
  timezone: 'UTC',
});

describe('/status export', () => {
  it('writes the period (asker’s local days, open and archived) as CSV, says where; it parses and matches the database', async () => {
    const r = ok(await root('/status export 2026-03-03..2026-03-09 --format csv'));
    expect(r.visibility).toBe('channel');
    const path = /: (\S+\.csv)$/.exec(r.text)?.[1] as string;
    expect(r.text).toBe(`Exported 4 tickets opened 2026-03-03..2026-03-09 (America/New_York) as CSV: ${path}`);
    expect(path).toMatch(/console_local-2026-03-03\.\.2026-03-09\.csv$/);
    const raw = await readFile(path, 'utf8');
    expect(raw.endsWith('\r\n')).toBe(true);
    const rows: string[][] = parse(raw, { record_delimiter: '\r\n' });
    expect(rows[0]).toEqual([...EXPORT_COLUMNS]);
    const body = rows.slice(1).map((row) => Object.fromEntries(EXPORT_COLUMNS.map((c, i) => [c, row[i]])));
    expect(body.map((row) => row.id)).toEqual(['INC-2', 'REQ-1', 'INC-3', 'INC-4']);
    const met = (when: Date | null, due: Date) => (when ? (when <= due ? 'yes' : 'no') : '');
    for (const row of body) {
      const t: Ticket = await bot.services.tickets.getTicket(acting(), row.id as string);
      expect(row).toEqual({
        id: t.ticketId,
        type: t.type,
        title: /^[=+\-@]/.test(t.title) ? `'${t.title}` : t.title,
        state: t.state,
        priority: t.priority,
        service: t.service ?? '',
        team: t.team ?? '',
        requester: t.requester.name,
        assignee: t.assignee?.name ?? '',
        opened: t.openedAt.toISOString(),
        responded: t.sla.firstResponseAt?.toISOString() ?? '',
        resolved: t.resolvedAt?.toISOString() ?? '',
        closed: t.closedAt?.toISOString() ?? '',
        'sla response met': met(t.sla.firstResponseAt, t.sla.responseDueAt),
        'sla resolution met': met(t.resolvedAt, t.sla.resolutionDueAt),
        csat: t.ticketId === 'INC-2' ? '5' : '',
        'major incident': '',
        'minutes to mitigate': '',
        'stakeholder updates': '',
      });
    }
    // A formula is text in a spreadsheet; quotes and commas come back exactly (RFC 4180 quoting).
    expect(body[0]?.title).toBe(`'${INJECTION}`);
    expect(raw).toContain(`,'${INJECTION},`);
    expect(body[1]?.title).toBe(TRICKY);
    expect(raw).toContain('"Printer, 3rd floor: ""jammed"""');
    expect(body[1]?.state).toBe('closed');
    expect(body[2]?.title).toBe("'+1 more @ops -urgent");
    expect(body[0]?.['sla response met']).toBe('yes');
    expect(body[0]?.['sla resolution met']).toBe('yes');
  });

  it('uploads to a channel through the outbox, or refuses, sending nothing, one larger than chat takes', async () => {
    const tenant = 'console:local';
    const mk = (max?: number) =>
      new ExportService(
        new TicketRepository(bot.db.connection),
        bot.services.csat,
        '/nonexistent',
        bot.services.outbox,
        max,
      );
    const now = new Date('2026-03-10T12:00:00Z');
    const before = await bot.db.connection.collection('outbox').countDocuments({});
    const place = { address: 'slack:C0EXPORT' };
    const e = await mk().ticketsCsv(tenant, '2026-03-03..2026-03-09', now, 'America/New_York', place);
    expect(e).toMatchObject({ uploaded: true, rows: 4, path: 'tickets-2026-03-03..2026-03-09.csv' });
    const queued = await bot.db.connection.collection('outbox').find({ channel: 'C0EXPORT' }).toArray();
    expect(queued).toHaveLength(1);
    expect(queued[0]?.reply.file).toMatchObject({ name: e.path, mime: 'text/csv', base64: '' });
    const csv = await bot.services.files.get(queued[0]?.reply.file.ref);
    expect(csv?.length).toBe(e.bytes);
    expect(csv?.toString('utf8')).toContain(`'${INJECTION}`);

    const refused = await mk(e.bytes - 1)
      .ticketsCsv(tenant, '2026-03-03..2026-03-09', now, 'America/New_York', place)
      .catch((err: UserError) => err);
    expect(refused).toBeInstanceOf(UserError);
    expect((refused as UserError).code).toBe('STATUS.EXPORT_TOO_BIG');
    expect((refused as UserError).message).toMatch(/comes to 0\.0 MB \(4 tickets\), more than a chat upload takes/);
    expect(await bot.db.connection.collection('outbox').countDocuments({})).toBe(before + 1);
  });

  it('refuses a period it cannot read, with the examples', async () => {
    const r = await root('/status export someday');
    expect(r.error).toBe('STATUS.BAD_PERIOD');
  });
});
