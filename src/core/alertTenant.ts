// Where alerts belong when nothing names it: the one workspace the bot is in, asked of its platforms at start-up.

import { type Platform, workspaceExample } from '../domain/platform.ts';
import type { ChatAdapter } from './bot.ts';

/** Start-up cannot choose the organisation alerts belong to: the bot is in several (or none it can name). */
export class AlertTenantUnknown extends Error {
  constructor(found: readonly string[]) {
    super(
      found.length
        ? `ALERT_TENANT: the bot is in ${found.length} workspaces (${found.join(', ')}); say which one alerts belong to (an organisation from SWITCHBOARD_ORGS, or one of those)`
        : `ALERT_TENANT: the bot could not name the workspace it is in; say which organisation alerts belong to (a name from SWITCHBOARD_ORGS, or a workspace like ${workspaceExample()})`,
    );
    this.name = 'AlertTenantUnknown';
  }
}

/**
 * The organisation of the one workspace the started adapters are in (Slack: its bot token's team; Discord: its
 * one guild), through SWITCHBOARD_ORGS as commands are; told to the alerts. Several, or none: AlertTenantUnknown.
 */
export async function settleAlertTenant(o: {
  adapters: readonly ChatAdapter[];
  tenantOf: (platform: Platform, workspace: string) => string;
  alerts: { useTenant(tenant: string): void };
}): Promise<string> {
  const tenants = new Set<string>();
  for (const a of o.adapters) {
    for (const w of (await a.workspaces?.()) ?? []) tenants.add(o.tenantOf(a.platform, w));
  }
  const [only] = tenants;
  if (tenants.size !== 1 || only === undefined) throw new AlertTenantUnknown([...tenants]);
  o.alerts.useTenant(only);
  return only;
}
