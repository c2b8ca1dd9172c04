// Change approval rules: planned windows, freeze overlap, and what one CAB decision does to a change.
import type { Approval, ChangeDecision, ChangeRecord, PersonRef } from './entities.ts';
import { UserError } from './errors.ts';
import type { ParseResult } from './scheduleTypes.ts';
import { parseWhen } from './when.ts';

export interface Window {
  from: Date;
  to: Date;
}

/** A period in which changes should not happen; approving one planned inside it takes an admin. */
export interface Freeze {
  tenant: string;
  /** `FRZ-3` */
  freezeId: string;
  from: Date;
  to: Date;
  reason: string;
  by: PersonRef;
  at: Date;
}

const WINDOW_EXAMPLES = ['2026-12-03 22:00..2026-12-04 02:00', 'tomorrow 22:00..tomorrow 23:30'];

/**
 * `<from>..<to>`, each read by `parseWhen` in the asker's zone; both in the future, from before to.
 * The end is read from `now` like the start (not from the start), so "22:00..02:00" is refused rather than guessed.
 */
export function parseWindow(text: string, now: Date, timeZone: string): ParseResult<Window> {
  const parts = text.split('..');
  if (parts.length !== 2 || !parts[0]?.trim() || !parts[1]?.trim()) {
    return { ok: false, error: 'a window is two times joined by "..": <from>..<to>', examples: WINDOW_EXAMPLES };
  }
  const from = parseWhen(parts[0], now, timeZone);
  if (!from.ok) return { ok: false, error: `the window's start: ${from.error}`, examples: WINDOW_EXAMPLES };
  const to = parseWhen(parts[1], now, timeZone);
  if (!to.ok) return { ok: false, error: `the window's end: ${to.error}`, examples: WINDOW_EXAMPLES };
  if (to.value.getTime() <= from.value.getTime()) {
    return { ok: false, error: 'the window must end after it starts', examples: WINDOW_EXAMPLES };
  }
  return { ok: true, value: { from: from.value, to: to.value } };
}

/** Half-open intervals: a change ending exactly when a freeze starts is outside it. */
export const overlaps = (a: Window, b: Window): boolean =>
  a.from.getTime() < b.to.getTime() && b.from.getTime() < a.to.getTime();

export const freezesOver = (window: Window | null, freezes: readonly Freeze[]): Freeze[] =>
  window ? freezes.filter((f) => overlaps(window, f)) : [];

/** A change opened before approvals existed reads as pending with no window. */
export const changeRecordOf = (c: ChangeRecord | undefined): ChangeRecord =>
  c ?? { window: null, approval: 'pending', decisions: [] };

export const approvalsOf = (c: ChangeRecord): number =>
  new Set(c.decisions.filter((d) => d.decision === 'approve').map((d) => d.by.id)).size;

export interface DecisionInput {
  ticketId: string;
  by: PersonRef;
  decision: 'approve' | 'reject';
  reason: string | null;
  at: Date;
  quorum: number;
  /** Whoever decides may approve inside a freeze (an admin). */
  mayApproveInFreeze: boolean;
  freezes: readonly Freeze[];
}

/** The change record after one decision, or a UserError saying why the decision is refused. */
export function decideChange(current: ChangeRecord, d: DecisionInput): ChangeRecord {
  if (current.approval !== 'pending') {
    throw UserError.of(
      'CHANGE.DECIDED',
      { id: d.ticketId, approval: current.approval },
      current.approval === 'rejected' ? 'Open a new change ticket for a revised plan.' : undefined,
    );
  }
  const mine = current.decisions.find((x) => x.by.id === d.by.id);
  if (mine) {
    throw new UserError(
      'CHANGE.ALREADY_DECIDED',
      `You already decided on ${d.ticketId} (${mine.decision === 'approve' ? 'approved' : 'rejected'}).`,
    );
  }
  if (d.decision === 'approve' && !d.mayApproveInFreeze) {
    const [freeze] = freezesOver(current.window, d.freezes);
    if (freeze) {
      throw UserError.of('CHANGE.FROZEN', { id: d.ticketId, freezeId: freeze.freezeId, reason: freeze.reason });
    }
  }
  const decision: ChangeDecision = { by: d.by, decision: d.decision, reason: d.reason, at: d.at };
  const next: ChangeRecord = { ...current, decisions: [...current.decisions, decision] };
  let approval: Approval = 'pending';
  if (d.decision === 'reject') approval = 'rejected';
  else if (approvalsOf(next) >= Math.max(1, d.quorum)) approval = 'approved';
  return { ...next, approval };
}
