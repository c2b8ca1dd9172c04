// Roles and their order: each command declares the least role it needs.
import { UserError } from './errors.ts';

export const ROLES = ['requester', 'agent', 'manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const roleRank = (r: Role): number => ROLES.indexOf(r);
export const hasRole = (have: Role, need: Role): boolean => roleRank(have) >= roleRank(need);

/**
 * A role precondition as a value: the least role a use case needs and what someone without it is told. A service
 * declares it once; its command's `minRole` reads the same value, so the core's check and the service's agree.
 */
export interface RoleNeed {
  readonly role: Role;
  readonly denied: string;
}

/** The refusal a person with `have` gets for `need`, or nothing when the role is enough. */
export const refusalFor = (have: Role, need: RoleNeed): UserError | undefined =>
  hasRole(have, need.role) ? undefined : new UserError('PERMISSION.DENIED', need.denied);
