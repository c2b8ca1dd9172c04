// On-call teams: who is in them, what they own, their rotations and overrides, their escalation policy.
import type { PersonRef } from '../domain/entities.ts';
import { UserError } from '../domain/errors.ts';
import { DEFAULT_POLICY_TEXT, type EscalationPolicy, parsePolicy } from '../domain/escalation.ts';
import { gaps, type OnCallAnswer, type OnCallSchedule, onCallAt, parseRotation, shifts } from '../domain/oncall.ts';
import { isPlatformName } from '../domain/platform.ts';
import { hasRole, type RoleNeed, refusalFor } from '../domain/roles.ts';
import { quoted } from '../domain/scheduleTypes.ts';
import type { Team, TeamRepository } from '../store/teamStore.ts';
import type { Acting } from './acting.ts';
import { channelFormsOn, parseChannelAddress } from './messaging.ts';
import type { PeopleService } from './people.ts';

export type { Team } from '../store/teamStore.ts';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;
const SERVICE = /^[a-z0-9][a-z0-9._-]{0,59}$/;
const MAX_TEAMS = 200;
const MAX_MEMBERS = 100;
const MAX_SERVICES = 50;
const MAX_OVERRIDES = 200;

export interface OnCallNow {
  team: Team;
  answer: OnCallAnswer | null;
  /** The person on call, by name (null: nobody). */
  person: PersonRef | null;
}

/** `#C0123` (a channel of the platform typed on), or a full address; refused with the right forms otherwise. */
export function channelAddressOf(given: string, platform: string): string {
  const address = /^#[A-Za-z0-9]{1,40}$/.test(given) ? `${platform}:${given.slice(1)}` : given;
  if (!parseChannelAddress(address)) {
    throw new UserError(
      'USAGE.BAD_CHANNEL',
      `${quoted(given.slice(0, 60))} is not a channel I can post in.`,
      channelFormsOn(platform),
      'channel',
    );
  }
  return address;
}

/** Rotations and overrides bring their people into the team; the ones new to it are returned, to be told. */
function joinTeam(t: Team, people: readonly PersonRef[]): PersonRef[] {
  const joined = people.filter((p) => !t.members.some((m) => m.id === p.id));
  t.members.push(...joined);
  return joined;
}

/**
 * The service catalog's side of a team (src/services/serviceCatalog.ts, set in compose): the catalog says which
 * team owns a service, and so who is paged for it. A team's own `services` list is what it was before the catalog,
 * migrated into it at start-up (`ServiceCatalog.migrateTeamServices`).
 */
export interface ServiceOwnership {
  /** The team the catalog names for the service, as the team was created; null when the catalog has no such service. */
  teamOf(tenant: string, service: string): Promise<string | null>;
  /** The catalog's services the team owns, by name. */
  ownedBy(tenant: string, team: string): Promise<string[]>;
  /** Refused (TEAM.SERVICE_TAKEN) when the catalog gives one of them to another team. */
  mustBeFree(tenant: string, services: readonly string[], team: string): Promise<void>;
  /** Declares the ones the catalog lacks, run by `team` and owned by the acting manager. */
  claim(acting: Acting, team: string, services: readonly string[]): Promise<void>;
  /** The team was renamed: its services follow it. */
  renamed(acting: Acting, from: string, to: string): Promise<void>;
}

/** Managing teams, rotations, overrides and policies (anyone may look). */
export const MANAGE_TEAMS: RoleNeed = {
  role: 'manager',
  denied: 'Managing teams and on-call needs the manager role; anyone may look.',
};

/** A safety net only: teams read are kept while the tenant's people epoch stands, which every team write moves. */
const TEAMS_KEPT_MS = 5 * 60_000;

export class TeamService {
  /** Asks the platform whether the bot can post in a team's channel (set from the outbox's senders). */
  cannotPostTo: ((address: string) => Promise<string | null>) | undefined;
  /** The tickets a team is being paged about now (live escalations); set from the paging records. */
  livePagesOf: ((tenant: string, team: string) => Promise<string[]>) | undefined;
  /** Told after every change (handoff and coverage jobs are planned from it); a failure there is not the change's. */
  onChanged: ((team: Team, now: Date) => Promise<void>) | undefined;
  /** Which team owns which service: the catalog (set in compose, which builds the catalog after the teams). */
  ownership: ServiceOwnership | undefined;
  /** Each tenant's teams as last read, kept while its people epoch stands (as the service catalog is). */
  private readonly known = new Map<string, { teams: Team[]; epoch: string; until: number }>();
  /** Teams read one by one for routing (`current`), by tenant then name, kept as `known` is. */
  private readonly named = new Map<string, Map<string, { team: Promise<Team | null>; epoch: string; until: number }>>();

  constructor(
    private readonly repo: TeamRepository,
    private readonly people: PeopleService,
    /** Real elapsed milliseconds: how long a kept copy stands at most (tests move their own). */
    private readonly elapsed: () => number = Date.now,
  ) {}

  async create(acting: Acting, name: string, opts: { channel?: string; services?: string }): Promise<Team> {
    this.mustManage(acting);
    if (!NAME.test(name)) {
      throw new UserError(
        'TEAM.BAD_NAME',
        `${quoted(name.slice(0, 40))} is not a team name: letters, digits, - and _, up to 40, starting with a letter or digit.`,
        'Try: /team create storage --channel #C0123ABC --services db,backup',
        'name',
      );
    }
    if ((await this.repo.list(acting.tenant)).length >= MAX_TEAMS) {
      throw UserError.of('TEAM.TOO_MANY', { max: MAX_TEAMS });
    }
    const services = opts.services === undefined ? [] : this.servicesOf(opts.services);
    await this.ownership?.mustBeFree(acting.tenant, services, name);
    const team: Team = {
      tenant: acting.tenant,
      name,
      channel: opts.channel ? channelAddressOf(opts.channel, acting.source.platform) : null,
      // What it owns is in the service catalog (claimed below), not on the team.
      services: [],
      members: [],
      layers: [],
      overrides: [],
      policy: null,
      createdAt: acting.now,
      createdBy: acting.person,
      version: 0,
    };
    const created = await this.repo.create(team);
    await this.changed(acting.tenant);
    if (!created) {
      throw UserError.of(
        'TEAM.EXISTS',
        { name },
        `See it with /team show ${name}; change it with /team set ${name}.`,
        'name',
      );
    }
    await this.ownership?.claim(acting, team.name, services);
    await this.onChanged?.(team, acting.now).catch(() => {});
    return team;
  }

  async get(tenant: string, name: string): Promise<Team> {
    const team = NAME.test(name) ? await this.repo.get(tenant, name) : null;
    if (!team) {
      throw new UserError(
        'TEAM.NOT_FOUND',
        `There is no team ${quoted(name.slice(0, 40))} here.`,
        'See the teams with /team list; a manager creates one with /team create <name>.',
        'team',
      );
    }
    return team;
  }

  /**
   * The tenant's teams: read once and kept while the tenant's people epoch stands (every team write moves it, so
   * another process sees a change within a second). A copy each time: callers may change what they get.
   */
  async list(tenant: string): Promise<Team[]> {
    const epoch = await this.people.epochOf(tenant);
    const hit = this.known.get(tenant);
    if (hit && hit.epoch === epoch && hit.until > this.elapsed()) return structuredClone(hit.teams);
    const teams = await this.repo.list(tenant);
    if (this.known.size > 10_000) this.known.clear();
    const until = this.elapsed() + TEAMS_KEPT_MS;
    this.known.set(tenant, { teams, epoch, until });
    // Every team of the tenant, read under the same epoch: `current` need not read one of them again (a P1's page
    // start after a `/status`).
    if (this.named.size > 10_000) this.named.clear();
    this.named.set(tenant, new Map(teams.map((t) => [t.name, { team: Promise.resolve(t), epoch, until }])));
    return structuredClone(teams);
  }

  /**
   * A team by name, for reading only (where a page goes, who is on call): kept while the tenant's people epoch
   * stands, as `list` is, so an alert burst's openings and first pages read each team once, not four times each.
   * Callers at once share one read. A copy each time: callers may change what they get.
   */
  async current(tenant: string, name: string): Promise<Team | null> {
    const epoch = await this.people.epochOf(tenant);
    let teams = this.named.get(tenant);
    if (!teams) {
      if (this.named.size > 10_000) this.named.clear();
      teams = new Map();
      this.named.set(tenant, teams);
    }
    let hit = teams.get(name);
    if (!hit || hit.epoch !== epoch || hit.until <= this.elapsed()) {
      const read = this.repo.get(tenant, name);
      hit = { team: read, epoch, until: this.elapsed() + TEAMS_KEPT_MS };
      if (teams.size > 10_000) teams.clear();
      teams.set(name, hit);
      const kept = hit;
      read.catch(() => {
        if (teams.get(name) === kept) teams.delete(name);
      });
    }
    const team = await hit.team;
    return team ? structuredClone(team) : null;
  }

  /** A team was written (or may have been): this process forgets the tenant's teams now, the others within a second. */
  private async changed(tenant: string): Promise<void> {
    this.known.delete(tenant);
    this.named.delete(tenant);
    await this.people.changed(tenant);
  }

  async addMembers(
    acting: Acting,
    name: string,
    identities: readonly string[],
  ): Promise<{ team: Team; added: PersonRef[] }> {
    this.mustManage(acting);
    const people = await this.peopleOf(acting, identities);
    let added: PersonRef[] = [];
    const team = await this.change(acting, name, (t) => {
      added = people.filter((p) => !t.members.some((m) => m.id === p.id));
      if (t.members.length + added.length > MAX_MEMBERS) {
        throw UserError.of('TEAM.TOO_MANY_MEMBERS', { max: MAX_MEMBERS });
      }
      t.members.push(...added);
    });
    return { team, added };
  }

  async removeMember(acting: Acting, name: string, identity: string): Promise<{ team: Team; removed: PersonRef }> {
    this.mustManage(acting);
    const { personId, name: shown } = await this.people.namedPersonOf(acting.tenant, identity);
    let removed: PersonRef | undefined;
    const team = await this.change(acting, name, (t) => {
      removed = t.members.find((m) => m.id === personId || m.identity === identity);
      if (!removed) {
        throw new UserError(
          'TEAM.NOT_A_MEMBER',
          `${shown} is not in ${t.name}.`,
          `See who is with /team show ${t.name}.`,
        );
      }
      const gone = removed.id;
      t.members = t.members.filter((m) => m.id !== gone);
      // Out of the team is out of its rotations and overrides too; an emptied layer is dropped.
      t.layers = t.layers
        .map((l) => ({ ...l, members: l.members.filter((m) => m !== gone) }))
        .filter((l) => l.members.length > 0);
      t.overrides = t.overrides.filter((o) => o.person !== gone);
    });
    return { team, removed: removed as PersonRef };
  }

  /** `/team set`: a new channel and/or services (`none` clears either); refused while the team is paged or on duty. */
  async update(acting: Acting, name: string, opts: { channel?: string; services?: string }): Promise<Team> {
    this.mustManage(acting);
    if (opts.channel === undefined && opts.services === undefined) {
      throw new UserError(
        'USAGE.MISSING',
        'Say what to change: --channel, --services, or both.',
        `Try: /team set ${name.slice(0, 40)} --channel #C0123ABC --services db,backup`,
        'channel',
      );
    }
    const none = (v: string) => v.trim().toLowerCase() === 'none';
    const channel =
      opts.channel === undefined
        ? undefined
        : none(opts.channel)
          ? null
          : channelAddressOf(opts.channel, acting.source.platform);
    if (opts.services !== undefined && none(opts.services)) {
      // The catalog gives every service a team: one leaves a team by going to another, or out of the catalog.
      throw new UserError(
        'TEAM.SERVICES_IN_CATALOG',
        `${name.slice(0, 40)}'s services are in the service catalog now, where each belongs to a team, so none were taken away.`,
        'Give one to another team with /service set <service> --team <team>, or take it out with /service remove <service>.',
        'services',
      );
    }
    const services = opts.services === undefined ? undefined : this.servicesOf(opts.services);
    if (services) await this.ownership?.mustBeFree(acting.tenant, services, name);
    const team = await this.get(acting.tenant, name);
    await this.mustBeIdle(acting, team, 'changed');
    if (services) await this.ownership?.claim(acting, team.name, services);
    if (channel === undefined) return team;
    return this.change(acting, name, (t) => {
      t.channel = channel;
    });
  }

  /** `/team rename`: refused while the team is paged or on duty, or when the new name is taken. */
  async rename(acting: Acting, name: string, to: string): Promise<{ from: string; team: Team }> {
    this.mustManage(acting);
    if (!NAME.test(to)) {
      throw new UserError(
        'TEAM.BAD_NAME',
        `${quoted(to.slice(0, 40))} is not a team name: letters, digits, - and _, up to 40, starting with a letter or digit.`,
        `Try: /team rename ${name.slice(0, 40)} storage-eu`,
        'new',
      );
    }
    const team = await this.get(acting.tenant, name);
    await this.mustBeIdle(acting, team, 'renamed');
    const outcome = await this.repo.rename(team, to);
    await this.changed(acting.tenant);
    if (outcome === 'exists') {
      throw UserError.of('TEAM.EXISTS', { name: to }, `See it with /team show ${to}.`, 'new');
    }
    if (outcome === 'changed') {
      throw UserError.of('TEAM.BUSY', { team: team.name, done: 'renamed' }, 'Try again.');
    }
    await this.ownership?.renamed(acting, team.name, to);
    const renamed = { ...team, name: to, version: team.version + 1 };
    await this.onChanged?.(renamed, acting.now).catch(() => {});
    return { from: team.name, team: renamed };
  }

  /** `/team delete`: refused while the team is paged or on duty. Its handoff and coverage jobs find it gone. */
  async remove(acting: Acting, name: string): Promise<Team> {
    this.mustManage(acting);
    const team = await this.get(acting.tenant, name);
    await this.mustBeIdle(acting, team, 'deleted');
    const owned = (await this.ownership?.ownedBy(acting.tenant, team.name)) ?? [];
    if (owned.length > 0) {
      // A service whose team is gone would page nobody: it goes to another team (or out of the catalog) first.
      throw new UserError(
        'TEAM.OWNS_SERVICES',
        `${team.name} runs ${owned.slice(0, 5).join(', ')}${owned.length > 5 ? ` and ${owned.length - 5} more` : ''} in the service catalog, so it stays.`,
        `Give ${owned.length === 1 ? 'it' : 'them'} to another team first (/service set ${owned[0]} --team <team>), or take ${owned.length === 1 ? 'it' : 'them'} out (/service remove ${owned[0]}).`,
        'team',
      );
    }
    const removed = await this.repo.removeAt(team);
    await this.changed(acting.tenant);
    if (!removed) {
      throw UserError.of('TEAM.BUSY', { team: team.name, done: 'deleted' }, 'Try again.');
    }
    return team;
  }

  /** A team being paged, or with someone on call now, is not changed under them: refused with the reason. */
  private async mustBeIdle(acting: Acting, team: Team, verb: string): Promise<void> {
    const paged = (await this.livePagesOf?.(team.tenant, team.name)) ?? [];
    if (paged.length > 0) {
      throw new UserError(
        'TEAM.PAGED',
        `${team.name} cannot be ${verb} now: it is being paged about ${paged.slice(0, 5).join(', ')}${paged.length > 5 ? ` and ${paged.length - 5} more` : ''}.`,
        `Acknowledge the page first (/oncall ack ${paged[0]}), then try again.`,
        'team',
      );
    }
    const onCall = this.onCallIn(team, acting.now);
    if (onCall.answer) {
      throw new UserError(
        'TEAM.ON_DUTY',
        `${team.name} cannot be ${verb} now: it is on duty (${onCall.person?.name ?? onCall.answer.person} is on call).`,
        `A team is changed while nobody is on call: take its people out of its rotations first (/team remove ${team.name} @person).`,
        'team',
      );
    }
  }

  /** Creates or replaces a layer; the people in it join the team (`joined`: those who were not in it, to be told). */
  async setRotation(
    acting: Acting,
    name: string,
    identities: readonly string[],
    opts: { every?: string; handoff?: string; tz?: string; start?: string; layer?: string },
  ): Promise<{ team: Team; joined: PersonRef[] }> {
    this.mustManage(acting);
    const people = await this.peopleOf(acting, identities);
    const layer = parseRotation({ members: people.map((p) => p.id), ...opts }, acting.now, acting.timezone);
    let joined: PersonRef[] = [];
    const team = await this.change(acting, name, (t) => {
      joined = joinTeam(t, people);
      t.layers = [...t.layers.filter((l) => l.layer !== layer.layer), layer].sort((a, b) => a.layer - b.layer);
    });
    return { team, joined };
  }

  /**
   * A person covers [from, to); agents may cover for themselves (`/oncall take`), managers set anyone. `read`: the
   * team as the caller read it just now (`/oncall take` reads it for the shift it takes): the change's first try
   * writes over that copy's version instead of reading the team again.
   */
  async addOverride(
    acting: Acting,
    name: string,
    identity: string,
    from: Date,
    to: Date,
    read?: Team,
  ): Promise<{ team: Team; joined: PersonRef[] }> {
    const self = identity === acting.person.identity;
    if (!(self && hasRole(acting.role, 'agent'))) this.mustManage(acting);
    if (to.getTime() <= from.getTime()) {
      throw new UserError(
        'ONCALL.BAD_SPAN',
        'An override must end after it starts.',
        'Try: /oncall override storage @ada "today 18:00" "tomorrow 09:00"',
        'to',
      );
    }
    if (to.getTime() <= acting.now.getTime()) {
      throw new UserError('ONCALL.BAD_SPAN', 'That override is over already.', 'Give an end in the future.', 'to');
    }
    // The one acting is known already: no read of who they are.
    const who = self ? acting.person : ((await this.peopleOf(acting, [identity]))[0] as PersonRef);
    let joined: PersonRef[] = [];
    const team = await this.change(
      acting,
      name,
      (t) => {
        joined = joinTeam(t, [who]);
        t.overrides = t.overrides.filter((o) => o.to.getTime() > acting.now.getTime());
        if (t.overrides.length >= MAX_OVERRIDES) throw UserError.of('ONCALL.TOO_MANY', { max: MAX_OVERRIDES });
        t.overrides.push({ person: who.id, from, to, createdAt: acting.now });
      },
      read,
    );
    return { team, joined };
  }

  /**
   * An accepted swap: both overrides in one team change, so the schedule never shows one half of it. The
   * person answering is one of the two (an agent), or a manager. `check` is asked of every copy the change is made
   * on (the shifts still as proposed); `read`, a copy the caller holds (kept in process, perhaps a second old): the
   * first try writes over its version, and a copy that was stale fails that write and is read again.
   */
  async swapShifts(
    acting: Acting,
    name: string,
    covers: ReadonlyArray<{ person: PersonRef; from: Date; to: Date }>,
    opts: { read?: Team | undefined; check?: (t: Team) => void } = {},
  ): Promise<Team> {
    const party = covers.some((c) => c.person.id === acting.person.id);
    if (!(party && hasRole(acting.role, 'agent'))) this.mustManage(acting);
    const live = covers.filter((c) => c.to.getTime() > Math.max(c.from.getTime(), acting.now.getTime()));
    if (live.length !== covers.length) {
      throw new UserError('ONCALL.BAD_SPAN', 'One of the shifts to swap is over already.', 'Propose a new swap.');
    }
    return this.change(
      acting,
      name,
      (t) => {
        opts.check?.(t);
        for (const c of covers) if (!t.members.some((m) => m.id === c.person.id)) t.members.push(c.person);
        t.overrides = t.overrides.filter((o) => o.to.getTime() > acting.now.getTime());
        if (t.overrides.length + covers.length > MAX_OVERRIDES)
          throw UserError.of('ONCALL.TOO_MANY', { max: MAX_OVERRIDES });
        for (const c of covers)
          t.overrides.push({ person: c.person.id, from: c.from, to: c.to, createdAt: acting.now });
      },
      opts.read,
    );
  }

  async setPolicy(
    acting: Acting,
    name: string,
    text: string,
    repeat: string | undefined,
    readPerson: (raw: string) => string | null,
  ): Promise<Team> {
    this.mustManage(acting);
    const read = parsePolicy(text, { platform: acting.source.platform, repeat, readPerson });
    return this.change(acting, name, (t) => {
      t.policy = { text, read };
    });
  }

  /** The team's policy, or the default one (`oncall; team after 5m; #team-channel after 15m`). */
  policyOf(team: Team): EscalationPolicy {
    return team.policy?.read ?? parsePolicy(DEFAULT_POLICY_TEXT, { platform: 'console' });
  }

  scheduleOf(team: Team): OnCallSchedule {
    return { layers: team.layers, overrides: team.overrides };
  }

  /** Who is on call in a team at an instant, by name. */
  onCallIn(team: Team, at: Date): OnCallNow {
    const answer = onCallAt(this.scheduleOf(team), at);
    const person = answer ? (team.members.find((m) => m.id === answer.person) ?? null) : null;
    return { team, answer, person };
  }

  /** Every team, or the one named, or the one owning the service named. */
  async onCall(tenant: string, teamOrService: string | undefined, at: Date): Promise<OnCallNow[]> {
    if (!teamOrService) return (await this.list(tenant)).map((t) => this.onCallIn(t, at));
    const byName = NAME.test(teamOrService) ? await this.repo.get(tenant, teamOrService) : null;
    const team = byName ?? (await this.teamFor(tenant, teamOrService));
    if (!team) {
      throw new UserError(
        'TEAM.NOT_FOUND',
        `No team is called ${quoted(teamOrService.slice(0, 40))} or owns a service of that name.`,
        'See the teams with /team list.',
        'team',
      );
    }
    return [this.onCallIn(team, at)];
  }

  /**
   * The team that owns a service: the one the service catalog names (services are matched in lower case). The
   * catalog is kept in process, and so is the team (`current`): no read while the people epoch stands.
   */
  async teamFor(tenant: string, service: string | null | undefined): Promise<Team | null> {
    if (!service) return null;
    const name = await this.ownership?.teamOf(tenant, service.trim().toLowerCase());
    return name ? this.current(tenant, name) : null;
  }

  /** The services the catalog gives the team (what `/team show` lists), by name. */
  async ownedServices(tenant: string, team: string): Promise<string[]> {
    return (await this.ownership?.ownedBy(tenant, team)) ?? [];
  }

  /** The name of the team the catalog gives the service, if any (no read of the team itself). */
  async ownerNameOf(tenant: string, service: string): Promise<string | null> {
    return (await this.ownership?.teamOf(tenant, service.trim().toLowerCase())) ?? null;
  }

  /** Teams that still carry a `services` list of their own (from before the catalog): what the migration moves. */
  async withOwnServices(): Promise<Team[]> {
    return (await this.repo.all()).filter((t) => t.services.length > 0);
  }

  /** Empties a team's own `services` list once the catalog holds them; a change that raced is tried again. */
  async dropOwnServices(tenant: string, name: string): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const team = await this.repo.get(tenant, name);
      if (!team || team.services.length === 0) return;
      const saved = await this.repo.save({ ...team, services: [] });
      await this.changed(tenant);
      if (saved) return;
    }
    throw UserError.of('TEAM.BUSY', { team: name, done: 'saved' }, 'Try again.');
  }

  coming(team: Team, from: Date, days: number) {
    return shifts(this.scheduleOf(team), from, new Date(from.getTime() + days * 86_400_000), 200);
  }

  gapsOf(team: Team, from: Date, days: number) {
    return gaps(this.scheduleOf(team), from, new Date(from.getTime() + days * 86_400_000), 200);
  }

  /**
   * What would leave a page unanswered, in words (instants as `{ms}` for the caller to show in the reader's
   * zone): spans with nobody on call, rotation members with no identity to DM, policy steps that reach
   * nobody, and a team with no channel to tell.
   */
  async coverageProblems(team: Team, now: Date, days: number): Promise<string[]> {
    const problems: string[] = [];
    if (team.layers.length === 0 && team.overrides.length === 0) problems.push('no rotation: nobody is ever on call');
    else {
      for (const g of this.gapsOf(team, now, days))
        problems.push(`nobody on call {${g.from.getTime()}} → {${g.to.getTime()}}`);
    }
    const inRotation = new Set(team.layers.flatMap((l) => l.members));
    for (const m of team.members) {
      if (!inRotation.has(m.id)) continue;
      const ids = await this.people.identitiesOf(team.tenant, m.id);
      if (!ids.some((i) => isPlatformName(i.identity.split(':')[0] as string)))
        problems.push(`${m.name} has no identity the bot can DM`);
    }
    const policy = this.policyOf(team);
    for (const [n, level] of policy.levels.entries()) {
      for (const t of level.targets) {
        if (t.kind === 'teamChannel' && !team.channel)
          problems.push(`step ${n + 1} pages the team channel, and the team has none`);
        if (t.kind === 'team' && team.members.length === 0)
          problems.push(`step ${n + 1} pages the team, and it has no members`);
        if (t.kind === 'oncall' && team.layers.length === 0)
          problems.push(`step ${n + 1} pages whoever is on call, and there is no rotation`);
      }
    }
    if (!team.channel) problems.push('no team channel: handoffs and escalations have nowhere to be told');
    else {
      const why = await this.cannotPostTo?.(team.channel);
      if (why) problems.push(`the team channel ${team.channel} cannot be posted to: ${why}`);
    }
    return problems;
  }

  all(): Promise<Team[]> {
    return this.repo.all();
  }

  /**
   * Read, change, write over the version read; a change that raced another is tried again on a fresh copy. `read`: a
   * copy the caller holds, the first try's (a copy of it: the caller's stays as it was); a stale one only fails its
   * write.
   */
  private async change(acting: Acting, name: string, fn: (t: Team) => void, read?: Team): Promise<Team> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const first = attempt === 0 && read?.tenant === acting.tenant && read.name === name;
      const team = first ? structuredClone(read) : await this.get(acting.tenant, name);
      fn(team);
      const written = await this.repo.save(team);
      await this.changed(acting.tenant);
      if (written) {
        const saved = { ...team, version: team.version + 1 };
        await this.onChanged?.(saved, acting.now).catch(() => {});
        return saved;
      }
    }
    throw UserError.of('TEAM.BUSY', { team: name, done: 'saved' }, 'Try again.');
  }

  private async peopleOf(acting: Acting, identities: readonly string[]): Promise<PersonRef[]> {
    const out: PersonRef[] = [];
    for (const identity of identities) {
      const p = await this.people.personFor(acting.tenant, identity, acting.now);
      if (!out.some((o) => o.id === p.id)) out.push(p);
    }
    return out;
  }

  private servicesOf(text: string): string[] {
    const list = [
      ...new Set(
        text
          .split(',')
          .map((s) => s.trim().toLowerCase())
          .filter(Boolean),
      ),
    ];
    const bad = list.find((s) => !SERVICE.test(s));
    if (bad || list.length > MAX_SERVICES) {
      throw new UserError(
        'TEAM.BAD_SERVICES',
        bad
          ? `${quoted(bad.slice(0, 40))} is not a service name: lower-case letters, digits, ., - and _.`
          : `A team owns at most ${MAX_SERVICES} services.`,
        'Try: --services db,backup',
        'services',
      );
    }
    return list;
  }

  private mustManage(acting: Acting): void {
    const refused = refusalFor(acting.role, MANAGE_TEAMS);
    if (refused) throw refused;
  }
}
