// One database server for the whole test run: the embedded FerretDB, or MONGODB_URI when set.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import type { TestProject } from 'vitest/node';
import { startEmbeddedServer } from '../../src/store/embedded.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    mongoUri: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const external = process.env.MONGODB_URI?.trim();
  if (external) {
    project.provide('mongoUri', external);
    return async () => {};
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-test-db-'));
  const log = pino({ level: process.env.LOG_LEVEL ?? 'warn' });
  const server = await startEmbeddedServer({
    dataDir,
    log,
    onProgress: (line) => process.stderr.write(`[test database] ${line}\n`),
  });
  project.provide('mongoUri', server.uri);
  return async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  };
}
