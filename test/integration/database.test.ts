// The database bootstrap against the real server: embedded start, persistence, locking, errors that mean "unreachable".
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mongoose from 'mongoose';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { DatabaseUnavailableError, isDatabaseUnavailable, openDatabase } from '../../src/store/connection.ts';
import { startEmbeddedServer } from '../../src/store/embedded.ts';
import { declareModelIndexes } from '../../src/store/indexes.ts';
import { testDatabase } from '../support/db.ts';

const log = pino({ level: 'silent' });
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()?.();
});

function tempDataDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-db-test-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const noteSchema = new mongoose.Schema({ key: { type: String, required: true, unique: true }, body: String });

describe('embedded database server', () => {
  it('starts and serves reads and writes through openDatabase', async () => {
    const dataDir = tempDataDir();
    const db = await openDatabase({ dataDir, timeoutMs: 10_000, log });
    cleanups.push(() => db.close());

    expect(db.describe).toMatch(/^embedded (FerretDB|MongoDB .*) at 127\.0\.0\.1:\d+ \(/);
    const Note = db.connection.model('Note', noteSchema);
    await Note.create({ key: 'k1', body: 'hello' });
    expect((await Note.findOne({ key: 'k1' }).lean())?.body).toBe('hello');
  });

  it('runs the SQLite under FerretDB with synchronous=NORMAL (commits synced at checkpoints, as docs/storage.md says)', async (t) => {
    const dataDir = tempDataDir();
    const server = await startEmbeddedServer({ dataDir, log });
    cleanups.push(() => server.stop());
    const args = readFileSync(`/proc/${server.serverPid()}/cmdline`, 'utf8').split('\0');
    // An embedded MongoDB (no FerretDB and no Go on the machine) has no SQLite to tune.
    if (!args.includes('--handler=sqlite')) t.skip();
    const url = args.find((a) => a.startsWith('--sqlite-url='));
    expect(url, args.join(' ')).toMatch(/[?&]_pragma=synchronous\(normal\)/);
  });

  it("runs FerretDB's Go runtime with GOGC=400 and a 512 MiB soft limit, unless the environment says otherwise", async (t) => {
    const server = await startEmbeddedServer({ dataDir: tempDataDir(), log });
    cleanups.push(() => server.stop());
    const args = readFileSync(`/proc/${server.serverPid()}/cmdline`, 'utf8').split('\0');
    if (!args.includes('--handler=sqlite')) t.skip();
    const env = readFileSync(`/proc/${server.serverPid()}/environ`, 'utf8').split('\0');
    expect(env).toContain(`GOGC=${process.env.GOGC || '400'}`);
    expect(env).toContain(`GOMEMLIMIT=${process.env.GOMEMLIMIT || '512MiB'}`);
  });

  it('keeps data across a stop and a start on the same data directory', async () => {
    const dataDir = tempDataDir();
    const first = await openDatabase({ dataDir, timeoutMs: 10_000, log });
    await first.connection.model('Note', noteSchema).create({ key: 'persisted', body: 'still here' });
    await first.close();

    const second = await openDatabase({ dataDir, timeoutMs: 10_000, log });
    cleanups.push(() => second.close());
    const found = await second.connection.model('Note', noteSchema).findOne({ key: 'persisted' }).lean();
    expect(found?.body).toBe('still here');
  });

  it('refuses a data directory that another live process holds, naming the process', async () => {
    const dataDir = tempDataDir();
    // The parent process (the test runner) is alive and is not us: exactly "another process".
    writeFileSync(join(dataDir, 'embedded-server.lock'), JSON.stringify({ pid: process.ppid }));
    await expect(startEmbeddedServer({ dataDir, log })).rejects.toThrow(
      new RegExp(`in use by another process \\(pid ${process.ppid}\\)`),
    );
  });

  it('takes over a lock left by a process that died', async () => {
    const dataDir = tempDataDir();
    writeFileSync(join(dataDir, 'embedded-server.lock'), JSON.stringify({ pid: 2 ** 22 + 1 }));
    const server = await startEmbeddedServer({ dataDir, log });
    await server.stop();
  });

  it('refuses a second start on the same data directory in the same process', async () => {
    const dataDir = tempDataDir();
    const server = await startEmbeddedServer({ dataDir, log });
    cleanups.push(() => server.stop());
    await expect(startEmbeddedServer({ dataDir, log })).rejects.toThrow(/already running in this process/);
  });
});

describe('shared test database', () => {
  it('rejects a duplicate on a unique index with E11000', async () => {
    const db = await testDatabase();
    cleanups.push(() => db.close());
    const Note = db.connection.model('Note', noteSchema);
    // The house declares a schema's indexes through the one place that decides them (mongoose's autoIndex is off).
    await declareModelIndexes(Note);
    await Note.create({ key: 'same' });

    const err = await Note.create({ key: 'same' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toMatchObject({ code: 11000 });
    expect(isDatabaseUnavailable(err)).toBe(false);
  });

  it('gives every call its own database', async () => {
    const a = await testDatabase();
    cleanups.push(() => a.close());
    const b = await testDatabase();
    cleanups.push(() => b.close());
    expect(a.dbName).not.toBe(b.dbName);
    await a.connection.model('Note', noteSchema).create({ key: 'only-in-a' });
    expect(await b.connection.model('Note', noteSchema).countDocuments()).toBe(0);
  });
});

describe('an unreachable database', () => {
  it('rejects openDatabase with a one-line DatabaseUnavailableError within the timeout', async () => {
    const started = Date.now();
    const err = await openDatabase({ uri: 'mongodb://127.0.0.1:1', dataDir: tempDataDir(), timeoutMs: 1500, log }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(DatabaseUnavailableError);
    const message = (err as Error).message;
    expect(message).not.toContain('\n');
    expect(message).toMatch(
      /^cannot reach the database at mongodb:\/\/127\.0\.0\.1:1 \(from MONGODB_URI\): .*ECONNREFUSED/,
    );
    expect(isDatabaseUnavailable(err)).toBe(true);
    expect(Date.now() - started).toBeLessThan(15_000); // generous: the point is "does not hang"
  });

  it('never prints the credentials of MONGODB_URI', async () => {
    const uri = 'mongodb://ops:s3cret-pw@127.0.0.1:1/itsm';
    const err = await openDatabase({ uri, dataDir: tempDataDir(), timeoutMs: 500, log }).catch((e: unknown) => e);
    expect((err as Error).message).toContain('mongodb://127.0.0.1:1/itsm');
    expect((err as Error).message).not.toContain('s3cret-pw');
  });

  it('is recognised when the server goes away under an open connection', async () => {
    const server = await startEmbeddedServer({ dataDir: tempDataDir(), log });
    cleanups.push(() => server.stop());
    const db = await openDatabase({ uri: server.uri, dataDir: '.data', timeoutMs: 1000, log });
    cleanups.push(() => db.close());
    const Note = db.connection.model('Note', noteSchema);
    await Note.create({ key: 'before' });

    await server.stop();
    const err = await Note.findOne({ key: 'before' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(Error);
    expect(isDatabaseUnavailable(err), `${(err as Error).name}: ${(err as Error).message}`).toBe(true);
  });

  it('is recognised after the connection was closed', async () => {
    const db = await testDatabase();
    const Note = db.connection.model('Note', noteSchema);
    await db.close();
    const err = await Note.findOne({}).catch((e: unknown) => e);
    expect(isDatabaseUnavailable(err)).toBe(true);
    expect(isDatabaseUnavailable(new Error('validation failed'))).toBe(false);
    expect(isDatabaseUnavailable('ECONNREFUSED')).toBe(false);
  });
});
