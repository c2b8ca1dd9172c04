// With SWITCHBOARD_TEST_NOW set, every test process's wall clock starts at that instant (and runs on): the suite at 23:30 UTC, or across a DST change.
const target = process.env.SWITCHBOARD_TEST_NOW?.trim();

// A worker may run many files in one module graph (isolate: false): the clock is moved once per process.
const MOVED = Symbol.for('switchboard.test.shiftedClock');
const moved = globalThis as unknown as Record<symbol, boolean>;

if (target && !moved[MOVED]) {
  moved[MOVED] = true;
  const at = Date.parse(target);
  if (Number.isNaN(at)) throw new Error(`SWITCHBOARD_TEST_NOW must be an ISO instant, got ${JSON.stringify(target)}`);
  const RealDate = Date;
  const offset = at - RealDate.now();
  const shiftedNow = () => RealDate.now() + offset;
  // A constructor sharing Date's prototype, not a subclass: libraries that copy Date.prototype's methods
  // (@date-fns/tz) and check `type: Date` (mongoose) see the real Date; only "now" moves.
  function ShiftedDate(this: unknown, ...args: unknown[]): unknown {
    if (!new.target) return new RealDate(shiftedNow()).toString();
    return Reflect.construct(RealDate, args.length > 0 ? args : [shiftedNow()], new.target);
  }
  Object.setPrototypeOf(ShiftedDate, RealDate);
  Object.defineProperties(ShiftedDate, {
    name: { value: 'Date' },
    prototype: { value: RealDate.prototype },
    now: { value: shiftedNow, writable: true, configurable: true },
  });
  globalThis.Date = ShiftedDate as unknown as DateConstructor;
}
