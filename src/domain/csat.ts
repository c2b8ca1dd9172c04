// Requester satisfaction: a score of 1-5 on a resolved ticket; 4 and 5 count as satisfied.
import type { PersonRef } from './entities.ts';
import { UserError } from './errors.ts';
import type { Priority, TicketType } from './ticket.ts';

export const CSAT_SCORES = [1, 2, 3, 4, 5] as const;
export type CsatScore = (typeof CSAT_SCORES)[number];
export const CSAT_COMMENT_MAX = 500;

export interface CsatAnswer {
  tenant: string;
  ticketId: string;
  score: CsatScore;
  comment: string | null;
  at: Date;
  by: PersonRef;
  /** The ticket as it was answered about: what the rollups filter a team's or a service's figures by. */
  type: TicketType;
  priority: Priority;
  service: string | null;
  team: string | null;
}

export const isSatisfied = (score: number): boolean => score >= 4;

/** `5`, or a button's `INC-3:5`; anything else is a clear refusal naming the score. */
export function parseCsatScore(text: string | undefined): CsatScore {
  const n = Number((text ?? '').trim());
  if (!Number.isInteger(n) || !CSAT_SCORES.includes(n as CsatScore)) {
    throw new UserError(
      'CSAT.BAD_SCORE',
      `"${(text ?? '').slice(0, 20).replace(/[\p{Cc}]/gu, '')}" is not a score: give a whole number from 1 (poor) to 5 (great).`,
      'For example: /ticket csat INC-12 5 quick and friendly',
      'score',
    );
  }
  return n as CsatScore;
}

/** A button's value `<ticket>:<score>`, or a typed ticket id with the score apart. */
export function csatTarget(id: string, score: string | undefined): { ticketId: string; score: string | undefined } {
  const at = id.lastIndexOf(':');
  if (at > 0 && score === undefined) return { ticketId: id.slice(0, at), score: id.slice(at + 1) };
  return { ticketId: id, score };
}
