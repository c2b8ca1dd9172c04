// Who is acting, for whom, from where, and when: what every use case is given.

import type { PersonRef, TicketSource } from '../domain/entities.ts';
import type { Role } from '../domain/roles.ts';

export interface Acting {
  tenant: string;
  person: PersonRef;
  role: Role;
  /** Where the action came from (platform, workspace, channel, message link). */
  source: TicketSource;
  now: Date;
  /** Timezone to show times in (the person's, else the organisation's). */
  timezone: string;
  /** The thread the person wrote this in (a reply there that became a comment), on `source`'s platform. */
  saidIn?: { channel: string; thread: string } | undefined;
  /** The thread the request came from (a Slack thread_ts, a Discord thread's id), on `source`'s platform. */
  thread?: string | undefined;
}

/**
 * The house acting on its own (housekeeping, paging, alerts): an admin, so the ticket lifecycle rules are the only
 * check; `who` names which part of it, as the history shows.
 */
export function systemActing(
  tenant: string,
  who: PersonRef,
  now: Date,
  timezone: string,
  source: TicketSource = { platform: 'system', workspace: tenant },
): Acting {
  return { tenant, person: who, role: 'admin', source, now, timezone };
}
