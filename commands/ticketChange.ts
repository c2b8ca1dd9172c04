// /ticket approve and /ticket reject: a manager's CAB decision on a change, the same as the agenda's buttons.
import type { CommandDef } from '../src/core/command.ts';
import { actingOf } from './acting.ts';
import { done, ID, str } from './ticketShared.ts';

/** A change's id: help shows `CHG-1`, not the incident an id usually stands for. */
const CHANGE_ID = { ...ID, description: 'Change id, like CHG-3', placeholder: 'CHG-1' };

const REASON = {
  name: 'reason',
  kind: 'text' as const,
  description: 'Why (goes on the change history)',
  positional: true,
  rest: true,
  multiline: true,
  maxLength: 1000,
};

const ticketApprove: CommandDef = {
  command: 'ticket',
  name: 'approve',
  summary: 'Approve a change (managers; inside a freeze, admins).',
  examples: ['/ticket approve CHG-3', '/ticket approve CHG-3 rollback plan looks good'],
  minRole: 'manager',
  options: [CHANGE_ID, REASON],
  async run(ctx, o, s) {
    const t = await s.tickets.approveChange(actingOf(ctx), o.id as string, str(o.reason));
    const c = t.change;
    const said =
      c?.approval === 'approved'
        ? `${t.ticketId} is approved.`
        : `Your approval of ${t.ticketId} is recorded; it needs ${s.tickets.cab.quorum} in all.`;
    return done(t, said, ctx);
  },
};

const ticketReject: CommandDef = {
  command: 'ticket',
  name: 'reject',
  summary: 'Reject a change (managers): one rejection is final.',
  examples: ['/ticket reject CHG-3 no rollback plan'],
  minRole: 'manager',
  options: [CHANGE_ID, REASON],
  async run(ctx, o, s) {
    const t = await s.tickets.rejectChange(actingOf(ctx), o.id as string, str(o.reason));
    return done(t, `${t.ticketId} is rejected.`, ctx);
  },
};

export const ticketChangeCommands: readonly CommandDef[] = [ticketApprove, ticketReject];
