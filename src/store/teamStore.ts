// On-call teams: one small document each (members, rotation layers, overrides, the escalation policy), changed with a version check.
import type { Connection, mongo } from 'mongoose';
import type { PersonRef } from '../domain/entities.ts';
import type { EscalationPolicy } from '../domain/escalation.ts';
import type { Override, RotationLayer } from '../domain/oncall.ts';
import { insertOnce } from './insertOnce.ts';

export interface Team {
  tenant: string;
  /** As it was created; found case-insensitively. */
  name: string;
  /** Where the team is told things (handoffs, escalations): `slack:C…`, `discord:…`, `console`, or none. */
  channel: string | null;
  /** Services it owns, lower case: a ticket or alert for one belongs to this team. */
  services: string[];
  members: PersonRef[];
  /** Rotation layers; members are person ids (each also in `members`). */
  layers: RotationLayer[];
  /** Overrides not yet over; `person` is a person id. */
  overrides: Override[];
  /** The policy as typed and as read; null: the default. */
  policy: { text: string; read: EscalationPolicy } | null;
  createdAt: Date;
  createdBy: PersonRef;
  /** Bumped by every change: a change made from an older copy is refused, not lost. */
  version: number;
}

type TeamDoc = Team & { _id: string };
const keyOf = (tenant: string, name: string) => `${tenant}/${name.toLowerCase()}`;

/** Teams are few (tens per tenant): reading them all is cheap even on FerretDB, where every read scans. */
export class TeamRepository {
  private readonly teams: mongo.Collection<TeamDoc>;

  constructor(connection: Connection) {
    this.teams = connection.collection<TeamDoc>('teams');
  }

  /** False when a team of that name is there already. */
  create(team: Team): Promise<boolean> {
    return insertOnce(this.teams, { _id: keyOf(team.tenant, team.name), ...team });
  }

  async get(tenant: string, name: string): Promise<Team | null> {
    const doc = await this.teams.findOne({ _id: keyOf(tenant, name) });
    if (!doc) return null;
    const { _id, ...team } = doc;
    return team;
  }

  async list(tenant: string): Promise<Team[]> {
    const docs = await this.teams.find({ tenant }).toArray();
    return docs.map(({ _id, ...t }) => t).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Every team of every tenant (the daily coverage check). */
  async all(): Promise<Team[]> {
    return (await this.teams.find({}).toArray()).map(({ _id, ...t }) => t);
  }

  /** Writes a changed team over the version it was read at; false when someone changed it meanwhile. */
  async save(team: Team): Promise<boolean> {
    const next = { ...team, version: team.version + 1 };
    const r = await this.teams.replaceOne({ _id: keyOf(team.tenant, team.name), version: team.version }, next);
    return r.matchedCount === 1;
  }

  async remove(tenant: string, name: string): Promise<boolean> {
    return (await this.teams.deleteOne({ _id: keyOf(tenant, name) })).deletedCount === 1;
  }

  /** Removes the team as read: false when someone changed it meanwhile (or it is gone). */
  async removeAt(team: Team): Promise<boolean> {
    return (
      (await this.teams.deleteOne({ _id: keyOf(team.tenant, team.name), version: team.version })).deletedCount === 1
    );
  }

  /**
   * Gives the team as read a new name: the new key is inserted (refused when a team has that name), then the old
   * one removed over the version read; a team changed meanwhile gets its new copy taken back. A new name that
   * differs only in case keeps the key and is a plain save.
   */
  async rename(team: Team, to: string): Promise<'renamed' | 'exists' | 'changed'> {
    const next = { ...team, name: to };
    if (keyOf(team.tenant, to) === keyOf(team.tenant, team.name))
      return (await this.save(next)) ? 'renamed' : 'changed';
    if (!(await insertOnce(this.teams, { _id: keyOf(team.tenant, to), ...next, version: team.version + 1 }))) {
      return 'exists';
    }
    if (await this.removeAt(team)) return 'renamed';
    await this.teams.deleteOne({ _id: keyOf(team.tenant, to), version: team.version + 1 });
    return 'changed';
  }
}
