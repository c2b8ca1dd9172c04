// The job engine's port: what it asks of the store (the jobs due, a claim, an end), in words of intent. How jobs are laid out is the store's (`dueJobs.ts`).
import type { Job, JobEnd } from './jobTypes.ts';

/** What the engine is handed: a queue of due jobs per engine (`JobRepository.queue`). */
export interface JobQueues {
  queue(o: JobQueueOptions): JobQueue;
}

export interface JobQueueOptions {
  /** A claim still held this long (as this process measures it) belongs to a process that died. */
  leaseMs: number;
  /** Jobs due this long ago are still looked for when the queue opens (older ones since the last look, too). */
  graceMs: number;
}

/**
 * One engine's view of the jobs due. `due` hands the engine the jobs due up to a time that it may look at and that
 * have not ended, a batch at a time; the queue remembers what it handed out and what ended (through `end` and
 * `endedAmong`), and never hands out again what it has read and seen end. Across processes, each job is claimed
 * (`claim`) by exactly one engine per attempt; an attempt held by a process that stopped may be taken over.
 */
export interface JobQueue {
  /** Where to look from: what fell due while no process ran (up to a week back) is found again. */
  open(now: Date): Promise<void>;
  /**
   * Looks for the jobs due up to `until`: each batch found goes to `look.take` (the first jobs of a burst start while
   * the rest is still to be read), and what this engine has waiting decides how much of a burst it takes on.
   */
  due(until: Date, look: DueLook): Promise<void>;
  /** The jobs handed out and not ended (what the engine has still to run, or to see end elsewhere). */
  pending(): Iterable<Job>;
  /** True for the one engine that may run this attempt. */
  claim(job: Job, attempt: number, at: Date): Promise<boolean>;
  /** Records how a job ended (false when it had ended already); it is not handed out again. */
  end(job: Job, entry: Omit<JobEnd, '_id'>): Promise<boolean>;
  /** Which of these jobs have ended (elsewhere, or before a restart); those are not handed out again. */
  endedAmong(jobs: readonly Job[]): Promise<Set<string>>;
  /** Whether an attempt held elsewhere since `since` (as this process saw it) may be taken over: its process died. */
  abandoned(job: Job, attempt: number, since: number, now: number): Promise<boolean>;
  /** Gives back the share of due jobs this engine had taken on and not finished, so another engine takes it at once. */
  release(): Promise<void>;
  /** `listener` hears of each job this process files that is due already. */
  onDueNow(listener: () => void): () => void;
  /** Says this engine is alive until the returned function is called (its claims are not taken over meanwhile). */
  keepBeating(now: () => Date, onError: (err: unknown) => void): () => void;
}

/** The engine's side of a look for due jobs. */
export interface DueLook {
  /** Start what is due among these (as room allows) and look at the ones held elsewhere; false once stopped. */
  take(jobs: readonly Job[]): Promise<boolean>;
  /** How many of these wait to start here: while a share's worth wait, the queue takes on no more of a burst. */
  waiting(jobs: readonly Job[]): number;
  /** Whether this engine may run the job (a handler, and the platform it needs). */
  runsHere(job: Job): boolean;
  /** No room for another job: the look stops here. */
  full(): boolean;
  /** More was handed to this engine (work given back by another): look again soon. */
  soon(): void;
}
