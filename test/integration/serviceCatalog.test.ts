// The service catalog on the real database, typed as people type it: a manager declares services, anyone reads
// them, each mistake is refused with what was wrong and the right form, a ticket on a service runs on its
// targets, and an unknown service is refused once the catalog holds one.
// @module-tag time-of-day
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SLA } from '../../config/defaults.ts';
import type { Reply } from '../../src/present/reply.ts';
import { adminActing, anotherProcess, personAt, startTestBot, type TestBot } from '../support/harness.ts';

const clock = new Date('2026-03-10T10:00:00Z');
const now = () => clock;
const tenant = 'console:local';
const MIN = 60_000;
const HOUR = 60 * MIN;
let bot: TestBot;
type Person = (line: string) => Promise<Reply>;
let root: Person;
let ada: Person;
let carol: Person;
const ok = (r: Reply): Reply => {
  expect(r.error, r.text).toBeUndefined();
  return r;
};
const field = (r: Reply, label: string) => r.fields?.find((f) => f.label === label)?.value;
const idOf = (r: Reply): string => /\b(INC-\d+)\b/.exec(r.text)?.[1] ?? '';
const dueIn = async (id: string) => {
  const t = await bot.services.tickets.getTicket(adminActing(tenant, clock), id);
  return {
    response: t.sla.responseDueAt.getTime() - t.openedAt.getTime(),
    resolution: t.sla.resolutionDueAt.getTime() - t.openedAt.getTime(),
  };
};

beforeAll(async () => {
  bot = await startTestBot({ now });
  root = personAt(bot.core, 'root');
  ada = personAt(bot.core, 'ada');
  carol = personAt(bot.core, 'carol');
  ok(await ada('/help'));
  ok(await carol('/help'));
  ok(await root('/role grant @ada manager'));
  ok(await root('/team create hr-it'));
  ok(await root('/team create platform'));
});
afterAll(async () => {
  await bot?.close();
});

describe('the service catalog', () => {
  it('takes any service on a ticket while none is declared (SWITCHBOARD_SERVICES=auto)', async () => {
    const r = ok(await carol('/ticket new "Printer jams" --service printers'));
    expect(await dueIn(idOf(r))).toEqual({
      response: DEFAULT_SLA.P3.responseMs,
      resolution: DEFAULT_SLA.P3.resolutionMs,
    });
  });

  it('lets a manager declare services, and anyone read them', async () => {
    expect(
      ok(await ada('/service add core-db --team platform --owner @ada --tier 1 --targets "availability=99.95%"')).text,
    ).toBe(
      'Service core-db is in the catalog: run by platform, owned by ada, tier 1. See it with /service show core-db.',
    );
    ok(
      await ada(
        '/service add Payroll --team hr-it --owner @carol --tier 2 --objective "Everyone is paid on time" --targets "availability=99.9%,P1=10m/2h,P2=20m/4h" --depends-on core-db',
      ),
    );
    const list = ok(await carol('/service list'));
    expect(list.list).toEqual([
      'core-db · tier 1 · platform · ada',
      'payroll · tier 2 · hr-it · carol · Everyone is paid on time',
    ]);
    const shown = ok(await carol('/service show payroll'));
    expect(field(shown, 'Owner')).toBe('carol');
    expect(field(shown, 'Team')).toBe('hr-it');
    expect(field(shown, 'Tier')).toBe('2');
    expect(field(shown, 'Objective')).toBe('Everyone is paid on time');
    expect(field(shown, 'Targets')).toBe('availability=99.9%,P1=10m/2h,P2=20m/4h (the rest: the global SLA)');
    expect(field(shown, 'Depends on')).toBe('core-db');
    expect(field(shown, 'Open now')).toBe('nothing');
  });

  it.each([
    ['/service add vpn --team nosuch --owner @ada', 'TEAM.NOT_FOUND', 'no team'],
    ['/service add vpn --team platform --owner @bob', 'PERSON.UNKNOWN', 'never seen'],
    ['/service add vpn --team platform', 'USAGE.MISSING', '--owner'],
    ['/service add vpn --team platform --owner @ada --targets "P1=fast"', 'SERVICE.BAD_TARGETS', 'P1=15m/4h'],
    [
      '/service add vpn --team platform --owner @ada --targets "availability=120%"',
      'SERVICE.BAD_TARGETS',
      'percentage',
    ],
    ['/service add vpn --team platform --owner @ada --depends-on dns', 'SERVICE.BAD_DEPENDENCY', 'no service'],
    ['/service add PAYROLL --team platform --owner @ada', 'SERVICE.EXISTS', 'already'],
    ['/service add "no spaces" --team platform --owner @ada', 'SERVICE.BAD_NAME', 'not a service name'],
    ['/service set core-db --depends-on payroll', 'SERVICE.DEPENDENCY_CYCLE', 'core-db → payroll → core-db'],
    ['/service set core-db', 'USAGE.MISSING', 'what to change'],
    ['/service set payrol --tier 1', 'SERVICE.NOT_FOUND', 'payroll'],
    ['/service remove core-db', 'SERVICE.IN_USE', 'payroll depends on core-db'],
  ])('refuses %s (%s), says why, and changes nothing', async (line, code, says) => {
    const before = await bot.services.catalog.list(tenant);
    const r = await ada(line);
    expect(r.error, r.text).toBe(code);
    expect(r.text).toContain(says);
    expect(await bot.services.catalog.list(tenant)).toEqual(before);
  });

  it('keeps the catalog to managers', async () => {
    const r = await carol('/service add vpn --team platform --owner @ada');
    expect(r.error).toBe('PERMISSION.DENIED');
    expect((await carol('/service remove payroll')).error).toBe('PERMISSION.DENIED');
  });

  it('runs a ticket on its service’s targets, then on the global defaults', async () => {
    const p1 = ok(await carol('/ticket new "Payslips blank" --service payroll --impact high --urgency high'));
    expect(await dueIn(idOf(p1))).toEqual({ response: 10 * MIN, resolution: 2 * HOUR });
    // P3 is not among payroll's targets: the global default.
    const p3 = ok(await carol('/ticket new "Payslip typo" --service Payroll'));
    expect(await dueIn(idOf(p3))).toEqual({
      response: DEFAULT_SLA.P3.responseMs,
      resolution: DEFAULT_SLA.P3.resolutionMs,
    });
    // Triage to P2 re-applies the service's P2 target from the open.
    ok(await root(`/ticket priority ${idOf(p3)} P2`));
    expect(await dueIn(idOf(p3))).toEqual({ response: 20 * MIN, resolution: 4 * HOUR });
    expect(field(ok(await carol('/service show payroll')), 'Open now')).toBe('2');
  });

  it('refuses an unknown service on a ticket once one is declared, with the nearest names', async () => {
    const r = await carol('/ticket new "Payslips late" --service payrol');
    expect(r.error).toBe('SERVICE.NOT_FOUND');
    expect(r.text).toContain('Did you mean payroll');
  });

  it('refuses to remove a service open tickets name, and removes it once they are closed', async () => {
    const open = (await bot.services.catalog.show(tenant, 'payroll')).open.map((t) => t.ticketId);
    const refused = await ada('/service remove payroll');
    expect(refused.error).toBe('SERVICE.IN_USE');
    for (const id of open) expect(refused.text).toContain(id);
    for (const id of open) {
      ok(await root(`/ticket resolve ${id} "fixed"`));
      ok(await root(`/ticket close ${id}`));
    }
    expect(ok(await ada('/service remove payroll')).text).toBe('Service payroll is out of the catalog.');
    expect(ok(await ada('/service set core-db --targets none --tier 3')).text).toContain('targets none');
    expect((await carol('/service show payroll')).error).toBe('SERVICE.NOT_FOUND');
  });

  it('is seen by another process within a second of a change', async () => {
    // The other process's cache clock is the test's: a second passes when the test says, not on the wall clock.
    let elapsed = 0;
    const other = await anotherProcess(bot, { cacheClock: () => elapsed });
    try {
      const elsewhere = personAt(other.core, 'carol');
      expect(ok(await elsewhere('/service list')).list).toEqual(['core-db · tier 3 · platform · ada']);
      ok(await ada('/service add email --team platform --owner @ada'));
      elapsed += 1_100;
      expect(ok(await elsewhere('/service list')).list).toHaveLength(2);
      expect((await elsewhere('/ticket new "No mail" --service emial')).error).toBe('SERVICE.NOT_FOUND');
    } finally {
      await other.close();
    }
  });
});

describe('SWITCHBOARD_SERVICES=open', () => {
  it('takes any service as free text, declared or not', async () => {
    const open = await startTestBot({ now, env: { SWITCHBOARD_SERVICES: 'open' } });
    try {
      const boss = personAt(open.core, 'root');
      ok(await boss('/team create platform'));
      ok(await boss('/service add vpn --team platform --owner @root --targets "P3=1h/1d"'));
      ok(await boss('/ticket new "Wiki slow" --service wiki'));
      const r = ok(await boss('/ticket new "VPN flaps" --service vpn'));
      const t = await open.services.tickets.getTicket(adminActing(tenant, clock), idOf(r));
      expect(t.sla.resolutionDueAt.getTime() - t.openedAt.getTime()).toBe(24 * HOUR);
    } finally {
      await open.close();
    }
  });
});
