// /help: an overview of every command, or one command with its usage and examples.
import { type CommandDef, usageOf } from '../src/core/command.ts';
import { MAX_LINE, MAX_TEXT, runsToNextFlag } from '../src/core/parser.ts';
import { errorCatalogueLines } from '../src/present/errorCatalogue.ts';
import { ephemeral } from '../src/present/reply.ts';

/** How anything is typed, on every platform: the overview ends with it. */
export const TYPING: readonly string[] = [
  'How to type:',
  '  Quote a value that has spaces: "like this"; inside the quotes, \\" is a quote ("a \\"quoted\\" word").',
  "  A --flag's value runs to the next --flag: --note call the vendor --impact high. Quote it to end it sooner;",
  '  a choice, a person, a ticket id or a duration is one word, and --flag=value is one word (or one quoted value).',
  `  A line holds at most ${MAX_LINE.toLocaleString('en')} characters; /help <command> says how long each value may be.`,
];

export function helpFor(defs: readonly CommandDef[], topic: string): string | null {
  const words = topic.trim().replace(/^\//, '').toLowerCase().split(/\s+/).filter(Boolean);
  const family = defs.filter((d) => d.command === words[0]);
  if (family.length === 0) return null;
  const chosen = words[1] ? family.filter((d) => d.name === words[1]) : family;
  const form = words[1]
    ? family.flatMap((d) => (d.name === '' ? (d.forms ?? []) : [])).find((f) => f.name === words[1])
    : undefined;
  if (chosen.length === 0 && form) {
    const bare = family.find((d) => d.name === '') as CommandDef;
    return [
      form.usage,
      form.summary,
      `Needs role: ${bare.minRole}`,
      'Examples:',
      ...form.examples.map((e) => `  ${e}`),
    ].join('\n');
  }
  if (chosen.length === 0) return null;
  if (chosen.length === 1) {
    const d = chosen[0] as CommandDef;
    const longest = (o: CommandDef['options'][number]) =>
      o.kind === 'text'
        ? ` (up to ${Math.min(o.maxLength ?? MAX_TEXT, MAX_TEXT).toLocaleString('en')} characters)`
        : '';
    const opts = d.options.map(
      (o) =>
        `  ${o.positional ? `<${o.name}>` : `--${o.name}`}${o.required ? ' (required)' : ''}: ${o.description}${longest(o)}`,
    );
    return [
      `${usageOf(d)}`,
      d.summary,
      ...(opts.length
        ? [
            d.options.some(runsToNextFlag) ? "Options (a text option's value runs to the next --flag):" : 'Options:',
            ...opts,
          ]
        : []),
      `Needs role: ${d.minRole}`,
      ...(d.examples.length ? ['Examples:', ...d.examples.map((e) => `  ${e}`)] : []),
      ...(d.forms ?? []).map((f) => `Also: ${f.usage}: see /help ${d.command} ${f.name}`),
    ].join('\n');
  }
  return [`/${words[0]} commands:`, ...chosen.map((d) => `  ${usageOf(d)}\n      ${d.summary}`)].join('\n');
}

export const help: CommandDef = {
  command: 'help',
  name: '',
  summary: 'What Switchboard can do, or how to use one command.',
  examples: ['/help', '/help ticket', '/help ticket new'],
  minRole: 'requester',
  options: [
    {
      name: 'command',
      kind: 'text',
      description: 'A command, e.g. "ticket new"',
      positional: true,
      rest: true,
      maxLength: 100,
    },
  ],
  async run(_ctx, o, s) {
    const defs = s.definitions();
    if (typeof o.command === 'string' && o.command.trim().toLowerCase() === 'errors') {
      // The catalogue (src/domain/errorCodes.ts): what each code a refusal carries means.
      const lines = errorCatalogueLines();
      return ephemeral(['Codes a refusal carries, and what they mean:', ...lines].join('\n'), {
        header: 'Help: errors',
        list: lines,
      });
    }
    if (typeof o.command === 'string') {
      const text = helpFor(defs, o.command);
      if (text) return ephemeral(text, { header: `Help: /${o.command.replace(/^\//, '')}` });
      const families = [...new Set(defs.map((d) => d.command))].map((f) => `/${f}`).join(', ');
      return ephemeral(`There is no command "${o.command}". Commands: ${families}.`, { error: 'HELP.UNKNOWN' });
    }
    const line = (name: string, summary: string) => `${name.padEnd(18)} ${summary}`;
    const lines = defs.flatMap((d) => [
      line(`/${d.command}${d.name ? ` ${d.name}` : ''}`, d.summary),
      ...(d.forms ?? []).map((f) => line(`/${d.command} ${f.name}`, f.summary)),
    ]);
    const footer = ['Type /help <command> for options and examples.', ...TYPING];
    return ephemeral(['Switchboard commands:', ...lines, '', ...footer].join('\n'), {
      header: 'Switchboard commands',
      list: lines,
      context: footer.join('\n'),
    });
  },
};
