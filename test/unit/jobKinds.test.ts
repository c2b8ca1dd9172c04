// Job kinds are declared by the services that own them; the engine reads them and refuses a kind declared twice.
import { describe, expect, it } from 'vitest';
import { jobKindsOf } from '../../src/scheduler/startJobs.ts';

const run = async () => undefined;

describe('job kinds', () => {
  it('are read from whatever owns them, and nothing else', () => {
    const kinds = jobKindsOf([
      { jobKinds: { 'a.one': run, 'a.two': run } },
      { jobKinds: { 'b.one': run } },
      {},
      null,
      3,
    ]);
    expect([...kinds.keys()]).toEqual(['a.one', 'a.two', 'b.one']);
  });

  it('refuse a kind two owners declare', () => {
    expect(() => jobKindsOf([{ jobKinds: { 'a.one': run } }, { jobKinds: { 'a.one': run } }])).toThrow(
      'the job kind a.one is declared twice',
    );
  });
});
