// The entity types every layer speaks: a ticket, the people on it, where it came from. The store maps them to documents.
import type { SlaClock } from './sla.ts';
import type { Level, Priority, TicketState, TicketType } from './ticket.ts';

export interface PersonRef {
  /** Person id (stable across linked identities). */
  id: string;
  /** Platform identity that acted: `slack:U1`. */
  identity: string;
  name: string;
}

export interface TicketComment {
  author: PersonRef;
  text: string;
  internal: boolean;
  at: Date;
  platform: string;
}

export interface AuditEntry {
  at: Date;
  actor: PersonRef;
  platform: string;
  action: string;
  field?: string | undefined;
  from?: string | null | undefined;
  to?: string | null | undefined;
  /** Why, when the person said (a pending or reopen reason). */
  note?: string | undefined;
}

export interface TicketSource {
  platform: string;
  workspace: string;
  channel?: string | undefined;
  messageLink?: string | undefined;
}

export type Approval = 'pending' | 'approved' | 'rejected';

export interface ChangeDecision {
  by: PersonRef;
  decision: 'approve' | 'reject';
  reason: string | null;
  at: Date;
}

/** What only a change ticket carries: when it is planned, and what the CAB said. */
export interface ChangeRecord {
  window: { from: Date; to: Date } | null;
  approval: Approval;
  decisions: ChangeDecision[];
}

/** The workaround of a problem whose cause is known: posted to new incidents on its service. */
export interface KnownError {
  workaround: string;
  by: PersonRef;
  at: Date;
}

/** What only a problem ticket carries: the incidents linked to it, and its known error once marked. */
export interface ProblemRecord {
  incidents: string[];
  knownError: KnownError | null;
}

export interface Ticket {
  tenant: string;
  type: TicketType;
  number: number;
  ticketId: string;
  title: string;
  description: string;
  impact: Level;
  urgency: Level;
  priority: Priority;
  state: TicketState;
  service: string | null;
  team: string | null;
  requester: PersonRef;
  assignee: PersonRef | null;
  watchers: string[];
  source: TicketSource;
  tags: string[];
  sla: SlaClock;
  openedAt: Date;
  updatedAt: Date;
  resolvedAt: Date | null;
  closedAt: Date | null;
  resolution: string | null;
  comments: TicketComment[];
  history: AuditEntry[];
  version: number;
  /** Change tickets only (one opened before CAB approvals existed has none: read it as pending, no window). */
  change?: ChangeRecord | undefined;
  /** Problem tickets only: the incidents linked, the known error (src/domain/problem.ts). */
  problem?: ProblemRecord | undefined;
  /** Incidents only: the problem (`PRB-n`) this incident is linked to, if any. */
  problemId?: string | null | undefined;
}

/** A ticket as lists show it: without its comments and history, which live in pages of their own. */
export type TicketSummary = Omit<Ticket, 'comments' | 'history'>;
