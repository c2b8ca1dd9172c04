// Which team owns a service is the catalog's to say: paging reads it, `/team create|set --services` claims into it,
// and the teams' own service lists from before the catalog are moved into it once, at start-up.
import type { PersonRef } from '../domain/entities.ts';
import { UserError } from '../domain/errors.ts';
import { NO_TARGETS } from '../domain/service.ts';
import type { CatalogService, ServiceRepository } from '../store/serviceStore.ts';
import type { Acting } from './acting.ts';
import type { ServiceCatalog } from './serviceCatalog.ts';
import type { ServiceOwnership, Team, TeamService } from './teams.ts';

/** Who declared the services the migration moved from the teams into the catalog (their owner is the team's creator). */
export const MIGRATION: PersonRef = Object.freeze({
  id: 'switchboard-migration',
  identity: 'system:migration',
  name: 'Switchboard (from /team create --services)',
});

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();
/** The names a ticket carries and the catalog takes (as `/team create --services` always read them). */
const NAME = /^[a-z0-9][a-z0-9._-]{0,59}$/;

function entry(tenant: string, name: string, team: string, owner: PersonRef, by: PersonRef, at: Date): CatalogService {
  return {
    tenant,
    name,
    team,
    owner,
    tier: null,
    objective: null,
    targets: NO_TARGETS,
    dependsOn: [],
    createdAt: at,
    createdBy: by,
    updatedAt: at,
    viaTeam: true,
    version: 0,
  };
}

export class CatalogOwnership implements ServiceOwnership {
  constructor(
    private readonly catalog: ServiceCatalog,
    private readonly repo: ServiceRepository,
    private readonly teams: TeamService,
  ) {}

  async teamOf(tenant: string, service: string): Promise<string | null> {
    return (await this.catalog.list(tenant)).find((s) => s.name === service)?.team ?? null;
  }

  async ownedBy(tenant: string, team: string): Promise<string[]> {
    return (await this.catalog.list(tenant)).filter((s) => same(s.team, team)).map((s) => s.name);
  }

  async mustBeFree(tenant: string, services: readonly string[], team: string): Promise<void> {
    const catalog = await this.catalog.list(tenant);
    for (const name of services) {
      const owner = catalog.find((s) => s.name === name)?.team;
      if (owner !== undefined && !same(owner, team)) {
        throw UserError.of(
          'TEAM.SERVICE_TAKEN',
          { service: name, team: owner },
          `A service belongs to one team: move it with /service set ${name} --team ${team}.`,
          'services',
        );
      }
    }
  }

  /**
   * The services the catalog lacks are declared, run by the team and owned by the manager who typed the command
   * (they can hand it on with /service set --owner). One declared by someone else meanwhile stays theirs: the
   * reply lists what the team owns, read afterwards.
   */
  async claim(acting: Acting, team: string, services: readonly string[]): Promise<void> {
    const catalog = await this.catalog.list(acting.tenant);
    const missing = services.filter((n) => !catalog.some((s) => s.name === n));
    if (missing.length === 0) return;
    let added = false;
    for (const name of missing) {
      const declared = entry(acting.tenant, name, team, acting.person, acting.person, acting.now);
      if (await this.repo.add(declared)) added = true;
    }
    if (added) await this.catalog.changed(acting.tenant);
  }

  /** Its services follow a renamed team (each a versioned write; one changed meanwhile is read again). */
  async renamed(acting: Acting, from: string, to: string): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const owned = (await this.repo.list(acting.tenant)).filter((s) => same(s.team, from));
      let raced = false;
      for (const s of owned) {
        if (!(await this.repo.save({ ...s, team: to, updatedAt: acting.now }))) raced = true;
      }
      if (owned.length > 0) await this.catalog.changed(acting.tenant);
      if (!raced) return;
    }
    throw UserError.of('SERVICE.BUSY', { name: from, done: 'moved to the new team name' });
  }

  /**
   * Each team's own `services` list (how `/team create --services` said what a team owned before the catalog)
   * becomes catalog entries run by that team and owned by whoever created the team, unless the catalog holds the
   * service already (it wins: a manager declared it there); then the team's list is emptied. Safe to run by every
   * process at every start, at the same time: each entry is a unique insert, the list is emptied with a versioned
   * write, and a team whose list is empty is not looked at again. A process that dies half-way leaves the list,
   * and the next start finishes it.
   */
  async migrateTeamServices(now: Date): Promise<{ declared: string[]; kept: string[] }> {
    const declared: string[] = [];
    const kept: string[] = [];
    for (const team of await this.teams.withOwnServices()) {
      const catalog = await this.repo.list(team.tenant);
      let added = false;
      for (const name of team.services) {
        const there = catalog.find((s) => s.name === name);
        if (there) {
          if (!same(there.team, team.name)) kept.push(`${team.tenant}/${name} (${there.team}, not ${team.name})`);
          continue;
        }
        if (!NAME.test(name)) continue;
        if (await this.repo.add(entry(team.tenant, name, team.name, ownerOf(team), MIGRATION, now))) {
          declared.push(`${team.tenant}/${name} → ${team.name}`);
          added = true;
        }
      }
      if (added) await this.catalog.changed(team.tenant);
      await this.teams.dropOwnServices(team.tenant, team.name);
    }
    return { declared, kept };
  }
}

const ownerOf = (team: Team): PersonRef => team.createdBy ?? MIGRATION;
