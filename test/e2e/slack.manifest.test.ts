// The shipped app manifest matches what the adapter serves: every command family, the shortcut, events, scopes.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SHORTCUT_OPEN_TICKET } from '../../adapters/slack/interactivity.ts';
import { startTestBot, type TestBot } from '../support/harness.ts';

const manifest = readFileSync(new URL('../../adapters/slack/manifest.yml', import.meta.url), 'utf8');
/** Items of a YAML list under `key:` (one level, `- item` lines), comments skipped. */
function listUnder(key: string): string[] {
  const lines = manifest.split('\n');
  const start = lines.findIndex((l) => l.trim() === `${key}:`);
  if (start === -1) return [];
  const indent = (lines[start] as string).search(/\S/);
  const items: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '' || line.trim().startsWith('#')) continue;
    if (line.search(/\S/) <= indent) break;
    const m = /^\s*-\s+(\S+)\s*$/.exec(line);
    if (m) items.push(m[1] as string);
  }
  return items;
}

describe('Slack app manifest', () => {
  let bot: TestBot;
  beforeAll(async () => {
    bot = await startTestBot();
  });
  afterAll(async () => {
    await bot.close();
  });

  it('has a slash command for every command family of the core, all pointing at /slack/events', () => {
    const commands = [...manifest.matchAll(/^\s*-\s*command:\s*\/(\S+)\s*$/gm)].map((m) => m[1]);
    const families = [...new Set(bot.core.definitions().map((d) => d.command))];
    expect(commands).toEqual(expect.arrayContaining(families));
    const urls = [...manifest.matchAll(/url:\s*(\S+)/g)].map((m) => m[1]);
    expect(urls.every((u) => u?.endsWith('/slack/events'))).toBe(true);
  });

  it('declares the message shortcut the adapter listens for', () => {
    expect(manifest).toMatch(new RegExp(`callback_id:\\s*${SHORTCUT_OPEN_TICKET}\\b`));
    expect(manifest).toMatch(/type:\s*message\b/);
  });

  it('keeps within the limits of Slack’s manifest schema (v1), which rejects the whole paste otherwise', () => {
    const scalar = (key: string): string[] =>
      [...manifest.matchAll(new RegExp(`^\\s*-?\\s*${key}:\\s*(.+?)\\s*$`, 'gm'))].map((m) =>
        (m[1] as string).replace(/^"(.*)"$/, '$1'),
      );
    const within = (key: string, min: number, max: number) => {
      const values = scalar(key);
      expect(values.length, key).toBeGreaterThan(0);
      for (const v of values) expect(v.length, `${key}: ${v}`).toBeGreaterThanOrEqual(min);
      for (const v of values) expect(v.length, `${key}: ${v}`).toBeLessThanOrEqual(max);
    };
    within('long_description', 175, 4000);
    within('usage_hint', 1, 1000);
    within('command', 2, 32);
    within('callback_id', 1, 255);
    within('display_name', 1, 80);
    // `name` and `description` appear both under display_information and under the shortcut.
    const names = scalar('name');
    expect(names[0]?.length).toBeLessThanOrEqual(35); // the app
    expect(names[1]?.length).toBeLessThanOrEqual(24); // the message shortcut
    for (const d of scalar('description')) expect(d.length, d).toBeLessThanOrEqual(140);
    expect(scalar('background_color')[0]).toMatch(/^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$/);
    expect(manifest).toMatch(/^\s*type:\s*message\s*$/m);
    // Every bot event needs its scope.
    const needs: Record<string, string> = {
      app_mention: 'app_mentions:read',
      'message.channels': 'channels:history',
      'message.groups': 'groups:history',
      'message.im': 'im:history',
      'message.mpim': 'mpim:history',
      reaction_added: 'reactions:read',
    };
    for (const event of listUnder('bot_events')) {
      expect(needs[event], `an unchecked event ${event}`).toBeDefined();
      expect(listUnder('bot')).toContain(needs[event]);
    }
  });

  it('subscribes to the events the adapter handles, with the scopes they need', () => {
    expect(listUnder('bot_events')).toEqual(
      expect.arrayContaining(['app_mention', 'message.channels', 'message.groups', 'reaction_added']),
    );
    expect(listUnder('bot')).toEqual(
      expect.arrayContaining([
        'commands',
        'chat:write',
        'chat:write.public',
        'users:read',
        'users:read.email',
        'reactions:read',
        'channels:history',
        'groups:history',
        'im:history',
        'app_mentions:read',
      ]),
    );
    // Major incident rooms: conversations.create/invite/setTopic/archive, pins.add, :pushpin: reactions.
    expect(listUnder('bot')).toEqual(
      expect.arrayContaining(['channels:manage', 'pins:write', 'reactions:read', 'channels:join']),
    );
    expect(manifest).toMatch(/interactivity:\s*\n\s*is_enabled:\s*true/);
  });
});
