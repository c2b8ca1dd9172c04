// Follow-up actions: one document per action (`<tenant>/ACT-<n>`) in `actions`, beside the claim that ends each one
// (`<tenant>/ACT-<n>!end`) and a hint of the highest number per tenant (`<tenant>/~top`). Neither of those carries
// `tenant` or `state`, so no query by them ever reads one.
import type { Connection, mongo } from 'mongoose';
import type { PersonRef } from '../domain/entities.ts';
import type { ActionState } from '../domain/followUp.ts';
import { insertOnce, isDuplicateKey } from './insertOnce.ts';
import { findByIds } from './serverProfile.ts';

/** How an action ended: done (with a link, maybe) or deferred (with a reason). */
export interface ActionEnd {
  state: Exclude<ActionState, 'open'>;
  by: PersonRef;
  at: Date;
  /** Done: the link to what was done, if given. */
  link: string | null;
  /** Deferred: why. */
  reason: string | null;
}

export interface Action {
  tenant: string;
  number: number;
  /** `ACT-12` */
  actionId: string;
  /** The incident or problem it was recorded against, and what that was when it was. */
  ticketId: string;
  ticketTitle: string;
  service: string | null;
  what: string;
  owner: PersonRef;
  dueAt: Date;
  /** The organisation's timezone when it was recorded: the owner's business days, unless they set a zone. */
  timezone: string;
  state: ActionState;
  createdAt: Date;
  createdBy: PersonRef;
  ended: ActionEnd | null;
}

type ActionDoc = Action & { _id: string };
type EndDoc = ActionEnd & { _id: string };
type TopDoc = { _id: string; top: number };

const keyOf = (tenant: string, actionId: string) => `${tenant}/${actionId}`;
const strip = ({ _id, ...a }: ActionDoc): Action => a;
/** The hint is raised at every this many numbers (and whenever a claim passed over others'). */
const HINT_STEP = 8;

/**
 * Every write is an insert into `_id` or an update by `_id`; the lists are `{tenant, state}` (and the owner's
 * `{tenant, owner.id, state}`), served by the two indexes in src/store/indexes.ts on MongoDB and, on FerretDB, a
 * scan of a collection that grows by a few documents per incident reviewed.
 */
export class ActionRepository {
  private readonly actions: mongo.Collection<ActionDoc>;
  private readonly ends: mongo.Collection<EndDoc>;
  private readonly tops: mongo.Collection<TopDoc>;
  /** The highest number this process knows taken, per tenant: the next claim starts above it. */
  private readonly known = new Map<string, number>();

  constructor(connection: Connection) {
    this.actions = connection.collection<ActionDoc>('actions');
    this.ends = connection.collection<EndDoc>('actions');
    this.tops = connection.collection<TopDoc>('actions');
  }

  /**
   * Inserts the action under the first free number: the unique `_id` is the claim, so two processes never give
   * one number twice. Starts from what this process knows, else from the tenant's hint.
   */
  async insertNew(a: Omit<Action, 'number' | 'actionId'>): Promise<Action> {
    let from = this.known.get(a.tenant);
    if (from === undefined) from = ((await this.tops.findOne({ _id: `${a.tenant}/~top` }))?.top ?? 0) + 1;
    else from += 1;
    for (let n = from; ; n++) {
      const action: Action = { ...a, number: n, actionId: `ACT-${n}` };
      if (!(await insertOnce(this.actions, { _id: keyOf(a.tenant, action.actionId), ...action }))) continue;
      this.known.set(a.tenant, Math.max(n, this.known.get(a.tenant) ?? 0));
      if (n % HINT_STEP === 0 || n > from) await this.raise(a.tenant, n);
      return action;
    }
  }

  /**
   * Takes back an action just inserted whose recording was refused after its insert (its ticket closed meanwhile):
   * nothing was filed for it yet, so its number may be given again (by this process next, unless it gave a higher
   * one meanwhile; the unique `_id` still decides).
   */
  async withdraw(tenant: string, actionId: string): Promise<void> {
    await this.actions.deleteOne({ _id: keyOf(tenant, actionId), state: 'open' });
    const n = Number(actionId.slice('ACT-'.length));
    if (this.known.get(tenant) === n) this.known.set(tenant, n - 1);
  }

  async find(tenant: string, actionId: string): Promise<Action | null> {
    const doc = await this.actions.findOne({ _id: keyOf(tenant, actionId) });
    return doc ? strip(doc) : null;
  }

  /** Several by id, in one `$in` read (`findByIds`), in the order asked: a ticket's actions for /ticket show. */
  async findMany(tenant: string, actionIds: readonly string[]): Promise<Action[]> {
    const found = new Map(
      (
        await findByIds(
          this.actions,
          actionIds.map((id) => keyOf(tenant, id)),
        )
      ).map((d) => [d._id, strip(d)]),
    );
    return actionIds.map((id) => found.get(keyOf(tenant, id))).filter((a): a is Action => a !== undefined);
  }

  /** The tenant's actions in a state, narrowed by ticket or service when asked. */
  async inState(
    tenant: string,
    state: ActionState,
    also: { ticketId?: string; service?: string } = {},
  ): Promise<Action[]> {
    return (await this.actions.find({ tenant, state, ...also }).toArray()).map(strip);
  }

  /**
   * The tenant's actions in any of these states, in one read (`{tenant, state: {$in}}`: the `{tenant, state}` index on
   * MongoDB; a scan of the small collection on FerretDB, as every list here): the service report counts all of them.
   */
  async inStates(tenant: string, states: readonly ActionState[]): Promise<Action[]> {
    return (await this.actions.find({ tenant, state: { $in: [...states] } }).toArray()).map(strip);
  }

  /** A person's actions in a state. */
  async ofOwner(tenant: string, ownerId: string, state: ActionState): Promise<Action[]> {
    return (await this.actions.find({ tenant, 'owner.id': ownerId, state }).toArray()).map(strip);
  }

  /**
   * Ends an action, once: the first end's insert decides (an update alone is not atomic on FerretDB), then the
   * action is marked with it. Answers null for the one who ended it, else the end that stands (whose mark on the
   * action is finished here too, when a crash left it undone).
   */
  async end(tenant: string, actionId: string, end: ActionEnd): Promise<ActionEnd | null> {
    const _id = keyOf(tenant, actionId);
    if (await insertOnce(this.ends, { _id: `${_id}!end`, ...end })) {
      await this.actions.updateOne({ _id }, { $set: { state: end.state, ended: end } });
      return null;
    }
    const first = await this.ends.findOne({ _id: `${_id}!end` });
    if (!first) throw new Error(`actions: the end of ${_id} is claimed and cannot be read`);
    const { _id: _, ...stands } = first;
    await this.actions.updateOne({ _id, state: 'open' }, { $set: { state: stands.state, ended: stands } });
    return stands;
  }

  private async raise(tenant: string, top: number): Promise<void> {
    try {
      await this.tops.updateOne({ _id: `${tenant}/~top` }, { $max: { top } }, { upsert: true });
    } catch (e) {
      if (!isDuplicateKey(e)) throw e;
    }
  }
}
