// SWITCHBOARD_MAJOR_AUTO: an incident an alert opens at a priority named there declares itself a major incident.
import type { Priority } from '../domain/ticket.ts';
import { systemActing } from './acting.ts';
import type { AlertService } from './alerts.ts';
import type { IncidentService } from './incidents.ts';

/** Alerts act as the house: an admin, so only the incident's own rules apply. Its commander until someone takes it. */
const ALERTS = { id: 'switchboard-alerts', identity: 'system:alerts', name: 'Alerts' };

/**
 * Hooked on the alert intake's "incident opened" (told once, by the process that opened it): the declaration's
 * unique insert makes it once however often it is heard. A declaration that fails is logged; the incident stands.
 */
export function declareAlertIncidents(
  alerts: AlertService,
  incidents: IncidentService,
  o: { priorities: readonly Priority[]; timezone: string; onError?: (err: unknown, ticketId: string) => void },
): void {
  if (o.priorities.length === 0) return;
  alerts.onAlertIncident(async ({ tenant, ticket }) => {
    if (ticket.type !== 'incident' || !o.priorities.includes(ticket.priority)) return;
    try {
      await incidents.declare(systemActing(tenant, ALERTS, ticket.openedAt, o.timezone, ticket.source), {
        what: ticket.ticketId,
      });
    } catch (err) {
      o.onError?.(err, ticket.ticketId);
    }
  });
}
