// What a major incident refuses, said once: who may act, what a resolved incident takes, the status order, declaring
// twice, following twice.

import type { PersonRef } from '../domain/entities.ts';
import { UserError } from '../domain/errors.ts';
import { type IncidentStatus, statusChangeRefusal } from '../domain/incident.ts';
import { hasRole } from '../domain/roles.ts';
import type { Incident, IncidentPatch, TimelineKind } from '../store/incidentStore.ts';
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

/** Following or no longer following: refused when it changes nothing, or the incident has all it takes. */
export function subscription(
  cur: Incident,
  who: PersonRef,
  on: boolean,
  max: number,
): { kind: TimelineKind; text: string; patch: IncidentPatch } {
  const has = cur.subscribers.some((p) => p.id === who.id);
  if (on && has) {
    throw new UserError(
      'INCIDENT.ALREADY_SUBSCRIBED',
      `You follow ${cur.ticketId} already.`,
      `Stop with /incident unsubscribe ${cur.ticketId}`,
    );
  }
  if (!on && !has) {
    throw new UserError(
      'INCIDENT.NOT_SUBSCRIBED',
      `You do not follow ${cur.ticketId}.`,
      `Follow it with /incident subscribe ${cur.ticketId}`,
    );
  }
  if (on && cur.subscribers.length >= max) {
    throw new UserError(
      'INCIDENT.TOO_MANY_SUBSCRIBERS',
      `${cur.ticketId} has ${max} subscribers, the most it takes; its stakeholder channel hears every update.`,
    );
  }
  const subscribers = on ? [...cur.subscribers, who] : cur.subscribers.filter((p) => p.id !== who.id);
  return { kind: on ? 'subscribed' : 'unsubscribed', text: who.name, patch: { subscribers } };
}
