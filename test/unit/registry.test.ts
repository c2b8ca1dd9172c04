// The command registry: definitions checked at load, text and typed invocations resolved to a command or a reply.
import { describe, expect, it } from 'vitest';
import { allCommands } from '../../commands/index.ts';
import type { CommandDef } from '../../src/core/command.ts';
import type { Invocation } from '../../src/core/invocation.ts';
import { CommandRegistry } from '../../src/core/registry.ts';
import { ephemeral } from '../../src/present/reply.ts';

const registry = new CommandRegistry(allCommands);
const inv = (command: string, rest: Partial<Invocation> = {}): Invocation => ({
  actor: { id: 'slack:U1', platform: 'slack', displayName: 'Ada' },
  origin: { platform: 'slack', workspace: 'T1', channel: 'C1' },
  command,
  ...rest,
});
const cmd = (command: string, name: string): CommandDef => ({
  command,
  name,
  summary: 's',
  examples: [],
  options: [],
  minRole: 'requester',
  run: async () => ephemeral('ok'),
});

describe('CommandRegistry at load', () => {
  it('accepts every shipped command', () => {
    expect(registry.familyNames()).toEqual([
      'ticket',
      'incident',
      'freeze',
      'service',
      'review',
      'status',
      'team',
      'oncall',
      'role',
      'link',
      'profile',
      'help',
    ]);
    expect(registry.definitions).toBe(allCommands);
  });

  it('refuses a command declared twice', () => {
    expect(() => new CommandRegistry([cmd('ticket', 'new'), cmd('ticket', 'show'), cmd('ticket', 'new')])).toThrow(
      'command ticket.new is declared twice',
    );
    expect(() => new CommandRegistry([...allCommands, cmd('help', '')])).toThrow('command help. is declared twice');
  });

  it('refuses a family that mixes a bare command with subcommands', () => {
    expect(() => new CommandRegistry([cmd('page', ''), cmd('page', 'team')])).toThrow(/mixes a bare command/);
    expect(() => new CommandRegistry([cmd('page', 'team'), cmd('page', '')])).toThrow(/mixes a bare command/);
  });
});

describe('CommandRegistry.resolve', () => {
  it('finds a subcommand from text, in any case', () => {
    const r = registry.resolve(inv('Ticket', { text: 'NEW "VPN down" --impact high' }));
    expect('def' in r && r.def.name).toBe('new');
    expect('options' in r && r.options).toEqual({ title: 'VPN down', impact: 'high' });
  });

  it('finds a bare command', () => {
    const r = registry.resolve(inv('help', { text: 'ticket new' }));
    expect('def' in r && r.options).toEqual({ command: 'ticket new' });
  });

  it('answers an unknown command with the known ones', () => {
    const r = registry.resolve(inv('tickt', { text: 'new x' }));
    expect('reply' in r && r.reply).toMatchObject({ visibility: 'ephemeral', error: 'USAGE.UNKNOWN_COMMAND' });
    expect('reply' in r && r.reply.text).toContain(
      'There is no command /tickt. Commands: /ticket, /incident, /freeze, /service, /review, /status, /team, /oncall, /role, /link, /profile, /help',
    );
  });

  it('answers an unknown subcommand with the family subcommands', () => {
    const r = registry.resolve(inv('ticket', { text: 'frobnicate INC-1' }));
    expect('reply' in r && r.reply.error).toBe('USAGE.UNKNOWN_SUBCOMMAND');
    expect('reply' in r && r.reply.text).toContain(
      '/ticket has no "frobnicate".\nUsage: /ticket <new|show|list|assign|start|',
    );
  });

  it('answers the family alone with its usage', () => {
    for (const text of ['', 'help']) {
      const r = registry.resolve(inv('ticket', { text }));
      expect('reply' in r && r.reply.header).toBe('/ticket commands');
      expect('reply' in r && r.reply.list).toContain('/ticket show <INC-1> [--deliveries]');
    }
  });

  it('answers /ticket new alone with the form, naming the missing title', () => {
    const r = registry.resolve(inv('ticket', { text: 'new' }));
    expect('reply' in r && r.reply).toMatchObject({
      error: 'USAGE.MISSING',
      errorField: 'title',
      form: { id: 'ticket.new' },
    });
    expect('reply' in r && r.reply.text).toContain('Usage: /ticket new <title…>');
  });

  it('checks typed options (buttons, forms, Discord) and names the bad field', () => {
    const ok = registry.resolve(
      inv('ticket', { subcommand: 'new', options: { title: 'X', impact: 'HIGH', service: '' } }),
    );
    expect('options' in ok && ok.options).toEqual({ title: 'X', impact: 'high' });

    const bad = registry.resolve(inv('ticket', { subcommand: 'new', options: { title: 'X', impact: 'huge' } }));
    expect('reply' in bad && bad.reply).toMatchObject({ error: 'USAGE.BAD_CHOICE', errorField: 'impact' });

    const empty = registry.resolve(inv('ticket', { subcommand: 'new', options: { title: '' } }));
    expect('reply' in empty && empty.reply.form?.id).toBe('ticket.new');

    const unknown = registry.resolve(inv('ticket', { subcommand: 'nope', options: {} }));
    expect('reply' in unknown && unknown.reply.error).toBe('USAGE.UNKNOWN_SUBCOMMAND');

    const stray = registry.resolve(inv('ticket', { subcommand: 'show', options: { id: 'INC-1', colour: 'red' } }));
    expect('reply' in stray && stray.reply.error).toBe('USAGE.UNKNOWN_FLAG');
  });
});
