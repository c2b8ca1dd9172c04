// What an alert's incident costs on its way to its first page, counted on the wire: each team read once, no page
// start read for an incident just opened, one start job (filed by its own change) rather than a second by the alert.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGE_START_KIND } from '../../src/services/paging.ts';
import type { Job } from '../../src/store/jobStore.ts';
import { countRoundTrips, type RoundTrips } from '../../src/store/roundTrips.ts';
import { type AlertProcess, admin, alertProcess, TOKEN } from '../support/alertProcess.ts';
import { type TestDatabase, testDatabase } from '../support/db.ts';

let db: TestDatabase;
let p: AlertProcess;
let wire: RoundTrips;
beforeAll(async () => {
  db = await testDatabase(undefined, { monitorCommands: true });
  wire = countRoundTrips(db.connection);
  p = await alertProcess(db);
  await p.services.teams.create(admin(), 'storage', { services: 'storage' });
  await p.services.teams.setRotation(admin(), 'storage', ['console:oncall-st'], { every: '1w' });
});
afterAll(async () => {
  await p?.close();
  await db?.close();
});

const notification = (key: string, service = 'storage', instance = 'db1') => ({
  version: '4',
  groupKey: key,
  status: 'firing',
  receiver: 'switchboard',
  groupLabels: {},
  commonLabels: {},
  commonAnnotations: {},
  externalURL: 'http://alertmanager.local',
  alerts: [
    {
      status: 'firing',
      labels: { alertname: key, severity: 'critical', service, instance },
      annotations: { summary: `${key} is failing` },
      startsAt: '2026-03-10T11:59:00Z',
      endsAt: '0001-01-01T00:00:00Z',
      fingerprint: `fp-${key}-${instance}`,
    },
  ],
});

const post = (body: unknown) =>
  fetch(`${p.url}/webhooks/alertmanager`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('an alert burst, counted', () => {
  it('three incidents of one team: the team read once, no page start read, each page started once', async () => {
    wire.reset();
    for (const key of ['burst-a', 'burst-b', 'burst-c']) {
      const res = await post(notification(key));
      expect(await res.json()).toMatchObject({ outcome: 'opened' });
    }
    // Each incident's page is its opening's effect: one start job each, filed once (its change's, not the alert's
    // second try). No job engine runs here: the jobs are run below, as the engine would right after the answer.
    const filed = (await p.services.jobs.all<{ _id: string; job?: Job }>('job_slots')).flatMap((s) =>
      s.job?.kind === PAGE_START_KIND && /burst-|INC-/.test(s.job._id) ? [s.job] : [],
    );
    expect(filed).toHaveLength(3);
    expect(new Set(filed.map((j) => j._id)).size).toBe(3);
    for (const job of filed) await p.services.paging.runStart(job, p.now());
    const count = (name: string) => wire.seen().filter((c) => c === name).length;
    // The team was read for the first incident's owner and kept (the people epoch stands).
    expect(count('find teams')).toBe(1);
    // A ticket at its first version was never paged: no read of its episode or its start.
    expect(count('find page_starts')).toBe(0);
    expect(count('insert page_starts')).toBe(3);
    expect(count('insert page_live')).toBe(3);
    // A key never heard of claims its first generation at once (the claim is what a read would have found out).
    expect(count('find alert_keys')).toBe(0);
  });

  it("a group's notifications taken in together mark what they told in one insert, not one each", async () => {
    wire.reset();
    // A service no team owns: nothing is paged, so nothing holds the notes back.
    const answers = await Promise.all(
      Array.from({ length: 11 }, async (_, i) => {
        const res = await post(notification('marks', 'unowned', `host${i}`));
        return ((await res.json()) as { outcome: string }).outcome;
      }),
    );
    expect(answers.filter((o) => o === 'opened')).toHaveLength(1);
    expect(answers.filter((o) => o === 'noted')).toHaveLength(10);
    // The opener's mark, then one insert per batch of those that waited (a batch or two), where each had its own.
    expect(wire.seen().filter((c) => c === 'insert alert_seen').length).toBeLessThanOrEqual(3);
  });

  it('openings at once read the service catalog once between them', async () => {
    // A team written: the catalog kept in process is read afresh by the next opening.
    await p.services.teams.create(admin(), 'network', { services: 'vpn' });
    wire.reset();
    const answers = await Promise.all(
      ['cat-a', 'cat-b', 'cat-c', 'cat-d', 'cat-e'].map(async (key) => {
        const res = await post(notification(key, 'vpn'));
        return ((await res.json()) as { outcome: string }).outcome;
      }),
    );
    expect(answers).toEqual(['opened', 'opened', 'opened', 'opened', 'opened']);
    expect(wire.seen().filter((c) => c === 'find services')).toHaveLength(1);
  });
});
