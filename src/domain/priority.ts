// ITIL impact x urgency matrix to a priority.
import type { Level, Priority } from './ticket.ts';

export type PriorityMatrix = Readonly<Record<Level, Readonly<Record<Level, Priority>>>>;

export const DEFAULT_MATRIX: PriorityMatrix = Object.freeze({
  high: { high: 'P1', medium: 'P2', low: 'P3' },
  medium: { high: 'P2', medium: 'P3', low: 'P4' },
  low: { high: 'P3', medium: 'P4', low: 'P4' },
});

/** Priority for an impact (rows) and urgency (columns). */
export const priorityFor = (matrix: PriorityMatrix, impact: Level, urgency: Level): Priority => matrix[impact][urgency];
