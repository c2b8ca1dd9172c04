// Application commands generated from the command definitions: one slash command per family, plus "Open ticket".
import type {
  APIApplicationCommandBasicOption,
  APIApplicationCommandOption,
  RESTPostAPIApplicationCommandsJSONBody,
} from 'discord.js';
import type { CommandDef, OptionDef } from '../../src/core/command.ts';
import { MAX_TEXT } from '../../src/core/parser.ts';

/** The message context-menu command that opens a ticket quoting the message. */
export const OPEN_TICKET_COMMAND = 'Open ticket';

const OPTION_TYPE = { SUB_COMMAND: 1, STRING: 3, BOOLEAN: 5, USER: 6 } as const;

/** What Discord refuses beyond; a definition past one is an error at registration, never silently cut. */
export const DISCORD_LIMITS = Object.freeze({
  commands: 100,
  options: 25,
  choices: 25,
  choiceValue: 100,
  /** name + description + every option's name, description, choice names and values, per command. */
  commandChars: 8_000,
});

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
        choices: (o.choices ?? []).map((c) => ({ name: cut(c, 100), value: c })),
      };
    case 'ticket':
      return { ...base, type: OPTION_TYPE.STRING, autocomplete: o.autocomplete !== false, max_length: 20 };
    case 'duration':
      return { ...base, type: OPTION_TYPE.STRING, max_length: 20 };
    default:
      // Discord refuses longer text in the client already; the core checks it again either way. A text that
      // asks for completion is offered ticket ids (a ticket id, or a word like `list`: /ticket remind), or the
      // catalog's service names (`autocomplete: 'service'`).
      return {
        ...base,
        type: OPTION_TYPE.STRING,
        max_length: Math.min(o.maxLength ?? MAX_TEXT, MAX_TEXT),
        ...(o.autocomplete ? { autocomplete: true } : {}),
      };
  }
}

/**
 * Options for one definition, required ones first as Discord demands. A definition with a form
 * for when it is given nothing registers every option as optional: Discord would otherwise never
 * let the command be sent bare, and the form could not open.
 */
export function optionsOf(def: CommandDef): APIApplicationCommandBasicOption[] {
  const required = (o: OptionDef) => Boolean(o.required) && !def.formWhenEmpty;
  const opts = def.options;
  return [...opts.filter(required), ...opts.filter((o) => !required(o))].map((o) => optionOf(o, required(o)));
}

const familyDescription = (family: string, defs: CommandDef[]): string =>
  describe(`${family[0]?.toUpperCase() ?? ''}${family.slice(1)}: ${defs.map((d) => d.name).join(', ')}`);

/** Every application command for these definitions, in definition order; throws naming every limit broken. */
export function applicationCommands(definitions: readonly CommandDef[]): RESTPostAPIApplicationCommandsJSONBody[] {
  const out = buildCommands(definitions);
  const problems = limitProblems(out);
  if (problems.length) {
    throw new Error(`Discord cannot take these command definitions:\n- ${problems.join('\n- ')}`);
  }
  return out;
}

function buildCommands(definitions: readonly CommandDef[]): RESTPostAPIApplicationCommandsJSONBody[] {
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
      options: defs.map(
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

type Counted = {
  name: string;
  description?: string;
  options?: Counted[];
  choices?: Array<{ name: string; value: unknown }>;
};

const charsOf = (o: Counted): number =>
  o.name.length +
  (o.description?.length ?? 0) +
  (o.choices ?? []).reduce((n, c) => n + c.name.length + String(c.value).length, 0) +
  (o.options ?? []).reduce((n, x) => n + charsOf(x), 0);

/** Names two siblings share once made Discord names (`due.at` and `due-at` both become `due-at`). */
function clashes(where: string, items: readonly { name: string }[]): string[] {
  const seen = new Set<string>();
  const out: string[] = [];
  for (const { name } of items) {
    if (seen.has(name)) out.push(`${where}: two options are both named "${name}" in Discord`);
    seen.add(name);
  }
  return out;
}

function optionProblems(where: string, options: readonly Counted[]): string[] {
  const out: string[] = [];
  if (options.length > DISCORD_LIMITS.options) {
    out.push(`${where} has ${options.length} options; Discord takes ${DISCORD_LIMITS.options}`);
  }
  out.push(...clashes(where, options));
  for (const o of options) {
    const at = `${where} ${o.name}`;
    if (o.choices && o.choices.length > DISCORD_LIMITS.choices) {
      out.push(`${at} has ${o.choices.length} choices; Discord takes ${DISCORD_LIMITS.choices}`);
    }
    for (const c of o.choices ?? []) {
      if (String(c.value).length > DISCORD_LIMITS.choiceValue) {
        out.push(`${at}: the choice "${String(c.value).slice(0, 20)}…" is longer than ${DISCORD_LIMITS.choiceValue}`);
      }
    }
    if (o.options) out.push(...optionProblems(at, o.options));
  }
  return out;
}

function limitProblems(commands: readonly RESTPostAPIApplicationCommandsJSONBody[]): string[] {
  const out: string[] = [];
  const slash = commands.filter((c) => (c.type ?? 1) === 1);
  if (slash.length > DISCORD_LIMITS.commands) {
    out.push(`${slash.length} slash commands; Discord takes ${DISCORD_LIMITS.commands}`);
  }
  out.push(...clashes('the commands', slash).map((p) => p.replace('two options', 'two commands')));
  for (const c of slash) {
    const counted = c as Counted;
    out.push(...optionProblems(`/${c.name}`, counted.options ?? []));
    const chars = charsOf(counted);
    if (chars > DISCORD_LIMITS.commandChars) {
      out.push(
        `/${c.name} is ${chars} characters of names, descriptions and choices; Discord takes ${DISCORD_LIMITS.commandChars}`,
      );
    }
  }
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
