// Application commands generated from the command definitions: one slash command per family, plus "Open ticket".
import type {
  APIApplicationCommandBasicOption,
  APIApplicationCommandOption,
  RESTPostAPIApplicationCommandsJSONBody,
} from 'discord.js';
import type { CommandDef, OptionDef } from '../../src/core/command.ts';

/** The message context-menu command that opens a ticket quoting the message. */
export const OPEN_TICKET_COMMAND = 'Open ticket';

const OPTION_TYPE = { SUB_COMMAND: 1, STRING: 3, BOOLEAN: 5, USER: 6 } as const;

const cut = (s: string, n: number): string => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);
const describe = (s: string): string => cut(s.trim() || '—', 100);

/** Discord names: lowercase, 1-32 characters of letters, digits, - and _. */
export const discordName = (name: string): string =>
  name
    .toLowerCase()
    .replace(/[^-_\p{L}\p{N}]/gu, '-')
    .slice(0, 32) || 'x';

function optionOf(o: OptionDef, required: boolean): APIApplicationCommandBasicOption {
  const base = { name: discordName(o.name), description: describe(o.description), required };
  switch (o.kind) {
    case 'flag':
      return { ...base, type: OPTION_TYPE.BOOLEAN };
    case 'user':
      return { ...base, type: OPTION_TYPE.USER };
    case 'choice':
      return {
        ...base,
        type: OPTION_TYPE.STRING,
        choices: (o.choices ?? []).slice(0, 25).map((c) => ({ name: cut(c, 100), value: c })),
      };
    case 'ticket':
      return { ...base, type: OPTION_TYPE.STRING, autocomplete: o.autocomplete !== false, max_length: 20 };
    case 'duration':
      return { ...base, type: OPTION_TYPE.STRING, max_length: 20 };
    default:
      return { ...base, type: OPTION_TYPE.STRING, max_length: 4000 };
  }
}

/**
 * Options for one definition, required ones first as Discord demands. A definition with a form
 * for when it is given nothing registers every option as optional: Discord would otherwise never
 * let the command be sent bare, and the form could not open.
 */
export function optionsOf(def: CommandDef): APIApplicationCommandBasicOption[] {
  const required = (o: OptionDef) => Boolean(o.required) && !def.formWhenEmpty;
  const opts = def.options.slice(0, 25);
  return [...opts.filter(required), ...opts.filter((o) => !required(o))].map((o) => optionOf(o, required(o)));
}

const familyDescription = (family: string, defs: CommandDef[]): string =>
  describe(`${family[0]?.toUpperCase() ?? ''}${family.slice(1)}: ${defs.map((d) => d.name).join(', ')}`);

/** Every application command for these definitions, in definition order. */
export function applicationCommands(definitions: readonly CommandDef[]): RESTPostAPIApplicationCommandsJSONBody[] {
  const families = new Map<string, CommandDef[]>();
  for (const d of definitions) families.set(d.command, [...(families.get(d.command) ?? []), d]);
  const out: RESTPostAPIApplicationCommandsJSONBody[] = [];
  for (const [family, defs] of families) {
    const single = defs.length === 1 && defs[0]?.name === '' ? defs[0] : undefined;
    if (single) {
      out.push({
        type: 1,
        name: discordName(family),
        description: describe(single.summary),
        options: optionsOf(single),
      });
      continue;
    }
    out.push({
      type: 1,
      name: discordName(family),
      description: familyDescription(family, defs),
      options: defs.slice(0, 25).map(
        (d): APIApplicationCommandOption => ({
          type: OPTION_TYPE.SUB_COMMAND,
          name: discordName(d.name),
          description: describe(d.summary),
          options: optionsOf(d),
        }),
      ),
    });
  }
  out.push({ type: 3, name: OPEN_TICKET_COMMAND });
  return out;
}

/** Finds the definition a slash command (and subcommand) stands for. */
export function definitionFor(
  definitions: readonly CommandDef[],
  command: string,
  subcommand: string | null,
): CommandDef | undefined {
  return definitions.find(
    (d) =>
      discordName(d.command) === command && (subcommand === null ? d.name === '' : discordName(d.name) === subcommand),
  );
}

/** The definition's option for a Discord option name. */
export const optionFor = (def: CommandDef, discordOption: string): OptionDef | undefined =>
  def.options.find((o) => discordName(o.name) === discordOption);

// ---- comparing with what Discord has --------------------------------------------------------

type Json = Record<string, unknown>;

function normalOption(o: Json): Json {
  const out: Json = {
    type: o.type,
    name: o.name,
    description: o.description ?? '',
    required: Boolean(o.required),
    autocomplete: Boolean(o.autocomplete),
  };
  if (Array.isArray(o.choices) && o.choices.length)
    out.choices = (o.choices as Json[]).map((c) => ({ name: c.name, value: c.value }));
  if (o.max_length !== undefined) out.max_length = o.max_length;
  if (Array.isArray(o.options) && o.options.length) out.options = (o.options as Json[]).map(normalOption);
  return out;
}

/** The parts of a command we set, with Discord's defaults filled in, so two forms compare equal. */
export function normalCommand(c: Json): Json {
  const type = (c.type as number | undefined) ?? 1;
  return {
    type,
    name: c.name,
    description: type === 1 ? (c.description ?? '') : '',
    options: Array.isArray(c.options) ? (c.options as Json[]).map(normalOption) : [],
  };
}

export const sameCommand = (a: Json, b: Json): boolean =>
  JSON.stringify(normalCommand(a)) === JSON.stringify(normalCommand(b));
