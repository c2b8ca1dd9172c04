// The ticket's documents: the open-ticket schema, the page of history, and where each lives (hot, archive, pages).
import { type mongo, Schema } from 'mongoose';
import type {
  AuditEntry,
  ChangeDecision,
  ChangeRecord,
  KnownError,
  PersonRef,
  ProblemRecord,
  Ticket,
  TicketComment,
  TicketSource,
} from '../domain/entities.ts';
import type { SlaClock } from '../domain/sla.ts';
import { LEVELS, PRIORITIES, STATES, TICKET_TYPES } from '../domain/ticket.ts';

/** Open and resolved tickets: the only ticket collection that is ever updated, so it stays as small as the open work. */
export const HOT = 'tickets_open';
/** The layout before issue 8: every ticket ever, comments and history inline. Read once by the migration. */
export const LEGACY = 'tickets';
/** Closed tickets, insert-only, read by `_id` (`<tenant>/<ticket id>`). */
export const ARCHIVE = 'tickets_closed';
/** Comments and history, one insert-only document per change (`<tenant>/<ticket id>/h<n>`), read by `_id`. */
export const PAGES = 'ticket_pages';
/** One archive and one page collection whatever the number: the names are fixed (the number only chose before). */
export const archiveName = (_number: number): string => ARCHIVE;
export const pagesName = (_number: number): string => PAGES;
/** The layout before fixed collections: a collection per thousand ticket numbers (moved by the layout migration). */
export const BUCKETED = /^(tickets_closed|ticket_pages)_(\d+)$/;

export const ticketKey = (tenant: string, ticketId: string): string => `${tenant}/${ticketId}`;
export const pageId = (key: string, suffix: string): string => `${key}/h${suffix}`;

/** A ticket as stored (hot or archived): no comments or history, only the suffixes of its pages, oldest first. */
export type TicketDoc = Omit<Ticket, 'comments' | 'history'> & { _id: string; pages: string[] };

/** One change's audit entries and comment (a migrated ticket's whole past in one): written once, never updated. */
export interface PageDoc {
  _id: string;
  history: AuditEntry[];
  comments: TicketComment[];
  /** A change's page is its version's claim (src/store/ticketStore.ts): its writer, and the server's time then. */
  owner?: string;
  at?: Date;
}

const personRef = new Schema<PersonRef>(
  {
    id: { type: String, required: true },
    identity: { type: String, required: true },
    name: { type: String, required: true },
  },
  { _id: false },
);

export const ticketSchema = new Schema<TicketDoc>(
  {
    // `${tenant}/${ticketId}`: lookups by _id are the ones every backend (FerretDB 1.x too) serves from an index.
    _id: { type: String, required: true },
    tenant: { type: String, required: true },
    type: { type: String, enum: TICKET_TYPES, required: true },
    number: { type: Number, required: true, min: 1 },
    ticketId: { type: String, required: true },
    title: { type: String, required: true, trim: true, minlength: 1, maxlength: 200 },
    description: { type: String, default: '', maxlength: 8000 },
    impact: { type: String, enum: LEVELS, required: true },
    urgency: { type: String, enum: LEVELS, required: true },
    priority: { type: String, enum: PRIORITIES, required: true },
    state: { type: String, enum: STATES, required: true },
    service: { type: String, default: null, maxlength: 100 },
    team: { type: String, default: null, maxlength: 100 },
    requester: { type: personRef, required: true },
    assignee: { type: personRef, default: null },
    watchers: { type: [String], default: [] },
    source: {
      type: new Schema<TicketSource>(
        {
          platform: { type: String, required: true },
          workspace: { type: String, required: true },
          channel: String,
          messageLink: String,
        },
        { _id: false },
      ),
      required: true,
    },
    tags: { type: [String], default: [] },
    sla: {
      type: new Schema<SlaClock>(
        {
          responseDueAt: { type: Date, required: true },
          resolutionDueAt: { type: Date, required: true },
          pausedAt: { type: Date, default: null },
          pausedMs: { type: Number, default: 0 },
          firstResponseAt: { type: Date, default: null },
          ttaMs: { type: Number, default: null },
          ttrMs: { type: Number, default: null },
        },
        { _id: false },
      ),
      required: true,
    },
    openedAt: { type: Date, required: true },
    updatedAt: { type: Date, required: true },
    resolvedAt: { type: Date, default: null },
    closedAt: { type: Date, default: null },
    resolution: { type: String, default: null, maxlength: 4000 },
    change: {
      type: new Schema<ChangeRecord>(
        {
          window: {
            type: new Schema(
              { from: { type: Date, required: true }, to: { type: Date, required: true } },
              { _id: false },
            ),
            default: null,
          },
          approval: { type: String, enum: ['pending', 'approved', 'rejected'], required: true },
          decisions: {
            type: [
              new Schema<ChangeDecision>(
                {
                  by: { type: personRef, required: true },
                  decision: { type: String, enum: ['approve', 'reject'], required: true },
                  reason: { type: String, default: null, maxlength: 1000 },
                  at: { type: Date, required: true },
                },
                { _id: false },
              ),
            ],
            default: [],
          },
        },
        { _id: false },
      ),
      default: undefined,
    },
    // Problems (src/services/problems.ts): a problem's linked incidents and known error; an incident's problem.
    problem: {
      type: new Schema<ProblemRecord>(
        {
          incidents: { type: [String], default: [] },
          knownError: {
            type: new Schema<KnownError>(
              {
                workaround: { type: String, required: true, maxlength: 1000 },
                by: { type: personRef, required: true },
                at: { type: Date, required: true },
              },
              { _id: false },
            ),
            default: null,
          },
        },
        { _id: false },
      ),
      default: undefined,
    },
    problemId: { type: String, default: undefined, maxlength: 20 },
    pages: { type: [String], default: [] },
    version: { type: Number, default: 0 },
  },
  { collection: HOT, versionKey: false, minimize: false },
);

// Backstops on the hot set: a number or id is never open twice (the number claims guard the archive too).
ticketSchema.index({ tenant: 1, type: 1, number: 1 }, { unique: true });
ticketSchema.index({ tenant: 1, ticketId: 1 }, { unique: true });
// list/filter and autocomplete over the open work (MongoDB: each list filter has its index; FerretDB searches `{state: 1}`)
ticketSchema.index({ tenant: 1, state: 1, priority: 1 });
// The housekeeping's look at every tenant's pending and resolved tickets, at start-up. On the embedded FerretDB also
// the index every `state` match of the hot set searches (patches/ferretdb/0004): the open work reads the open tickets,
// not the resolved ones waiting for their auto-close.
ticketSchema.index({ state: 1 });
ticketSchema.index({ tenant: 1, 'assignee.id': 1, state: 1 });
ticketSchema.index({ tenant: 1, 'requester.id': 1, state: 1 });
ticketSchema.index({ tenant: 1, service: 1, state: 1 });
ticketSchema.index({ tenant: 1, openedAt: -1 });

/** Indexes of each archive collection, for `--state closed|all` lists on MongoDB (FerretDB scans either way). */
export const ARCHIVE_INDEXES: mongo.IndexDescription[] = [
  { key: { tenant: 1, openedAt: -1 }, name: 'tenant_openedAt' },
  { key: { tenant: 1, 'requester.id': 1, openedAt: -1 }, name: 'tenant_requester_openedAt' },
  { key: { tenant: 1, 'assignee.id': 1, openedAt: -1 }, name: 'tenant_assignee_openedAt' },
];
