// Requester satisfaction: one inserted answer per ticket (`csat`). (`csat_asks`, claims that a ticket was asked, is no longer written: the ticket's history says it.)
import type { Connection, mongo } from 'mongoose';
import type { CsatAnswer } from '../domain/csat.ts';
import { insertOnce } from './insertOnce.ts';

type AnswerDoc = CsatAnswer & { _id: string };

/** `<tenant>/<ticket>`: the only key the collection has, so "once" is the `_id` index on every backend. */
export const csatKey = (tenant: string, ticketId: string): string => `${tenant}/${ticketId}`;
/** `$in` reads are split so one export never sends an unbounded filter. */
const IN_CHUNK = 500;

export class CsatRepository {
  private readonly answers: mongo.Collection<AnswerDoc>;

  constructor(connection: Connection) {
    this.answers = connection.collection<AnswerDoc>('csat');
  }

  /** True for the first answer of a ticket; every later one (another click, another process) is refused. */
  insert(a: CsatAnswer): Promise<boolean> {
    return insertOnce(this.answers, { _id: csatKey(a.tenant, a.ticketId), ...a });
  }

  async find(tenant: string, ticketId: string): Promise<CsatAnswer | null> {
    const doc = await this.answers.findOne({ _id: csatKey(tenant, ticketId) });
    return doc ? strip(doc) : null;
  }

  /** The answers of these tickets, by ticket id (an export's column). */
  async findMany(tenant: string, ticketIds: readonly string[]): Promise<Map<string, CsatAnswer>> {
    const found = new Map<string, CsatAnswer>();
    for (let i = 0; i < ticketIds.length; i += IN_CHUNK) {
      const ids = ticketIds.slice(i, i + IN_CHUNK).map((t) => csatKey(tenant, t));
      for (const doc of await this.answers.find({ _id: { $in: ids } }).toArray()) found.set(doc.ticketId, strip(doc));
    }
    return found;
  }

  /** Every answer there is, for a rollup rebuild (maintenance only: it reads them all). */
  async *every(): AsyncGenerator<CsatAnswer> {
    for await (const doc of this.answers.find({})) yield strip(doc);
  }
}

function strip(doc: AnswerDoc): CsatAnswer {
  const { _id, ...a } = doc;
  return a;
}
