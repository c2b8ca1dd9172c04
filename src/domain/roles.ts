// Roles and their order: each command declares the least role it needs.
export const ROLES = ['requester', 'agent', 'manager', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const roleRank = (r: Role): number => ROLES.indexOf(r);
export const hasRole = (have: Role, need: Role): boolean => roleRank(have) >= roleRank(need);
