// Command lookup: families and subcommands, duplicate ids refused at load, text or typed invocations resolved.
import { UserError } from '../domain/errors.ts';
import { shown, trimSpace } from '../kit/typedText.ts';
import { ephemeral, type Reply } from '../present/reply.ts';
import type { CommandDef, OptionValues } from './command.ts';
import { usageOf } from './command.ts';
import type { Invocation } from './invocation.ts';
import { checkOptions, parseArgs, tokenize } from './parser.ts';

export type Resolution = { def: CommandDef; options: OptionValues } | { reply: Reply };

export class CommandRegistry {
  private readonly families = new Map<string, CommandDef[]>();

  constructor(readonly definitions: readonly CommandDef[]) {
    const seen = new Set<string>();
    for (const d of definitions) {
      const id = `${d.command}.${d.name}`;
      if (seen.has(id)) throw new Error(`command ${id} is declared twice`);
      seen.add(id);
      const family = this.families.get(d.command) ?? [];
      if (family.some((f) => f.name === '') || (d.name === '' && family.length > 0)) {
        throw new Error(`command family /${d.command} mixes a bare command with subcommands`);
      }
      family.push(d);
      this.families.set(d.command, family);
    }
  }

  familyNames(): string[] {
    return [...this.families.keys()];
  }

  /** Finds the definition and checks the arguments; a reply instead when something is off. Pure. */
  resolve(inv: Invocation): Resolution {
    const family = this.families.get(inv.command.toLowerCase());
    if (!family) {
      const known = this.familyNames()
        .map((f) => `/${f}`)
        .join(', ');
      return {
        reply: usage(
          'USAGE.UNKNOWN_COMMAND',
          `There is no command /${shown(inv.command, 40)}. Commands: ${known}. Try /help.`,
        ),
      };
    }
    const actorId = inv.actor.id;
    const platform = inv.origin.platform;
    try {
      if (inv.subcommand !== undefined || inv.options !== undefined) {
        const def = family.find((d) => d.name === (inv.subcommand ?? ''));
        if (!def) return { reply: this.unknownSub(family, inv.subcommand ?? '') };
        const raw = inv.options ?? {};
        const provided = Object.values(raw).some((v) => v !== undefined && v !== '');
        if (def.formWhenEmpty && !provided) return { reply: formReply(def) };
        return { def, options: checkOptions(def, raw, platform, actorId) };
      }
      const text = trimSpace(inv.text ?? '');
      const bare = family.find((d) => d.name === '');
      if (bare) return { def: bare, options: parseArgs(bare, text, platform, actorId) };
      const first = tokenize(text)[0];
      const sub = first?.value.toLowerCase() ?? '';
      // A family's fallback (`/oncall` = `/oncall now`) takes a line that names no subcommand.
      const fallback = family.find((d) => d.fallback);
      if (sub === '' && fallback) return { def: fallback, options: parseArgs(fallback, '', platform, actorId) };
      if (sub === '' || sub === 'help') return { reply: this.familyHelp(family) };
      const def = family.find((d) => d.name === sub);
      if (!def && fallback) return { def: fallback, options: parseArgs(fallback, text, platform, actorId) };
      if (!def) return { reply: this.unknownSub(family, sub) };
      const rest = trimSpace(text.slice(text.toLowerCase().indexOf(sub) + sub.length));
      if (def.formWhenEmpty && rest === '') return { reply: formReply(def) };
      return { def, options: parseArgs(def, rest, platform, actorId) };
    } catch (e) {
      if (e instanceof UserError) return { reply: userErrorReply(e) };
      throw e;
    }
  }

  private familyHelp(family: CommandDef[]): Reply {
    const lines = family.map((d) => `${usageOf(d)}\n    ${d.summary}`);
    const name = (family[0] as CommandDef).command;
    return ephemeral([`/${name} commands:`, ...lines, `Type /help ${name} <subcommand> for examples.`].join('\n'), {
      header: `/${name} commands`,
      list: family.map((d) => usageOf(d)),
    });
  }

  private unknownSub(family: CommandDef[], sub: string): Reply {
    const name = (family[0] as CommandDef).command;
    const subs = family.map((d) => d.name).join('|');
    return usage(
      'USAGE.UNKNOWN_SUBCOMMAND',
      `/${name} has no "${shown(sub, 40)}".\nUsage: /${name} <${subs}> …\nType /help ${name} for more.`,
    );
  }
}

const usage = (code: string, text: string): Reply => ephemeral(text, { error: code });

export function userErrorReply(e: UserError): Reply {
  return ephemeral(e.hint ? `${e.message}\n${e.hint}` : e.message, {
    error: e.code,
    ...(e.field ? { errorField: e.field } : {}),
  });
}

function formReply(def: CommandDef): Reply {
  const first = def.options.find((o) => o.required);
  return ephemeral(
    `Missing ${first ? `<${first.name}>` : 'arguments'}.\nUsage: ${usageOf(def)}\nExample: ${def.examples[0] ?? ''}`,
    {
      error: 'USAGE.MISSING',
      ...(def.formWhenEmpty ? { form: def.formWhenEmpty } : {}),
      ...(first ? { errorField: first.name } : {}),
    },
  );
}
