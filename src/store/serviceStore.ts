// The service catalog: one small document per service, `<tenant>/<name>`, changed with a version check.
import type { Connection, mongo } from 'mongoose';
import type { PersonRef } from '../domain/entities.ts';
import type { ServiceTargets, ServiceTier } from '../domain/service.ts';
import { insertOnce } from './insertOnce.ts';

export interface CatalogService {
  tenant: string;
  /** Lower case, as tickets name it. */
  name: string;
  /** The team that runs it, as the team was created. */
  team: string;
  owner: PersonRef;
  tier: ServiceTier | null;
  /** The business goal it serves. */
  objective: string | null;
  targets: ServiceTargets;
  dependsOn: string[];
  createdAt: Date;
  createdBy: PersonRef;
  updatedAt: Date;
  /**
   * Declared through a team (`/team create|set --services`, or moved from a team's own list at start-up) rather
   * than with `/service add`: such services route pages, but do not by themselves make the catalog refuse names.
   */
  viaTeam?: boolean;
  /** Bumped by every change: a change made from an older copy is refused, not lost. */
  version: number;
}

type ServiceDoc = CatalogService & { _id: string };
const keyOf = (tenant: string, name: string) => `${tenant}/${name}`;

/**
 * A tenant's services are few (at most a few hundred): the catalog is read whole, `{tenant}` (indexed on MongoDB,
 * a scan of a small collection on FerretDB), and kept in process by the catalog service.
 */
export class ServiceRepository {
  private readonly services: mongo.Collection<ServiceDoc>;

  constructor(connection: Connection) {
    this.services = connection.collection<ServiceDoc>('services');
  }

  /** False when a service of that name is there already. */
  add(service: CatalogService): Promise<boolean> {
    return insertOnce(this.services, { _id: keyOf(service.tenant, service.name), ...service });
  }

  async list(tenant: string): Promise<CatalogService[]> {
    const docs = await this.services.find({ tenant }).toArray();
    return docs.map(({ _id, ...s }) => s).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Writes a changed service over the version it was read at; false when someone changed it meanwhile. */
  async save(service: CatalogService): Promise<boolean> {
    const next = { ...service, version: service.version + 1 };
    const r = await this.services.replaceOne(
      { _id: keyOf(service.tenant, service.name), version: service.version },
      next,
    );
    return r.matchedCount === 1;
  }

  /** Removes the service as read: false when someone changed it meanwhile (or it is gone). */
  async remove(service: CatalogService): Promise<boolean> {
    const r = await this.services.deleteOne({ _id: keyOf(service.tenant, service.name), version: service.version });
    return r.deletedCount === 1;
  }
}
