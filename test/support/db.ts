// A private database per call on the run's shared server, dropped on close, so no test sees another's data.
import { randomBytes } from 'node:crypto';
import type mongoose from 'mongoose';
import pino, { type Logger } from 'pino';
import { inject } from 'vitest';
import { openDatabase } from '../../src/store/connection.ts';

export interface TestDatabase {
  connection: mongoose.Connection;
  uri: string;
  dbName: string;
  close(): Promise<void>;
}

export async function testDatabase(
  log: Logger = pino({ level: 'silent' }),
  opts: { monitorCommands?: boolean } = {},
): Promise<TestDatabase> {
  const uri = inject('mongoUri');
  const dbName = `t_${randomBytes(6).toString('hex')}`;
  const handle = await openDatabase({ uri, dataDir: '.data', dbName, timeoutMs: 10_000, log, ...opts });
  let closed = false;
  return {
    connection: handle.connection,
    uri,
    dbName,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await handle.connection.dropDatabase();
      } finally {
        await handle.close();
      }
    },
  };
}
