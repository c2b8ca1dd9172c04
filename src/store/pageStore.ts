// Escalations: the live ones (small, one document each, removed when they end), their acks (insert-only), their starts (insert-only).
import type { Connection, mongo } from 'mongoose';
import type { PersonRef } from '../domain/entities.ts';
import type { EscalationPolicy } from '../domain/escalation.ts';
import { insertOnce } from './insertOnce.ts';

/** One escalation while it runs. `gen` is its fencing token: a step job of another generation does nothing. */
export interface LiveEscalation {
  tenant: string;
  /** The ticket it pages for: one escalation per ticket. */
  ticketId: string;
  /** The team whose policy, schedule and channel it uses; null for a page of one person. */
  team: string | null;
  policy: EscalationPolicy;
  /** When the first page went out (MTTA counts from here). */
  startedAt: Date;
  gen: number;
  /** The policy level this generation's plan starts at (escalate now moves it on). */
  fromLevel: number;
  /** When this generation's plan starts. */
  genStartedAt: Date;
  /** The step planned next, and when it is due: what the auditor checks. */
  pending: { index: number; dueAt: Date } | null;
  /** The policy level paged last (null: none yet): escalate now goes to the one after. */
  lastLevel: number | null;
  message: string | null;
}

export interface PageAck {
  tenant: string;
  ticketId: string;
  by: PersonRef;
  at: Date;
  platform: string;
  mttaMs: number;
}

type LiveDoc = LiveEscalation & { _id: string };
type AckDoc = PageAck & { _id: string };
const keyOf = (tenant: string, ticketId: string) => `${tenant}/${ticketId}`;

/**
 * `page_live` holds only running escalations (the auditor reads it whole every minute, so it must stay small);
 * `page_starts` and `page_acks` are only inserted into and read by `_id`.
 */
export class PageRepository {
  private readonly live: mongo.Collection<LiveDoc>;
  private readonly starts: mongo.Collection<{ _id: string; at: Date }>;
  private readonly acks: mongo.Collection<AckDoc>;

  constructor(connection: Connection) {
    this.live = connection.collection<LiveDoc>('page_live');
    this.starts = connection.collection('page_starts');
    this.acks = connection.collection<AckDoc>('page_acks');
  }

  /** True for the one caller that starts the ticket's escalation; a ticket is escalated once. */
  async start(e: LiveEscalation): Promise<boolean> {
    if (!(await insertOnce(this.starts, { _id: keyOf(e.tenant, e.ticketId), at: e.startedAt }))) return false;
    await this.live.insertOne({ _id: keyOf(e.tenant, e.ticketId), ...e });
    return true;
  }

  async find(tenant: string, ticketId: string): Promise<LiveEscalation | null> {
    const doc = await this.live.findOne({ _id: keyOf(tenant, ticketId) });
    if (!doc) return null;
    const { _id, ...e } = doc;
    return e;
  }

  /** Every running escalation (few: finished ones are removed). */
  async allLive(): Promise<LiveEscalation[]> {
    return (await this.live.find({}).toArray()).map(({ _id, ...e }) => e);
  }

  /** Writes the escalation over the generation read; false when another generation replaced it. */
  async save(e: LiveEscalation, readGen: number): Promise<boolean> {
    const r = await this.live.replaceOne({ _id: keyOf(e.tenant, e.ticketId), gen: readGen }, e);
    return r.matchedCount === 1;
  }

  async end(tenant: string, ticketId: string): Promise<void> {
    await this.live.deleteOne({ _id: keyOf(tenant, ticketId) });
  }

  /** The one ack of a ticket's escalation: false when it was acknowledged already. */
  ack(a: PageAck): Promise<boolean> {
    return insertOnce(this.acks, { _id: `ack:${keyOf(a.tenant, a.ticketId)}`, ...a });
  }

  async ackOf(tenant: string, ticketId: string): Promise<PageAck | null> {
    const doc = await this.acks.findOne({ _id: `ack:${keyOf(tenant, ticketId)}` });
    if (!doc) return null;
    const { _id, ...a } = doc;
    return a;
  }

  /** When the ticket's escalation started, live or over; null when it never was. */
  async startedAt(tenant: string, ticketId: string): Promise<Date | null> {
    return (await this.starts.findOne({ _id: keyOf(tenant, ticketId) }))?.at ?? null;
  }
}
