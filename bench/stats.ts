// What every bench section prints: nearest-rank percentiles, a run's summary, and the figures table beside a floor.
import { readFileSync } from 'node:fs';

/** CPU seconds a process has used so far (user + system, from /proc); NaN where it cannot be read. */
export function cpuSeconds(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}

/** Nearest-rank percentile of values sorted ascending; NaN when there are none. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

/** One measured run: operations started, how many failed, how long the run took, each operation's latency (ms). */
export interface Run {
  ops: number;
  failed: number;
  seconds: number;
  latencies: readonly number[];
}

export interface Summary {
  ops: number;
  failed: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
}

/** A run's figures; the rate is every operation started per second unless the section counts otherwise. */
export function summarize(run: Run, perSecond = run.ops / run.seconds): Summary {
  const sorted = [...run.latencies].sort((a, b) => a - b);
  const { ops, failed, seconds } = run;
  return { ops, failed, seconds, perSecond, p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
}

export interface Figure {
  figure: string;
  run: Summary;
  /** the floor this figure is compared with, measured in the same run */
  floor?: Summary;
}

/**
 * The figures as an aligned table: rate and percentiles, then the same divided by the floor's.
 * `unit` names the rate (ops/s, req/s); `floor` names what the ratio columns divide by. A string is a note line
 * printed as given between the rows.
 */
export function figureTable(rows: ReadonlyArray<Figure | string>, o: { unit: string; floor: string }): string[] {
  const head = ['figure', 'n', o.unit, 'p50 ms', 'p99 ms', 'failed'];
  head.push(`${o.unit} ÷ ${o.floor}`, `p50 ÷ ${o.floor}`, `p99 ÷ ${o.floor}`);
  const cells = (f: Figure) => [
    f.figure,
    String(f.run.ops),
    f.run.perSecond.toFixed(0),
    f.run.p50.toFixed(2),
    f.run.p99.toFixed(2),
    String(f.run.failed),
    ...(f.floor ? [f.run.perSecond / f.floor.perSecond, f.run.p50 / f.floor.p50, f.run.p99 / f.floor.p99] : []).map(
      (r) => `${r.toFixed(2)}x`,
    ),
  ];
  const body = rows.map((r) => (typeof r === 'string' ? r : cells(r)));
  const widths = head.map((h, i) =>
    Math.max(h.length, ...body.map((b) => (typeof b === 'string' ? 0 : (b[i] ?? '').length))),
  );
  const line = (row: string[]) =>
    `  ${row.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  ')}`.trimEnd();
  return [
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...body.map((b) => (typeof b === 'string' ? b : line(b))),
  ];
}

/** Median ms of `runs - 1` timed calls of `op`, after one untimed call (a warm-up). */
export async function medianMs(runs: number, op: () => Promise<unknown>): Promise<number> {
  await op();
  const times: number[] = [];
  for (let i = 1; i < runs; i++) {
    const t0 = performance.now();
    await op();
    times.push(performance.now() - t0);
  }
  times.sort((x, y) => x - y);
  return times[Math.floor(times.length / 2)] as number;
}

/** Median milliseconds per figure at each size, one row per figure, with the largest size's over the smallest's. */
export function bySizeTable(
  results: ReadonlyArray<readonly [number, Record<string, number>]>,
  what = 'closed',
): string[] {
  const names = Object.keys(results[0]?.[1] ?? {});
  const lines = [
    `  ${'median ms'.padEnd(36)}${results.map(([n]) => `${n} ${what}`.padStart(16)).join('')}   largest/smallest`,
  ];
  for (const name of names) {
    const row = results.map(([, t]) => t[name] as number);
    const ratio = (row.at(-1) as number) / (row[0] as number);
    lines.push(`  ${name.padEnd(36)}${row.map((v) => v.toFixed(1).padStart(16)).join('')}   ${ratio.toFixed(2)}x`);
  }
  return lines;
}
