// What the /ticket commands share: the ticket id option, and how a change is confirmed.
import type { OptionDef } from '../src/core/command.ts';
import type { Ticket } from '../src/domain/entities.ts';
import { ephemeral, type Reply } from '../src/present/reply.ts';
import { ticketLine } from '../src/present/ticketCard.ts';

export const ID: OptionDef = {
  name: 'id',
  kind: 'ticket',
  description: 'Ticket id, like INC-12',
  required: true,
  positional: true,
  autocomplete: true,
};

export const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** A short confirmation for the person who acted; the card itself is updated for everyone. */
export const done = (t: Ticket, what: string, ctx: { now: Date; timezone: string }): Reply =>
  ephemeral(`${what}\n${ticketLine(t, ctx.now, ctx.timezone)}`);
