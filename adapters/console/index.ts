// The terminal adapter: lines from stdin are invocations, replies go to stdout; ends at end of input.
import { mkdir, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { clearLine, createInterface, cursorTo, type Interface, moveCursor } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { AS_USAGE } from '../../src/core/actingAs.ts';
import type { BotCore, ChatAdapter } from '../../src/core/bot.ts';
import type { Actor, Invocation, Origin } from '../../src/core/invocation.ts';
import { splitFirstWord, trimSpace } from '../../src/kit/typedText.ts';
import type { Reply, ReplyFile } from '../../src/present/reply.ts';
import { renderText } from './render.ts';

export interface ConsoleAdapterDeps {
  core: BotCore;
  user: string;
  input: Readable;
  output: Writable;
  /**
   * Interactive: a line editor with a prompt, button hints, and changes made elsewhere; what arrives while a
   * line is half typed is printed above it, and the prompt and the typed text are drawn again.
   */
  interactive: boolean;
  /** Called once when input ends (Ctrl-D, end of a pipe, `/quit`). */
  onEnd: () => void;
  /** Where files sent to the terminal (the status chart) are written; default `.data/charts`. */
  fileDir?: string;
}

export const CONSOLE_WORKSPACE = 'local';

/** Splits `/ticket new X` into the family and the rest; null for lines that are not commands. */
export function parseLine(line: string): { command: string; text: string } | null {
  const [first, text] = splitFirstWord(line);
  if (!first.startsWith('/') || first.length < 2) return null;
  return { command: first.slice(1).toLowerCase(), text };
}

/**
 * The lines of the input: a line ends only at `\n` (`\r\n` is one line end). Node's readline also ends a
 * line at a lone `\r`, which would run one typed line as two commands; here the `\r` stays in the line,
 * where the core refuses it as the control character it is.
 */
export async function* linesOf(input: Readable): AsyncGenerator<string> {
  input.setEncoding('utf8');
  let buffered = '';
  for await (const chunk of input as AsyncIterable<string>) {
    buffered += chunk;
    for (let nl = buffered.indexOf('\n'); nl !== -1; nl = buffered.indexOf('\n')) {
      yield buffered.slice(0, nl).replace(/\r$/, '');
      buffered = buffered.slice(nl + 1);
    }
  }
  if (buffered !== '') yield buffered;
}

export function createConsoleAdapter(d: ConsoleAdapterDeps): ChatAdapter {
  const actor: Actor = { id: `console:${d.user}`, platform: 'console', displayName: d.user };
  const origin: Origin = { platform: 'console', workspace: CONSOLE_WORKSPACE, channel: 'terminal' };
  let editor: Interface | undefined;
  /** True while the prompt waits for a line (not while a typed command runs). */
  let prompting = false;
  const write = (s: string) => {
    if (!editor) {
      d.output.write(`${s}\n`);
      return;
    }
    // Whatever was half typed goes from the screen, the text is printed, and the line comes back under it.
    clearLine(d.output, 0);
    cursorTo(d.output, 0);
    d.output.write(`${s}\n`);
    if (prompting || editor.line) redraw(editor);
  };
  const redraw = (e: Interface) => {
    d.output.write(`${prompting ? e.getPrompt() : ''}${e.line}`);
    if (e.cursor < e.line.length) moveCursor(d.output, e.cursor - e.line.length, 0);
  };
  const fileDir = resolve(d.fileDir ?? join('.data', 'charts'));
  /** A terminal shows no images: the file goes to disk, and its path is printed under the text. */
  const shown = async (reply: Reply, hints = d.interactive, as?: string): Promise<string> => {
    const text = renderText(reply, hints, as);
    if (!reply.file) return text;
    return `${text}\n  ${reply.file.alt}: ${await saved(reply.file)}`;
  };
  const saved = async (file: ReplyFile): Promise<string> => {
    // The name carries what a person typed (the scope): only its last part, in plain characters, is used.
    const path = join(fileDir, basename(file.name).replace(/[^A-Za-z0-9._-]+/g, '_'));
    await mkdir(fileDir, { recursive: true });
    await writeFile(path, Buffer.from(file.base64, 'base64'));
    return path;
  };
  let stopped = false;
  let ended = false;

  async function runLine(line: string): Promise<boolean> {
    const trimmed = trimSpace(line);
    if (trimmed === '' || trimmed.startsWith('#')) return true;
    if (['/quit', '/exit', 'quit', 'exit'].includes(trimmed)) return false;
    const parsed = parseLine(trimmed);
    if (!parsed) {
      write('Commands start with a slash, e.g. /ticket new "Printer on fire" or /help.');
      return true;
    }
    if (parsed.command === 'as') return runAs(parsed.text);
    const inv: Invocation = { actor, origin, command: parsed.command, text: parsed.text };
    write(renderText(await d.core.handle(inv), d.interactive));
    return true;
  }

  /** `/as @dave <command…>`: the core runs it as dave (an admin's terminal only); the hints act as dave too. */
  async function runAs(text: string): Promise<boolean> {
    const [who, rest] = splitFirstWord(text);
    const inner = parseLine(trimSpace(rest));
    if (who === '' || !inner) {
      write(`/as runs one command as someone else. ${AS_USAGE}`);
      return true;
    }
    const inv: Invocation = { actor, origin, command: inner.command, text: inner.text, as: who };
    write(renderText(await d.core.handle(inv), d.interactive, who));
    return true;
  }

  return {
    platform: 'console',
    async start() {
      // The terminal's part of the messaging port: what is sent to this terminal (a post, a DM) is printed.
      d.core.registerSender({
        platform: 'console',
        post: async (_channel, reply) => {
          write(`\n· ${await shown(reply)}`);
          return {};
        },
        dm: async (user, reply) => {
          // A DM to someone else is answered as them: its buttons (or any command) are shown in the /as form.
          const theirs = user !== d.user;
          const text = await shown(reply, d.interactive || theirs, theirs ? `@${user}` : undefined);
          const how = theirs && !reply.actions?.length ? `\n  as ${user}: /as @${user} <command…>` : '';
          write(`\n· to ${user}: ${text}${how}`);
          return {};
        },
        edit: async () => ({ skipped: 'the terminal keeps no cards' }),
      });
      if (d.interactive) {
        d.core.onTicketChanged(async (c) => {
          if (c.platform !== 'console') write(`\n· ${c.summary}`);
        });
        write(
          `Switchboard in the terminal as ${d.user} (admin). Type /help, /as @person <command…> to act as someone, or /quit to leave.`,
        );
        editor = createInterface({ input: d.input, output: d.output, terminal: true, prompt: '> ' });
        // Ctrl-C leaves, as Ctrl-D does (the line editor would otherwise only pause).
        editor.on('SIGINT', () => editor?.close());
      }
      const finish = () => {
        if (ended) return;
        ended = true;
        d.onEnd();
      };
      const prompt = () => {
        if (!editor) return;
        prompting = true;
        redraw(editor);
      };
      const lines = editor ?? linesOf(d.input);
      prompt();
      // Lines run one after another, in order, also when a pipe delivers them all at once.
      void (async () => {
        try {
          for await (const line of lines) {
            prompting = false;
            if (stopped || !(await runLine(line))) break;
            prompt();
          }
        } catch (err) {
          // The input closing under us (stop(), a broken pipe) is the end of input, nothing more.
          if (!stopped) write(`Input ended: ${(err as Error).message}`);
        } finally {
          finish();
        }
      })();
    },
    async stop() {
      stopped = true;
      editor?.close();
      d.input.destroy();
    },
    // The terminal has nothing to connect to.
    ready: () => ({ ok: true }),
  };
}
