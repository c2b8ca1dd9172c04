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
    expect(REVIEW_KINDS).toEqual(['reminder', 'change', 'digest', 'pir', 'stale']);
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
  });
});

describe('notice kinds', () => {
  it('are drawn by their kind, as their module registered them', () => {
    expect(noticeKinds()).toContain('review.reminder');
    expect(renderNotice('review.reminder', { review: { name: 'Stand-up', text: 'in 5' } }).text).toBe('Stand-up: in 5');
    expect(() => renderNotice('review.nope', {})).toThrow('no notice kind review.nope');
  });
});
