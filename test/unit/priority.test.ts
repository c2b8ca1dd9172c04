// The ITIL impact x urgency matrix: the nine default cells, and a matrix changed through configuration.
import { describe, expect, it } from 'vitest';
import { DEFAULT_MATRIX } from '../../config/defaults.ts';
import { loadConfig } from '../../config/index.ts';
import { priorityFor } from '../../src/domain/priority.ts';

describe('priority matrix', () => {
  it.each([
    ['high', 'high', 'P1'],
    ['high', 'medium', 'P2'],
    ['medium', 'high', 'P2'],
    ['high', 'low', 'P3'],
    ['medium', 'medium', 'P3'],
    ['low', 'high', 'P3'],
    ['medium', 'low', 'P4'],
    ['low', 'medium', 'P4'],
    ['low', 'low', 'P4'],
  ] as const)('impact %s x urgency %s is %s by default', (impact, urgency, priority) => {
    expect(priorityFor(DEFAULT_MATRIX, impact, urgency)).toBe(priority);
  });

  it('is the default when nothing is configured', () => {
    expect(loadConfig({}).matrix).toEqual(DEFAULT_MATRIX);
  });

  it('takes cells from SWITCHBOARD_PRIORITY_MATRIX and keeps the others', () => {
    const { matrix } = loadConfig({ SWITCHBOARD_PRIORITY_MATRIX: 'high/low=P2, low/low=P3,medium/high = P1' });
    expect(priorityFor(matrix, 'high', 'low')).toBe('P2');
    expect(priorityFor(matrix, 'low', 'low')).toBe('P3');
    expect(priorityFor(matrix, 'medium', 'high')).toBe('P1');
    expect(priorityFor(matrix, 'high', 'high')).toBe('P1');
    expect(priorityFor(matrix, 'medium', 'medium')).toBe('P3');
    expect(priorityFor(matrix, 'low', 'medium')).toBe('P4');
  });

  it('leaves the default matrix untouched when a configuration changes cells', () => {
    loadConfig({ SWITCHBOARD_PRIORITY_MATRIX: 'high/high=P4' });
    expect(priorityFor(DEFAULT_MATRIX, 'high', 'high')).toBe('P1');
  });
});
