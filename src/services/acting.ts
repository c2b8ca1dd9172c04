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
}
