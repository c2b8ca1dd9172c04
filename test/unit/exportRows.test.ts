// Export cells: what a spreadsheet would run as a formula is neutralised, everything else is left as it is.
import { describe, expect, it } from 'vitest';
import { neutralised } from '../../src/domain/exportRows.ts';

describe('export cells', () => {
  it('neutralise a leading =, +, -, @, tab or carriage return with a quote', () => {
    for (const cell of ['=1+1', "=cmd|' /C calc'!A0", '+44 20', '-2', '@SUM(A1)', '\t=1', '\r=1']) {
      expect(neutralised(cell)).toBe(`'${cell}`);
    }
  });

  it('leave other cells alone, a formula sign inside them included', () => {
    for (const cell of ['', 'db slow', '2026-03-05T09:00:00.000Z', 'a=b', 'P1', "'quoted"]) {
      expect(neutralised(cell)).toBe(cell);
    }
  });
});
