// The real promtool (Debian package prometheus, installed by scripts/install-promtool.sh), for checking /metrics as Prometheus would.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export type Promtool = { bin: string; missing?: undefined } | { bin: undefined; missing: string };

/** PROMTOOL_BIN, the Debian path, or promtool on PATH; otherwise why it is missing. */
export function findPromtool(): Promtool {
  const named = process.env.PROMTOOL_BIN;
  if (named)
    return existsSync(named) ? { bin: named } : { bin: undefined, missing: `PROMTOOL_BIN=${named} does not exist` };
  if (existsSync('/usr/bin/promtool')) return { bin: '/usr/bin/promtool' };
  const onPath = spawnSync('promtool', ['--version'], { stdio: 'ignore' });
  if (onPath.status === 0) return { bin: 'promtool' };
  return { bin: undefined, missing: 'promtool is not installed (bash scripts/install-promtool.sh installs it)' };
}

/** `promtool check metrics` over an exposition text: its exit status and everything it said (lint problems included). */
export function checkMetrics(bin: string, body: string): { status: number | null; said: string } {
  const r = spawnSync(bin, ['check', 'metrics'], { input: body, encoding: 'utf8', timeout: 30_000 });
  if (r.error) throw r.error;
  return { status: r.status, said: `${r.stdout ?? ''}${r.stderr ?? ''}`.trim() };
}
