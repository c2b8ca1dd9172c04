// Review kinds and notice kinds are registered by their own modules: the lists the house reads come from them.
import { describe, expect, it } from 'vitest';
import { noticeKinds, renderNotice } from '../../src/present/notices.ts';
import '../../src/present/reviewNotice.ts';
import {
  KINDS_WITH_DAYS,
  REVIEW_KINDS,
  reviewKind,
  UNLISTED_REVIEW_KINDS,
} from '../../src/services/reviewKinds/index.ts';

describe('review kinds', () => {
  it('offer what their modules register, sla read but never offered', () => {
    expect(REVIEW_KINDS).toEqual(['reminder', 'change', 'digest', 'pir', 'stale', 'service-review']);
    expect(UNLISTED_REVIEW_KINDS).toEqual(['sla']);
    expect(KINDS_WITH_DAYS).toEqual(['stale']);
    expect(reviewKind('toString')).toBeUndefined();
  });

  it('say in /review show what their kind is about', () => {
    const base = { text: null, days: undefined } as const;
    expect(reviewKind('stale')?.detail?.({ ...base, days: 0.5 } as never)).toBe(' (no update for 0.5 days)');
    expect(reviewKind('digest')?.detail?.({ ...base, text: 'vpn month' } as never)).toBe(
      ' (scope: vpn, period: month)',
    );
    expect(reviewKind('service-review')?.detail?.(base as never)).toBe(' (period: the last calendar month)');
    expect(reviewKind('service-review')?.detail?.({ ...base, text: 'month' } as never)).toBe(' (period: month)');
  });

  it('refuse a service review whose --text is not a period, saying what a period is', () => {
    const check = reviewKind('service-review')?.check;
    expect(() => check?.({ name: 'x', when: 'daily', text: 'monthly' })).toThrow(
      /service review's --text is its period/,
    );
    expect(() => check?.({ name: 'x', when: 'daily', text: '2026-03-01..2026-03-31' })).not.toThrow();
    expect(() => check?.({ name: 'x', when: 'daily' })).not.toThrow();
  });
});

describe('notice kinds', () => {
  it('are drawn by their kind, as their module registered them', () => {
    expect(noticeKinds()).toContain('review.reminder');
    expect(renderNotice('review.reminder', { review: { name: 'Stand-up', text: 'in 5' } }).text).toBe('Stand-up: in 5');
    expect(() => renderNotice('review.nope', {})).toThrow('no notice kind review.nope');
  });
});
