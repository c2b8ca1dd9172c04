// The service catalog: managers declare services (team, owner, tier, objective, targets, dependencies), anyone
// reads them, and a ticket on a service runs on its targets.

import type { PersonRef } from '../domain/entities.ts';
import { UserError } from '../domain/errors.ts';
import { type RoleNeed, refusalFor } from '../domain/roles.ts';
import { quoted } from '../domain/scheduleTypes.ts';
import {
  dependencyCycle,
  NO_TARGETS,
  nearestNames,
  parseDependsOn,
  parseTargets,
  type ServiceTier,
  serviceNameOf,
  slaTargetsFor,
} from '../domain/service.ts';
import { suggestServices } from '../domain/serviceSuggest.ts';
import type { SlaTargets } from '../domain/sla.ts';
import { OPEN_STATES } from '../domain/ticket.ts';
import { SharedReads } from '../kit/sharedReads.ts';
import type { CatalogService, ServiceRepository } from '../store/serviceStore.ts';
import type { TicketRepository, TicketSummary } from '../store/ticketStore.ts';
import type { Acting } from './acting.ts';
import type { PeopleService } from './people.ts';
import type { TeamService } from './teams.ts';

export type { CatalogService } from '../store/serviceStore.ts';

/** SWITCHBOARD_SERVICES: `open` takes any service a ticket names; `auto` only a declared one, once one is. */
export type ServicesMode = 'open' | 'auto';

/** A tenant with more services than this is a mistake (or abuse): the catalog is read whole and kept in memory. */
const MAX_SERVICES = 500;
/** How long this process trusts the catalog it read while the tenant's people epoch stands. */
const CATALOG_TTL_MS = 30_000;
/** Open tickets /service show lists (a page of /ticket list). */
const OPEN_LISTED = 20;
/** Open tickets named when a removal is refused. */
const OPEN_SHOWN = 5;

/** Declaring, changing and removing services (anyone may read the catalog). */
export const MANAGE_SERVICES: RoleNeed = {
  role: 'manager',
  denied: 'Managing the service catalog needs the manager role; anyone may read it with /service list.',
};

/** What `/service add` and `/service set` give, as typed; `none` clears objective, targets and dependencies. */
export interface ServiceInput {
  team?: string | undefined;
  /** A platform identity (`console:ada`). */
  owner?: string | undefined;
  tier?: ServiceTier | undefined;
  objective?: string | undefined;
  targets?: string | undefined;
  dependsOn?: string | undefined;
}

export interface ServiceView {
  service: CatalogService;
  /** Open tickets naming it, newest first. */
  open: TicketSummary[];
}

const NONE = 'none';

/**
 * In `auto` mode the catalog binds a ticket's service once a manager has declared one with /service add: services
 * that came in through a team's `--services` (typed, or moved from before the catalog) keep today's free text.
 */
const binds = (catalog: readonly CatalogService[]): boolean => catalog.some((s) => !s.viaTeam);
const ADD_EXAMPLE = '/service add payroll --team hr-it --owner @ada --tier 1 --targets "P1=15m/4h"';

export class ServiceCatalog {
  private readonly known = new Map<string, { services: CatalogService[]; epoch: string; until: number }>();

  /** The catalog being read, per tenant and the epoch it was asked under. */
  private readonly reading = new SharedReads();

  constructor(
    private readonly repo: ServiceRepository,
    private readonly tickets: TicketRepository,
    private readonly people: PeopleService,
    private readonly teams: TeamService,
    private readonly mode: ServicesMode,
  ) {}

  /** The tenant's services by name: read once and kept while the tenant's people epoch stands (moved by a change). */
  async list(tenant: string): Promise<CatalogService[]> {
    const epoch = await this.people.epochOf(tenant);
    const hit = this.known.get(tenant);
    if (hit && hit.epoch === epoch && hit.until > Date.now()) return hit.services;
    // Callers at once (a burst of alerts opening incidents) share one read of the same epoch.
    return this.reading.run(`${tenant}\u0000${epoch}`, async () => {
      const services = await this.repo.list(tenant);
      if (this.known.size > 10_000) this.known.clear();
      this.known.set(tenant, { services, epoch, until: Date.now() + CATALOG_TTL_MS });
      return services;
    });
  }

  /** What to offer for what someone has typed (completion on Discord, the type-ahead select on Slack): in process. */
  async suggest(tenant: string, typed: string, limit?: number): Promise<CatalogService[]> {
    return suggestServices(await this.list(tenant), typed, limit);
  }

  /**
   * Whether a ticket may name a service the catalog does not hold (SWITCHBOARD_SERVICES=open, or none declared
   * yet): a picker then offers what was typed as well.
   */
  async takesAnyName(tenant: string): Promise<boolean> {
    return this.mode === 'open' || !binds(await this.list(tenant));
  }

  async add(acting: Acting, name: string, input: ServiceInput): Promise<CatalogService> {
    this.mustManage(acting);
    const serviceName = serviceNameOf(name);
    if (input.team === undefined || input.owner === undefined) {
      throw new UserError(
        'USAGE.MISSING',
        `A service needs ${input.team === undefined ? '--team' : '--owner'}: the team that runs it and the person who owns it.`,
        `Try: ${ADD_EXAMPLE}`,
        input.team === undefined ? 'team' : 'owner',
      );
    }
    const catalog = await this.list(acting.tenant);
    if (catalog.some((s) => s.name === serviceName)) throw this.exists(serviceName);
    if (catalog.length >= MAX_SERVICES) throw UserError.of('SERVICE.TOO_MANY', { max: MAX_SERVICES });
    const fields = await this.fieldsOf(acting, serviceName, input, catalog);
    const service: CatalogService = {
      tenant: acting.tenant,
      name: serviceName,
      team: fields.team ?? '',
      owner: fields.owner as PersonRef,
      tier: fields.tier ?? null,
      objective: fields.objective ?? null,
      targets: fields.targets ?? NO_TARGETS,
      dependsOn: fields.dependsOn ?? [],
      createdAt: acting.now,
      createdBy: acting.person,
      updatedAt: acting.now,
      version: 0,
    };
    if (!(await this.repo.add(service))) throw this.exists(serviceName);
    await this.changed(acting.tenant);
    return service;
  }

  async set(acting: Acting, name: string, input: ServiceInput): Promise<CatalogService> {
    this.mustManage(acting);
    if (Object.values(input).every((v) => v === undefined)) {
      throw new UserError(
        'USAGE.MISSING',
        'Say what to change: --team, --owner, --tier, --objective, --targets or --depends-on.',
        `Try: /service set ${serviceNameOf(name)} --targets "P1=15m/4h"`,
      );
    }
    const catalog = await this.list(acting.tenant);
    const found = this.named(catalog, name);
    const fields = await this.fieldsOf(acting, found.name, input, catalog);
    const next: CatalogService = {
      ...found,
      ...Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)),
      updatedAt: acting.now,
    };
    if (!(await this.repo.save(next))) throw UserError.of('SERVICE.BUSY', { name: found.name, done: 'changed' });
    await this.changed(acting.tenant);
    return { ...next, version: next.version + 1 };
  }

  /** Refused while open tickets name it, or other services depend on it. */
  async remove(acting: Acting, name: string): Promise<CatalogService> {
    this.mustManage(acting);
    const catalog = await this.list(acting.tenant);
    const found = this.named(catalog, name);
    const dependants = catalog.filter((s) => s.dependsOn.includes(found.name)).map((s) => s.name);
    if (dependants.length > 0) {
      throw new UserError(
        'SERVICE.IN_USE',
        `${dependants.join(', ')} ${dependants.length === 1 ? 'depends' : 'depend'} on ${found.name}, so it stays.`,
        `Take it out of theirs first: /service set ${dependants[0]} --depends-on …`,
      );
    }
    const open = await this.openOn(acting.tenant, found.name, OPEN_SHOWN + 1);
    if (open.length > 0) {
      const ids = open.slice(0, OPEN_SHOWN).map((t) => t.ticketId);
      throw new UserError(
        'SERVICE.IN_USE',
        `Open tickets name ${found.name} (${ids.join(', ')}${open.length > OPEN_SHOWN ? ', …' : ''}), so it stays.`,
        `See them with /ticket list --service ${found.name}; remove it once they are resolved.`,
      );
    }
    if (!(await this.repo.remove(found))) throw UserError.of('SERVICE.BUSY', { name: found.name, done: 'removed' });
    await this.changed(acting.tenant);
    return found;
  }

  async show(tenant: string, name: string): Promise<ServiceView> {
    const found = this.named(await this.list(tenant), name);
    return { service: found, open: await this.openOn(tenant, found.name, OPEN_LISTED) };
  }

  /**
   * The SLA targets of a ticket on `service` (its own, then the global defaults), refusing an unknown service
   * with the nearest names unless SWITCHBOARD_SERVICES=open or none is declared yet with /service add. `anyService`: monitoring
   * names services the catalog may not know, and an alert is never refused for it.
   */
  async ticketTargets(tenant: string, service: string, defaults: SlaTargets, anyService = false): Promise<SlaTargets> {
    const catalog = await this.list(tenant);
    const found = catalog.find((s) => s.name === service.toLowerCase());
    if (found) return slaTargetsFor(defaults, found.targets);
    if (this.mode === 'open' || anyService || !binds(catalog)) return defaults;
    throw this.notFound(
      service,
      catalog.map((s) => s.name),
      'service',
    );
  }

  /** Open work naming the service: the hot set's open states (indexed on MongoDB; a bounded scan on FerretDB). */
  private openOn(tenant: string, service: string, limit: number): Promise<TicketSummary[]> {
    return this.tickets.list(tenant, { states: [...OPEN_STATES], service, limit });
  }

  /** What add and set read from the options: each checked, with the right form when it is wrong. */
  private async fieldsOf(
    acting: Acting,
    name: string,
    input: ServiceInput,
    catalog: readonly CatalogService[],
  ): Promise<Partial<Omit<CatalogService, 'tenant' | 'name' | 'version'>>> {
    const out: Partial<Omit<CatalogService, 'tenant' | 'name' | 'version'>> = {};
    if (input.targets !== undefined) {
      out.targets = input.targets.trim().toLowerCase() === NONE ? NO_TARGETS : parseTargets(input.targets);
    }
    if (input.dependsOn !== undefined) {
      const deps = input.dependsOn.trim().toLowerCase() === NONE ? [] : parseDependsOn(input.dependsOn, name);
      const names = catalog.map((s) => s.name);
      for (const d of deps) {
        if (!names.includes(d)) {
          const near = nearestNames(d, names);
          throw new UserError(
            'SERVICE.BAD_DEPENDENCY',
            `--depends-on: there is no service ${quoted(d)} in the catalog.`,
            near.length > 0
              ? `Did you mean ${near.join(', ')}? Declare a dependency first: /service add ${d} --team … --owner …`
              : `Declare it first: /service add ${d} --team … --owner …`,
            'depends-on',
          );
        }
      }
      const cycle = dependencyCycle(new Map(catalog.map((s) => [s.name, s.dependsOn])), name, deps);
      if (cycle) {
        throw new UserError(
          'SERVICE.DEPENDENCY_CYCLE',
          `--depends-on would make a circle: ${cycle.join(' → ')}.`,
          'A service depends on the ones below it; drop the one that leads back.',
          'depends-on',
        );
      }
      out.dependsOn = deps;
    }
    if (input.tier !== undefined) out.tier = input.tier;
    if (input.objective !== undefined) {
      const text = input.objective.trim();
      out.objective = text === '' || text.toLowerCase() === NONE ? null : text;
    }
    if (input.team !== undefined) out.team = (await this.teams.get(acting.tenant, input.team)).name;
    if (input.owner !== undefined) {
      const owner = await this.people.seen(acting.tenant, input.owner);
      if (!owner) {
        throw new UserError(
          'PERSON.UNKNOWN',
          `Switchboard has never seen ${input.owner} here, so nothing was changed.`,
          'An owner needs to use Switchboard once (any command, e.g. /help) before they can own a service.',
          'owner',
        );
      }
      out.owner = owner;
    }
    return out;
  }

  private named(catalog: readonly CatalogService[], name: string): CatalogService {
    const n = name.trim().toLowerCase();
    const found = catalog.find((s) => s.name === n);
    if (found) return found;
    throw this.notFound(
      name,
      catalog.map((s) => s.name),
      'name',
    );
  }

  private notFound(name: string, names: readonly string[], field: string): UserError {
    const near = nearestNames(name, names);
    return new UserError(
      'SERVICE.NOT_FOUND',
      `There is no service ${quoted(name)} in the catalog.`,
      names.length === 0
        ? `None is declared yet; a manager declares one: ${ADD_EXAMPLE}`
        : `Did you mean ${near.join(', ')}? All of them: /service list`,
      field,
    );
  }

  private exists(name: string): UserError {
    return UserError.of(
      'SERVICE.EXISTS',
      { name },
      `See it with /service show ${name}; change it with /service set ${name}.`,
      'name',
    );
  }

  /** The catalog changed: this process forgets it now, the others within a second (the tenant's epoch moves). */
  async changed(tenant: string): Promise<void> {
    this.known.delete(tenant);
    await this.people.changed(tenant);
  }

  private mustManage(acting: Acting): void {
    const refused = refusalFor(acting.role, MANAGE_SERVICES);
    if (refused) throw refused;
  }
}
