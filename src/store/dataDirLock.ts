// The data-directory lock: SQLite would let two servers share files and corrupt each other's view.
import { closeSync, openSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const LOCK_FILE = 'embedded-server.lock';

/** The directory is locked by a live process (or by this one already). */
export class DataDirLockedError extends Error {
  override name = 'DataDirLockedError';
}

const held = new Map<string, () => void>();

/** How many data directories this process holds. */
export const heldDataDirLocks = (): number => held.size;

/** Releases every lock this process holds (its exit, or a signal nobody else handles). */
export function releaseAllDataDirLocks(): void {
  for (const release of [...held.values()]) release();
}

/**
 * Takes `dataDir` for this process, or says who has it; a lock left by a dead process is taken over.
 * `onChange` runs whenever the set of held locks changes (the caller's exit hooks follow it).
 */
export function lockDataDir(dataDir: string, onChange: () => void = () => {}): () => void {
  const path = join(dataDir, LOCK_FILE);
  if (held.has(path)) {
    throw new DataDirLockedError(`the embedded database in ${dataDir} is already running in this process`);
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeFileSync(fd, JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() }));
      closeSync(fd);
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        held.delete(path);
        onChange();
        try {
          unlinkSync(path);
        } catch {
          // already removed
        }
      };
      held.set(path, release);
      onChange();
      return release;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = readLockOwner(path);
      if (owner !== undefined && owner !== process.pid && isAlive(owner)) {
        throw new DataDirLockedError(
          `the embedded database in ${dataDir} is in use by another process (pid ${owner}); stop it, use another SWITCHBOARD_DATA_DIR, or set MONGODB_URI (lock: ${path})`,
        );
      }
      // The owner died without cleaning up (or was an earlier life of a process with our pid).
      try {
        unlinkSync(path);
      } catch {
        // someone else removed it first; the retry will tell
      }
    }
  }
  throw new DataDirLockedError(`could not lock ${path}; remove it if no Switchboard process is running`);
}

function readLockOwner(path: string): number | undefined {
  try {
    const pid = Number((JSON.parse(readFileSync(path, 'utf8')) as { pid?: unknown }).pid);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
