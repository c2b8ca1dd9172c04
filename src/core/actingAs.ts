// The terminal's `/as @dave <command…>`: an admin runs one command as another person, with that person's role.
import { UserError } from '../domain/errors.ts';
import type { Platform } from '../domain/platform.ts';
import { shown } from '../kit/typedText.ts';
import type { Actor, Invocation } from './invocation.ts';
import { broadcastOf, parseUserRef } from './parser.ts';

export const AS_USAGE = 'Usage: /as @person <command…>, e.g. /as @dave /ticket list --mine';

/**
 * The person an `/as` names, as far as the typed line tells (their profile is read later); a UserError when
 * it is used off the terminal, names no one person, or wraps another `/as`.
 */
export function actorNamedBy(inv: Invocation, who: string): Actor {
  if (inv.origin.platform !== 'console') {
    throw UserError.of('AS.TERMINAL_ONLY', {});
  }
  const id = broadcastOf(who) ? null : parseUserRef(who, inv.origin.platform, inv.actor.id);
  if (!id) throw new UserError('AS.NOT_A_PERSON', `"${shown(who, 40)}" is not one person.`, AS_USAGE);
  if (inv.command.toLowerCase() === 'as') {
    throw UserError.of('AS.NESTED', {}, AS_USAGE);
  }
  return { id, platform: id.slice(0, id.indexOf(':')) as Platform, displayName: id.slice(id.indexOf(':') + 1) };
}
