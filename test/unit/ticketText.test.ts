// The one rule for a ticket opened from a chat message, whichever platform read the message.
import { describe, expect, it } from 'vitest';
import { ticketTextOf } from '../../src/core/ticketText.ts';

const LIMITS = { title: 200, description: 4000 };

describe('a ticket from a message', () => {
  it('takes the first non-empty line as the title, cut at 80 characters', () => {
    const long = `${'word '.repeat(30)}end`;
    const { title } = ticketTextOf({ text: `\n\n  ${long}\nmore` }, LIMITS);
    expect(title).toHaveLength(80);
    expect(title.endsWith('…')).toBe(true);
    expect(ticketTextOf({ text: 'Printer   jams\tagain' }, LIMITS).title).toBe('Printer jams again');
  });

  it('never makes a title longer than the command takes', () => {
    expect(ticketTextOf({ text: 'x'.repeat(100) }, { title: 20, description: 4000 }).title).toHaveLength(20);
  });

  it('names the author when the message has no words', () => {
    expect(ticketTextOf({ text: '  ', author: 'Bob' }, LIMITS)).toEqual({
      title: 'Message from Bob',
      description: '> (no text)\n\n— message by Bob',
    });
    expect(ticketTextOf({ text: '' }, LIMITS).title).toBe('Ticket from a message');
  });

  it('a message of many short lines fits the description limit once quoted, the link kept whole', () => {
    const text = Array.from({ length: 3_000 }, () => 'a').join('\n');
    const { description } = ticketTextOf({ text, author: 'Bob', link: 'https://chat.example/m/1' }, LIMITS);
    expect(description.length).toBeLessThanOrEqual(4000);
    expect(description).toMatch(/…\n\n— message by Bob https:\/\/chat\.example\/m\/1$/);
  });
});
