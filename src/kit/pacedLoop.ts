// One pass of work at a time, run again at once when asked during a pass, else after a pause: the outbox's and the job engine's heartbeat.
export class PacedLoop {
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<void> | null = null;
  private again = false;
  private on = false;

  constructor(
    private readonly pass: () => Promise<void>,
    private readonly failed: (err: unknown) => void,
    private readonly pauseMs: number,
  ) {}

  get running(): boolean {
    return this.on;
  }

  /** The pass under way, if any. */
  get pending(): Promise<void> | null {
    return this.current;
  }

  start(): void {
    if (this.on) return;
    this.on = true;
    this.kick();
  }

  stop(): void {
    this.on = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** A pass now; during a pass, another right after it. */
  kick(): void {
    if (!this.on) return;
    if (this.current) {
      this.again = true;
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.current = this.pass()
      .catch(this.failed)
      .finally(() => {
        this.current = null;
        if (!this.on) return;
        if (this.again) {
          this.again = false;
          this.kick();
        } else {
          this.timer = setTimeout(() => this.kick(), this.pauseMs);
          this.timer.unref();
        }
      });
  }

  /** Asks for another pass when the one under way ends (it may have read the world too early). */
  soon(): void {
    this.again = true;
  }

  /** Resolves after a pass that began after this call (tests: one under way may have read the clock early). */
  async fresh(): Promise<void> {
    while (this.current) await this.current;
    this.kick();
    await this.current;
  }
}
