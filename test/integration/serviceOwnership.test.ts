// The team that owns a service is the one the service catalog names: teams' own `--services` lists from before the
// catalog move into it once (two processes starting at the same moment declare each service once), /team create
// --services claims into it, and a P1 on a service pages the on-call person of the team the catalog names now.
// On the real database, with an injected clock.
// @module-tag time-of-day
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reply } from '../../src/present/reply.ts';
import { MIGRATION } from '../../src/services/serviceOwnership.ts';
import { openDatabase } from '../../src/store/connection.ts';
import { type TestDatabase, testDatabase } from '../support/db.ts';
import { personAt, startTestBot, type TestBot } from '../support/harness.ts';
import { recordingSender } from '../support/recordingSender.ts';

let clock = new Date('2026-03-10T10:00:00Z');
const now = () => clock;
const MIN = 60_000;
const tenant = 'console:local';
const rootRef = { id: 'p-root-legacy', identity: 'console:root', name: 'root' };

let db: TestDatabase;
let second: TestDatabase;
let bot: TestBot;
let other: TestBot;
/** Start-up lines of both processes. */
const progress: string[] = [];
type Person = (line: string) => Promise<Reply>;
let root: Person;
let terminal: ReturnType<typeof recordingSender>;
const ok = (r: Reply): Reply => {
  expect(r.error, r.text).toBeUndefined();
  return r;
};
const field = (r: Reply, label: string) => r.fields?.find((f) => f.label === label)?.value;

/** A team document as /team create --services wrote it before the catalog. */
const legacyTeam = (name: string, services: string[]) => ({
  _id: `${tenant}/${name}`,
  tenant,
  name,
  channel: 'console',
  services,
  members: [],
  layers: [],
  overrides: [],
  policy: null,
  createdAt: new Date('2026-01-05T09:00:00Z'),
  createdBy: rootRef,
  version: 3,
});

/** Another process on the same data: its own connection, closed (not dropped) with it. */
async function sameDataElsewhere(): Promise<TestDatabase> {
  const handle = await openDatabase({
    uri: db.uri,
    dbName: db.dbName,
    dataDir: '.data',
    timeoutMs: 10_000,
    log: pino({ level: 'silent' }),
  });
  return { connection: handle.connection, uri: db.uri, dbName: db.dbName, close: () => handle.close() };
}

beforeAll(async () => {
  db = await testDatabase();
  await db.connection
    .collection('teams')
    .insertMany([
      legacyTeam('storage', ['db', 'backup']),
      legacyTeam('network', ['vpn', 'wifi']),
      legacyTeam('platform', []),
    ] as never[]);
  // Declared in the catalog already, for another team: the catalog wins, the team's list does not move it.
  await db.connection.collection('services').insertOne({
    _id: `${tenant}/wifi`,
    tenant,
    name: 'wifi',
    team: 'platform',
    owner: rootRef,
    tier: 2,
    objective: null,
    targets: { availability: null, sla: {} },
    dependsOn: [],
    createdAt: new Date('2026-02-01T09:00:00Z'),
    createdBy: rootRef,
    updatedAt: new Date('2026-02-01T09:00:00Z'),
    version: 0,
  } as never);
  second = await sameDataElsewhere();
  // Two processes starting at the same moment, each running the migration.
  [bot, other] = await Promise.all([
    startTestBot({ database: db, now, progress: (l) => progress.push(l) }),
    startTestBot({ database: second, now, progress: (l) => progress.push(l) }),
  ]);
  root = personAt(bot.core, 'root');
  terminal = recordingSender('console');
  // Either process may run a page's job and deliver it.
  bot.core.registerSender(terminal);
  other.core.registerSender(terminal);
});
afterAll(async () => {
  await other?.close();
  await bot?.close();
  await second?.close();
  await db?.close();
});

describe("the teams' own service lists move into the catalog", () => {
  it('once, with two processes starting together: each service declared once, for its team, the catalog kept', async () => {
    const moved = progress.filter((l) => l.startsWith('services:'));
    // Each process says how many it declared: together, the three services no catalog entry held.
    const counts = moved.map((l) => Number(/(\d+) moved/.exec(l)?.[1]));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(3);
    const docs = await db.connection.collection('services').find({ tenant }).sort({ name: 1 }).toArray();
    expect(docs.map((d) => `${d.name} → ${d.team}`)).toEqual([
      'backup → storage',
      'db → storage',
      'vpn → network',
      'wifi → platform',
    ]);
    const db_ = docs.find((d) => d.name === 'db');
    // Owned by whoever created the team; declared by the migration; not a manager's /service add.
    expect(db_?.owner).toEqual(rootRef);
    expect(db_?.createdBy).toEqual(MIGRATION);
    expect(db_?.viaTeam).toBe(true);
    expect(docs.find((d) => d.name === 'wifi')?.viaTeam).toBeUndefined();
    // The teams' own lists are emptied, once (the versioned write of one process, the other finding it done).
    const teams = await db.connection.collection('teams').find({ tenant }).sort({ name: 1 }).toArray();
    expect(teams.map((t) => [t.name, t.services])).toEqual([
      ['network', []],
      ['platform', []],
      ['storage', []],
    ]);
    expect(teams.find((t) => t.name === 'storage')?.version).toBe(4);
  });

  it('shows the same in both processes, and a later start has nothing to move', async () => {
    expect(field(ok(await root('/team show storage')), 'Services')).toBe('backup, db');
    expect(field(ok(await personAt(other.core, 'root')('/team show network')), 'Services')).toBe('vpn');
    expect(field(ok(await root('/service show db')), 'Owner')).toContain('root');
    const before = progress.length;
    const third = await startTestBot({ database: await sameDataElsewhere(), now, progress: (l) => progress.push(l) });
    await third.close();
    await third.db.close();
    expect(progress.slice(before).filter((l) => l.startsWith('services:'))).toEqual([]);
  });

  it('refuses an unknown service once a manager declared one (wifi); services from teams alone keep free text', async () => {
    const r = await root('/ticket new "Printer jams" --service printerz');
    expect(r.error).toBe('SERVICE.NOT_FOUND');
    // Another organisation whose catalog came only through /team create --services: any name is still taken.
    const elsewhere = personAt(bot.core, 'root', 'console', 'branch');
    ok(await elsewhere('/team create print --services printers'));
    expect(field(ok(await elsewhere('/service show printers')), 'Team')).toBe('print');
    ok(await elsewhere('/ticket new "Scanner jams" --service scanners'));
  });
});

describe('/team create --services, after the catalog', () => {
  it('declares the new services for the team, owned by the manager who typed it', async () => {
    expect(ok(await root('/team create mail-ops --channel console --services mail,smtp')).text).toBe(
      'Team mail-ops is created, telling console, owning mail, smtp. Add people with /team add mail-ops @person.',
    );
    const mail = ok(await root('/service show mail'));
    expect(field(mail, 'Team')).toBe('mail-ops');
    expect(field(mail, 'Owner')).toContain('root');
  });

  it('is refused for a service the catalog gives another team, creating nothing', async () => {
    const r = await root('/team create ops --services db,newthing');
    expect(r.error).toBe('TEAM.SERVICE_TAKEN');
    expect(r.text).toContain('db belongs to storage already.');
    expect((await root('/team show ops')).error).toBe('TEAM.NOT_FOUND');
    expect((await root('/service show newthing')).error).toBe('SERVICE.NOT_FOUND');
  });
});

describe('paging follows the catalog', () => {
  const pages = (id: string) =>
    terminal.calls
      .filter((c) => c.op === 'dm' && c.reply.text.startsWith('PAGE') && c.reply.text.includes(` ${id} `))
      .map((c) => c.channel);
  /** Both processes' engines and cores (either may run the page's job and deliver it). */
  async function settle() {
    for (let i = 0; i < 2; i++) {
      await Promise.all([bot.jobs.drained(), other.jobs.drained()]);
      await Promise.all([bot.core.settled(), other.core.settled()]);
    }
  }
  async function p1(service: string): Promise<string> {
    const r = ok(await root(`/ticket new "${service} is down" --type incident --priority P1 --service ${service}`));
    const id = r.card?.ticketId as string;
    clock = new Date(clock.getTime() + MIN / 2);
    await settle();
    return id;
  }

  beforeAll(async () => {
    for (const who of ['ann', 'bob', 'cy']) ok(await personAt(bot.core, who)('/help'));
    ok(await root('/oncall rotation storage @ann --every 1w'));
    ok(await root('/oncall rotation network @bob --every 1w'));
    ok(await root('/oncall rotation platform @cy --every 1w'));
  });

  it('pages the on-call person of the team the catalog names: a migrated service, and one declared there', async () => {
    const db = await p1('db');
    expect(pages(db)).toEqual(['ann']);
    const wifi = await p1('wifi');
    expect(pages(wifi)).toEqual(['cy']);
    ok(await root(`/ticket resolve ${db} fixed`));
    ok(await root(`/ticket resolve ${wifi} fixed`));
  });

  it('a service handed to another team is paged there from then on', async () => {
    ok(await root('/service set db --team network'));
    const id = await p1('db');
    expect(pages(id)).toEqual(['bob']);
    expect(field(ok(await root('/team show storage')), 'Services')).toBe('backup');
    ok(await root(`/ticket resolve ${id} fixed`));
  });

  it('a renamed team keeps its services, and is paged for them', async () => {
    // Renamed while nobody is on call (a team on duty is not renamed under them), then given a rotation.
    ok(await root('/team rename mail-ops mail-team'));
    expect(field(ok(await root('/service show mail')), 'Team')).toBe('mail-team');
    expect(field(ok(await root('/team show mail-team')), 'Services')).toBe('mail, smtp');
    ok(await root('/oncall rotation mail-team @cy --every 1w'));
    const id = await p1('smtp');
    expect(pages(id)).toEqual(['cy']);
    ok(await root(`/ticket resolve ${id} fixed`));
  });
});
