// People use cases: who someone is, what role they hold, granting roles, linking identities.
import { randomInt } from 'node:crypto';
import type { PersonRef } from '../domain/entities.ts';
import { UserError } from '../domain/errors.ts';
import type { QuietHours } from '../domain/quietHours.ts';
import { hasRole, type Role } from '../domain/roles.ts';
import { SharedReads } from '../kit/sharedReads.ts';
import type { PersonSettings } from '../store/personSettingsStore.ts';
import type { Identity, PersonRepository } from '../store/personStore.ts';

export type { PersonSettings } from '../store/personSettingsStore.ts';

export interface Profile {
  identity: string;
  displayName: string;
  timezone?: string | undefined;
  email?: string | undefined;
}

export interface KnownPerson {
  person: PersonRef;
  role: Role;
  /** The timezone the platform last gave for this identity. */
  timezone: string | null;
  /** What the person set themselves (/profile), whichever of their identities they set it from. */
  settings: PersonSettings;
}

const LINK_CODE_TTL_MS = 10 * 60_000;
/** Wrong link codes one identity may enter per window: six digits must not be guessable by trying. */
const LINK_MAX_FAILURES = 5;
const LINK_FAILURE_WINDOW_MS = 10 * 60_000;
/** How long this process trusts what it learnt about a person while the tenant's people epoch stands. */
const RECOGNISE_TTL_MS = 30_000;
/** How often this process reads a tenant's people epoch: another process's role change is seen within this. */
const EPOCH_TTL_MS = 1_000;

export class PeopleService {
  /** Told when a person's quiet hours or timezone change (held reminders are released from it). */
  onQuietChanged: ((tenant: string, personId: string, now: Date) => Promise<void>) | undefined;

  /** Everyone who is an admin whatever is granted in chat: the configured admins and the terminal's user. */
  private readonly admins: ReadonlySet<string>;
  constructor(
    private readonly repo: PersonRepository,
    /** Identities that are admins by configuration (SWITCHBOARD_ADMINS). */
    private readonly configured: ReadonlySet<string>,
    /** The terminal's user (`console:<user>`): an admin while Switchboard runs at the terminal alone. */
    private readonly terminalUser?: string,
    /** Real elapsed milliseconds: how long what is kept in process stands (tests move their own). */
    private readonly elapsed: () => number = Date.now,
  ) {
    this.admins = new Set([...configured, ...(terminalUser ? [terminalUser] : [])]);
  }

  private readonly known = new Map<string, { person: KnownPerson; profile: string; epoch: string; until: number }>();
  /** Wrong link codes per `tenant\0identity` in this process. */
  private readonly linkFailures = new Map<string, { count: number; since: number }>();

  private readonly epochs = new Map<string, { epoch: string; until: number }>();
  /** Reads of a tenant's epoch under way, shared by those who ask meanwhile; `generation` moves with each change here. */
  private readonly epochReads = new SharedReads();
  private generation = 0;
  /** Settings per `tenant\0personId`, trusted while the tenant's people epoch stands. */
  private readonly settingsKnown = new Map<string, { settings: PersonSettings; epoch: string; until: number }>();

  /** Identities per `tenant\0personId` (where DMs go), trusted while the tenant's people epoch stands. */
  private readonly identitiesKnown = new Map<
    string,
    { identities: Array<{ identity: string; displayName: string }>; epoch: string; until: number }
  >();

  /**
   * Reads of one person's settings or identities under way (by `what\0tenant\0personId\0epoch`), shared by those who
   * ask meanwhile: a burst of reminders to fifty people reads each person once, not once per reminder in flight.
   */
  private readonly personReads = new SharedReads();

  /** Forgets what this process learnt about people (after role grants, links and settings). */
  private forget(): void {
    this.generation++;
    this.epochReads.clear();
    this.personReads.clear();
    this.identitiesKnown.clear();
    this.known.clear();
    this.epochs.clear();
    this.settingsKnown.clear();
  }

  /**
   * The tenant's people epoch, read at most once a second: most commands need no round trip for it. What else is
   * kept in process per tenant and changed rarely (the service catalog) stands while it does too.
   */
  async epochOf(tenant: string): Promise<string> {
    const hit = this.epochs.get(tenant);
    if (hit && hit.until > this.elapsed()) return hit.epoch;
    // Callers at once (a burst of reminders) share one read; a change made here meanwhile starts a fresh one.
    const generation = this.generation;
    return this.epochReads.run(tenant, async () => {
      const epoch = await this.repo.epoch(tenant);
      if (generation !== this.generation) return epoch;
      if (this.epochs.size > 10_000) this.epochs.clear();
      this.epochs.set(tenant, { epoch, until: this.elapsed() + EPOCH_TTL_MS });
      return epoch;
    });
  }

  /**
   * Records the profile (first sight creates it) and answers who this is and what they may do.
   * Every invocation asks this, so it answers from memory while the profile is the same and the
   * tenant's people epoch has not moved: a role revoked or an identity linked by this process is
   * seen at once, by any other process within a second (one _id read per tenant per second).
   */
  async recognise(tenant: string, profile: Profile, now: Date): Promise<KnownPerson> {
    const key = `${tenant}\u0000${profile.identity}`;
    const shape = `${profile.displayName}\u0000${profile.timezone ?? ''}\u0000${profile.email ?? ''}`;
    // Read before the person, so a change landing in between is seen as a newer epoch next time.
    const epoch = await this.epochOf(tenant);
    const hit = this.known.get(key);
    if (hit && hit.profile === shape && hit.epoch === epoch && hit.until > this.elapsed()) return hit.person;
    const person = await this.lookUp(tenant, profile, now, epoch);
    if (this.known.size > 10_000) this.known.clear();
    this.known.set(key, { person, profile: shape, epoch, until: this.elapsed() + RECOGNISE_TTL_MS });
    return person;
  }

  /** Roles, links or the catalog changed in this tenant: every process's memory of them is out of date. */
  async changed(tenant: string): Promise<void> {
    this.forget();
    await this.repo.bumpEpoch(tenant);
  }

  private async lookUp(tenant: string, profile: Profile, now: Date, epoch: string): Promise<KnownPerson> {
    const id = await this.repo.upsertProfile({
      tenant,
      identity: profile.identity,
      displayName: profile.displayName,
      timezone: profile.timezone ?? null,
      email: profile.email ?? null,
      updatedAt: now,
    });
    // Nobody ever joined them: this identity is every one they have (where a DM to them goes), known as they are.
    if (id.alone === true && id.personId === id.identity) {
      this.keepIdentities(tenant, id.personId, [{ identity: id.identity, displayName: id.displayName }], epoch);
    }
    const [role, settings] = await Promise.all([this.roleOf(tenant, id), this.settingsOf(tenant, id.personId)]);
    return {
      person: { id: id.personId, identity: id.identity, name: id.displayName },
      role,
      timezone: id.timezone,
      settings,
    };
  }

  private async roleOf(tenant: string, id: Identity): Promise<Role> {
    if (await this.isConfiguredAdmin(tenant, id)) return 'admin';
    return (await this.repo.roleOf(tenant, id.personId)) ?? 'requester';
  }

  /**
   * A person is an admin by configuration when any of their identities is in SWITCHBOARD_ADMINS,
   * whichever side of a link it was entered on: asked of each configured identity by _id.
   */
  private async isConfiguredAdmin(
    tenant: string,
    id: Identity,
    among: ReadonlySet<string> = this.admins,
  ): Promise<boolean> {
    if (among.has(id.identity) || among.has(id.personId)) return true;
    const admins = await Promise.all([...among].map((a) => this.repo.findIdentity(tenant, a)));
    return admins.some((a) => a?.personId === id.personId);
  }

  /**
   * A person's own settings (what reminders need: their timezone and quiet hours). One _id read, remembered
   * while the tenant's people epoch stands, so a change made by any process is seen within a second.
   */
  async settingsOf(tenant: string, personId: string): Promise<PersonSettings> {
    const key = `${tenant}\u0000${personId}`;
    const epoch = await this.epochOf(tenant);
    const hit = this.settingsKnown.get(key);
    if (hit && hit.epoch === epoch && hit.until > this.elapsed()) return hit.settings;
    const generation = this.generation;
    return this.personReads.run(`settings\u0000${key}\u0000${epoch}`, async () => {
      const settings = await this.repo.settings.of(tenant, personId);
      if (generation !== this.generation) return settings;
      if (this.settingsKnown.size > 10_000) this.settingsKnown.clear();
      this.settingsKnown.set(key, { settings, epoch, until: this.elapsed() + RECOGNISE_TTL_MS });
      return settings;
    });
  }

  /** Sets (a zone already checked by readTimeZone) or clears (null) the person's own timezone. */
  async setTimezone(tenant: string, personId: string, timezone: string | null, now: Date): Promise<void> {
    await this.repo.settings.set(tenant, personId, { timezone }, now);
    await this.changed(tenant);
    // Quiet hours are read in the person's zone: a new zone moves them.
    await this.onQuietChanged?.(tenant, personId, now);
  }

  /** Sets or clears (null) the person's quiet hours. */
  async setQuietHours(tenant: string, personId: string, quiet: QuietHours | null, now: Date): Promise<void> {
    await this.repo.settings.set(tenant, personId, { quiet }, now);
    await this.changed(tenant);
    await this.onQuietChanged?.(tenant, personId, now);
  }

  /** The person id behind an identity, without remembering anyone new (for filters). */
  async personIdOf(tenant: string, identity: string): Promise<string> {
    return (await this.repo.findIdentity(tenant, identity))?.personId ?? identity;
  }

  /** A person named by identity (`slack:U1`); unknown identities are remembered by their id. */
  async personFor(tenant: string, identity: string, now: Date): Promise<PersonRef> {
    const found = await this.repo.findIdentity(tenant, identity);
    if (found) return { id: found.personId, identity, name: found.displayName };
    const created = await this.repo.upsertProfile({
      tenant,
      identity,
      displayName: identity.slice(identity.indexOf(':') + 1),
      timezone: null,
      email: null,
      updatedAt: now,
    });
    return { id: created.personId, identity, name: created.displayName };
  }

  /**
   * Someone this tenant has seen (run a command, been picked on Discord, linked). A role is never given
   * to a name nobody has answered to: a typo, or a word like "everyone", would otherwise become a person.
   */
  private async seenPerson(tenant: string, identity: string): Promise<PersonRef> {
    const seen = await this.seen(tenant, identity);
    if (seen) return seen;
    throw new UserError(
      'PERSON.UNKNOWN',
      `Switchboard has never seen ${identity} here, so nothing was changed.`,
      'They need to use Switchboard once (any command, e.g. /help) before they can be given a role.',
    );
  }

  /** The person behind an identity this tenant has seen (or a configured admin); null for a name nobody answered to. */
  async seen(tenant: string, identity: string): Promise<PersonRef | null> {
    const found = await this.repo.findIdentity(tenant, identity);
    if (found) return { id: found.personId, identity, name: found.displayName };
    return this.admins.has(identity) ? { id: identity, identity, name: identity } : null;
  }

  async grantRole(tenant: string, by: PersonRef, identity: string, role: Role, now: Date): Promise<PersonRef> {
    const target = await this.seenPerson(tenant, identity);
    await this.refuseConfiguredAdmin(tenant, target);
    await this.repo.grant({ tenant, personId: target.id, role, grantedBy: by.identity, at: now });
    await this.changed(tenant);
    return target;
  }

  async revokeRole(tenant: string, identity: string): Promise<PersonRef> {
    const target = await this.seenPerson(tenant, identity);
    await this.refuseConfiguredAdmin(tenant, target);
    if (!(await this.repo.revoke(tenant, target.id))) {
      throw UserError.of('ROLE.NONE', { name: target.name });
    }
    await this.changed(tenant);
    return target;
  }

  /** A configured admin stays one whatever is granted in chat: say so rather than pretend otherwise. */
  private async refuseConfiguredAdmin(tenant: string, target: PersonRef): Promise<void> {
    const id = await this.repo.findIdentity(tenant, target.identity);
    const among = async (set: ReadonlySet<string>) =>
      set.has(target.identity) || (id !== null && (await this.isConfiguredAdmin(tenant, id, set)));
    if (await among(this.configured)) {
      throw UserError.of('ROLE.CONFIGURED', { name: target.name });
    }
    // Not the setting: the person typing at the terminal is its admin, named so they know why.
    if (this.terminalUser && (await among(new Set([this.terminalUser])))) {
      throw new UserError(
        'ROLE.TERMINAL_ADMIN',
        `${target.name} is the terminal's user, an admin for as long as Switchboard runs at the terminal; a role given or taken in chat does not change that.`,
      );
    }
  }

  async describeRoles(
    tenant: string,
  ): Promise<Array<{ name: string; identity: string; role: Role; configured: boolean }>> {
    // A configured admin is named as they were last seen; one never seen yet has only the identity configured.
    const admins = await Promise.all(
      [...this.admins].map(async (a) => ({ identity: a, found: await this.repo.findIdentity(tenant, a) })),
    );
    const configured = new Set(admins.flatMap((a) => (a.found ? [a.found.personId] : [])));
    // A configured admin is listed once, as one, whatever was also granted them in chat.
    const grants = (await this.repo.grants(tenant)).filter((g) => !configured.has(g.personId));
    const rows = await Promise.all(
      grants.map(async (g) => {
        const ids = await this.repo.identitiesOf(tenant, g.personId);
        const first = ids[0];
        return {
          name: first?.displayName ?? g.personId,
          identity: first?.identity ?? g.personId,
          role: g.role,
          configured: false,
        };
      }),
    );
    for (const a of admins) {
      rows.push({ name: a.found?.displayName ?? a.identity, identity: a.identity, role: 'admin', configured: true });
    }
    return rows;
  }

  /** What people read for an identity: the display name it was last seen with; never seen, the identity itself. */
  async nameOf(tenant: string, identity: string): Promise<string> {
    return (await this.namedPersonOf(tenant, identity)).name;
  }

  /** The profile an identity was last seen with, without remembering anyone new; null when never seen. */
  async profileOf(tenant: string, identity: string): Promise<Profile | null> {
    const found = await this.repo.findIdentity(tenant, identity);
    if (!found) return null;
    return {
      identity,
      displayName: found.displayName,
      timezone: found.timezone ?? undefined,
      email: found.email ?? undefined,
    };
  }

  /** The person id and name behind an identity in one read, without remembering anyone new. */
  async namedPersonOf(tenant: string, identity: string): Promise<{ personId: string; name: string }> {
    const found = await this.repo.findIdentity(tenant, identity);
    return { personId: found?.personId ?? identity, name: found?.displayName ?? identity };
  }

  async roleFor(tenant: string, identity: string): Promise<Role> {
    const id = await this.repo.findIdentity(tenant, identity);
    if (!id) return this.admins.has(identity) ? 'admin' : 'requester';
    return this.roleOf(tenant, id);
  }

  /** Starts linking: a one-time code to enter on the other platform within 10 minutes. */
  async startLink(tenant: string, identity: string, now: Date): Promise<string> {
    for (;;) {
      const code = String(randomInt(100_000, 1_000_000));
      const expiresAt = new Date(now.getTime() + LINK_CODE_TTL_MS);
      // A code drawn that is live already is drawn again.
      if ((await this.repo.createLinkCode({ tenant, code, identity, expiresAt })) === 'added') return code;
    }
  }

  /** Finishes linking: this identity joins the person who asked for the code. */
  async finishLink(tenant: string, identity: string, code: string, now: Date): Promise<PersonRef> {
    const who = `${tenant}\u0000${identity}`;
    const failures = this.linkFailures.get(who);
    if (failures && now.getTime() - failures.since >= LINK_FAILURE_WINDOW_MS) this.linkFailures.delete(who);
    else if (failures && failures.count >= LINK_MAX_FAILURES) {
      throw UserError.of('LINK.TOO_MANY', {});
    }
    const c = await this.repo.takeLinkCode(tenant, code);
    if (!c || c.expiresAt < now) {
      const seen = this.linkFailures.get(who) ?? { count: 0, since: now.getTime() };
      seen.count++;
      if (this.linkFailures.size > 10_000) this.linkFailures.clear();
      this.linkFailures.set(who, seen);
      throw UserError.of('LINK.BAD_CODE', { code }, 'Run /link on your other platform to get a new code.');
    }
    if (c.identity === identity) {
      throw UserError.of('LINK.SAME_IDENTITY', {});
    }
    const owner = await this.repo.findIdentity(tenant, c.identity);
    if (!owner) throw UserError.of('LINK.BAD_CODE', { code });
    await this.carrySettings(tenant, identity, owner.personId, now);
    // Their person's own identity is no longer alone, before anyone could see the new one joined (the epoch moves after).
    await this.repo.joining(tenant, owner.personId);
    await this.repo.setPerson(tenant, identity, owner.personId);
    this.linkFailures.delete(who);
    await this.changed(tenant);
    return { id: owner.personId, identity: owner.identity, name: owner.displayName };
  }

  /**
   * The settings of the person who asked for the code stand; when they have none, the joining identity's
   * come along rather than vanish with its old person id.
   */
  private async carrySettings(tenant: string, identity: string, ownerId: string, now: Date): Promise<void> {
    const joining = (await this.repo.findIdentity(tenant, identity))?.personId;
    if (!joining || joining === ownerId) return;
    const [theirs, owners] = await Promise.all([
      this.repo.settings.of(tenant, joining),
      this.repo.settings.of(tenant, ownerId),
    ]);
    if (owners.timezone !== null || owners.quiet !== null) return;
    if (theirs.timezone === null && theirs.quiet === null) return;
    await this.repo.settings.set(tenant, ownerId, theirs, now);
  }

  /** Every platform identity linked to a person (where a DM to them can go). */
  async identitiesOf(tenant: string, personId: string): Promise<Array<{ identity: string; displayName: string }>> {
    // Links change the tenant's people epoch, so what was read stands while it does (as roles and settings do).
    const epoch = await this.epochOf(tenant);
    const key = `${tenant}\u0000${personId}`;
    const hit = this.identitiesKnown.get(key);
    if (hit && hit.epoch === epoch && hit.until > this.elapsed()) return hit.identities;
    const generation = this.generation;
    return this.personReads.run(`identities\u0000${key}\u0000${epoch}`, async () => {
      const identities = await this.repo.identitiesOf(tenant, personId);
      // Nobody known yet is not kept: a first sight adds an identity without moving the epoch.
      if (identities.length > 0 && generation === this.generation)
        this.keepIdentities(tenant, personId, identities, epoch);
      return identities;
    });
  }

  private keepIdentities(
    tenant: string,
    personId: string,
    identities: Array<{ identity: string; displayName: string }>,
    epoch: string,
  ): void {
    if (this.identitiesKnown.size > 10_000) this.identitiesKnown.clear();
    this.identitiesKnown.set(`${tenant}\u0000${personId}`, {
      identities,
      epoch,
      until: this.elapsed() + RECOGNISE_TTL_MS,
    });
  }

  /** Refreshes the profile of every known copy of a platform identity (its name, timezone or email changed). */
  refreshProfile(
    identity: string,
    p: { displayName: string; timezone: string | null; email: string | null },
  ): Promise<void> {
    return this.repo.refreshProfile(identity, p);
  }

  isAtLeast(role: Role, need: Role): boolean {
    return hasRole(role, need);
  }
}
