// The options of `/oncall rotation` read into a layer: defaults, every/handoff forms, and refusals with examples.
// @module-tag time-of-day
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isUserError, type UserError } from '../../src/domain/errors.ts';
import { onCallAt, parseRotation, ROTATION_EXAMPLES } from '../../src/domain/oncall.ts';

// Wednesday 2026-03-04 12:00 in New York.
const NOW = new Date('2026-03-04T17:00:00Z');
const NY = 'America/New_York';

function refused(fn: () => unknown): UserError {
  try {
    fn();
  } catch (e) {
    if (isUserError(e)) return e;
    throw e;
  }
  throw new Error('expected a UserError');
}

describe('parseRotation', () => {
  it('defaults: weekly, Monday 09:00 in the asker zone, starting now, layer 1', () => {
    expect(parseRotation({ members: ['a', 'b'] }, NOW, NY)).toEqual({
      layer: 1,
      members: ['a', 'b'],
      every: '1w',
      handoff: { time: '09:00', weekday: 1 },
      timezone: NY,
      start: NOW,
    });
  });

  it('reads every, handoff, tz, start and layer', () => {
    const r = parseRotation(
      { members: ['a'], every: '12H', handoff: '9pm', tz: 'europe/berlin', start: '2026-03-10T08:00', layer: '2' },
      NOW,
      NY,
    );
    expect(r).toEqual({
      layer: 2,
      members: ['a'],
      every: '12h',
      handoff: { time: '21:00' },
      timezone: 'Europe/Berlin',
      start: new Date('2026-03-10T07:00:00Z'),
    });
    expect(parseRotation({ members: ['a'], every: '1w', handoff: 'friday 5pm' }, NOW, NY).handoff).toEqual({
      time: '17:00',
      weekday: 5,
    });
    expect(parseRotation({ members: ['a'], every: '24h', handoff: '00:00' }, NOW, NY).every).toBe('1d');
    expect(parseRotation({ members: ['a'], every: '2w', start: 'now' }, NOW, NY).every).toBe('2w');
  });

  it('a weekly handoff without a weekday hands over on the weekday it starts', () => {
    expect(parseRotation({ members: ['a'], handoff: '10:00' }, NOW, NY).handoff).toEqual({ time: '10:00', weekday: 3 });
  });

  it('the layer parsed is one onCallAt answers with', () => {
    const r = parseRotation({ members: ['a', 'b'], every: '1d', handoff: '00:00' }, NOW, NY);
    expect(onCallAt({ layers: [r], overrides: [] }, NOW)).toEqual({
      person: 'a',
      until: new Date('2026-03-05T05:00:00Z'),
      source: 'layer',
      layer: 1,
    });
  });

  it.each([
    [{ members: [] }, 'ONCALL.NO_MEMBERS', 'at least one person', 'members'],
    [{ members: ['a'], every: '5h' }, 'ONCALL.BAD_EVERY', 'does not divide a day', 'every'],
    [{ members: ['a'], every: 'weekly' }, 'ONCALL.BAD_EVERY', 'not a rotation period', 'every'],
    [{ members: ['a'], every: '30m' }, 'ONCALL.BAD_EVERY', 'not a rotation period', 'every'],
    [{ members: ['a'], every: '13w' }, 'ONCALL.BAD_EVERY', '1 to 12 weeks', 'every'],
    [{ members: ['a'], every: '1d', handoff: 'Mon 09:00' }, 'ONCALL.BAD_HANDOFF', 'weekly rotation only', 'handoff'],
    [{ members: ['a'], handoff: 'Moon 09:00' }, 'ONCALL.BAD_HANDOFF', '"Moon" is not a weekday', 'handoff'],
    [{ members: ['a'], handoff: 'Mon 25:00' }, 'ONCALL.BAD_HANDOFF', 'hour 25 does not exist', 'handoff'],
    [{ members: ['a'], tz: 'Mars/Base' }, 'USAGE.BAD_TIMEZONE', 'not a timezone I know', 'tz'],
    [{ members: ['a'], start: 'yesterday 9am' }, 'ONCALL.BAD_START', 'in the past', 'start'],
    [{ members: ['a'], start: 'blue moon' }, 'ONCALL.BAD_START', 'not a time I can read', 'start'],
    [{ members: ['a'], layer: '0' }, 'ONCALL.BAD_LAYER', '1 to 9', 'layer'],
    [{ members: ['a'], layer: 'top' }, 'ONCALL.BAD_LAYER', '1 to 9', 'layer'],
  ])('refuses %j with %s', (options, code, message, field) => {
    const e = refused(() => parseRotation(options, NOW, NY));
    expect(e.code).toBe(code);
    expect(e.message).toContain(message);
    expect(e.field).toBe(field);
    expect(e.hint).toBeTruthy();
  });

  it('every refusal of a bad period or handoff shows the two working examples', () => {
    const e = refused(() => parseRotation({ members: ['a'], every: '5h' }, NOW, NY));
    for (const example of ROTATION_EXAMPLES) expect(e.hint).toContain(example);
  });

  it('never throws anything but a UserError, and never echoes control characters', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary' }),
        fc.string({ unit: 'binary' }),
        fc.string({ unit: 'binary' }),
        (every, handoff, tz) => {
          try {
            parseRotation({ members: ['a'], every, handoff, tz }, NOW, NY);
          } catch (e) {
            if (!isUserError(e)) throw e;
            expect(e.message).not.toMatch(/\p{Cc}/u);
          }
        },
      ),
    );
  });
});
