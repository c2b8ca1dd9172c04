// `--kind sla`: read so it can be answered, never scheduled: SLA notices are a standing watch, always on.
import { UserError } from '../../domain/errors.ts';
import type { ReviewKind } from './kind.ts';

export const sla: ReviewKind = {
  name: 'sla',
  refusal: () =>
    new UserError(
      'REVIEW.SLA_ALWAYS_ON',
      'SLA notices are not a schedule: they are a standing watch, always on. Each open ticket tells its assignee (or, unassigned, the channel it came from) at 75% and 100% of its response and resolution targets; a P1/P2 breach is also posted in its card thread.',
      undefined,
      'kind',
    ),
  run: () => Promise.reject(new Error('reviews: an sla review is never scheduled')),
};
