// People: platform identities, the person they belong to (linked identities), roles, link codes.

import { randomUUID } from 'node:crypto';
import { type Connection, type Model, type mongo, Schema } from 'mongoose';
import type { Role } from '../domain/roles.ts';
import { ROLES } from '../domain/roles.ts';
import { declareModelIndexes } from './indexes.ts';
import { isDuplicateKey } from './insertOnce.ts';
import { PersonSettingsRepository } from './personSettingsStore.ts';
import { validOrRefused } from './validation.ts';

export interface Identity {
  tenant: string;
  /** `slack:U1`, `discord:81234`, `console:alice` */
  identity: string;
  personId: string;
  displayName: string;
  timezone: string | null;
  email: string | null;
  updatedAt: Date;
  /**
   * True when no other identity has joined this one's person: set as it is created (its person id is itself),
   * cleared before another identity is linked to it. Absent on identities created before it was kept: not known.
   */
  alone?: boolean;
}

export interface RoleGrant {
  tenant: string;
  personId: string;
  role: Role;
  grantedBy: string;
  at: Date;
}

export interface LinkCode {
  tenant: string;
  code: string;
  identity: string;
  expiresAt: Date;
}

// Keyed _ids (`tenant/identity`, `tenant/personId`, `tenant/code`): found by _id, unique by _id, on every backend.
const identityKey = (tenant: string, identity: string): string => `${tenant}/${identity}`;
const roleKey = (tenant: string, personId: string): string => `${tenant}/${personId}`;
const linkKey = (tenant: string, code: string): string => `${tenant}/${code}`;

const identitySchema = new Schema<Identity & { _id: string }>(
  {
    _id: { type: String, required: true },
    tenant: { type: String, required: true },
    identity: { type: String, required: true },
    personId: { type: String, required: true },
    displayName: { type: String, required: true, maxlength: 200 },
    timezone: { type: String, default: null },
    email: { type: String, default: null },
    updatedAt: { type: Date, required: true },
    alone: { type: Boolean },
  },
  { collection: 'identities', versionKey: false },
);
identitySchema.index({ tenant: 1, identity: 1 }, { unique: true });
identitySchema.index({ tenant: 1, personId: 1 });
// A profile refreshed in every tenant, and a person found by name.
identitySchema.index({ identity: 1 });
identitySchema.index({ tenant: 1, displayName: 1 });

const roleSchema = new Schema<RoleGrant & { _id: string }>(
  {
    _id: { type: String, required: true },
    tenant: { type: String, required: true },
    personId: { type: String, required: true },
    role: { type: String, enum: ROLES, required: true },
    grantedBy: { type: String, required: true },
    at: { type: Date, required: true },
  },
  { collection: 'roles', versionKey: false },
);
roleSchema.index({ tenant: 1, personId: 1 }, { unique: true });

const linkSchema = new Schema<LinkCode & { _id: string }>(
  {
    _id: { type: String, required: true },
    tenant: { type: String, required: true },
    code: { type: String, required: true },
    identity: { type: String, required: true },
    expiresAt: { type: Date, required: true },
  },
  { collection: 'link_codes', versionKey: false },
);
linkSchema.index({ tenant: 1, code: 1 }, { unique: true });

function modelOf<T>(connection: Connection, name: string, schema: Schema<T>): Model<T> {
  return (connection.models[name] as Model<T> | undefined) ?? connection.model<T>(name, schema);
}

export class PersonRepository {
  readonly identities: Model<Identity & { _id: string }>;
  readonly roles: Model<RoleGrant & { _id: string }>;
  readonly links: Model<LinkCode & { _id: string }>;
  /** Each person's own settings, shared by their linked identities. */
  readonly settings: PersonSettingsRepository;
  /** Per tenant, a token that changes whenever a role or a link changes: what process caches check. */
  private readonly epochs: mongo.Collection<{ _id: string; token: string }>;

  constructor(connection: Connection) {
    this.identities = modelOf(connection, 'Identity', identitySchema);
    this.roles = modelOf(connection, 'RoleGrant', roleSchema);
    this.links = modelOf(connection, 'LinkCode', linkSchema);
    this.settings = new PersonSettingsRepository(connection);
    this.epochs = connection.collection('people_epochs');
  }

  /** The tenant's current people epoch ('' before the first change). */
  async epoch(tenant: string): Promise<string> {
    return (await this.epochs.findOne({ _id: tenant }))?.token ?? '';
  }

  /**
   * Marks a change of roles or links in the tenant. A fresh random token: whichever of two concurrent
   * bumps lands last, the token differs from every one read before either change.
   */
  async bumpEpoch(tenant: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.epochs.updateOne({ _id: tenant }, { $set: { token: randomUUID() } }, { upsert: true });
        return;
      } catch (e) {
        // Two first-ever upserts can race to insert; the loser updates the winner's document.
        if ((e as { code?: number }).code !== 11000 || attempt > 2) throw e;
      }
    }
  }

  async init(): Promise<void> {
    await Promise.all([this.identities, this.roles, this.links].map((m) => declareModelIndexes(m)));
  }

  async findIdentity(tenant: string, identity: string): Promise<Identity | null> {
    return this.identities.findOne({ _id: identityKey(tenant, identity) }, { _id: 0 }).lean<Identity>();
  }

  async findByName(tenant: string, displayName: string): Promise<Identity[]> {
    const escaped = displayName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    return this.identities
      .find({ tenant, displayName: { $regex: `^${escaped}$`, $options: 'i' } }, { _id: 0 })
      .limit(5)
      .lean<Identity[]>();
  }

  async identitiesOf(tenant: string, personId: string): Promise<Identity[]> {
    return this.identities.find({ tenant, personId }, { _id: 0 }).lean<Identity[]>();
  }

  /** Creates the identity if new (personId = identity), else refreshes its profile. */
  async upsertProfile(p: Omit<Identity, 'personId'>): Promise<Identity> {
    const existing = await this.findIdentity(p.tenant, p.identity);
    if (existing) {
      const changed =
        existing.displayName !== p.displayName || existing.timezone !== p.timezone || existing.email !== p.email;
      if (changed) {
        await this.identities.updateOne(
          { _id: identityKey(p.tenant, p.identity) },
          { $set: { displayName: p.displayName, timezone: p.timezone, email: p.email, updatedAt: p.updatedAt } },
        );
      }
      return { ...existing, displayName: p.displayName, timezone: p.timezone, email: p.email };
    }
    const doc: Identity = { ...p, personId: p.identity, alone: true };
    try {
      await validOrRefused(this.identities.create({ ...doc, _id: identityKey(p.tenant, p.identity) }));
    } catch (e) {
      // Someone else created it at the same moment: theirs stands.
      if ((e as { code?: number }).code !== 11000) throw e;
      return (await this.findIdentity(p.tenant, p.identity)) ?? doc;
    }
    return doc;
  }

  /** Refreshes an identity's profile in every tenant that knows it. */
  async refreshProfile(identity: string, p: Pick<Identity, 'displayName' | 'timezone' | 'email'>): Promise<void> {
    await this.identities.updateMany({ identity }, { $set: { ...p, updatedAt: new Date() } });
  }

  /** Another identity is about to join the person `personId`: its own identity is no longer alone. */
  async joining(tenant: string, personId: string): Promise<void> {
    await this.identities.updateOne({ _id: identityKey(tenant, personId) }, { $set: { alone: false } });
  }

  async setPerson(tenant: string, identity: string, personId: string): Promise<void> {
    await this.identities.updateOne({ _id: identityKey(tenant, identity) }, { $set: { personId } });
  }

  async roleOf(tenant: string, personId: string): Promise<Role | null> {
    const g = await this.roles.findOne({ _id: roleKey(tenant, personId) }, { role: 1 }).lean<RoleGrant>();
    return g?.role ?? null;
  }

  async grant(g: RoleGrant): Promise<void> {
    await this.roles.updateOne(
      { _id: roleKey(g.tenant, g.personId) },
      { $set: { tenant: g.tenant, personId: g.personId, role: g.role, grantedBy: g.grantedBy, at: g.at } },
      { upsert: true },
    );
  }

  async revoke(tenant: string, personId: string): Promise<boolean> {
    const r = await this.roles.deleteOne({ _id: roleKey(tenant, personId) });
    return r.deletedCount > 0;
  }

  async grants(tenant: string): Promise<RoleGrant[]> {
    return this.roles.find({ tenant }, { _id: 0 }).sort({ role: 1 }).lean<RoleGrant[]>();
  }

  /** Stores a link code; `exists` when that code is live already (drawn twice). */
  async createLinkCode(c: LinkCode): Promise<'added' | 'exists'> {
    try {
      await validOrRefused(this.links.create({ ...c, _id: linkKey(c.tenant, c.code) }));
      return 'added';
    } catch (e) {
      if (isDuplicateKey(e)) return 'exists';
      throw e;
    }
  }

  /** Takes a link code once: the delete is the claim. */
  async takeLinkCode(tenant: string, code: string): Promise<LinkCode | null> {
    const c = await this.links.findOne({ _id: linkKey(tenant, code) }, { _id: 0 }).lean<LinkCode>();
    if (!c) return null;
    const r = await this.links.deleteOne({ _id: linkKey(tenant, code) });
    return r.deletedCount === 1 ? c : null;
  }
}
