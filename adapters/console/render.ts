// Replies as plain text for the terminal.
import type { Reply } from '../../src/present/reply.ts';

/**
 * The text a terminal shows; with `hints`, the card's buttons as the commands they stand for, each in the
 * `/as <who>` form when the reply is someone else's.
 */
export function renderText(reply: Reply, hints: boolean, as?: string): string {
  const out = [reply.text];
  if (hints && reply.actions?.length) {
    const cmds = reply.actions.map((a) => {
      if (a.typed) return a.typed;
      const [command, sub] = a.id.split('.');
      const extra =
        a.form?.fields
          .filter((f) => f.required)
          .map((f) => ` <${f.name}>`)
          .join('') ?? '';
      return `${as ? `/as ${as} ` : ''}/${command} ${sub} ${a.value}${sub === 'assign' ? ' me' : ''}${extra}`;
    });
    out.push(`  ${as ? `as ${as.replace(/^@/, '')}` : 'next'}: ${cmds.join('  |  ')}`);
  }
  return out.join('\n');
}
