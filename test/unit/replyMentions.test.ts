// A reply's mentions: each platform pings its own people, at the top, and nothing in the text pings.
import { describe, expect, it } from 'vitest';
import { messageOf } from '../../adapters/discord/render.ts';
import { renderReply } from '../../adapters/slack/render.ts';
import type { Reply } from '../../src/present/reply.ts';

const reply: Reply = {
  text: 'Sweep · 2 stale tickets <@U999> @everyone',
  visibility: 'channel',
  header: 'Sweep',
  list: ['@ada · 1 ticket'],
  mentions: ['slack:U0ADA', 'discord:100000000000000002', 'console:ada', 'slack:U0ADA', 'slack:<!here>'],
};

describe('reply mentions', () => {
  it('Slack mentions its own users first, once each, and escapes the rest', () => {
    const m = renderReply(reply);
    expect(m.text.startsWith('<@U0ADA> ')).toBe(true);
    expect(JSON.stringify(m.blocks[1])).toContain('<@U0ADA>');
    expect(JSON.stringify(m.blocks)).not.toContain('<@U999>');
    expect(JSON.stringify(m.blocks)).not.toContain('<!here>');
  });

  it('Discord pings exactly its own users, and nothing the text says', () => {
    const m = messageOf(reply);
    expect(m.content).toBe('<@100000000000000002>');
    expect(m.allowedMentions).toEqual({ parse: [], users: ['100000000000000002'] });
    const plain = messageOf({ text: 'hi @everyone', visibility: 'channel' });
    expect(plain.allowedMentions).toEqual({ parse: [] });
  });
});
