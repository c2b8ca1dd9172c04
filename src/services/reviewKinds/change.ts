// A change review: the CAB agenda (changes awaiting approval, freezes), under the review's name.
import { REVIEW_NOTICES } from '../../present/reviewNotice.ts';
import type { ReviewKind } from './kind.ts';

export const change: ReviewKind = {
  name: 'change',
  run: async (review, now, s) => ({
    reply: REVIEW_NOTICES.agenda({ review, agenda: await s.cab.cabAgenda(review.tenant, now, review.timezone) }),
  }),
};
