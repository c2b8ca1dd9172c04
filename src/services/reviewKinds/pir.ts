// A PIR review: the open post-incident reviews, soonest due first, under the review's name.
import type { ReviewKind } from './kind.ts';

export const pir: ReviewKind = {
  name: 'pir',
  run: async (review, now, s) => ({ reply: await s.pirs.listReply(review.tenant, now, review.timezone, review.name) }),
};
