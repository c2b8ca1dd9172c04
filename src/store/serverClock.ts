// The database server's clock as seen from here: one `hello` a minute, carried forward on the monotonic clock.
import type { mongo } from 'mongoose';

/**
 * Every process reads the same clock this way, so "how old is that claim" has one answer across hosts,
 * whatever each host's own clock says. Between samples the time moves on performance.now(), which no
 * wall-clock step (NTP, a VM resumed, a wrong date) can move.
 */
export class ServerClock {
  private sample: { serverMs: number; at: number } | undefined;
  private syncing: Promise<void> | undefined;

  constructor(
    private readonly db: () => mongo.Db,
    private readonly resyncMs = 60_000,
  ) {}

  async now(): Promise<Date> {
    if (!this.sample || performance.now() - this.sample.at > this.resyncMs) {
      this.syncing ??= this.sync().finally(() => {
        this.syncing = undefined;
      });
      await this.syncing;
    }
    const s = this.sample as { serverMs: number; at: number };
    return new Date(s.serverMs + (performance.now() - s.at));
  }

  private async sync(): Promise<void> {
    const sent = performance.now();
    const hello = await this.db().command({ hello: 1 });
    const back = performance.now();
    const local = hello.localTime;
    if (!(local instanceof Date)) throw new Error('the database server did not report its time (hello.localTime)');
    // The server read its clock somewhere in the round trip: halfway is the best guess.
    this.sample = { serverMs: local.getTime() + (back - sent) / 2, at: back };
  }
}
