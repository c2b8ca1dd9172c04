// Reading tickets as stored, wherever they live (hot set or archive), with their pages assembled: for assertions.
import type { Connection, mongo } from 'mongoose';
import { ARCHIVE, HOT } from '../../src/store/ticketSchema.ts';
import { type Ticket, TicketRepository } from '../../src/store/ticketStore.ts';

export async function storedTicket(connection: Connection, tenant: string, ticketId: string): Promise<Ticket | null> {
  return new TicketRepository(connection).find(tenant, ticketId);
}

async function ticketCollections(connection: Connection): Promise<mongo.Collection[]> {
  const names = (await (connection.db as mongo.Db).listCollections({}, { nameOnly: true }).toArray()).map(
    (c) => c.name,
  );
  return names.filter((n) => n === HOT || n === ARCHIVE).map((n) => connection.collection(n));
}

/** Ticket documents (without history) matching `filter` in the hot set and every archive collection. */
export async function storedTickets(connection: Connection, filter: mongo.Filter<mongo.Document> = {}) {
  const all = await Promise.all((await ticketCollections(connection)).map((c) => c.find(filter).toArray()));
  return all.flat();
}

export async function ticketCount(connection: Connection, filter: mongo.Filter<mongo.Document> = {}): Promise<number> {
  return (await storedTickets(connection, filter)).length;
}
