// Slash commands for every command family the core defines: ack at once, then run and answer.
import type { App } from '@slack/bolt';
import type { CommandDef } from '../../src/core/command.ts';
import { splitFirstWord } from '../../src/kit/typedText.ts';
import type { FormSpec } from '../../src/present/reply.ts';
import type { SlackContext } from './context.ts';
import { commandText } from './text.ts';

export interface RoutedText {
  command: string;
  text: string;
}

const firstWord = (text: string): [string, string] => {
  const [first, rest] = splitFirstWord(text);
  return [first.toLowerCase(), rest];
};

/**
 * `/ticket help …` is `/help ticket …` unless the family defines its own `help` subcommand; everything else
 * goes to the family as typed.
 */
export function routeText(defs: readonly CommandDef[], family: string, text: string): RoutedText {
  const [sub, rest] = firstWord(text);
  const hasHelpFamily = defs.some((d) => d.command === 'help');
  const ownHelp = defs.some((d) => d.command === family && d.name === 'help');
  if (sub === 'help' && hasHelpFamily && !ownHelp && family !== 'help') {
    return { command: 'help', text: `${family} ${rest}`.trim() };
  }
  return { command: family, text };
}

/** The form to open instead of running, when the command is given with nothing after its name. */
export function formWhenEmpty(defs: readonly CommandDef[], family: string, text: string): FormSpec | undefined {
  const [sub, rest] = firstWord(text);
  if (rest.trim() !== '') return undefined;
  const def =
    defs.find((d) => d.command === family && d.name === sub) ??
    (sub === '' ? defs.find((d) => d.command === family && d.name === '') : undefined);
  return def?.formWhenEmpty;
}

export const families = (defs: readonly CommandDef[]): string[] => [...new Set(defs.map((d) => d.command))];

export function registerSlashCommands(app: App, { core, people, delivery, request }: SlackContext): void {
  // One listener for every command: the families come from the core's definitions at each request, so a
  // family added to the core works as soon as its slash command exists in the app manifest.
  app.command(/^\/[a-z][a-z0-9_-]*$/, async ({ command, ack, respond }) => {
    await ack();
    const place = {
      user: command.user_id,
      channel: command.channel_id,
      respond: respond as unknown as (m: Record<string, unknown>) => Promise<unknown>,
      triggerId: command.trigger_id,
    };
    let routed: RoutedText;
    try {
      const defs = core.definitions();
      const family = command.command.slice(1).toLowerCase();
      if (!families(defs).includes(family)) {
        await delivery.ephemeral(
          {
            text: `Switchboard does not know ${command.command}. Try /help.`,
            visibility: 'ephemeral',
            error: 'USAGE.UNKNOWN_COMMAND',
          },
          place,
        );
        return;
      }
      routed = routeText(defs, family, commandText(command.text ?? ''));
      // The modal opens straight from the definition: no database round-trip eats the trigger's 3 seconds.
      // The submission runs through the core, where the permission check happens.
      const form = formWhenEmpty(defs, routed.command, routed.text);
      if (form) {
        await delivery.openForm(form, command.trigger_id, { channel: command.channel_id });
        return;
      }
    } catch (error) {
      await delivery.apologise(error, place, `command ${command.command}`);
      return;
    }
    // Slack never resends a slash command, so a second request with the same trigger is a captured one replayed
    // inside the 5-minute signature window: the command does not run twice.
    const key = command.trigger_id ? `slack:command:${command.trigger_id}` : undefined;
    await request({
      what: `command ${command.command}`,
      place,
      dispatch: () =>
        core.dispatch(key, async () => {
          const actor = await people.actor(command.user_id, command.user_name);
          await people.rememberMentioned(command.text ?? '', command.team_id);
          return {
            actor,
            origin: { platform: 'slack', workspace: command.team_id, channel: command.channel_id },
            command: routed.command,
            text: routed.text,
            deliveryId: command.trigger_id,
          };
        }),
    });
  });
}
