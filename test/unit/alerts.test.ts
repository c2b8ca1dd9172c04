// Alert payloads mapped to incidents: priority by severity (and its map), service, title, links, notes, clean text.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/index.ts';
import {
  type AlertmanagerAlert,
  type AlertmanagerGroup,
  cleanText,
  DEFAULT_SEVERITY_MAP,
  incidentFromEvent,
  incidentFromGroup,
  noteForAlerts,
  parseSeverityMap,
  priorityOfSeverity,
} from '../../src/domain/alerts.ts';
import { alertmanagerSchema, eventSchema, fieldErrors } from '../../src/http/alertPayloads.ts';

const alert = (over: Partial<AlertmanagerAlert> = {}): AlertmanagerAlert => ({
  status: 'firing',
  labels: { alertname: 'DiskFull', instance: 'db1:9100', severity: 'warning', job: 'node' },
  annotations: { summary: 'Disk almost full on db1' },
  startsAt: '2026-03-10T11:58:00Z',
  endsAt: '0001-01-01T00:00:00Z',
  generatorURL: 'http://prometheus.local/graph?g0.expr=disk',
  fingerprint: 'abc123',
  ...over,
});

const group = (over: Partial<AlertmanagerGroup> = {}): AlertmanagerGroup => ({
  version: '4',
  groupKey: '{}:{alertname="DiskFull"}',
  status: 'firing',
  receiver: 'switchboard',
  groupLabels: { alertname: 'DiskFull' },
  commonLabels: {},
  commonAnnotations: {},
  externalURL: 'http://alertmanager.local',
  alerts: [alert()],
  ...over,
});

describe('severity to priority', () => {
  it('maps critical P1, error and high P2, warning P3, anything else P4, in any case', () => {
    const p = (s: string | undefined) => priorityOfSeverity(DEFAULT_SEVERITY_MAP, s);
    expect([p('critical'), p('error'), p('HIGH'), p('warning'), p('info'), p('page'), p(undefined)]).toEqual([
      'P1',
      'P2',
      'P2',
      'P3',
      'P4',
      'P4',
      'P4',
    ]);
  });

  it('reads ALERT_SEVERITY_MAP over the defaults and names a bad part', () => {
    const r = parseSeverityMap('page=P1, warning=p2');
    expect('map' in r && r.map).toMatchObject({ page: 'P1', warning: 'P2', critical: 'P1' });
    expect(parseSeverityMap('page:P1')).toEqual({ error: '"page:P1" must look like critical=P1' });
    expect(parseSeverityMap('page=P5')).toEqual({ error: '"page=P5" must look like critical=P1' });
  });
});

describe('an Alertmanager group as an incident', () => {
  it('takes the title from the summary annotation, the service from the service label, then job', () => {
    const d = incidentFromGroup(group(), DEFAULT_SEVERITY_MAP);
    expect(d).toMatchObject({ title: 'Disk almost full on db1', priority: 'P3', service: 'node' });
    const withService = group({ alerts: [alert({ labels: { ...alert().labels, service: 'Storage' } })] });
    expect(incidentFromGroup(withService, DEFAULT_SEVERITY_MAP).service).toBe('storage');
    const bare = group({ alerts: [alert({ annotations: {}, labels: { alertname: 'Down' } })] });
    expect(incidentFromGroup(bare, DEFAULT_SEVERITY_MAP)).toMatchObject({
      title: 'Down',
      service: null,
      priority: 'P4',
    });
  });

  it('takes the most urgent severity of the firing alerts, and links each generator URL', () => {
    const g = group({
      alerts: [alert(), alert({ fingerprint: 'def', labels: { alertname: 'DiskFull', severity: 'critical' } })],
    });
    const d = incidentFromGroup(g, DEFAULT_SEVERITY_MAP);
    expect(d.priority).toBe('P1');
    expect(d.description).toContain('http://prometheus.local/graph?g0.expr=disk');
    expect(d.description).toContain('Alertmanager: http://alertmanager.local');
  });

  it('never carries control or bidi characters into a title, and cuts it at 200', () => {
    const g = group({ commonAnnotations: { summary: `Disk\u0007 full\u202e on\r\ndb1 ${'x'.repeat(300)}` } });
    const d = incidentFromGroup(g, DEFAULT_SEVERITY_MAP);
    expect(d.title).toMatch(/^Disk full on db1 x+…$/);
    expect(d.title.length).toBe(200);
    expect(cleanText('a\u0000\u009bb', 10)).toBe('a b');
  });

  it('notes resolved alerts with their end', () => {
    const note = noteForAlerts([alert({ status: 'resolved', endsAt: '2026-03-10T12:30:00Z' })]);
    expect(note).toContain('1 resolved');
    expect(note).toContain('[resolved] DiskFull on db1:9100: Disk almost full on db1 (resolved 2026-03-10T12:30:00Z)');
  });
});

describe('an event as an incident', () => {
  it('maps the severity, the summary, and the service from custom_details or the source', () => {
    const d = incidentFromEvent(
      {
        event_action: 'trigger',
        dedup_key: 'k1',
        payload: {
          summary: 'Queue backed up',
          severity: 'error',
          source: 'mq-1',
          custom_details: { service: 'Billing' },
        },
      },
      DEFAULT_SEVERITY_MAP,
    );
    expect(d).toMatchObject({ title: 'Queue backed up', priority: 'P2', service: 'billing' });
    expect(d.description).toContain('{"service":"Billing"}');
  });
});

describe('payload validation', () => {
  it('names each bad field, never echoing control characters', () => {
    const r = alertmanagerSchema.safeParse({ version: '3', status: 'firing', alerts: [{ labels: { '\u0007x': 5 } }] });
    expect(r.success).toBe(false);
    const fields = r.success ? [] : fieldErrors(r.error);
    expect(fields.map((f) => f.field)).toEqual(
      expect.arrayContaining(['version', 'groupKey', 'alerts.0.status', 'alerts.0.labels.?x', 'alerts.0.startsAt']),
    );
    const shown = JSON.stringify(fields);
    expect(shown.includes('\u0007') || shown.includes('\\u0007')).toBe(false);
  });

  it('needs a payload to trigger and a dedup key to acknowledge or resolve', () => {
    const t = eventSchema.safeParse({ event_action: 'trigger', dedup_key: 'x' });
    expect(t.success ? [] : fieldErrors(t.error)).toEqual([{ field: 'payload', message: 'is required to trigger' }]);
    const a = eventSchema.safeParse({ event_action: 'acknowledge' });
    expect(a.success ? [] : fieldErrors(a.error)).toEqual([
      { field: 'dedup_key', message: 'is required to acknowledge' },
    ]);
    const bad = eventSchema.safeParse({ event_action: 'page' });
    expect(bad.success ? [] : fieldErrors(bad.error).map((f) => f.field)).toEqual(['event_action']);
  });
});

describe('alert settings', () => {
  it('reads the alert variables, and names a bad one', () => {
    const c = loadConfig({
      WEBHOOK_TOKEN: 'x'.repeat(20),
      INCIDENT_CHANNEL: 'slack:C0123ABC',
      ALERT_SEVERITY_MAP: 'page=P1',
    });
    expect(c.alerts).toMatchObject({ tenant: 'console:local', incidentChannel: 'slack:C0123ABC', autoresolve: true });
    expect(c.alerts.severityMap.page).toBe('P1');
    expect(loadConfig({ ALERT_AUTORESOLVE: 'off' }).alerts.autoresolve).toBe(false);
    expect(loadConfig({ SWITCHBOARD_ORGS: 'acme=slack:T1', WEBHOOK_TOKEN: 'x'.repeat(20) }).alerts.tenant).toBe('acme');
    expect(() => loadConfig({ WEBHOOK_TOKEN: 'short' })).toThrow(/WEBHOOK_TOKEN: must be at least 16 characters/);
    expect(() => loadConfig({ INCIDENT_CHANNEL: '#ops' })).toThrow(/INCIDENT_CHANNEL: must look like slack:C0123ABC/);
    expect(() => loadConfig({ ALERT_SEVERITY_MAP: 'page' })).toThrow(
      /ALERT_SEVERITY_MAP: "page" must look like critical=P1/,
    );
    // One chat platform: its one workspace, named at start-up (test/e2e/alertTenant.test.ts); two: a choice.
    expect(
      loadConfig({ WEBHOOK_TOKEN: 'x'.repeat(20), DISCORD_TOKEN: 't', DISCORD_APPLICATION_ID: '1' }).alerts.tenant,
    ).toBeUndefined();
  });
});
