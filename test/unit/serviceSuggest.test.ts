// Which catalog services are offered for what was typed (Discord autocomplete, Slack's type-ahead select).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_SUGGESTIONS, suggestionLabel, suggestServices } from '../../src/domain/serviceSuggest.ts';
import '../support/propertySeed.ts';

const svc = (name: string, team = 'ops', tier: number | null = null) => ({ name, team, tier });
const catalog = [
  svc('wifi', 'network', 2),
  svc('vpn', 'network', 1),
  svc('corp-vpn', 'hr-it'),
  svc('payroll', 'hr-it'),
];
const names = (typed: string, limit?: number) => suggestServices(catalog, typed, limit).map((s) => s.name);

describe('suggestServices', () => {
  it('puts names starting with the text first, then names containing it, then the team’s services', () => {
    expect(names('vp')).toEqual(['vpn', 'corp-vpn']);
    expect(names('  VP ')).toEqual(['vpn', 'corp-vpn']);
    expect(names('hr')).toEqual(['corp-vpn', 'payroll']);
    expect(names('n')).toEqual(['corp-vpn', 'vpn', 'wifi']);
  });

  it('offers the whole catalog by name when nothing is typed, and nothing for a text nothing matches', () => {
    expect(names('')).toEqual(['corp-vpn', 'payroll', 'vpn', 'wifi']);
    expect(names('zzz')).toEqual([]);
    expect(names('', 2)).toEqual(['corp-vpn', 'payroll']);
  });

  it('never offers more than asked, nor anything not in the catalog, nor one twice', () => {
    const name = fc.stringMatching(/^[a-z0-9][a-z0-9._-]{0,11}$/);
    fc.assert(
      fc.property(
        fc.uniqueArray(name, { maxLength: 60 }),
        fc.string({ maxLength: 8 }),
        fc.integer({ min: 0, max: 40 }),
        (list, typed, limit) => {
          const all = list.map((n) => svc(n));
          const got = suggestServices(all, typed, limit);
          expect(got.length).toBeLessThanOrEqual(limit);
          expect(new Set(got.map((s) => s.name)).size).toBe(got.length);
          for (const s of got) expect(list).toContain(s.name);
          // With no limit given, at most what Discord takes.
          expect(suggestServices(all, typed).length).toBeLessThanOrEqual(MAX_SUGGESTIONS);
        },
      ),
    );
  });
});

describe('suggestionLabel', () => {
  it('names the team and tier, cut to the platform’s length', () => {
    expect(suggestionLabel(svc('vpn', 'network', 1))).toBe('vpn · network · tier 1');
    expect(suggestionLabel(svc('payroll', 'hr-it'))).toBe('payroll · hr-it');
    expect(suggestionLabel(svc('x'.repeat(60), 'y'.repeat(40), 3), 75)).toHaveLength(75);
  });
});
