// A digest review: /status as the review's text says (`storage week`, `month`, nothing: everything this week), in
// the review's timezone, with its chart after it; without the summaries, the open counts by priority.
import { isUserError, UserError } from '../../domain/errors.ts';
import type { Review } from '../../domain/review.ts';
import { statusArgs } from '../../domain/summary.ts';
import { REVIEW_NOTICES } from '../../present/reviewNotice.ts';
import type { SummaryService } from '../summaries.ts';
import type { ReviewKind, ReviewPost } from './kind.ts';

/** A digest's text as /status's scope and period (`storage week`, `month`, nothing: everything this week). */
export function digestArgs(text: string | null | undefined): { scope: string | undefined; period: string | undefined } {
  const [first, second] = (text ?? '').trim().split(/\s+/).filter(Boolean);
  return statusArgs(first, second);
}

/** A text that no longer names a team or service is posted as the refusal it is. */
async function digestOf(review: Review, now: Date, summaries: SummaryService): Promise<ReviewPost> {
  const { scope, period } = digestArgs(review.text);
  try {
    const report = await summaries.status(review.tenant, scope, period, now, review.timezone);
    return { reply: REVIEW_NOTICES.digest({ review, report }), chart: () => summaries.chartReply(report.summary) };
  } catch (e) {
    if (!isUserError(e)) throw e;
    return { reply: REVIEW_NOTICES.digestRefused({ review, reason: e.message }) };
  }
}

export const digest: ReviewKind = {
  name: 'digest',
  /**
   * A digest's text is /status's arguments: a scope (a team or a service) and a period. They are read once now,
   * as a run would, so a typo is refused here with its reason rather than posted at every run.
   */
  async confirm(acting, input, timezone, s) {
    if (!s.summaries) return;
    const { scope, period } = digestArgs(input.text);
    try {
      await s.summaries.status(acting.tenant, scope, period, acting.now, timezone);
    } catch (e) {
      if (!isUserError(e)) throw e;
      throw new UserError(
        e.code,
        `A digest posts /status ${(input.text ?? '').trim().slice(0, 60)}, and that is refused: ${e.message}`,
        'Name a team or a service, then a period: --text "storage week", --text "vpn month"; /team list shows the teams.',
        'text',
      );
    }
  },
  detail(r) {
    const { scope, period } = digestArgs(r.text);
    return ` (scope: ${scope ?? 'everything'}, period: ${period ?? 'week'})`;
  },
  async run(review, now, s) {
    if (s.summaries) return digestOf(review, now, s.summaries);
    return { reply: REVIEW_NOTICES.openCounts({ review, counts: await s.tickets.openCounts(review.tenant) }) };
  },
};
