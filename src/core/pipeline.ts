// The pipeline one invocation runs through: recognise, check the role, run, apologise with a ref; observed throughout.
import { randomBytes } from 'node:crypto';
import { isUserError, UserError } from '../domain/errors.ts';
import type { Platform } from '../domain/platform.ts';
import { hasRole } from '../domain/roles.ts';
import { firstTimeZone } from '../domain/timezone.ts';
import { ephemeral, type Reply } from '../present/reply.ts';
import type { Services } from '../services/compose.ts';
import { actorNamedBy } from './actingAs.ts';
import { type CommandDef, type CommandServices, usageOf } from './command.ts';
import type { Actor, Invocation } from './invocation.ts';
import type { InvocationSeen, observers } from './observer.ts';
import { type CommandRegistry, userErrorReply } from './registry.ts';

const an = (role: string) => (role === 'admin' || role === 'agent' ? 'an' : 'a');

const DB_UNAVAILABLE = 'Database unavailable, nothing was changed, try again.';
const DB_NO_ANSWER =
  'Database unavailable: it did not answer in time. A change may not have been saved: check before trying again.';

export interface PipelineDeps {
  registry: CommandRegistry;
  services: CommandServices;
  people: Services['people'];
  failures: Services['failures'];
  tenantOf(platform: Platform, workspace: string): string;
  now(): Date;
  /** The organisation's timezone, the last of the zones a command is run in. */
  timezone: string;
  emit: ReturnType<typeof observers>;
}

/** The one way an invocation is run; the function it returns never throws. */
export function invocationPipeline(d: PipelineDeps): (inv: Invocation) => Promise<Reply> {
  const families = new Set(d.registry.definitions.map((def) => def.command));

  /** Typed text never becomes the `command` observers hear (a metric label per misspelling grows unbounded). */
  const nameOf = (inv: Invocation, def: CommandDef | undefined): string => {
    const family = inv.command.toLowerCase();
    return def ? `${def.command}${def.name ? ` ${def.name}` : ''}` : families.has(family) ? family : 'unknown';
  };

  /**
   * The profile `/as` runs under: as the person was last seen (nothing of theirs is overwritten), or, for a
   * terminal name never seen, a new local person; someone of another platform must have been seen.
   */
  async function asPerson(tenant: string, asked: Invocation) {
    const seen = await d.people.profileOf(tenant, asked.actor.id);
    if (seen) return seen;
    if (asked.actor.platform !== asked.origin.platform) {
      throw new UserError('PERSON.UNKNOWN', `Switchboard has never seen ${asked.actor.id} here.`);
    }
    return { identity: asked.actor.id, displayName: asked.actor.displayName };
  }

  return async function handle(inv: Invocation): Promise<Reply> {
    const ref = randomBytes(4).toString('hex');
    const started = performance.now();
    let ranAt = started;
    let outcome = 'success';
    let def: CommandDef | undefined;
    const seen = (): InvocationSeen => ({
      command: nameOf(inv, def),
      platform: inv.origin.platform,
      ref,
      actor: inv.actor.id,
      asked: { command: inv.command, subcommand: inv.subcommand },
    });
    const deny = (reason: 'usage' | 'role', reply: Reply): Reply => {
      outcome = reason === 'usage' ? 'usage' : 'denied';
      d.emit('denied', { ...seen(), reason, ms: performance.now() - started });
      return reply;
    };
    try {
      // Under `/as`, the command is read (`me` included) and run as the person named; the admin only asks.
      const asked: Invocation = inv.as === undefined ? inv : { ...inv, actor: actorNamedBy(inv, inv.as) };
      const resolved = d.registry.resolve(asked);
      if ('reply' in resolved) return deny('usage', resolved.reply);
      def = resolved.def;
      const { options } = resolved;
      const tenant = d.tenantOf(inv.origin.platform, inv.origin.workspace);
      const at = d.now();
      const profileOf = (a: Actor) => ({
        identity: a.id,
        displayName: a.displayName,
        timezone: a.timezone,
        email: a.email,
      });
      let known = await d.people.recognise(tenant, profileOf(inv.actor), at);
      if (asked !== inv) {
        if (!hasRole(known.role, 'admin')) {
          return deny(
            'role',
            ephemeral(`/as needs the admin role; you are ${an(known.role)} ${known.role}.`, {
              error: 'PERMISSION.DENIED',
            }),
          );
        }
        known = await d.people.recognise(tenant, await asPerson(tenant, asked), at);
        asked.actor = { ...asked.actor, displayName: known.person.name };
      }
      if (!hasRole(known.role, def.minRole)) {
        return deny(
          'role',
          ephemeral(
            `/${def.command}${def.name ? ` ${def.name}` : ''} needs the ${def.minRole} role; you are ${an(known.role)} ${known.role}. Ask an admin: /role grant @you ${def.minRole}`,
            { error: 'PERMISSION.DENIED' },
          ),
        );
      }
      d.emit('run', seen());
      ranAt = performance.now();
      const reply = await def.run(
        {
          invocation: asked,
          actor: asked.actor,
          origin: inv.origin,
          tenant,
          role: known.role,
          person: known.person,
          // The zone set with /profile first, then the platform's, then the organisation's. A platform can send a
          // timezone this runtime does not know: formatting would throw after the change.
          timezone: firstTimeZone([known.settings.timezone, asked.actor.timezone, known.timezone], d.timezone),
          now: at,
        },
        options,
        d.services,
      );
      d.emit('success', { ...seen(), ms: performance.now() - ranAt });
      return reply;
    } catch (err) {
      const failed = (o: 'refused' | 'db_unavailable' | 'error') => {
        outcome = o;
        d.emit('error', { ...seen(), outcome: o, err, ms: performance.now() - ranAt });
      };
      if (isUserError(err)) {
        failed('refused');
        // An error about one option (a ticket id that is not there) also shows the right form.
        const hint = err.hint ?? (err.field && def ? `Usage: ${usageOf(def)}` : undefined);
        return userErrorReply(new UserError(err.code, err.message, hint, err.field));
      }
      if (d.failures.isDatabaseUnavailable(err)) {
        failed('db_unavailable');
        const text = d.failures.mayHaveReachedDatabase(err) ? DB_NO_ANSWER : DB_UNAVAILABLE;
        return ephemeral(`${text} (ref ${ref})`, { error: 'SYSTEM.DB_UNAVAILABLE' });
      }
      failed('error');
      return ephemeral(`Sorry, something went wrong on our side. Nothing more was changed. (ref ${ref})`, {
        error: 'SYSTEM.ERROR',
      });
    } finally {
      d.emit('finish', { ...seen(), outcome, ms: performance.now() - started });
    }
  };
}
