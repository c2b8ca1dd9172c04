// Post-incident reviews: one small document per P1/P2 incident resolved (`_id` = `<tenant>/<ticketId>`), and its done mark.

import type { Connection, mongo } from 'mongoose';
import type { PersonRef } from '../domain/entities.ts';
import { isDuplicateKey as isDuplicate } from './insertOnce.ts';

export interface PirDone {
  by: PersonRef;
  at: Date;
  link: string;
}

/** The problem a repeated incident's PIR names: the incident's own (linked), or one open on its service. */
export interface PirProblem {
  ticketId: string;
  title: string;
  linked: boolean;
}

export interface Pir {
  tenant: string;
  ticketId: string;
  title: string;
  priority: string;
  /** Who is reminded: the incident's assignee when it was resolved. */
  assignee: PersonRef | null;
  /** Where the incident came from (`slack:C0123`, `console`), told when the PIR is done. */
  channel: string | null;
  openedAt: Date;
  dueAt: Date;
  /** The organisation's timezone when it was opened: business days are counted in it. */
  timezone: string;
  done: PirDone | null;
  /** The first draft of the review, markdown (a major incident's, from its timeline); null (or absent) for none. */
  draft?: string | null;
  /** A repeated incident: the problem behind it (absent for none). */
  problem?: PirProblem | null;
}

interface PirDoc extends Pir {
  _id: string;
}

const keyOf = (tenant: string, ticketId: string) => `${tenant}/${ticketId}`;

/**
 * Opening and finishing are unique inserts (the "once" on FerretDB, which has no atomic conditional update):
 * `pirs` by incident, `pir_dones` by incident. The `done` copy on the PIR is for listing; the insert decides.
 */
export class PirRepository {
  private readonly pirs: mongo.Collection<PirDoc>;
  private readonly dones: mongo.Collection<{ _id: string } & PirDone>;

  constructor(connection: Connection) {
    this.pirs = connection.collection('pirs');
    this.dones = connection.collection('pir_dones');
  }

  /** False when this incident has (or had) a PIR already: a reopened and resolved again incident keeps its first. */
  async open(pir: Pir): Promise<boolean> {
    try {
      await this.pirs.insertOne({ _id: keyOf(pir.tenant, pir.ticketId), ...pir });
      return true;
    } catch (e) {
      if (isDuplicate(e)) return false;
      throw e;
    }
  }

  async find(tenant: string, ticketId: string): Promise<Pir | null> {
    const doc = await this.pirs.findOne({ _id: keyOf(tenant, ticketId) });
    if (!doc) return null;
    const { _id, ...pir } = doc;
    return pir;
  }

  /** The done mark for whoever gets there first; null for them, else the mark that stands. */
  async markDone(tenant: string, ticketId: string, done: PirDone): Promise<PirDone | null> {
    const _id = keyOf(tenant, ticketId);
    try {
      await this.dones.insertOne({ _id, ...done });
    } catch (e) {
      if (!isDuplicate(e)) throw e;
      const first = await this.dones.findOne({ _id });
      if (!first) throw e;
      const { _id: _, ...stands } = first;
      return stands;
    }
    await this.pirs.updateOne({ _id }, { $set: { done } });
    return null;
  }

  /** The tenant's PIRs not done yet (a scan, of a collection that grows by one per P1/P2 incident). */
  async listOpen(tenant: string): Promise<Pir[]> {
    const docs = await this.pirs.find({ tenant, done: null }).toArray();
    return docs.map(({ _id, ...p }) => p).sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
  }
}
