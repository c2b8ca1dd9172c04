// Readiness: the database answers and every configured platform is connected; else the reasons why not.

/** What a platform adapter says about its connection (ChatAdapter.ready). */
export interface AdapterState {
  readonly platform: string;
  ready?(): { ok: boolean; reason?: string };
}

export interface DatabaseCheck {
  up: boolean;
  reason?: string;
}

export interface ReadinessOptions {
  /** Asks the database; a check slower than `timeoutMs` counts as down. */
  database?: () => Promise<DatabaseCheck>;
  /** The adapters as they are now (read at each check, so adapters added later count). */
  adapters: () => readonly AdapterState[];
  timeoutMs?: number;
}

export interface Readiness {
  ready: boolean;
  reasons: string[];
}

const DEFAULT_TIMEOUT_MS = 1_000;

/** The check's answer, or down once `ms` have passed: a hung database must not hang the probe. */
export async function databaseWithin(check: () => Promise<DatabaseCheck>, ms: number): Promise<DatabaseCheck> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<DatabaseCheck>((resolve) => {
    timer = setTimeout(() => resolve({ up: false, reason: `did not answer within ${ms} ms` }), ms);
  });
  try {
    return await Promise.race([
      check().catch((err: unknown): DatabaseCheck => ({ up: false, reason: (err as Error)?.message ?? String(err) })),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export async function checkReadiness(o: ReadinessOptions): Promise<Readiness> {
  const reasons: string[] = [];
  if (o.database) {
    const db = await databaseWithin(o.database, o.timeoutMs ?? DEFAULT_TIMEOUT_MS);
    if (!db.up) reasons.push(`database: ${db.reason ?? 'down'}`);
  }
  for (const a of o.adapters()) {
    let state: { ok: boolean; reason?: string };
    try {
      state = a.ready ? a.ready() : { ok: true };
    } catch (err) {
      state = { ok: false, reason: (err as Error)?.message ?? String(err) };
    }
    if (!state.ok) reasons.push(`${a.platform}: ${state.reason ?? 'not connected'}`);
  }
  return { ready: reasons.length === 0, reasons };
}

/** The part of a mongoose connection a ping needs (structural: src/http does not load the driver). */
export interface PingableConnection {
  readyState: number;
  db?: { admin(): { ping(): Promise<unknown> } } | undefined;
}

/** Up when the connection is open and the server answers a ping; combine with databaseWithin for a bound. */
export function pingCheck(connection: PingableConnection): () => Promise<DatabaseCheck> {
  return async () => {
    // 1 = connected; a closed or reconnecting connection cannot answer the next command either.
    if (connection.readyState !== 1 || !connection.db) return { up: false, reason: 'not connected' };
    await connection.db.admin().ping();
    return { up: true };
  };
}
