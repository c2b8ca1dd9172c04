// The secondary indexes of the collections the store reaches through the driver (mongoose schemas declare their own).
import type { Connection, mongo } from 'mongoose';
import { serverProfile } from './serverProfile.ts';

/**
 * One line each: the collection, the index, and the query it serves on MongoDB (docs/storage.md has the whole
 * table). The embedded FerretDB (patched) uses an index only for `_id` and for a string equality on a field with an
 * index of its own (patch 0004): the others it would only keep up to date on every write, so it is not given them.
 */
type Declared = readonly [collection: string, key: mongo.IndexSpecification, serves: string, usedByFerretdb?: 'used'];
const INDEXES: ReadonlyArray<Declared> = [
  ['outbox', { writer: 1 }, 'what other processes wrote, to take over (`writer: {$ne}`: two ranges of this index)'],
  ['outbox_claims', { at: 1 }, 'the nightly prune of old delivery claims'],
  ['rollup_facts', { tenant: 1, at: 1 }, "a period's facts not folded yet (/status)"],
  ['rollup_facts', { day: 1 }, 'the nightly fold of past days'],
  ['teams', { tenant: 1 }, "a tenant's teams", 'used'],
  ['services', { tenant: 1 }, "a tenant's service catalog", 'used'],
  ['known_errors', { tenant: 1 }, "a tenant's standing known errors", 'used'],
  ['reviews', { tenant: 1, removed: 1 }, '/review list'],
  ['reviews', { removed: 1, paused: 1 }, 'the schedules the cron tasks keep'],
  ['pirs', { tenant: 1, done: 1 }, 'the open post-incident reviews'],
  ['freezes', { tenant: 1, to: 1 }, "a tenant's change freezes, and the old ones dropped"],
  ['process_heartbeats', { at: 1 }, 'old heartbeats dropped'],
  ['reminders', { tenant: 1, personId: 1 }, '/ticket remind list'],
  ['reminders', { tenant: 1, ticketId: 1 }, "a ticket's waiting reminders (--deliveries)"],
  ['actions', { tenant: 1, state: 1 }, "/ticket action list (all, --overdue, --service), a PIR's open actions"],
  ['actions', { tenant: 1, 'owner.id': 1, state: 1 }, '/ticket action list --mine'],
];

/**
 * Creates them (one at a time: FerretDB 1.24 drops the connection on a multi-index createIndexes it finds done);
 * on FerretDB only those it uses.
 */
export async function declareIndexes(connection: Connection): Promise<void> {
  const { ferretdb } = await serverProfile(connection);
  for (const [collection, key, , used] of INDEXES) {
    if (ferretdb && !used) continue;
    await (connection.db as mongo.Db).collection(collection).createIndex(key);
  }
}
