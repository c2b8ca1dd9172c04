// `npm run discord:register`: puts the application commands generated from the definitions on Discord, only when they changed.
import { pathToFileURL } from 'node:url';
import { REST, type RESTPostAPIApplicationCommandsJSONBody, Routes } from 'discord.js';
import { allCommands } from '../../commands/index.ts';
import { loadConfig } from '../../config/index.ts';
import type { CommandDef } from '../../src/core/command.ts';
import { applicationCommands, sameCommand } from './commands.ts';
import { restOptions } from './rest.ts';

export interface RegisterResult {
  scope: string;
  created: string[];
  updated: string[];
  removed: string[];
  unchanged: string[];
  /** Whether anything was sent to Discord. */
  wrote: boolean;
}

type Existing = { id: string; name: string; type?: number } & Record<string, unknown>;

const label = (c: { name: string; type?: number }) => (c.type === 3 ? `"${c.name}" (message menu)` : `/${c.name}`);

/**
 * Compares what Discord has with what the definitions make and, when anything differs, overwrites
 * the set in one PUT (Discord keeps the ids of commands that stay). Nothing is written otherwise.
 */
export async function registerCommands(o: {
  rest: REST;
  applicationId: string;
  guildId?: string | undefined;
  definitions: readonly CommandDef[];
}): Promise<RegisterResult> {
  const route = o.guildId
    ? Routes.applicationGuildCommands(o.applicationId, o.guildId)
    : Routes.applicationCommands(o.applicationId);
  const wanted: RESTPostAPIApplicationCommandsJSONBody[] = applicationCommands(o.definitions);
  const existing = (await o.rest.get(route)) as Existing[];
  const key = (c: { name: string; type?: number }) => `${c.type ?? 1}:${c.name}`;
  const have = new Map(existing.map((c) => [key(c), c]));
  const result: RegisterResult = {
    scope: o.guildId ? `guild ${o.guildId}` : 'global',
    created: [],
    updated: [],
    removed: [],
    unchanged: [],
    wrote: false,
  };
  for (const w of wanted) {
    const h = have.get(key(w));
    if (!h) result.created.push(label(w));
    else if (sameCommand(h, w as never)) result.unchanged.push(label(w));
    else result.updated.push(label(w));
    have.delete(key(w));
  }
  for (const h of have.values()) result.removed.push(label(h));
  if (result.created.length || result.updated.length || result.removed.length) {
    await o.rest.put(route, { body: wanted });
    result.wrote = true;
  }
  return result;
}

export function describeResult(r: RegisterResult): string {
  if (!r.wrote) return `Discord commands (${r.scope}) are up to date: ${r.unchanged.join(', ')}. Nothing sent.`;
  const parts = [
    r.created.length ? `created ${r.created.join(', ')}` : '',
    r.updated.length ? `updated ${r.updated.join(', ')}` : '',
    r.removed.length ? `removed ${r.removed.join(', ')}` : '',
    r.unchanged.length ? `unchanged ${r.unchanged.join(', ')}` : '',
  ].filter(Boolean);
  return `Discord commands (${r.scope}): ${parts.join('; ')}.`;
}

async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.discord) {
    console.error('DISCORD_TOKEN and DISCORD_APPLICATION_ID must be set to register commands.');
    process.exitCode = 1;
    return;
  }
  const { token, applicationId, guildId, apiUrl } = config.discord;
  const rest = new REST(restOptions(apiUrl)).setToken(token);
  const result = await registerCommands({ rest, applicationId, guildId, definitions: allCommands });
  console.log(describeResult(result));
  if (!guildId && result.wrote) console.log('Global commands can take a while to show up in every server.');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    console.error(`Registering Discord commands failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  });
}
