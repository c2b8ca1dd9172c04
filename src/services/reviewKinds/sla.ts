// `--kind sla`: read so it can be answered, never scheduled: SLA notices are a standing watch, always on.
import { UserError } from '../../domain/errors.ts';
import type { ReviewKind } from './kind.ts';

export const sla: ReviewKind = {
  name: 'sla',
  refusal: () => UserError.of('REVIEW.SLA_ALWAYS_ON', {}, undefined, 'kind'),
  run: () => Promise.reject(new Error('reviews: an sla review is never scheduled')),
};
