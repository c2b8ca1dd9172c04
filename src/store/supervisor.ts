// Keeps the embedded database server running: restarts it with back-off when it exits, and says why it went.
import type { Logger } from 'pino';

/** One run of the server process. */
export interface ServerRun {
  /** Settles when the process is gone: how it ended ("code 137 (killed by SIGKILL)") and the tail of its output. */
  exited: Promise<{ how: string; output: string }>;
  stop(): Promise<void>;
}

export interface SupervisorState {
  running: boolean;
  /** restarts that brought the server back, since start */
  restarts: number;
  /** why it is not running, when it is not */
  reason?: string;
}

export interface BackOff {
  firstMs: number;
  maxMs: number;
  /** a run that lasted this long starts the back-off again from firstMs */
  resetAfterMs: number;
}

/** 0.5 s, 1 s, 2 s … 30 s; a run of a minute counts as healthy again. */
export const DEFAULT_BACK_OFF: BackOff = { firstMs: 500, maxMs: 30_000, resetAfterMs: 60_000 };

export class ServerSupervisor {
  private run: ServerRun | undefined;
  private startedAt = 0;
  private delayMs: number;
  private timer: NodeJS.Timeout | undefined;
  private relaunching: Promise<void> | undefined;
  private stopped = false;
  private readonly listeners = new Set<(s: SupervisorState) => void>();
  private current: SupervisorState = { running: true, restarts: 0 };

  constructor(
    first: ServerRun,
    private readonly launch: () => Promise<ServerRun>,
    private readonly log: Logger,
    private readonly backOff: BackOff = DEFAULT_BACK_OFF,
  ) {
    this.delayMs = backOff.firstMs;
    this.watch(first);
  }

  state(): SupervisorState {
    return { ...this.current };
  }

  onStateChange(listener: (s: SupervisorState) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops the server for good: no restart follows, a pending one is cancelled. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.relaunching;
    await this.run?.stop();
  }

  private watch(run: ServerRun): void {
    this.run = run;
    this.startedAt = performance.now();
    void run.exited.then(({ how, output }) => {
      if (this.stopped || this.run !== run) return;
      this.run = undefined;
      if (performance.now() - this.startedAt >= this.backOff.resetAfterMs) this.delayMs = this.backOff.firstMs;
      this.log.error(
        { exit: how, output, restartInMs: this.delayMs },
        `the embedded database exited with ${how}; restarting it in ${this.delayMs} ms`,
      );
      this.set({ running: false, reason: `the embedded database exited with ${how}; restarting` });
      this.scheduleRestart();
    });
  }

  private scheduleRestart(): void {
    const delay = this.delayMs;
    this.delayMs = Math.min(this.delayMs * 2, this.backOff.maxMs);
    this.timer = setTimeout(() => {
      this.relaunching = this.relaunch().finally(() => {
        this.relaunching = undefined;
      });
    }, delay);
    this.timer.unref?.();
  }

  private async relaunch(): Promise<void> {
    if (this.stopped) return;
    let run: ServerRun;
    try {
      run = await this.launch();
    } catch (err) {
      this.log.error(
        { err: (err as Error).message, restartInMs: this.delayMs },
        `the embedded database could not be restarted; trying again in ${this.delayMs} ms`,
      );
      this.set({
        running: false,
        reason: `the embedded database could not be restarted: ${firstLine(err)}`,
      });
      if (!this.stopped) this.scheduleRestart();
      return;
    }
    if (this.stopped) {
      await run.stop();
      return;
    }
    this.watch(run);
    const restarts = this.current.restarts + 1;
    this.log.warn({ restarts }, 'the embedded database was restarted');
    this.set({ running: true, restarts });
  }

  private set(change: Partial<SupervisorState>): void {
    const next: SupervisorState = { ...this.current, ...change };
    if (next.running) delete next.reason;
    this.current = next;
    for (const l of this.listeners) {
      try {
        l(this.state());
      } catch (err) {
        this.log.error({ err }, 'a database state listener failed');
      }
    }
  }
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? 'unknown error';
}
