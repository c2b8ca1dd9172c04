// The pure rules of problems: which ids `--from` takes, which service a problem from incidents is about, a
// ticket id of the right type, a workaround's form.
import { describe, expect, it } from 'vitest';
import { UserError } from '../../src/domain/errors.ts';
import { idOfType, parseIncidentList, problemServiceOf, workaroundOf } from '../../src/domain/problem.ts';
import { pirDueReply } from '../../src/present/pirNotice.ts';

const codeOf = (f: () => unknown): string | undefined => {
  try {
    f();
    return undefined;
  } catch (e) {
    if (e instanceof UserError) return e.code;
    throw e;
  }
};

describe('parseIncidentList', () => {
  it('reads incident ids in any case, with commas or spaces, each once, in the order given', () => {
    expect(parseIncidentList('inc-3, INC-7 INC-3,,INC-12')).toEqual(['INC-3', 'INC-7', 'INC-12']);
  });
  it('refuses nothing, a word that is no id, another type, and more than 20', () => {
    expect(codeOf(() => parseIncidentList(' , '))).toBe('USAGE.MISSING');
    expect(codeOf(() => parseIncidentList('INC-3,vpn'))).toBe('USAGE.BAD_TICKET_ID');
    expect(codeOf(() => parseIncidentList('INC-3,REQ-2'))).toBe('PROBLEM.NOT_AN_INCIDENT');
    const many = Array.from({ length: 21 }, (_, i) => `INC-${i + 1}`).join(',');
    expect(codeOf(() => parseIncidentList(many))).toBe('PROBLEM.TOO_MANY');
  });
});

describe('problemServiceOf', () => {
  const inc = (ticketId: string, service: string | null) => ({ ticketId, service });
  it('takes the service given, else the one the incidents share, else none', () => {
    expect(problemServiceOf('mail', [inc('INC-1', 'vpn'), inc('INC-2', 'sso')])).toBe('mail');
    expect(problemServiceOf(undefined, [inc('INC-1', 'vpn'), inc('INC-2', null), inc('INC-3', 'vpn')])).toBe('vpn');
    expect(problemServiceOf(undefined, [inc('INC-1', null)])).toBeUndefined();
  });
  it('asks for --service when the incidents name different ones', () => {
    expect(codeOf(() => problemServiceOf(undefined, [inc('INC-1', 'vpn'), inc('INC-2', 'sso')]))).toBe(
      'PROBLEM.SERVICES_DIFFER',
    );
  });
});

describe('idOfType and workaroundOf', () => {
  it('takes an id of the asked type only', () => {
    expect(idOfType('prb-4', 'problem', '').id).toBe('PRB-4');
    expect(codeOf(() => idOfType('INC-4', 'problem', ''))).toBe('PROBLEM.NOT_A_PROBLEM');
    expect(codeOf(() => idOfType('CHG-4', 'incident', ''))).toBe('PROBLEM.NOT_AN_INCIDENT');
    expect(codeOf(() => idOfType('four', 'incident', ''))).toBe('TICKET.BAD_ID');
  });
  it('trims a workaround and refuses an empty or overlong one', () => {
    expect(workaroundOf('  reboot  ', 'PRB-1')).toBe('reboot');
    expect(codeOf(() => workaroundOf('   ', 'PRB-1'))).toBe('USAGE.MISSING');
    expect(codeOf(() => workaroundOf('x'.repeat(1001), 'PRB-1'))).toBe('USAGE.TOO_LONG');
  });
});

describe('a PIR reminder of a repeated incident', () => {
  it('names the problem behind it', () => {
    const reply = pirDueReply({
      pir: {
        ticketId: 'INC-9',
        title: 'Payroll run failed',
        dueAt: new Date('2026-03-12T12:00:00Z'),
        problem: { ticketId: 'PRB-2', title: 'Payroll batch deadlocks', linked: true },
      },
      daysLeft: 1,
      now: new Date('2026-03-11T12:00:00Z'),
      timezone: 'UTC',
    });
    expect(reply.text).toContain(
      '(1 business day left). A repeated incident: problem PRB-2 (Payroll batch deadlocks), linked.',
    );
  });
});
