// ITIL impact x urgency matrix to a priority.
import type { Level, Priority } from './ticket.ts';

export type PriorityMatrix = Readonly<Record<Level, Readonly<Record<Level, Priority>>>>;

/** Priority for an impact (rows) and urgency (columns). */
export const priorityFor = (matrix: PriorityMatrix, impact: Level, urgency: Level): Priority => matrix[impact][urgency];
