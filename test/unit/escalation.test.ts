// Escalation policies read from text (targets, cumulative after, repeat, limits) and the page timeline step by step.
// @module-tag time-of-day
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isUserError, type UserError } from '../../src/domain/errors.ts';
import {
  DEFAULT_POLICY_TEXT,
  type EscalationPolicy,
  formatPolicy,
  nextStep,
  PAGE_LAST_LEVEL_REPEATS,
  type PageStep,
  pagePlan,
  parsePolicy,
} from '../../src/domain/escalation.ts';

const M = 60_000;
const START = new Date('2026-03-08T06:30:00Z');
const slack = { platform: 'slack' };

function refused(fn: () => unknown): UserError {
  try {
    fn();
  } catch (e) {
    if (isUserError(e)) return e;
    throw e;
  }
  throw new Error('expected a UserError');
}

describe('parsePolicy', () => {
  it('reads the issue example: levels with cumulative after, targets of every kind', () => {
    const p = parsePolicy('"oncall; @slack:U0CAROL after 5m; team, #C0STORAGE after 15m"', { ...slack, repeat: '1' });
    expect(p).toEqual({
      levels: [
        { after: 0, targets: [{ kind: 'oncall' }] },
        { after: 5 * M, targets: [{ kind: 'person', id: 'slack:U0CAROL' }] },
        { after: 15 * M, targets: [{ kind: 'team' }, { kind: 'channel', address: 'slack:C0STORAGE' }] },
      ],
      repeat: 1,
    });
  });

  it('reads the default policy: #team-channel is the team own channel', () => {
    expect(parsePolicy(DEFAULT_POLICY_TEXT, slack)).toEqual({
      levels: [
        { after: 0, targets: [{ kind: 'oncall' }] },
        { after: 5 * M, targets: [{ kind: 'team' }] },
        { after: 15 * M, targets: [{ kind: 'teamChannel' }] },
      ],
      repeat: 0,
    });
  });

  it('reads Discord and console people and channels, full addresses, and "5 min" / "1h30m"', () => {
    const d = parsePolicy('@discord:123456789012345678; #234567890123456789 after 5 min', { platform: 'discord' });
    expect(d.levels.map((l) => l.targets[0])).toEqual([
      { kind: 'person', id: 'discord:123456789012345678' },
      { kind: 'channel', address: 'discord:234567890123456789' },
    ]);
    const c = parsePolicy('@ann, @bob; slack:C0OPS12 after 1h30m; console after 2 hours', { platform: 'console' });
    expect(c.levels).toEqual([
      {
        after: 0,
        targets: [
          { kind: 'person', id: 'console:ann' },
          { kind: 'person', id: 'console:bob' },
        ],
      },
      { after: 90 * M, targets: [{ kind: 'channel', address: 'slack:C0OPS12' }] },
      { after: 120 * M, targets: [{ kind: 'channel', address: 'console' }] },
    ]);
  });

  it('takes the command reader for people, and says the same target once per level', () => {
    const p = parsePolicy('@carol, oncall, @carol, oncall', {
      ...slack,
      readPerson: (r) => (r === '@carol' ? 'slack:U9' : null),
    });
    expect(p.levels[0]?.targets).toEqual([{ kind: 'person', id: 'slack:U9' }, { kind: 'oncall' }]);
  });

  it.each([
    ['', 'ONCALL.EMPTY_POLICY', 'at least one step'],
    ['oncall after 5m', 'ONCALL.BAD_AFTER', 'first step pages at once'],
    ['oncall; team', 'ONCALL.BAD_AFTER', 'say when, like "team after 5m"'],
    ['oncall; team after 10m; #team-channel after 10m', 'ONCALL.BAD_AFTER', 'not later than step 2'],
    ['oncall; team after 15m; #team-channel after 5m', 'ONCALL.BAD_AFTER', 'counts from the start of the page'],
    ['oncall; team after soon', 'ONCALL.BAD_AFTER', '"soon" is not a duration'],
    ['oncall; team after 30s', 'ONCALL.BAD_AFTER', '1m to 24h'],
    ['oncall; team after 25h', 'ONCALL.BAD_AFTER', '1m to 24h'],
    ['oncall; ; team after 5m', 'ONCALL.BAD_STEP', 'step 2 is empty'],
    ['oncall, , team', 'ONCALL.BAD_STEP', 'empty target'],
    ['oncall; bob after 5m', 'ONCALL.BAD_TARGET', '"bob" is not a target'],
    ['@here', 'ONCALL.BAD_TARGET', 'many people'],
    ['@group:S1', 'ONCALL.BAD_TARGET', 'many people'],
    ['@carol', 'ONCALL.BAD_TARGET', 'not a person I know'],
    ['#storage', 'ONCALL.BAD_TARGET', 'not a channel id'],
    ['discord:C0STORAGE', 'ONCALL.BAD_TARGET', 'not a channel id'],
  ])('refuses %j with %s', (text, code, message) => {
    const e = refused(() => parsePolicy(text, slack));
    expect(e.code).toBe(code);
    expect(e.message).toContain(message);
    expect(e.hint).toContain('oncall; @carol after 5m');
  });

  it('limits: 10 levels, 10 targets a level, --repeat 0-9, 1000 characters', () => {
    const steps = (n: number) =>
      ['oncall', ...Array.from({ length: n - 1 }, (_, i) => `team after ${i + 1}m`)].join('; ');
    expect(parsePolicy(steps(10), slack).levels).toHaveLength(10);
    expect(refused(() => parsePolicy(steps(11), slack)).message).toContain('at most 10');
    const many = (n: number) => Array.from({ length: n }, (_, i) => `@slack:U${i}`).join(', ');
    expect(parsePolicy(many(10), slack).levels[0]?.targets).toHaveLength(10);
    expect(refused(() => parsePolicy(many(11), slack)).message).toContain('at most 10');
    expect(parsePolicy('oncall', { ...slack, repeat: 9 }).repeat).toBe(9);
    for (const repeat of ['10', '-1', 'twice', 1.5]) {
      const e = refused(() => parsePolicy('oncall', { ...slack, repeat }));
      expect([e.code, e.field]).toEqual(['ONCALL.BAD_REPEAT', 'repeat']);
    }
    expect(refused(() => parsePolicy(`oncall; team after 5m${' '.repeat(1000)}x`, slack)).message).toContain('longer');
  });

  it('formatPolicy reads back to the same policy', () => {
    const text = 'oncall, @slack:U1; team, slack:C0ABCDE after 5m; #team-channel after 1h30m';
    const p = parsePolicy(text, slack);
    expect(parsePolicy(formatPolicy(p), slack)).toEqual(p);
    expect(formatPolicy(p)).toBe('oncall, @slack:U1; team, slack:C0ABCDE after 5m; #team-channel after 90m');
  });

  it('never throws anything but a UserError, and never echoes control characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (text) => {
        try {
          parsePolicy(`oncall; ${text} after 5m`, slack);
          parsePolicy(text, slack);
        } catch (e) {
          if (!isUserError(e)) throw e;
          expect(e.message).not.toMatch(/\p{Cc}/u);
        }
      }),
    );
  });
});

/** A step as "level.repeat@minutes" (round r prefixed "r:"), for reading timelines at a glance. */
const brief = (s: PageStep): string => {
  const min = (s.at.getTime() - START.getTime()) / M;
  return s.kind === 'exhausted' ? `exhausted@${min}` : `${s.round}:${s.level}.${s.repeat}@${min}`;
};

describe('pagePlan and nextStep', () => {
  const policy = parsePolicy('oncall; @slack:U1 after 5m; team after 15m', slack);

  it('pages each level at its after from the start, again every 2m until the next is due, then exhausted', () => {
    expect(pagePlan(policy, START, 2 * M).map(brief)).toEqual([
      '0:0.0@0',
      '0:0.1@2',
      '0:0.2@4',
      '0:1.0@5',
      '0:1.1@7',
      '0:1.2@9',
      '0:1.3@11',
      '0:1.4@13',
      '0:2.0@15',
      '0:2.1@17',
      '0:2.2@19',
      'exhausted@21',
    ]);
    expect(PAGE_LAST_LEVEL_REPEATS).toBe(2);
  });

  it('--repeat starts again from level 0 after the last level, each round as long as the first', () => {
    const twice: EscalationPolicy = { ...parsePolicy('oncall; team after 5m', slack), repeat: 1 };
    expect(pagePlan(twice, START, 5 * M).map(brief)).toEqual([
      '0:0.0@0',
      '0:1.0@5',
      '0:1.1@10',
      '0:1.2@15',
      '1:0.0@20',
      '1:1.0@25',
      '1:1.1@30',
      '1:1.2@35',
      'exhausted@40',
    ]);
  });

  it('a level that is due sooner than one interval is paged once; one level alone repeats then ends', () => {
    const quick = parsePolicy('oncall; team after 1m', slack);
    expect(pagePlan(quick, START, 2 * M).map(brief)).toEqual([
      '0:0.0@0',
      '0:1.0@1',
      '0:1.1@3',
      '0:1.2@5',
      'exhausted@7',
    ]);
    expect(pagePlan(parsePolicy('oncall', slack), START, 2 * M).map(brief)).toEqual([
      '0:0.0@0',
      '0:0.1@2',
      '0:0.2@4',
      'exhausted@6',
    ]);
  });

  it('nextStep computes any step alone, the same as the whole plan; indexes are 0, 1, 2… in time order', () => {
    const big: EscalationPolicy = { ...policy, repeat: 3 };
    const plan = pagePlan(big, START, 2 * M);
    plan.forEach((step, i) => {
      expect(step.index).toBe(i);
      expect(nextStep(big, START, i - 1, 2 * M)).toEqual(step);
      if (i > 0) expect(step.at.getTime()).toBeGreaterThan((plan[i - 1] as PageStep).at.getTime());
    });
    expect(nextStep(big, START, plan.length - 1, 2 * M)).toBeNull();
    expect(nextStep(big, START, 10_000, 2 * M)).toBeNull();
    expect(() => nextStep(big, START, -1, 0)).toThrow(RangeError);
  });

  it('property: times strictly increase, each level starts at its after, and no page lands at or past the next level', () => {
    const arb = fc.record({
      gaps: fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 0, maxLength: 9 }),
      repeat: fc.integer({ min: 0, max: 3 }),
      every: fc.integer({ min: 1, max: 10 }),
    });
    fc.assert(
      fc.property(arb, ({ gaps, repeat, every }) => {
        const levels = [{ after: 0, targets: [] }];
        for (const g of gaps) levels.push({ after: (levels[levels.length - 1]?.after ?? 0) + g * M, targets: [] });
        const p: EscalationPolicy = { levels, repeat };
        const plan = pagePlan(p, START, every * M);
        const roundMs = (levels[levels.length - 1]?.after ?? 0) + (PAGE_LAST_LEVEL_REPEATS + 1) * every * M;
        for (const [i, s] of plan.entries()) {
          if (i > 0) expect(s.at.getTime()).toBeGreaterThan((plan[i - 1] as PageStep).at.getTime());
          if (s.kind !== 'page') continue;
          const offset = s.at.getTime() - START.getTime() - s.round * roundMs;
          const level = levels[s.level] as { after: number };
          expect(offset).toBe(level.after + s.repeat * every * M);
          const next = levels[s.level + 1];
          if (next) expect(offset).toBeLessThan(next.after);
        }
        expect(plan[plan.length - 1]?.kind).toBe('exhausted');
        expect(plan.filter((s) => s.kind === 'page' && s.repeat === 0)).toHaveLength(levels.length * (repeat + 1));
      }),
    );
  });
});
