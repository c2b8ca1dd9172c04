// What the pipeline tells its observers: run, denied, success, error and finish, with durations, for each invocation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PipelineObserver } from '../../src/core/observer.ts';
import { personAt, startTestBot, type TestBot } from '../support/harness.ts';

let bot: TestBot;
const heard: Array<{ kind: string; command: string; reason?: string; outcome?: string; ms?: number }> = [];
const observer: PipelineObserver = {
  run: (e) => heard.push({ kind: 'run', command: e.command }),
  denied: (e) => heard.push({ kind: 'denied', command: e.command, reason: e.reason, ms: e.ms }),
  success: (e) => heard.push({ kind: 'success', command: e.command, ms: e.ms }),
  error: (e) => heard.push({ kind: 'error', command: e.command, outcome: e.outcome, ms: e.ms }),
  finish: (e) => heard.push({ kind: 'finish', command: e.command, outcome: e.outcome, ms: e.ms }),
};

beforeAll(async () => {
  bot = await startTestBot({ observer });
});
afterAll(async () => {
  await bot?.close();
});

/** What was heard while `line` ran, durations left out (each is checked to be a number of milliseconds). */
async function heardFor(who: ReturnType<typeof personAt>, line: string) {
  heard.length = 0;
  await who(line);
  for (const h of heard) if (h.ms !== undefined) expect(h.ms).toBeGreaterThanOrEqual(0);
  return heard.map(({ ms: _ms, ...rest }) => rest);
}

describe('the pipeline’s events', () => {
  it('a command that runs: run, success, finish', async () => {
    expect(await heardFor(personAt(bot.core, 'root'), 'ticket new Printer on fire')).toEqual([
      { kind: 'run', command: 'ticket new' },
      { kind: 'success', command: 'ticket new' },
      { kind: 'finish', command: 'ticket new', outcome: 'success' },
    ]);
  });

  it('a line that does not parse, or a role that is not enough: denied, finish; nothing runs', async () => {
    expect(await heardFor(personAt(bot.core, 'root'), 'ticket assign')).toEqual([
      // Not resolved to a subcommand: the family names it.
      { kind: 'denied', command: 'ticket', reason: 'usage' },
      { kind: 'finish', command: 'ticket', outcome: 'usage' },
    ]);
    expect(await heardFor(personAt(bot.core, 'eve', 'slack', 'T1'), 'ticket resolve INC-1 fixed')).toEqual([
      { kind: 'denied', command: 'ticket resolve', reason: 'role' },
      { kind: 'finish', command: 'ticket resolve', outcome: 'denied' },
    ]);
  });

  it('a refusal the person caused: run, error (refused), finish; typed text never names the command', async () => {
    expect(await heardFor(personAt(bot.core, 'root'), 'ticket show INC-999')).toEqual([
      { kind: 'run', command: 'ticket show' },
      { kind: 'error', command: 'ticket show', outcome: 'refused' },
      { kind: 'finish', command: 'ticket show', outcome: 'refused' },
    ]);
    expect(await heardFor(personAt(bot.core, 'root'), 'tikcet new x')).toEqual([
      { kind: 'denied', command: 'unknown', reason: 'usage' },
      { kind: 'finish', command: 'unknown', outcome: 'usage' },
    ]);
  });
});
