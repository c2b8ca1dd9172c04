// What the pipeline tells its observers about each invocation (run, denied, success, error, finish), and the log's.
import type { Logger } from 'pino';

/** Which invocation: `command` is a declared name (`ticket new`), a known family, or "unknown", never typed text. */
export interface InvocationSeen {
  command: string;
  platform: string;
  /** The ref a person's apology carries, and the log lines about this invocation. */
  ref: string;
  actor: string;
  /** As asked (`inv.command`/`inv.subcommand`): for logs only, never a metric label. */
  asked: { command: string; subcommand?: string | undefined };
}

/** The command was found and the person may run it: it runs now. */
export type RunEvent = InvocationSeen;

/** Stopped before running: the line did not parse (usage), or the person's role is not enough (role). */
export interface DeniedEvent extends InvocationSeen {
  reason: 'usage' | 'role';
  ms: number;
}

/** The command ran and answered; `ms` is the run's own time. */
export interface SuccessEvent extends InvocationSeen {
  ms: number;
}

/**
 * The command failed: refused (a UserError a person caused), db_unavailable (the database did not answer), error
 * (a bug or anything else: the person got an apology with the ref). `ms` is the run's own time.
 */
export interface ErrorEvent extends InvocationSeen {
  outcome: 'refused' | 'db_unavailable' | 'error';
  err: unknown;
  ms: number;
}

/** Every invocation ends here, whatever happened; `ms` is the whole time in the core. */
export interface FinishEvent extends InvocationSeen {
  /** success, usage, denied, refused, db_unavailable, error. */
  outcome: string;
  ms: number;
}

/** Listens to the pipeline; every part is optional. A listener that throws is logged and does not hurt the reply. */
export interface PipelineObserver {
  run?(e: RunEvent): void;
  denied?(e: DeniedEvent): void;
  success?(e: SuccessEvent): void;
  error?(e: ErrorEvent): void;
  finish?(e: FinishEvent): void;
}

type Events = { [K in keyof PipelineObserver]-?: Parameters<NonNullable<PipelineObserver[K]>>[0] };

/** Tells every observer, each in turn; one that throws is logged and the others still hear. */
export function observers(list: readonly PipelineObserver[], log: Logger) {
  return function emit<K extends keyof Events>(kind: K, e: Events[K]): void {
    for (const o of list) {
      const listener = o[kind] as ((e: Events[K]) => void) | undefined;
      if (!listener) continue;
      try {
        listener.call(o, e);
      } catch (err) {
        log.error({ err, event: kind }, 'a pipeline observer failed');
      }
    }
  };
}

/** The log's part: a system failure with its ref (what a person's apology points to), every invocation at debug. */
export function loggingObserver(log: Logger): PipelineObserver {
  return {
    error(e) {
      if (e.outcome === 'db_unavailable') {
        log.warn({ ref: e.ref, err: (e.err as Error)?.message }, 'database unavailable');
      } else if (e.outcome === 'error') {
        log.error(
          { err: e.err, ref: e.ref, command: e.asked.command, subcommand: e.asked.subcommand, actor: e.actor },
          'command failed',
        );
      }
    },
    finish(e) {
      log.debug(
        { ref: e.ref, command: e.asked.command, actor: e.actor, outcome: e.outcome, ms: Math.round(e.ms) },
        'invocation',
      );
    },
  };
}
