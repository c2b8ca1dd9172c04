// Replies as plain text for the terminal.
import type { Reply } from '../../src/core/reply.ts';

/** The text a terminal shows; with `hints`, the card's buttons as the commands they stand for. */
export function renderText(reply: Reply, hints: boolean): string {
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
      return `/${command} ${sub} ${a.value}${sub === 'assign' ? ' me' : ''}${extra}`;
    });
    out.push(`  next: ${cmds.join('  |  ')}`);
  }
  return out.join('\n');
}
