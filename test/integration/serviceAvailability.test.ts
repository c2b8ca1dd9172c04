// Availability and SLA attainment per service on the real database, typed as people type it: incidents opened and
// resolved on declared services become facts in the rollups, and /status services, /status <service> and
// /service show read availability from those facts (folded or not, rebuilt or not, the tickets archived or not).
// @module-tag time-of-day
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reply } from '../../src/present/reply.ts';
import { personAt, startTestBot, type TestBot } from '../support/harness.ts';

let clock = new Date('2026-03-02T10:00:00Z');
const at = (iso: string) => {
  clock = new Date(iso);
};
let bot: TestBot;
let root: (line: string) => Promise<Reply>;
let ada: (line: string) => Promise<Reply>;
const ok = (r: Reply): Reply => {
  expect(r.error, r.text).toBeUndefined();
  return r;
};
const field = (r: Reply, label: string) => r.fields?.find((f) => f.label.startsWith(label))?.value;
const idOf = (r: Reply): string => /\b(INC-\d+)\b/.exec(r.text)?.[1] ?? '';
const MARCH = '2026-03-01..2026-03-31';
/** March in UTC: 744 hours. */
const share = (downHours: number) => `${Number(((1 - downHours / 744) * 100).toFixed(4))}%`;

/** Each typed at the clock's time, with everything it sets off (the rollup facts) written before the next. */
async function typed(line: string): Promise<Reply> {
  const r = ok(await root(line));
  await bot.core.settled();
  return r;
}

beforeAll(async () => {
  bot = await startTestBot({ now: () => clock });
  root = personAt(bot.core, 'root');
  ada = personAt(bot.core, 'ada');
  ok(await ada('/help'));
  ok(await root('/role grant @ada agent'));
  ok(await root('/team create platform'));
  ok(await root('/service add core-db --team platform --owner @root --tier 1 --targets "availability=99.9%"'));
  ok(
    await root(
      '/service add payroll --team platform --owner @root --objective "Everyone paid on time" --targets "availability=99.5%,P2=30m/2h" --depends-on core-db',
    ),
  );
  ok(await root('/service add wiki --team platform --owner @root --targets "availability=99%"'));

  // core-db down 2 hours (P1), saying it takes its dependants down with it.
  at('2026-03-02T10:00:00Z');
  const db = idOf(await typed('/ticket new "Core DB down" --priority P1 --service core-db --affects dependants'));
  at('2026-03-02T12:00:00Z');
  await typed(`/ticket resolve ${db} "failed over"`);
  // payroll: a P2 10:00-11:00 (responded in 10 minutes) and a P1 10:30-11:30 overlapping it: 1.5 hours, not 2.
  at('2026-03-05T10:00:00Z');
  const p2 = idOf(await typed('/ticket new "Payslips slow" --priority P2 --service payroll'));
  at('2026-03-05T10:10:00Z');
  ok(await ada(`/ticket assign ${p2} me`));
  await bot.core.settled();
  at('2026-03-05T10:30:00Z');
  const p1 = idOf(await typed('/ticket new "Payroll down" --priority P1 --service payroll'));
  at('2026-03-05T11:00:00Z');
  await typed(`/ticket resolve ${p2} "index rebuilt"`);
  at('2026-03-05T11:30:00Z');
  await typed(`/ticket resolve ${p1} "restarted"`);
  // wiki: a P3 raised to P1 for an hour; a P4 that never counts.
  at('2026-03-10T09:00:00Z');
  const w = idOf(await typed('/ticket new "Wiki slow" --priority P3 --service wiki'));
  at('2026-03-10T10:00:00Z');
  await typed(`/ticket priority ${w} P1`);
  at('2026-03-10T11:00:00Z');
  await typed(`/ticket resolve ${w} "cache warmed"`);
  await typed('/ticket new "Wiki typo" --priority P4 --service wiki');
  at('2026-04-02T09:00:00Z');
});
afterAll(async () => {
  await bot?.close();
});

describe('availability per service, from the rollups', () => {
  it('/status services for March: own outages, overlaps once, the dependency rolled up, targets met or missed', async () => {
    const r = ok(await root(`/status services ${MARCH}`));
    expect(r.header).toBe(`Services · ${MARCH} (UTC)`);
    const line = (name: string) => r.list?.find((l) => l.startsWith(`${name}:`)) ?? '';
    expect(line('core-db')).toContain(`availability ${share(2)} (target 99.9%: missed;`);
    // payroll: core-db's 2 hours (it said so) and its own 1.5.
    expect(line('payroll')).toContain(`availability ${share(3.5)} (target 99.5%: met;`);
    expect(line('wiki')).toContain(`availability ${share(1)} (target 99%: met;`);
    // payroll's P2 was answered (by Ada) in 10 minutes and resolved in an hour, within 30m/2h; its P1 resolved
    // within the default 4h; a ticket's own requester acting on it is no response.
    expect(line('payroll')).toContain('SLA 100% in target (responses 1/1, resolutions 2/2; no previous figure)');
    expect(line('payroll')).toContain('incidents 2 (before: 0)');
    expect(line('wiki')).toContain('incidents 2 (before: 0)');
    expect(r.context).toBe('2 of 3 services with an availability target met it.');
  });

  it('reads the same once the days are folded, after a rebuild, and with the tickets closed and archived', async () => {
    const before = ok(await root(`/status services ${MARCH}`)).list;
    await bot.services.rollups.fold(clock);
    expect(ok(await root(`/status services ${MARCH}`)).list).toEqual(before);
    await bot.services.rollups.rebuild();
    expect(ok(await root(`/status services ${MARCH}`)).list).toEqual(before);
    for (const id of ['INC-1', 'INC-2', 'INC-3', 'INC-4']) await typed(`/ticket close ${id}`);
    expect(ok(await root(`/status services ${MARCH}`)).list).toEqual(before);
  });

  it('/service show <name> [period] and /status <service> add availability and SLA attainment', async () => {
    const shown = ok(await root(`/service show payroll ${MARCH}`));
    expect(field(shown, 'Availability')).toMatch(
      new RegExp(`^${share(3.5).replace('.', '\\.')} \\(target 99\\.5%: met`),
    );
    expect(field(shown, 'SLA attainment')).toMatch(/^100% in target/);
    const status = ok(await root(`/status core-db ${MARCH}`));
    expect(field(status, `Availability ${MARCH}`)).toContain('target 99.9%: missed');
    expect(status.text.split('\n')[1]).toMatch(/^Availability 2026-03-01\.\.2026-03-31: /);
    // April so far: nothing down yet, the open P4 does not count.
    expect(field(ok(await root('/service show wiki today')), 'Availability')).toBe(
      '100% (target 99%: met; same as before)',
    );
  });

  it('a period that runs on past now is measured up to now; a P1 open now counts to now', async () => {
    at('2026-04-02T10:00:00Z');
    await typed('/ticket new "Wiki down" --priority P1 --service wiki');
    at('2026-04-02T16:00:00Z');
    const r = ok(await root('/status services today'));
    // 6 hours down of the 16 so far today.
    expect(r.list?.find((l) => l.startsWith('wiki:'))).toContain(
      'availability 62.5% (target 99%: missed; -37.5 pts vs before), down 6h',
    );
  });

  it('refuses --affects on anything but an incident on a service', async () => {
    const r = await root('/ticket new "New laptop" --type request --service wiki --affects dependants');
    expect(r.error).toBe('USAGE.BAD_OPTION');
    expect(r.text).toContain('--affects is for an incident on a service; this would be a request');
    const noService = await root('/ticket new "Down" --priority P1 --affects dependants');
    expect(noService.error).toBe('USAGE.BAD_OPTION');
  });

  it('a declared service with no ticket yet is a /status scope, not a typo', async () => {
    ok(await root('/service add mail --team platform --owner @root'));
    const r = ok(await root('/status mail week'));
    expect(field(r, 'Availability')).toMatch(/^100% \(no target; /);
  });

  it('/status <service> on a past period: the report sees an outage end after it, the summary counts none of it', async () => {
    // A P1 open across the period's end, resolved the day after: /status reads the facts on past the period once,
    // for the report (which finds the outage ran to the end); the summary's flows stop at the period's end.
    ok(await root('/service add ledger --team platform --owner @root --targets "availability=99%"'));
    at('2026-03-21T12:00:00Z');
    const p1 = idOf(await typed('/ticket new "Ledger down" --priority P1 --service ledger'));
    at('2026-03-22T12:00:00Z');
    await typed(`/ticket resolve ${p1} "restored"`);
    at('2026-04-03T09:00:00Z');
    const period = '2026-03-20..2026-03-21';
    const status = ok(await root(`/status ledger ${period}`));
    // 12 hours down of 48, as /service show (its own reads) says.
    expect(field(status, `Availability ${period}`)).toMatch(/^75% \(target 99%: missed/);
    expect(field(status, `Availability ${period}`)).toBe(
      field(ok(await root(`/service show ledger ${period}`)), 'Availability'),
    );
    expect(field(status, 'Opened / resolved')).toMatch(/^1 \(\+1\) \/ 0 \(±0\)/);
  });
});
