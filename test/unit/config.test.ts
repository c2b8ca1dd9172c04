// loadConfig: defaults with nothing set, and bad values that stop start-up naming the variable.

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MATRIX, DEFAULT_SLA } from '../../config/defaults.ts';
import { ConfigError, loadConfig } from '../../config/index.ts';
import { DEFAULT_SEVERITY_MAP } from '../../src/domain/alerts.ts';

function refusal(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

describe('loadConfig', () => {
  it('runs on defaults with nothing configured', () => {
    expect(loadConfig({})).toEqual({
      mongodbUri: undefined,
      dataDir: '.data',
      admins: [],
      orgs: {},
      timezone: 'UTC',
      consoleUser: 'operator',
      sla: DEFAULT_SLA,
      matrix: DEFAULT_MATRIX,
      dbTimeoutMs: 5_000,
      catchupMs: 3_600_000,
      pageRepeatMs: 120_000,
      cabQuorum: 1,
      pirDays: 5,
      updateCadence: { 1: 30, 2: 60 },
      postmortemDir: join('.data', 'postmortems'),
      roomArchiveDays: 7,
      services: 'auto',
      majorAuto: [],
      stale: { nudgeDays: 3, resolveDays: 3, autocloseDays: 7 },
      logLevel: 'warn',
      port: 3000,
      http: { port: 3000, host: undefined },
      slack: undefined,
      discord: undefined,
      alerts: {
        token: undefined,
        tenant: 'console:local',
        incidentChannel: undefined,
        severityMap: DEFAULT_SEVERITY_MAP,
        autoresolve: true,
      },
    });
  });

  it('reads where postmortems go and which alert incidents declare themselves major', () => {
    expect(loadConfig({ SWITCHBOARD_DATA_DIR: '/var/sb' }).postmortemDir).toBe(join('/var/sb', 'postmortems'));
    expect(loadConfig({ SWITCHBOARD_POSTMORTEM_DIR: '/srv/pm' }).postmortemDir).toBe('/srv/pm');
    expect(loadConfig({ SWITCHBOARD_MAJOR_AUTO: 'P1' }).majorAuto).toEqual(['P1']);
    expect(loadConfig({ SWITCHBOARD_MAJOR_AUTO: 'p2' }).majorAuto).toEqual(['P1', 'P2']);
    expect(loadConfig({ SWITCHBOARD_MAJOR_AUTO: 'off' }).majorAuto).toEqual([]);
    expect(refusal({ SWITCHBOARD_MAJOR_AUTO: 'p3' }).message).toContain('SWITCHBOARD_MAJOR_AUTO');
  });

  it('reads which services a ticket may name', () => {
    expect(loadConfig({ SWITCHBOARD_SERVICES: 'Open' }).services).toBe('open');
    expect(loadConfig({ SWITCHBOARD_SERVICES: 'auto' }).services).toBe('auto');
    expect(refusal({ SWITCHBOARD_SERVICES: 'closed' }).message).toContain('SWITCHBOARD_SERVICES');
  });

  it('reads the variables it knows', () => {
    const c = loadConfig({
      MONGODB_URI: 'mongodb://db:27017/sb',
      SWITCHBOARD_ADMINS: 'slack:U0123ABC, discord:81234,console:alice',
      SWITCHBOARD_ORGS: 'acme=slack:T1,discord:G1;beta=slack:T2',
      SWITCHBOARD_SLA: 'P1=10m/2h, P4=2d/3w',
      SWITCHBOARD_DB_TIMEOUT: '2s',
      SWITCHBOARD_PIR_DAYS: '3',
      SWITCHBOARD_TIMEZONE: 'Europe/Berlin',
      USER: 'ada',
      PORT: '8080',
      SLACK_BOT_TOKEN: 'xoxb-1',
      SLACK_SIGNING_SECRET: 'shh',
    });
    expect(c.mongodbUri).toBe('mongodb://db:27017/sb');
    expect(c.admins).toEqual(['slack:U0123ABC', 'discord:81234', 'console:alice']);
    expect(c.orgs).toEqual({ 'slack:T1': 'acme', 'discord:G1': 'acme', 'slack:T2': 'beta' });
    expect(c.sla.P1).toEqual({ responseMs: 10 * 60_000, resolutionMs: 2 * 3_600_000 });
    expect(c.sla.P4).toEqual({ responseMs: 2 * 86_400_000, resolutionMs: 21 * 86_400_000 });
    expect(c.sla.P2).toEqual(DEFAULT_SLA.P2);
    expect(c.dbTimeoutMs).toBe(2_000);
    expect(c.timezone).toBe('Europe/Berlin');
    expect(c.pirDays).toBe(3);
    expect(c.consoleUser).toBe('ada');
    expect(c.port).toBe(8080);
    expect(c.slack).toMatchObject({ botToken: 'xoxb-1', signingSecret: 'shh' });
    expect(c.http).toEqual({ port: 8080, host: undefined });
    expect(c.discord).toBeUndefined();
  });

  it('reads the major incident update cadence, and stops on one it cannot read', () => {
    expect(loadConfig({ SWITCHBOARD_UPDATE_CADENCE: '1=15m,2=2h' }).updateCadence).toEqual({ 1: 15, 2: 120 });
    expect(loadConfig({ SWITCHBOARD_UPDATE_CADENCE: '2=45m' }).updateCadence).toEqual({ 1: 30, 2: 45 });
    for (const bad of ['1=30', '3=30m', '1=2m', '1=30m;2=60m']) {
      expect(() => loadConfig({ SWITCHBOARD_UPDATE_CADENCE: bad }), bad).toThrow(/SWITCHBOARD_UPDATE_CADENCE/);
    }
  });

  it('prefers SWITCHBOARD_CONSOLE_USER over USER', () => {
    expect(loadConfig({ USER: 'ada', SWITCHBOARD_CONSOLE_USER: 'ops' }).consoleUser).toBe('ops');
  });

  it('makes a console name of any $USER', () => {
    expect(loadConfig({ USER: 'CORP\\ada lovelace' }).consoleUser).toBe('CORP-ada-lovelace');
    expect(loadConfig({ USER: '   ' }).consoleUser).toBe('operator');
    expect(loadConfig({ USER: '***' }).consoleUser).toBe('operator');
  });

  it.each([
    [{ SWITCHBOARD_SLA: 'P1=abc' }, 'SWITCHBOARD_SLA', 'P1=15m/4h'],
    [{ SWITCHBOARD_SLA: 'P1=15m/soon' }, 'SWITCHBOARD_SLA', 'P1=15m/4h'],
    [{ SWITCHBOARD_SLA: 'P9=15m/4h' }, 'SWITCHBOARD_SLA', 'P1=15m/4h'],
    [{ PORT: '-1' }, 'PORT', ''],
    [{ PORT: '70000' }, 'PORT', ''],
    [{ PORT: 'http' }, 'PORT', ''],
    [{ SWITCHBOARD_ADMINS: 'bob' }, 'SWITCHBOARD_ADMINS', 'slack:U0123ABC'],
    [{ SWITCHBOARD_ADMINS: 'slack:U1,teams:x' }, 'SWITCHBOARD_ADMINS', '"teams:x"'],
    [{ SWITCHBOARD_PRIORITY_MATRIX: 'high/high=P9' }, 'SWITCHBOARD_PRIORITY_MATRIX', 'high/low=P3'],
    [{ SWITCHBOARD_PRIORITY_MATRIX: 'huge/high=P1' }, 'SWITCHBOARD_PRIORITY_MATRIX', 'high/low=P3'],
    [{ SWITCHBOARD_ORGS: 'acme=T1' }, 'SWITCHBOARD_ORGS', 'acme=slack:T0123'],
    [{ SWITCHBOARD_DB_TIMEOUT: 'soon' }, 'SWITCHBOARD_DB_TIMEOUT', '15m'],
    [{ SWITCHBOARD_PAGE_REPEAT: 'soon' }, 'SWITCHBOARD_PAGE_REPEAT', '15m'],
    [{ SWITCHBOARD_PAGE_REPEAT: '5s' }, 'SWITCHBOARD_PAGE_REPEAT', '30s to 1h'],
    [{ SWITCHBOARD_CAB_QUORUM: '0' }, 'SWITCHBOARD_CAB_QUORUM', 'at least 1'],
    [{ SWITCHBOARD_CAB_QUORUM: '1.5' }, 'SWITCHBOARD_CAB_QUORUM', 'whole number'],
    [{ SWITCHBOARD_PIR_DAYS: '0' }, 'SWITCHBOARD_PIR_DAYS', 'at least 1'],
    [{ SWITCHBOARD_PIR_DAYS: 'soon' }, 'SWITCHBOARD_PIR_DAYS', 'whole number'],
    [{ SWITCHBOARD_PENDING_NUDGE_DAYS: '0' }, 'SWITCHBOARD_PENDING_NUDGE_DAYS', 'more than 0'],
    [{ SWITCHBOARD_PENDING_RESOLVE_DAYS: 'soon' }, 'SWITCHBOARD_PENDING_RESOLVE_DAYS', 'number of days'],
    [{ SWITCHBOARD_AUTOCLOSE_DAYS: '400' }, 'SWITCHBOARD_AUTOCLOSE_DAYS', 'at most 365'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL', ''],
    [{ SLACK_API_URL: 'not a url' }, 'SLACK_API_URL', ''],
    [{ SLACK_BOT_TOKEN: 'xoxb-1' }, 'SLACK_SIGNING_SECRET', ''],
    [{ DISCORD_TOKEN: 'abc' }, 'DISCORD_APPLICATION_ID', ''],
    [{ DISCORD_INCIDENT_CATEGORY: 'Incidents' }, 'DISCORD_INCIDENT_CATEGORY', 'Copy Channel ID'],
    [{ DISCORD_INCIDENT_CATEGORY: '#123' }, 'DISCORD_INCIDENT_CATEGORY', "a category channel's id"],
    [{ SWITCHBOARD_TIMEZONE: 'Mars/Olympus_Mons' }, 'SWITCHBOARD_TIMEZONE', 'Europe/Paris'],
    [{ SWITCHBOARD_CONSOLE_USER: 'ada lovelace' }, 'SWITCHBOARD_CONSOLE_USER', 'letters, digits'],
    [
      { SWITCHBOARD_ORGS: 'acme=slack:T1;beta=slack:T2,slack:T1' },
      'SWITCHBOARD_ORGS',
      'slack:T1 is in two organisations',
    ],
  ])('refuses %j, naming %s', (env, variable, shows) => {
    const e = refusal(env as Record<string, string>);
    expect(e.message).toMatch(/^invalid configuration: /);
    expect(e.message).toContain(variable);
    expect(e.message).toContain(shows);
  });

  it("reads DISCORD_INCIDENT_CATEGORY as the rooms' category on Discord (threads while unset)", () => {
    const discord = { DISCORD_TOKEN: 'abc', DISCORD_APPLICATION_ID: '1' };
    expect(loadConfig(discord).discord?.incidentCategory).toBeUndefined();
    const category = '112233445566778899';
    expect(loadConfig({ ...discord, DISCORD_INCIDENT_CATEGORY: category }).discord?.incidentCategory).toBe(category);
  });

  it('names every bad variable at once', () => {
    const e = refusal({ PORT: '-1', SWITCHBOARD_ADMINS: 'bob' });
    expect(e.message).toContain('PORT');
    expect(e.message).toContain('SWITCHBOARD_ADMINS');
  });

  it('turns the HTTP server off with SWITCHBOARD_HTTP=off, and refuses that for Slack in HTTP mode', () => {
    expect(loadConfig({ SWITCHBOARD_HTTP: 'off' }).http).toBeUndefined();
    expect(loadConfig({ SWITCHBOARD_HTTP: 'on', SWITCHBOARD_HTTP_HOST: '127.0.0.1' }).http).toEqual({
      port: 3000,
      host: '127.0.0.1',
    });
    const slack = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'shh', SWITCHBOARD_HTTP: 'off' };
    expect(() => loadConfig(slack)).toThrow(/SWITCHBOARD_HTTP=off.*Slack in HTTP mode/);
    expect(loadConfig({ ...slack, SLACK_APP_TOKEN: 'xapp-1' }).http).toBeUndefined();
    expect(() => loadConfig({ SWITCHBOARD_HTTP: 'maybe' })).toThrow(/SWITCHBOARD_HTTP: must be on or off/);
  });
});
