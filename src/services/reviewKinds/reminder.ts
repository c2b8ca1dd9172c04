// A reminder review: its text, posted under its name at each run.
import { UserError } from '../../domain/errors.ts';
import { REVIEW_NOTICES } from '../../present/reviewNotice.ts';
import type { ReviewKind } from './kind.ts';

export const reminder: ReviewKind = {
  name: 'reminder',
  check(input) {
    if (input.text) return;
    throw new UserError(
      'USAGE.MISSING',
      'A reminder review needs --text: what it should say.',
      `Try: /review add "${input.name}" ${input.when} --text "Change review in 10 minutes"`,
      'text',
    );
  },
  run: async (review) => ({ reply: REVIEW_NOTICES.reminder({ review }) }),
};
