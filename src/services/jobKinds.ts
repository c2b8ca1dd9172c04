// Job kinds: each service that files durable jobs declares the kinds it owns and how each runs (`jobKinds`); the
// job engine (src/scheduler/jobs.ts) reads them from the services it is handed and names none itself.
import type { Job } from '../store/jobStore.ts';

/** Resolves with a reason when the job rightly did nothing (a paused review): it is recorded with the end. */
export type JobHandler = (job: Job, run: { now: Date; lateMs: number }) => Promise<unknown>;

/**
 * A kind with more to say than its handler:
 * - `runsHere`: a job that may run only in some processes (one that posts to a chat platform this process is not
 *   connected to): where it says no, the engine leaves it unclaimed for a process where it says yes;
 * - `late: 'run'`: a job found after the catch-up period (every process down longer than SWITCHBOARD_CATCHUP) still
 *   runs instead of being recorded as missed: work that must happen however late (the page of an incident still
 *   open, the end of a page whose incident was resolved). Its handler decides whether it still applies.
 */
export interface PlacedJobKind {
  run: JobHandler;
  runsHere?: (job: Job) => boolean;
  late?: 'run';
}

/** A service's job kinds: the kind's name (stored on every job of it) and what runs it. */
export type JobKinds = Readonly<Record<string, JobHandler | PlacedJobKind>>;

/** What owns job kinds: a service with a `jobKinds` table. */
export interface OwnsJobKinds {
  readonly jobKinds: JobKinds;
}
