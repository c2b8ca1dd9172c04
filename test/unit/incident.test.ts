// The pure rules of major incidents: the room's name, the status order, the update cadence.
import { describe, expect, it } from 'vitest';
import { nextUpdateDue, parseUpdateCadence, roomNameOf, statusChangeRefusal } from '../../src/domain/incident.ts';

describe('major incident rules', () => {
  it('names the room inc-<n>-<slug>, within Slack’s characters and length', () => {
    expect(roomNameOf(7, 'VPN down for everyone!')).toBe('inc-7-vpn-down-for-everyone');
    expect(roomNameOf(12, 'Ünïcode — Café / DB')).toBe('inc-12-unicode-cafe-db');
    expect(roomNameOf(3, '🔥🔥')).toBe('inc-3');
    const long = roomNameOf(123456, 'a very '.repeat(40));
    expect(long.length).toBeLessThanOrEqual(72);
    expect(long).toMatch(/^inc-123456-[a-z0-9-]+[a-z0-9]$/);
  });

  it('lets any status follow any other but itself, and keeps resolved final', () => {
    expect(statusChangeRefusal('investigating', 'monitoring')).toBeNull();
    expect(statusChangeRefusal('monitoring', 'identified')).toBeNull();
    expect(statusChangeRefusal('identified', 'identified')).toBe('it is identified already');
    expect(statusChangeRefusal('resolved', 'investigating')).toMatch(/resolved already/);
  });

  it('reads the cadence, defaults for a severity not given, and refuses what it cannot read', () => {
    expect(parseUpdateCadence('1=30m,2=60m')).toEqual({ 1: 30, 2: 60 });
    expect(parseUpdateCadence('2=2h')).toEqual({ 1: 30, 2: 120 });
    for (const bad of ['1=30', '0=30m', '1=4m', '1=25h', 'x']) expect(parseUpdateCadence(bad), bad).toBeNull();
    expect(nextUpdateDue(new Date('2026-03-12T14:00:00Z'), 1, { 1: 30, 2: 60 }).toISOString()).toBe(
      '2026-03-12T14:30:00.000Z',
    );
  });
});
