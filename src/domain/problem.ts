// Problems: the cause behind incidents. Which incidents a problem links, its known error, and the pure rules of linking.
import type { ProblemRecord, Ticket } from './entities.ts';
import { UserError } from './errors.ts';
import { parseTicketId } from './ticket.ts';

export type { KnownError, ProblemRecord } from './entities.ts';

/** Incidents one problem links at most (a problem's document stays small; more is a sign of two problems). */
export const MAX_LINKED = 200;
/** Incidents `--from` names at most. */
export const MAX_FROM = 20;
/** A workaround's length at most. */
export const MAX_WORKAROUND = 1000;

/** A problem ticket's record (one opened before links existed has none: read it as no links, no known error). */
export const problemRecordOf = (t: Pick<Ticket, 'problem'>): ProblemRecord =>
  t.problem ?? { incidents: [], knownError: null };

const article = (type: string) => (type === 'incident' ? 'an' : 'a');

/** Refuses a ticket that is not of `type` for the place it was named in (`first`: "the first ticket"). */
export function mustBe(t: Pick<Ticket, 'ticketId' | 'type'>, type: 'incident' | 'problem', usage: string): void {
  if (t.type === type) return;
  throw new UserError(
    type === 'problem' ? 'PROBLEM.NOT_A_PROBLEM' : 'PROBLEM.NOT_AN_INCIDENT',
    `${t.ticketId} is ${article(t.type)} ${t.type}, not ${article(type)} ${type}: ${
      type === 'problem' ? 'incidents are linked to problems (PRB-n)' : 'only incidents (INC-n) are linked to a problem'
    }.`,
    usage,
    type === 'problem' ? 'problem' : 'incident',
  );
}

/** A ticket id of the type its place asks for; refused (before anything is read) otherwise. */
export function idOfType(text: string, type: 'incident' | 'problem', usage: string): { id: string } {
  const parsed = parseTicketId(text);
  if (!parsed) throw new UserError('TICKET.BAD_ID', `"${text.slice(0, 20)}" is not a ticket id.`, usage, type);
  mustBe({ ticketId: parsed.id, type: parsed.type }, type, usage);
  return parsed;
}

/**
 * `--from INC-3,INC-7`: incident ids, in the order given, each once. Refuses an empty list, a word that is not a
 * ticket id, an id of another type, or more than MAX_FROM.
 */
export function parseIncidentList(text: string): string[] {
  const words = text
    .split(/[\s,]+/)
    .map((w) => w.trim())
    .filter(Boolean);
  const usage = 'Try: /ticket new "Login fails after deploys" --type problem --from INC-3,INC-7';
  if (words.length === 0)
    throw new UserError('USAGE.MISSING', '--from needs the incidents, like INC-3,INC-7.', usage, 'from');
  const ids: string[] = [];
  for (const w of words) {
    const parsed = parseTicketId(w);
    if (!parsed) {
      throw new UserError('USAGE.BAD_TICKET_ID', `--from: "${w.slice(0, 20)}" is not a ticket id.`, usage, 'from');
    }
    if (parsed.type !== 'incident') {
      throw new UserError(
        'PROBLEM.NOT_AN_INCIDENT',
        `--from: ${parsed.id} is not an incident; a problem is opened from incidents (INC-n).`,
        usage,
        'from',
      );
    }
    if (!ids.includes(parsed.id)) ids.push(parsed.id);
  }
  if (ids.length > MAX_FROM) {
    throw new UserError(
      'PROBLEM.TOO_MANY',
      `--from names ${ids.length} incidents; at most ${MAX_FROM} at once. Link the rest with /ticket link.`,
      usage,
      'from',
    );
  }
  return ids;
}

/**
 * The service a problem opened from incidents is about: the one given, else the one its incidents share (none
 * when none names one). Incidents on different services need it said.
 */
export function problemServiceOf(
  given: string | undefined,
  incidents: ReadonlyArray<Pick<Ticket, 'ticketId' | 'service'>>,
): string | undefined {
  if (given !== undefined) return given;
  const named = [...new Set(incidents.flatMap((t) => (t.service ? [t.service] : [])))];
  if (named.length <= 1) return named[0];
  throw new UserError(
    'PROBLEM.SERVICES_DIFFER',
    `Those incidents are on different services (${named.join(', ')}); say which one the problem is about with --service.`,
    `Try: /ticket new "<title>" --type problem --from ${incidents.map((t) => t.ticketId).join(',')} --service ${named[0]}`,
    'service',
  );
}

/** A workaround as typed: trimmed, not empty, not over MAX_WORKAROUND. */
export function workaroundOf(text: string, problemId: string): string {
  const w = text.trim();
  const usage = `Try: /ticket known-error ${problemId} "Restart the VPN client, then sign in again"`;
  if (!w)
    throw new UserError(
      'USAGE.MISSING',
      'Say the workaround people can use until the problem is fixed.',
      usage,
      'workaround',
    );
  if (w.length > MAX_WORKAROUND) {
    throw new UserError(
      'USAGE.TOO_LONG',
      `The workaround is ${w.length} characters; at most ${MAX_WORKAROUND}. Link a document for the rest.`,
      usage,
      'workaround',
    );
  }
  return w;
}

/** Whether a problem still stands (its known error is told to new incidents while it does). */
export const problemStands = (t: Pick<Ticket, 'state'>): boolean => t.state !== 'resolved' && t.state !== 'closed';
