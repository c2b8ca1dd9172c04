// A service review (monthly, for management): per service its objective, availability and SLA attainment against
// its targets with the trend, incidents and problems; then a chart (availability per service against target) and
// the figures as a CSV. The period is the last calendar month, or the /status period its --text names.
import { isUserError, UserError } from '../../domain/errors.ts';
import { parsePeriod } from '../../domain/summary.ts';
import { serviceReviewReply } from '../../present/serviceReport.ts';
import { daysOf } from '../serviceStatus.ts';
import type { ReviewKind } from './kind.ts';

const periodText = (text: string | null | undefined): string | undefined => text?.trim() || undefined;

export const serviceReview: ReviewKind = {
  name: 'service-review',
  /** A --text is a /status period (`month`, `2026-03-01..2026-03-31`): read now, so a typo is refused at once. */
  check(input) {
    const text = periodText(input.text);
    if (text === undefined) return;
    try {
      parsePeriod(text, new Date(0), 'UTC');
    } catch (e) {
      if (!isUserError(e)) throw e;
      throw new UserError(
        e.code,
        `A service review's --text is its period: ${e.message}`,
        'Leave --text out for the last calendar month, or say --text month (the 30 days to the run).',
        'text',
      );
    }
  },
  detail: (r) => ` (period: ${periodText(r.text) ?? 'the last calendar month'})`,
  async run(review, now, s) {
    const status = s.serviceStatus;
    if (!status) throw new Error('reviews: a service review needs the service status');
    const text = periodText(review.text);
    const report = text
      ? await status.report(review.tenant, text, now, review.timezone)
      : await status.monthly(review.tenant, now, review.timezone);
    return {
      reply: serviceReviewReply({ review, rows: report.rows, days: daysOf(report.current) }),
      chart: () => status.chartReply(report),
      attachment: async () => (report.rows.length ? status.csvReply(report) : null),
    };
  },
};
