// Which tickets may have been paged, from the ticket alone: what decides whether a resolve reads a page start; which
// are still owed a page (a failing start's tries stop without it); and the back-off between a start's tries.
import { describe, expect, it } from 'vitest';
import { mayHaveBeenPaged, START_RETRY_MS, startRetryWait, stillPaged } from '../../src/services/pagingPlan.ts';

type Paged = Parameters<typeof mayHaveBeenPaged>[0];
const incident = (o: Partial<Paged> = {}): Paged => ({
  type: 'incident',
  tags: [],
  priority: 'P3',
  history: [],
  service: null,
  team: null,
  ...o,
});
const raised = [{ action: 'priority', field: 'priority', from: 'P1', to: 'P3' }] as unknown as Paged['history'];

describe('mayHaveBeenPaged', () => {
  it('is true for an incident a team could have been paged for: a service or a team, and P1/P2 once or an alert', () => {
    expect(mayHaveBeenPaged(incident({ priority: 'P1', service: 'vpn' }))).toBe(true);
    expect(mayHaveBeenPaged(incident({ priority: 'P2', team: 'network' }))).toBe(true);
    expect(mayHaveBeenPaged(incident({ service: 'vpn', history: raised }))).toBe(true);
    expect(mayHaveBeenPaged(incident({ service: 'vpn', tags: ['alert', 'grafana'] }))).toBe(true);
  });

  it('is true for one /oncall page opened, which pages a person without a service or team', () => {
    expect(mayHaveBeenPaged(incident({ priority: 'P2', tags: ['page'] }))).toBe(true);
  });

  it('is false for a P1 with neither a service nor a team, a P3 never raised, an alert with no service, a request', () => {
    expect(mayHaveBeenPaged(incident({ priority: 'P1' }))).toBe(false);
    expect(mayHaveBeenPaged(incident({ history: raised }))).toBe(false);
    expect(mayHaveBeenPaged(incident({ service: 'vpn' }))).toBe(false);
    expect(mayHaveBeenPaged(incident({ tags: ['alert', 'grafana'] }))).toBe(false);
    expect(mayHaveBeenPaged(incident({ type: 'request', priority: 'P1', service: 'vpn' }))).toBe(false);
  });
});

describe('stillPaged', () => {
  it('is true for a P1/P2 now, and for a page or an alert never given another priority', () => {
    expect(stillPaged(incident({ priority: 'P1' }))).toBe(true);
    expect(stillPaged(incident({ priority: 'P2', history: raised }))).toBe(true);
    expect(stillPaged(incident({ priority: 'P2', tags: ['page'] }))).toBe(true);
    expect(stillPaged(incident({ priority: 'P4', tags: ['alert', 'grafana'] }))).toBe(true);
  });

  it('is false once downgraded by a person, or for a P3 never paged', () => {
    expect(stillPaged(incident({ history: raised }))).toBe(false);
    expect(stillPaged(incident({ tags: ['page'], history: raised }))).toBe(false);
    expect(stillPaged(incident({ tags: ['alert'], history: raised }))).toBe(false);
    expect(stillPaged(incident())).toBe(false);
  });
});

describe('startRetryWait', () => {
  it('backs off 1 s, 5 s, 25 s, then stays at its cap for every later try', () => {
    expect([1, 2, 3, 4, 5, 100].map(startRetryWait)).toEqual([1_000, 5_000, 25_000, 60_000, 60_000, 60_000]);
    expect(startRetryWait(Number.POSITIVE_INFINITY)).toBe(START_RETRY_MS.at(-1));
  });
});
