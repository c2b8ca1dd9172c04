// Alert intake over real HTTP on the real database: auth, limits, field errors, once per key across two processes, notes, resolves, acks.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PAGE_START_KIND, pageStartJobId } from '../../src/services/paging.ts';
import type { Job } from '../../src/store/jobStore.ts';
import { type AlertProcess, admin, alertProcess, incidents, TOKEN } from '../support/alertProcess.ts';
import { type TestDatabase, testDatabase } from '../support/db.ts';

const TENANT = 'console:local';

const alert = (name: string, over: Record<string, unknown> = {}) => ({
  status: 'firing',
  labels: { alertname: name, severity: 'critical', service: 'storage', instance: 'db1' },
  annotations: { summary: `${name} on db1` },
  startsAt: '2026-03-10T11:59:00Z',
  endsAt: '0001-01-01T00:00:00Z',
  generatorURL: `http://prometheus.local/graph?g0.expr=${name}`,
  fingerprint: `fp-${name}`,
  ...over,
});

const group = (key: string, alerts: unknown[], status = 'firing') => ({
  version: '4',
  groupKey: key,
  status,
  receiver: 'switchboard',
  groupLabels: {},
  commonLabels: {},
  commonAnnotations: {},
  externalURL: 'http://alertmanager.local',
  alerts,
});

const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

describe('alert webhooks: the door', () => {
  let db: TestDatabase;
  let p: AlertProcess;
  let off: AlertProcess;
  beforeAll(async () => {
    db = await testDatabase();
    p = await alertProcess(db);
    off = await alertProcess(db, { env: { WEBHOOK_TOKEN: '' } });
  });
  afterAll(async () => {
    await p?.close();
    await off?.close();
    await db?.close();
  });

  it('refuses without the bearer token (401), in every wrong form', async () => {
    const am = `${p.url}/webhooks/alertmanager`;
    const body = group('k', [alert('A')]);
    for (const authorization of [
      '',
      'Bearer',
      'Bearer wrong-token',
      `Basic ${TOKEN}`,
      `Bearer ${TOKEN}x`,
      `Bearer ${TOKEN.slice(0, -1)}`,
    ]) {
      const res = await post(am, body, { authorization });
      expect(res.status, authorization).toBe(401);
      expect(res.headers.get('www-authenticate')).toContain('Bearer');
    }
    expect((await post(`${p.url}/webhooks/events`, { event_action: 'trigger' }, { authorization: '' })).status).toBe(
      401,
    );
    expect(await incidents(p.services)).toHaveLength(0);
  });

  it('says the webhooks are off (404) while WEBHOOK_TOKEN is unset', async () => {
    const res = await post(`${off.url}/webhooks/alertmanager`, group('k', [alert('A')]));
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'alert webhooks are off: set WEBHOOK_TOKEN to turn them on' });
  });

  it('answers a wrong method 405, a wrong type 415, an unknown path 404', async () => {
    const get = await fetch(`${p.url}/webhooks/alertmanager`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(get.status).toBe(405);
    expect(get.headers.get('allow')).toBe('POST');
    expect(
      (await post(`${p.url}/webhooks/events`, 'x=1', { 'content-type': 'application/x-www-form-urlencoded' })).status,
    ).toBe(415);
    expect((await post(`${p.url}/webhooks/nowhere`, {})).status).toBe(404);
  });

  it('refuses bodies over 1 MB (413), declared or streamed, without reading on', async () => {
    const big = JSON.stringify(group('big', [alert('A', { annotations: { summary: 'x'.repeat(1024 * 1024) } })]));
    const declared = await post(`${p.url}/webhooks/alertmanager`, big);
    expect(declared.status).toBe(413);
    // Chunked: no content-length, so the count as it streams is what stops it.
    const chunks = new ReadableStream({
      start(c) {
        for (let i = 0; i < 40; i++) c.enqueue(new TextEncoder().encode('x'.repeat(64 * 1024)));
        c.close();
      },
    });
    const streamed = await fetch(`${p.url}/webhooks/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: chunks,
      duplex: 'half',
    } as RequestInit).catch((e: unknown) => e as Error);
    // The server may close before the client has written it all; when an answer arrives it is the 413.
    if (streamed instanceof Response) expect(streamed.status).toBe(413);
    expect(await incidents(p.services)).toHaveLength(0);
  });

  it('answers bad input 400 with each field, never echoing raw control characters', async () => {
    const res = await post(`${p.url}/webhooks/alertmanager`, {
      version: '4',
      groupKey: 'g',
      status: 'burning',
      alerts: [{ labels: { '\u0007bell': 1 } }],
    });
    expect(res.status).toBe(400);
    const text = await res.text();
    expect(text.includes('\u0007') || text.includes('\\u0007')).toBe(false);
    const body = JSON.parse(text) as { fields: Array<{ field: string }> };
    expect(body.fields.map((f) => f.field)).toEqual(
      expect.arrayContaining(['status', 'alerts.0.status', 'alerts.0.labels.?bell', 'alerts.0.startsAt']),
    );
    const notJson = await post(`${p.url}/webhooks/events`, '{"event_action": "trigger", \u0001');
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toEqual({
      error: 'invalid payload',
      fields: [{ field: '(body)', message: 'is not valid JSON' }],
    });
    const ev = await post(`${p.url}/webhooks/events`, {
      event_action: 'trigger',
      payload: { summary: 'x', severity: 'fatal', source: 'y' },
    });
    expect(ev.status).toBe(400);
    expect(((await ev.json()) as { fields: Array<{ field: string }> }).fields.map((f) => f.field)).toEqual([
      'payload.severity',
    ]);
  });
});

describe('Alertmanager groups as incidents', () => {
  let db: TestDatabase;
  let p: AlertProcess;
  beforeAll(async () => {
    db = await testDatabase();
    p = await alertProcess(db);
  });
  afterAll(async () => {
    await p?.close();
    await db?.close();
  });

  it('opens one incident per groupKey, posts its card, notes only what is new, and resolves with the group', async () => {
    const am = `${p.url}/webhooks/alertmanager`;
    const first = await post(am, group('g1', [alert('DiskFull')]));
    expect(first.status).toBe(202);
    expect(await first.json()).toEqual({ status: 'accepted', groupKey: 'g1', outcome: 'opened', ticket: 'INC-1' });
    let [inc] = await incidents(p.services);
    expect(inc).toMatchObject({
      ticketId: 'INC-1',
      type: 'incident',
      priority: 'P1',
      service: 'storage',
      title: 'DiskFull on db1',
    });
    expect(inc?.description).toContain('http://prometheus.local/graph?g0.expr=DiskFull');
    expect(p.incidents.map((e) => [e.ticket.ticketId, e.source, e.key, e.channel])).toEqual([
      ['INC-1', 'alertmanager', 'g1', 'console'],
    ]);
    await p.services.outbox.drained();
    expect(p.sender.calls.filter((c) => c.op === 'post').map((c) => c.reply.card?.ticketId)).toEqual(['INC-1']);

    // Alertmanager's retries and repeat_interval re-send the same notification: nothing new, no note.
    for (let i = 0; i < 3; i++) {
      const again = await post(am, group('g1', [alert('DiskFull')]));
      expect(await again.json()).toMatchObject({ outcome: 'duplicate' });
    }
    const second = await post(
      am,
      group('g1', [alert('DiskFull'), alert('DiskSlow', { labels: { alertname: 'DiskSlow', severity: 'warning' } })]),
    );
    expect(await second.json()).toMatchObject({ outcome: 'noted', ticket: 'INC-1' });
    await post(
      am,
      group('g1', [alert('DiskFull'), alert('DiskSlow', { labels: { alertname: 'DiskSlow', severity: 'warning' } })]),
    );
    [inc] = await incidents(p.services);
    expect(inc?.comments).toHaveLength(1);
    expect(inc?.comments[0]?.text).toContain('[firing] DiskSlow');

    // One of two resolved: a note; the incident stays open.
    const partly = await post(
      am,
      group('g1', [
        alert('DiskFull'),
        alert('DiskSlow', { status: 'resolved', endsAt: '2026-03-10T12:05:00Z', labels: { alertname: 'DiskSlow' } }),
      ]),
    );
    expect(await partly.json()).toMatchObject({ outcome: 'noted' });
    const all = group(
      'g1',
      [
        alert('DiskFull', { status: 'resolved', endsAt: '2026-03-10T12:10:00Z' }),
        alert('DiskSlow', { status: 'resolved', endsAt: '2026-03-10T12:05:00Z', labels: { alertname: 'DiskSlow' } }),
      ],
      'resolved',
    );
    expect(await (await post(am, all)).json()).toMatchObject({ outcome: 'resolved', ticket: 'INC-1' });
    expect(await (await post(am, all)).json()).toMatchObject({ outcome: 'duplicate' });
    [inc] = await incidents(p.services);
    expect(inc?.state).toBe('resolved');
    expect(inc?.comments).toHaveLength(3);

    // Firing again after the resolve: a new incident, not a note on the finished one.
    const refire = await post(am, group('g1', [alert('DiskFull', { startsAt: '2026-03-10T13:00:00Z' })]));
    expect(await refire.json()).toMatchObject({ outcome: 'opened', ticket: 'INC-2' });
    expect((await incidents(p.services)).map((t) => [t.ticketId, t.state])).toEqual([
      ['INC-2', 'new'],
      ['INC-1', 'resolved'],
    ]);
  });

  it('keeps the incident open when ALERT_AUTORESOLVE=off, and maps severities by ALERT_SEVERITY_MAP', async () => {
    const q = await alertProcess(db, { env: { ALERT_AUTORESOLVE: 'off', ALERT_SEVERITY_MAP: 'page=P2' }, own: true });
    try {
      const am = `${q.url}/webhooks/alertmanager`;
      const paging = alert('Latency', { labels: { alertname: 'Latency', severity: 'page', job: 'api' } });
      const opened = (await (await post(am, group('g-off', [paging]))).json()) as { ticket: string };
      const t = await q.services.tickets.getTicket(admin(), opened.ticket);
      expect(t).toMatchObject({ priority: 'P2', service: 'api' });
      const done = group('g-off', [{ ...paging, status: 'resolved', endsAt: '2026-03-10T12:01:00Z' }], 'resolved');
      expect(await (await post(am, done)).json()).toMatchObject({ outcome: 'noted' });
      expect((await q.services.tickets.getTicket(admin(), opened.ticket)).state).toBe('new');
    } finally {
      await q.close();
    }
  });

  it('an incident that could not be opened (a database error) is opened by the retry, not waited for', async () => {
    const am = `${p.url}/webhooks/alertmanager`;
    const tickets = p.services.tickets;
    const openTicket = tickets.openTicket.bind(tickets);
    let calls = 0;
    tickets.openTicket = async (...args) => {
      if (calls++ === 0) throw new Error('connection 7 to 127.0.0.1 timed out');
      return openTicket(...args);
    };
    try {
      const failed = await post(am, group('flaky', [alert('Flaky')]));
      expect(failed.status).toBe(503);
      // The same process lives on (its heartbeat beats): without giving the claim up, this would wait and 503.
      const retried = await post(am, group('flaky', [alert('Flaky')]));
      expect(await retried.json()).toMatchObject({ outcome: 'opened' });
      const again = await post(am, group('flaky', [alert('Flaky')]));
      expect(await again.json()).toMatchObject({ outcome: 'duplicate' });
    } finally {
      tickets.openTicket = openTicket;
    }
  });

  it('takes a burst of one group in at once: one incident, every alert told, in a few notes rather than one each', async () => {
    const am = `${p.url}/webhooks/alertmanager`;
    const names = Array.from({ length: 20 }, (_, i) => `Burst${i}`);
    const answers = await Promise.all(
      names.map(async (n) => {
        const res = await post(am, group('burst', [alert(n, { labels: { alertname: n, service: 'storage' } })]));
        expect(res.status).toBe(202);
        return (await res.json()) as { outcome: string; ticket: string };
      }),
    );
    const outcomes = answers.map((a) => a.outcome).sort();
    expect(outcomes.filter((o) => o === 'opened')).toHaveLength(1);
    expect(outcomes.filter((o) => o === 'noted')).toHaveLength(19);
    expect(new Set(answers.map((a) => a.ticket)).size).toBe(1);
    const [inc] = (await incidents(p.services)).filter((t) => t.ticketId === answers[0]?.ticket);
    const told = [inc?.description ?? '', ...(inc?.comments ?? []).map((c) => c.text)].join('\n');
    for (const n of names) expect(told).toContain(n);
    // Those that came while the incident was being opened waited together: one note for all of them.
    expect(inc?.comments.length).toBeLessThan(19);
  });

  it("under a burst, a group's next notifications wait for its incident's first page, then are noted", async () => {
    // The team of the service `pager` is paged for its incidents. This process's job engine is off, so the page's start
    // job (which pages the first level) runs below, by hand, when the test says; a listener for jobs due at once stands for the engine that would run
    // it here a moment after the incident opened (where no engine runs, another process pages, and notes go on).
    const engine = p.services.jobs.onDueNow(() => {});
    await p.services.teams.create(admin(), 'pagers', { services: 'pager' });
    await p.services.teams.setRotation(admin(), 'pagers', ['console:oncall-pg'], { every: '1w' });
    const am = `${p.url}/webhooks/alertmanager`;
    const paging = (n: string) => alert(n, { labels: { alertname: n, severity: 'critical', service: 'pager' } });
    const opened = (await (await post(am, group('first-page', [paging('Pg1')]))).json()) as { ticket: string };
    const order: string[] = [];
    const note = post(am, group('first-page', [paging('Pg1'), paging('Pg2')])).then(async (res) => {
      order.push('noted');
      return (await res.json()) as { outcome: string };
    });
    // The note is held (it has not even read its marks): many round trips later it is still unanswered.
    for (let i = 0; i < 40; i++) await p.services.tickets.getTicket(admin(), opened.ticket);
    expect(order).toEqual([]);
    // The incident's page start, filed by its opening: run as the engine would.
    const slots = await p.services.jobs.all<{ _id: string; job?: Job }>('job_slots');
    const start = slots.find((s) => s.job?._id === pageStartJobId(TENANT, opened.ticket, 0))?.job as Job;
    expect(start.kind).toBe(PAGE_START_KIND);
    await p.services.paging.runStart(start, p.now());
    order.push('paged');
    expect((await note).outcome).toBe('noted');
    expect(order).toEqual(['paged', 'noted']);
    const dms = p.sender.calls.filter((c) => c.op === 'dm' && c.reply.text.includes(opened.ticket));
    expect(dms).toHaveLength(1);
    engine();
  });

  it('ignores a resolved group it never saw firing', async () => {
    const res = await post(
      `${p.url}/webhooks/alertmanager`,
      group('never', [alert('Gone', { status: 'resolved', endsAt: '2026-03-10T12:00:00Z' })], 'resolved'),
    );
    expect(await res.json()).toMatchObject({ outcome: 'ignored', ticket: null });
  });
});

describe('once, across two processes on one database', () => {
  let db: TestDatabase;
  let a: AlertProcess;
  let b: AlertProcess;
  beforeAll(async () => {
    db = await testDatabase();
    a = await alertProcess(db);
    b = await alertProcess(db, { own: true });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await db?.close();
  });

  it('opens one incident when the same group arrives at both at the same moment (10 times)', async () => {
    for (let i = 0; i < 10; i++) {
      // Different alerts of one group at each: both are told, on the one incident.
      const [ra, rb] = await Promise.all([
        post(`${a.url}/webhooks/alertmanager`, group(`race-${i}`, [alert(`R${i}`)])),
        post(
          `${b.url}/webhooks/alertmanager`,
          group(`race-${i}`, [alert(`R${i}`), alert(`S${i}`, { labels: { alertname: `S${i}` } })]),
        ),
      ]);
      expect([ra.status, rb.status]).toEqual([202, 202]);
      const outcomes = [
        ((await ra.json()) as { outcome: string }).outcome,
        ((await rb.json()) as { outcome: string }).outcome,
      ];
      expect(outcomes).toContain('opened');
      const mine = (await incidents(a.services)).filter((t) => t.title === `R${i} on db1`);
      expect(mine, `round ${i}`).toHaveLength(1);
      // The later one's new alert is on it, as the description (it opened) or a note (it came second).
      const told = [mine[0]?.description ?? '', ...(mine[0]?.comments ?? []).map((c) => c.text)].join('\n');
      expect(told).toContain(`S${i}`);
    }
    expect(a.incidents.length + b.incidents.length).toBe(10);
    await Promise.all([a.services.outbox.drained(), b.services.outbox.drained()]);
    const posted = [...a.sender.calls, ...b.sender.calls].filter((c) => c.op === 'post');
    expect(posted).toHaveLength(10);
  });

  it('opens one incident for one dedup_key triggered at both at once (10 times), acks once, resolves', async () => {
    for (let i = 0; i < 10; i++) {
      const ev = {
        event_action: 'trigger',
        dedup_key: `ev-${i}`,
        payload: { summary: `Queue ${i} stuck`, severity: 'error', source: 'mq' },
      };
      const res = await Promise.all([post(`${a.url}/webhooks/events`, ev), post(`${b.url}/webhooks/events`, ev)]);
      const bodies = (await Promise.all(res.map((r) => r.json()))) as Array<{ outcome: string; dedup_key: string }>;
      expect(bodies.map((x) => x.outcome).sort()).toEqual(['duplicate', 'opened']);
      expect(bodies.map((x) => x.dedup_key)).toEqual([`ev-${i}`, `ev-${i}`]);
      const mine = (await incidents(a.services)).filter((t) => t.title === `Queue ${i} stuck`);
      expect(mine).toHaveLength(1);
      expect(mine[0]?.comments).toHaveLength(0);
    }
    const ack = { event_action: 'acknowledge', dedup_key: 'ev-0' };
    const acks = await Promise.all([post(`${a.url}/webhooks/events`, ack), post(`${b.url}/webhooks/events`, ack)]);
    const outcomes = ((await Promise.all(acks.map((r) => r.json()))) as Array<{ outcome: string }>).map(
      (x) => x.outcome,
    );
    expect(outcomes.sort()).toEqual(['acknowledged', 'duplicate']);
    expect([...a.acks, ...b.acks].map((x) => x.key)).toEqual(['ev-0']);
    const resolved = await post(`${a.url}/webhooks/events`, { event_action: 'resolve', dedup_key: 'ev-0' });
    const r = (await resolved.json()) as { ticket: string; outcome: string };
    expect(r.outcome).toBe('resolved');
    expect((await a.services.tickets.getTicket(admin(), r.ticket)).state).toBe('resolved');
    expect(
      await (await post(`${b.url}/webhooks/events`, { event_action: 'resolve', dedup_key: 'ev-0' })).json(),
    ).toMatchObject({ outcome: 'ignored' });
    // After the resolve, the same trigger opens a new incident.
    const again = await post(`${b.url}/webhooks/events`, {
      event_action: 'trigger',
      dedup_key: 'ev-0',
      payload: { summary: 'Queue 0 stuck', severity: 'error', source: 'mq' },
    });
    expect(await again.json()).toMatchObject({ outcome: 'opened' });
  });
});
