// The job engine started with every kind of job the services declare (src/services/jobKinds.ts), over their repository.
import type { JobHandler, JobKinds, PlacedJobKind } from '../services/jobKinds.ts';
import type { JobQueues } from '../store/jobQueue.ts';
import { JobEngine, type JobEngineOptions } from './jobs.ts';

/** The job kinds the services own (each service's `jobKinds`), read from whatever it is handed; a kind twice is refused. */
export function jobKindsOf(owners: Iterable<unknown>): Map<string, JobHandler | PlacedJobKind> {
  const kinds = new Map<string, JobHandler | PlacedJobKind>();
  for (const owner of owners) {
    if (typeof owner !== 'object' || owner === null || !('jobKinds' in owner)) continue;
    for (const [kind, handler] of Object.entries((owner as { jobKinds: JobKinds }).jobKinds)) {
      if (kinds.has(kind)) throw new Error(`jobs: the job kind ${kind} is declared twice`);
      kinds.set(kind, handler);
    }
  }
  return kinds;
}

/** The engine with every kind of job the services declare (see src/services/jobKinds.ts), over their repository. */
export function startJobEngine(
  services: { jobs: JobQueues; housekeeping: { planWaiting(): Promise<number> } },
  opts: JobEngineOptions,
): JobEngine {
  const engine = new JobEngine(services.jobs, opts);
  for (const [kind, h] of jobKindsOf(Object.values(services))) {
    if (typeof h === 'function') engine.handle(kind, h);
    else engine.handle(kind, h.run, h.runsHere, h.late);
  }
  engine.start();
  // Tickets that changed while no process ran get their next housekeeping step (one planned already stays).
  services.housekeeping
    .planWaiting()
    .then((n) => n && opts.log.info({ planned: n }, 'housekeeping: steps planned for waiting tickets'))
    .catch((err) => opts.log.warn({ err }, 'housekeeping: waiting tickets could not be planned'));
  return engine;
}
