// What a major incident refuses, said once: who may act, what a resolved incident takes, the status order, declaring twice.
import { UserError } from '../domain/errors.ts';
import { type IncidentStatus, statusChangeRefusal } from '../domain/incident.ts';
import { hasRole } from '../domain/roles.ts';
import type { Incident } from '../store/incidentStore.ts';
import type { Acting } from './acting.ts';

export function needAgent(acting: Acting, what: string): void {
  if (!hasRole(acting.role, 'agent')) throw new UserError('PERMISSION.DENIED', `Only agents can ${what}.`);
}

export function refuseResolved(i: Incident, what: string): void {
  if (i.status === 'resolved') {
    throw new UserError('INCIDENT.RESOLVED', `${i.ticketId} is resolved; you cannot ${what} now.`);
  }
}

export function refuseStatus(i: Incident, to: IncidentStatus): void {
  const why = statusChangeRefusal(i.status, to);
  if (why) {
    throw new UserError(
      'INCIDENT.INVALID_STATUS',
      `${i.ticketId} cannot become ${to}: ${why}.`,
      'The order is investigating → identified → monitoring → resolved.',
      'status',
    );
  }
}

export function declaredAlready(i: Incident): UserError {
  return new UserError(
    'INCIDENT.ALREADY_DECLARED',
    `${i.ticketId} is a major incident already, declared by ${i.declaredBy.name}; nothing was changed.`,
    `See it: /incident roles ${i.ticketId}`,
    'what',
  );
}
