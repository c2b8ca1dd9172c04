// The terminal's /as: an admin runs one command as someone else, DMs printed at the terminal say how to answer
// them that way, and what arrives while a line is half typed does not break the line.
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsoleAdapter } from '../../adapters/console/index.ts';
import type { ChatAdapter } from '../../src/core/bot.ts';
import { startTestBot, type TestBot } from '../support/harness.ts';
import { WAIT_FLOOR_MS } from '../support/waits.ts';

let bot: TestBot;
const open: ChatAdapter[] = [];

beforeAll(async () => {
  bot = await startTestBot();
});
afterAll(async () => {
  for (const a of open) await a.stop();
  await bot?.close();
});

/** A terminal on streams: lines typed in, everything printed kept. */
async function terminal(user: string, interactive = false) {
  const input = new PassThrough();
  const output = new PassThrough();
  let printed = '';
  output.on('data', (b) => {
    printed += b;
  });
  const adapter = createConsoleAdapter({ core: bot.core, user, input, output, interactive, onEnd: () => {} });
  open.push(adapter);
  await adapter.start();
  const until = async (what: string, seen: (text: string) => boolean) => {
    const deadline = Date.now() + WAIT_FLOOR_MS;
    while (!seen(printed)) {
      if (Date.now() > deadline) throw new Error(`the terminal never printed ${what}; it printed:\n${printed}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return {
    input,
    printed: () => printed,
    until,
    /** Types a line and waits for what it prints (everything printed from then on). */
    async type(line: string, expected: string | RegExp): Promise<string> {
      const from = printed.length;
      input.write(`${line}\n`);
      const hit = (t: string) =>
        typeof expected === 'string' ? t.slice(from).includes(expected) : expected.test(t.slice(from));
      await until(String(expected), hit);
      return printed.slice(from);
    },
  };
}

const ESC = String.fromCharCode(27);
const CONTROL = new RegExp(`(${ESC}\\[[0-9;]*[A-Za-z]|\\r|\\n)`);

/**
 * What a terminal shows once the control sequences have done their work, line by line. A move to the line's
 * start (\r, cursorTo) is always followed by new text or a clear here, so it starts the line again.
 */
function screen(raw: string): string[] {
  const lines: string[] = [''];
  for (const part of raw.split(CONTROL)) {
    if (part === '\n') lines.push('');
    else if (part === '\r' || (part.startsWith(ESC) && /[GKJ]$/.test(part))) lines[lines.length - 1] = '';
    else if (!part.startsWith(ESC)) lines[lines.length - 1] += part;
  }
  return lines;
}

describe('/as at the terminal', () => {
  it('runs one command as that person, with their role and their "me"', async () => {
    const t = await terminal('root');
    expect(await t.type('/as @dave /role show', '\n')).toBe('You are a requester.\n');
    const opened = await t.type('/as @dave /ticket new "Printer jams"', /INC-\d+/);
    const id = /INC-\d+/.exec(opened)?.[0] as string;
    // dave is a requester: working the ticket is refused to him, not to the admin who typed it.
    expect(await t.type(`/as @dave /ticket assign ${id} me`, '\n')).toContain(
      'needs the agent role; you are a requester',
    );
    await t.type('/role grant @dave agent', 'dave is now an agent.');
    expect(await t.type(`/as @dave /ticket assign ${id} me`, '\n')).toMatch(
      new RegExp(`^${id} is assigned to dave\\.\\n`),
    );
    const shown = await t.type(`/ticket show ${id}`, 'assigned');
    expect(shown).toContain('dave opened');
    expect(shown).toContain('→ dave');
  });

  it('is refused: to a terminal user who is no admin, off the terminal, for a crowd, and inside another /as', async () => {
    const ann = await terminal('ann');
    expect(await ann.type('/as @dave /role show', '\n')).toBe('/as needs the admin role; you are a requester.\n');

    const root = await terminal('root');
    expect(await root.type('/as @everyone /help', 'Usage')).toContain('"@everyone" is not one person.');
    expect(await root.type('/as @dave /as @carol /help', 'Usage')).toContain('One /as at a time');
    expect(await root.type('/as @dave', 'Usage')).toContain('/as runs one command as someone else.');

    const slack = await bot.core.handle({
      actor: { id: 'slack:UADMIN', platform: 'slack', displayName: 'UADMIN' },
      origin: { platform: 'slack', workspace: 'T1', channel: 'C1' },
      command: 'role',
      text: 'show',
      as: '@slack:U2',
    });
    expect(slack.error).toBe('AS.TERMINAL_ONLY');
  });

  it('a DM to someone else says which /as form answers it, and that form works as printed', async () => {
    const t = await terminal('root');
    await t.type('/as @erin /help', 'Switchboard commands');
    await t.type('/as @fred /help', 'Switchboard commands');
    await t.type('/role grant @erin agent', 'erin is now an agent.');
    await t.type('/role grant @fred agent', 'fred is now an agent.');
    await t.type('/team create swaps', 'is created');
    await t.type('/oncall rotation swaps @erin @fred --every 1d', 'rotation is set');
    await t.type('/as @erin /oncall swap swaps @fred now', 'Asked fred to swap');
    await bot.core.settled();
    await t.until('the DM to fred', (p) => p.includes('· to fred:'));
    const answer =
      /\n {2}as fred: (\/as @fred \/oncall swap-accept \S+) {2}\| {2}\/as @fred \/oncall swap-decline \S+\n/.exec(
        t.printed(),
      );
    expect(answer, t.printed()).not.toBeNull();
    // The reply and the DM telling erin may come in either order.
    expect(await t.type(answer?.[1] as string, 'Swapped in swaps: you cover ')).not.toContain('needs the');
    await t.until('the DM to erin', (p) =>
      /· to erin: fred accepted your swap[^\n]*\n {2}as erin: \/as @erin <command…>\n/.test(p),
    );

    // A DM with nothing to press still says how to act as its reader.
    const me = await bot.core.services.people.recognise(
      'console:local',
      { identity: 'console:dave', displayName: 'dave' },
      bot.now(),
    );
    await bot.core.services.outbox.toPerson('console:local', me.person.id, {
      text: 'You are on call',
      visibility: 'channel',
    });
    await bot.core.settled();
    await t.until('the DM to dave', (p) => p.includes('· to dave: You are on call\n  as dave: /as @dave <command…>\n'));
  });

  it('prints what arrives while a line is half typed above it, and draws the prompt and the typed text again', async () => {
    const t = await terminal('root', true);
    await t.until('the prompt', (p) => screen(p).at(-1) === '> ');
    t.input.write('/ticket list --mi');
    await t.until('the typed text', (p) => screen(p).at(-1) === '> /ticket list --mi');
    await bot.core.services.outbox.toChannel(
      'console',
      { text: 'Change review at 10:00', visibility: 'channel' },
      {
        tenant: 'console:local',
      },
    );
    await bot.core.settled();
    await t.until('the post', (p) => p.includes('Change review at 10:00'));
    const lines = screen(t.printed());
    expect(lines.at(-2)).toBe('· Change review at 10:00');
    expect(lines.at(-1)).toBe('> /ticket list --mi');
    // The line goes on from where it was: finishing it runs the whole command.
    expect(await t.type('ne', 'ticket')).toMatch(/^ne\r\n.*ticket/);
  });
});
