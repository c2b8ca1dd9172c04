// The terminal adapter: lines from stdin are invocations, replies go to stdout; ends at end of input.
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { BotCore, ChatAdapter } from '../../src/core/bot.ts';
import type { Actor, Invocation, Origin } from '../../src/core/invocation.ts';
import { renderText } from './render.ts';

export interface ConsoleAdapterDeps {
  core: BotCore;
  user: string;
  input: Readable;
  output: Writable;
  /** Interactive: show a prompt, button hints, and changes made elsewhere. */
  interactive: boolean;
  /** Called once when input ends (Ctrl-D, end of a pipe, `/quit`). */
  onEnd: () => void;
}

export const CONSOLE_WORKSPACE = 'local';

/** Splits `/ticket new X` into the family and the rest; null for lines that are not commands. */
export function parseLine(line: string): { command: string; text: string } | null {
  const m = /^\/(\S+)\s*([\s\S]*)$/.exec(line.trim());
  return m ? { command: (m[1] as string).toLowerCase(), text: m[2] as string } : null;
}

export function createConsoleAdapter(d: ConsoleAdapterDeps): ChatAdapter {
  const actor: Actor = { id: `console:${d.user}`, platform: 'console', displayName: d.user };
  const origin: Origin = { platform: 'console', workspace: CONSOLE_WORKSPACE, channel: 'terminal' };
  const write = (s: string) => d.output.write(`${s}\n`);
  let rl: ReturnType<typeof createInterface> | undefined;
  let ended = false;

  async function runLine(line: string): Promise<boolean> {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return true;
    if (['/quit', '/exit', 'quit', 'exit'].includes(trimmed)) return false;
    const parsed = parseLine(trimmed);
    if (!parsed) {
      write('Commands start with a slash, e.g. /ticket new "Printer on fire" or /help.');
      return true;
    }
    const inv: Invocation = { actor, origin, command: parsed.command, text: parsed.text };
    write(renderText(await d.core.handle(inv), d.interactive));
    return true;
  }

  return {
    platform: 'console',
    async start() {
      if (d.interactive) {
        d.core.onTicketChanged(async (c) => {
          if (c.platform !== 'console') write(`\n· ${c.summary}`);
        });
        write(`Switchboard in the terminal as ${d.user} (admin). Type /help, or /quit to leave.`);
      }
      rl = createInterface({ input: d.input, terminal: false });
      const finish = () => {
        if (ended) return;
        ended = true;
        d.onEnd();
      };
      const prompt = () => d.interactive && d.output.write('> ');
      prompt();
      // Lines run one after another, in order, also when a pipe delivers them all at once.
      void (async () => {
        try {
          for await (const line of rl as AsyncIterable<string>) {
            if (!(await runLine(line))) break;
            prompt();
          }
        } finally {
          finish();
        }
      })();
    },
    async stop() {
      rl?.close();
    },
    // The terminal has nothing to connect to.
    ready: () => ({ ok: true }),
  };
}
