// Counts the commands the driver sends (round trips), leaving out the background loops: what a chat command costs.
import type { Connection } from 'mongoose';

/** The periodic reads of the outbox, the job engine's walk and the driver's own monitoring: not a command's work. */
const BACKGROUND = new Set(['find outbox', 'find job_slots', 'find job_cursor', 'update job_cursor', 'hello', 'ping']);

export interface RoundTrips {
  /** Starts a count from zero. */
  reset(): void;
  /** What was sent since the last reset: `find tickets_open`, `insert ticket_pages`, … */
  seen(): readonly string[];
  /** Beside each of `seen()`, the documents it carried (an insert's; 0 for any other command). */
  documents(): readonly number[];
  stop(): void;
}

/** Needs a connection opened with `monitorCommands: true` (src/store/connection.ts). */
export function countRoundTrips(connection: Connection): RoundTrips {
  let seen: string[] = [];
  let documents: number[] = [];
  const client = connection.getClient();
  const listener = (e: { commandName: string; command: Record<string, unknown> }) => {
    const target = e.command[e.commandName];
    const name = typeof target === 'string' ? `${e.commandName} ${target}` : e.commandName;
    if (BACKGROUND.has(name) || BACKGROUND.has(e.commandName) || name.includes('heartbeat')) return;
    seen.push(name);
    const docs = e.command.documents;
    documents.push(Array.isArray(docs) ? docs.length : 0);
  };
  client.on('commandStarted', listener);
  return {
    reset: () => {
      seen = [];
      documents = [];
    },
    seen: () => seen,
    documents: () => documents,
    stop: () => void client.off('commandStarted', listener),
  };
}
