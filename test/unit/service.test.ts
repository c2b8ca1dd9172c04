// The service catalog's rules: targets read and refused, dependency cycles, the SLA a ticket on a service runs on,
// and the nearest names to a mistyped one.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SLA } from '../../config/defaults.ts';
import { isUserError, type UserError } from '../../src/domain/errors.ts';
import {
  dependencyCycle,
  formatTargets,
  NO_TARGETS,
  nearestNames,
  parseDependsOn,
  parseTargets,
  serviceNameOf,
  slaTargetsFor,
} from '../../src/domain/service.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;

function refused(fn: () => unknown): UserError {
  try {
    fn();
  } catch (e) {
    if (isUserError(e)) return e;
    throw e;
  }
  throw new Error('expected a UserError');
}

describe('parseTargets', () => {
  it('reads availability and response/resolution pairs per priority', () => {
    expect(parseTargets('availability=99.9%,P1=15m/4h,P2=30m/8h')).toEqual({
      availability: 0.999,
      sla: {
        P1: { responseMs: 15 * MIN, resolutionMs: 4 * HOUR },
        P2: { responseMs: 30 * MIN, resolutionMs: 8 * HOUR },
      },
    });
  });

  it('takes any subset, in any case and spacing, and a percentage without its sign', () => {
    expect(parseTargets(' p3 = 1h/1d ')).toEqual({
      availability: null,
      sla: { P3: { responseMs: HOUR, resolutionMs: 24 * HOUR } },
    });
    expect(parseTargets('Availability=99.95').availability).toBeCloseTo(0.9995);
  });

  it('writes them back the way they are typed', () => {
    expect(formatTargets(parseTargets('availability=99.9%,P1=15m/4h,P2=1h30m/1d'))).toBe(
      'availability=99.9%,P1=15m/4h,P2=1h30m/1d',
    );
    expect(formatTargets(NO_TARGETS)).toBe('none');
  });

  it.each([
    ['availability=abc', 'is not a percentage'],
    ['availability=0%', 'is not a percentage'],
    ['availability=100.5%', 'is not a percentage'],
    ['P1=15m', 'is not a duration pair'],
    ['P1=15m/4h/1d', 'is not a duration pair'],
    ['P1=soon/4h', 'is not a duration pair'],
    ['P1=4h/15m', 'a response later than the resolution'],
    ['P5=1h/2h', 'is not a target'],
    ['P1', 'has no value'],
    ['P1=15m/4h,p1=10m/2h', 'is given twice'],
    [',', 'names no target'],
  ])('refuses %s, saying what was wrong and the right form', (text, why) => {
    const e = refused(() => parseTargets(text));
    expect(e.code).toBe('SERVICE.BAD_TARGETS');
    expect(e.message).toContain(why);
    expect(e.hint).toContain('availability=99.9%,P1=15m/4h');
    expect(e.field).toBe('targets');
  });

  it('never throws anything but a UserError, and never echoes control characters', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        try {
          parseTargets(text);
        } catch (e) {
          if (!isUserError(e)) throw e;
          expect(e.message).not.toMatch(/\p{Cc}/u);
        }
      }),
    );
  });

  it('reads every well-formed line it could be given', () => {
    const pair = fc.tuple(fc.integer({ min: 1, max: 600 }), fc.integer({ min: 0, max: 600 }));
    fc.assert(
      fc.property(fc.subarray(['P1', 'P2', 'P3', 'P4'] as const, { minLength: 1 }), pair, (ps, [r, extra]) => {
        const t = parseTargets(ps.map((p) => `${p}=${r}m/${r + extra}m`).join(','));
        for (const p of ps) expect(t.sla[p]).toEqual({ responseMs: r * MIN, resolutionMs: (r + extra) * MIN });
      }),
    );
  });
});

describe('slaTargetsFor', () => {
  it('takes the service’s target where it names one, the global default otherwise', () => {
    const t = slaTargetsFor(DEFAULT_SLA, parseTargets('P1=10m/2h'));
    expect(t.P1).toEqual({ responseMs: 10 * MIN, resolutionMs: 2 * HOUR });
    expect(t.P2).toEqual(DEFAULT_SLA.P2);
    expect(slaTargetsFor(DEFAULT_SLA, null)).toBe(DEFAULT_SLA);
  });
});

describe('service names and dependencies', () => {
  it('lower-cases a name and refuses one not in the form', () => {
    expect(serviceNameOf(' VPN ')).toBe('vpn');
    const e = refused(() => serviceNameOf('my service\u001b[31m'));
    expect(e.code).toBe('SERVICE.BAD_NAME');
    expect(e.message).not.toMatch(/\p{Cc}/u);
  });

  it('reads a dependency list, once each, and refuses the service itself', () => {
    expect(parseDependsOn('dns, core-db dns', 'payroll')).toEqual(['dns', 'core-db']);
    expect(refused(() => parseDependsOn('payroll', 'payroll')).code).toBe('SERVICE.DEPENDENCY_CYCLE');
  });

  it('finds the cycle a new dependency would close, as a path', () => {
    const catalog = new Map([
      ['a', ['b']],
      ['b', ['c']],
      ['c', []],
    ]);
    expect(dependencyCycle(catalog, 'c', ['a'])).toEqual(['c', 'a', 'b', 'c']);
    expect(dependencyCycle(catalog, 'c', ['d'])).toBeNull();
    expect(dependencyCycle(catalog, 'a', ['c'])).toBeNull();
  });

  it('a catalog without cycles stays without one whatever is added that is refused nothing', () => {
    // Property: after each accepted edge, no service reaches itself.
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 5 })), { maxLength: 30 }),
        (edges) => {
          const catalog = new Map<string, string[]>();
          for (const [from, to] of edges) {
            const f = `s${from}`;
            const deps = [...new Set([...(catalog.get(f) ?? []), `s${to}`])];
            if (f === `s${to}` || dependencyCycle(catalog, f, deps)) continue;
            catalog.set(f, deps);
          }
          for (const name of catalog.keys()) expect(dependencyCycle(catalog, name, catalog.get(name) ?? [])).toBeNull();
        },
      ),
    );
  });

  it('names the nearest declared names to a mistyped one', () => {
    const names = ['payroll', 'vpn', 'core-db', 'email'];
    expect(nearestNames('vnp', names)[0]).toBe('vpn');
    expect(nearestNames('payrol', names)[0]).toBe('payroll');
    expect(nearestNames('x', names)).toHaveLength(3);
    expect(nearestNames('x', [])).toEqual([]);
  });
});
