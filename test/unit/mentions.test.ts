// Adapters turn platform mentions into the core's neutral form before the core sees the text.
import { describe, expect, it } from 'vitest';
import { neutralMentions } from '../../adapters/discord/mentions.ts';
import { commandText, mentionedUsers, plainSlackText } from '../../adapters/slack/text.ts';
import { allCommands } from '../../commands/index.ts';
import { parseArgs } from '../../src/core/parser.ts';

const assign = allCommands.find((c) => c.command === 'ticket' && c.name === 'assign');

describe('Slack', () => {
  it.each([
    ['<@U123ABC>', '@slack:U123ABC'],
    ['<@U1|ada>', '@slack:U1'],
    ['<@W0ENTERPRISE|big corp>', '@slack:W0ENTERPRISE'],
    ['<!here>', '@here'],
    ['<!channel>', '@channel'],
    ['<!everyone|everyone>', '@everyone'],
    ['<!subteam^S0OPS|@ops>', '@group:S0OPS'],
    ['&lt;@U1&gt;', '<@U1>'],
    // A channel in a command line is its id: `--channel <#C0OPS|ops>` is a channel the bot can post to.
    ['<#C0OPS|ops>', '#C0OPS'],
    ['oncall; team, <#C0STORAGE|storage> after 15m', 'oncall; team, #C0STORAGE after 15m'],
  ])('a command line reads %j as %j', (raw, neutral) => {
    expect(commandText(raw)).toBe(neutral);
  });

  it('hands the parser a person it reads without knowing Slack', () => {
    if (!assign) throw new Error('no /ticket assign');
    expect(parseArgs(assign, commandText('INC-1 <@U1|ada>'), 'slack', 'slack:UME')).toEqual({
      id: 'INC-1',
      assignee: 'slack:U1',
    });
  });

  it('prose keeps names people read', () => {
    expect(plainSlackText('ask <@U1|ada> and <!subteam^S1|@ops> <!here> in <#C0OPS|ops>')).toBe(
      'ask @ada and @ops @here in #ops',
    );
  });

  it('lists the people mentioned, each once, a few at most', () => {
    expect(mentionedUsers('<@U1|ada> <@U2> <@U1> <!here>')).toEqual(['U1', 'U2']);
    expect(mentionedUsers(Array.from({ length: 9 }, (_, i) => `<@U${i}0>`).join(' '))).toHaveLength(5);
  });
});

describe('Discord', () => {
  it.each([
    ['<@123456789>', '@discord:123456789'],
    ['<@!123456789>', '@discord:123456789'],
    ['<@&555>', '@group:555'],
    ['@everyone', '@everyone'],
    ['<#777>', '<#777>'],
  ])('a command line reads %j as %j', (raw, neutral) => {
    expect(neutralMentions(raw)).toBe(neutral);
  });

  it('hands the parser a person it reads without knowing Discord', () => {
    if (!assign) throw new Error('no /ticket assign');
    expect(parseArgs(assign, neutralMentions('INC-1 <@!42424242>'), 'discord', 'discord:1')).toEqual({
      id: 'INC-1',
      assignee: 'discord:42424242',
    });
  });
});
