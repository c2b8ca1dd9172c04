// Which tickets may have been paged, from the ticket alone: what decides whether a resolve reads a page start.
import { describe, expect, it } from 'vitest';
import { mayHaveBeenPaged } from '../../src/services/pagingPlan.ts';

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
