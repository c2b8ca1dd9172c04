// A fourth platform, added as a new platform is: its spec and its adapter (test/support/memoryPlatform.ts), handed to
// createSwitchboard as src/main.ts hands the others, and nothing else of the house changed. People on it open a
// ticket, make a team with a room of theirs, set an escalation policy in its forms, page, and read the page DM.
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../config/index.ts';
import { createSwitchboard, type Switchboard } from '../../src/app.ts';
import { registerPlatforms } from '../../src/domain/platform.ts';
import type { Reply } from '../../src/present/reply.ts';
import { type TestDatabase, testDatabase } from '../support/db.ts';
import { testClock } from '../support/harness.ts';
import { createMemoryAdapter, type MemoryAdapter, memoryPlatform } from '../support/memoryPlatform.ts';

let db: TestDatabase;
let house: Switchboard;
let memory: MemoryAdapter;
const ok = (r: Reply): Reply => {
  expect(r.error, r.text).toBeUndefined();
  return r;
};

beforeAll(async () => {
  // As src/main.ts does: the platforms registered before the config is read, then given to the composition root.
  const platforms = registerPlatforms([memoryPlatform]);
  const config = loadConfig({ SWITCHBOARD_ADMINS: 'memory:root' });
  db = await testDatabase();
  house = await createSwitchboard({
    config,
    connection: db.connection,
    log: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    now: testClock(),
    platforms,
    progress: () => {},
    pollMs: 50,
    background: { reviewTasks: false, maintenance: false },
  });
  memory = createMemoryAdapter(house.core);
  await memory.start();
  await house.start();
  for (const p of ['ann', 'bob']) ok(await memory.say(p, '/help'));
});
afterAll(async () => {
  await house?.stop({ settle: true });
  await db?.close();
});

describe('a platform registered through createSwitchboard (in memory)', () => {
  it('takes its identities in the config: memory:root is an admin there', async () => {
    ok(await memory.say('root', '/role grant <@ann> agent'));
    ok(await memory.say('root', '/role grant <@bob> agent'));
    expect(() => loadConfig({ SWITCHBOARD_ADMINS: 'memory:root,nowhere:x' })).toThrow('"nowhere:x"');
  });

  it('opens a ticket typed in a room, and lists it', async () => {
    const r = ok(await memory.say('bob', '/ticket new "Printer on fire" --type incident'));
    const id = r.card?.ticketId as string;
    expect(id).toMatch(/^INC-\d+$/);
    expect(ok(await memory.say('ann', '/ticket list')).text).toContain(id);
  });

  it('knows its rooms as channels: #R7 is memory:R7, other forms are refused with its own', async () => {
    ok(await memory.say('root', '/team create storage --channel #R7 --services db'));
    const bad = await memory.say('root', '/team create disks --channel #no-such');
    expect(bad.error).toBe('USAGE.BAD_CHANNEL');
    expect(bad.text).toContain('On Memory give a channel id: --channel #R1');
    const policy = await memory.say('root', '/oncall policy storage "oncall; #X9 after 5m"');
    expect(policy.error).toBe('ONCALL.BAD_TARGET');
    expect(policy.text).toContain('#R1 on Memory');
    const set = ok(await memory.say('root', '/oncall policy storage "oncall; <@bob>, #R7 after 5m"'));
    expect(set.text).toBe('storage pages: oncall; @bob, memory:R7 after 5m.');
  });

  it('pages the on-call person by DM on it', async () => {
    ok(await memory.say('root', '/oncall rotation storage <@ann> --every 1w'));
    const r = ok(await memory.say('root', '/oncall page storage the backup disk is full'));
    const id = /(INC-\d+)/.exec(r.text)?.[1] as string;
    await vi.waitFor(
      () =>
        expect(memory.dmsTo('ann').map((m) => m.reply.text)).toContainEqual(
          expect.stringContaining(`PAGE (storage on-call, level 1): ${id} P2 the backup disk is full`),
        ),
      {
        timeout: 15_000,
        interval: 50,
      },
    );
    ok(await memory.say('ann', `/oncall ack ${id}`));
  });
});
