// Type-ahead for a modal's external select (block_suggestion): the service catalog's names, from the catalog the
// core keeps in process. Slack waits 3 seconds for the options and shows nothing after: an empty list comes first.
import type { App, BlockSuggestion } from '@slack/bolt';
import type { CommandDef } from '../../src/core/command.ts';
import type { FormField } from '../../src/present/reply.ts';
import type { SlackContext } from './context.ts';

/** Slack shows at most 100 options; a type-ahead list reads best short. */
const MAX_SHOWN = 25;
/** Inside Slack's 3 seconds, with room for the answer to travel. */
const BUDGET_MS = 2_500;
const OPTION_TEXT = 75;
const OPTION_VALUE = 150;
/** A name a ticket could carry (the catalog's form); anything else typed is not offered as typed. */
const NAME = /^[a-z0-9][a-z0-9._-]{0,59}$/;

type Option = { text: { type: 'plain_text'; text: string }; value: string };

const cut = (s: string, max: number): string => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);
const option = (text: string, value: string): Option => ({
  text: { type: 'plain_text', text: cut(text, OPTION_TEXT) },
  value: value.slice(0, OPTION_VALUE),
});

/** The field of a command's form (`ticket.new`) an external select stands for, when it asks for suggestions. */
export function suggestingField(
  definitions: readonly CommandDef[],
  formId: string | undefined,
  name: string,
): FormField | undefined {
  const form = definitions.find((d) => d.formWhenEmpty?.id === formId)?.formWhenEmpty;
  return form?.fields.find((f) => f.name === name && f.suggest !== undefined);
}

export function registerSuggestions(app: App, { core, log, work }: SlackContext): void {
  app.options<'block_suggestion'>({ type: 'block_suggestion' }, async ({ ack, body }) => {
    const b = body as BlockSuggestion;
    const field = suggestingField(core.definitions(), b.view?.callback_id, b.action_id);
    if (field?.suggest !== 'service') {
      log.warn(
        { actionId: b.action_id, callbackId: b.view?.callback_id },
        'slack: suggestions asked for an unknown menu',
      );
      await ack({ options: [] });
      return;
    }
    const typed = (b.value ?? '').trim();
    const workspace = b.team?.id ?? b.user.team_id ?? '';
    const suggest = async (): Promise<Option[]> => {
      const { services, anyName } = await core.suggestServices('slack', workspace, typed);
      const options = services.slice(0, MAX_SHOWN).map((s) => option(s.label, s.name));
      // While the catalog does not bind a ticket (SWITCHBOARD_SERVICES=open, or nothing declared), what was typed
      // is a choice too: a select cannot take free text otherwise.
      const asTyped = typed.toLowerCase();
      if (anyName && NAME.test(asTyped) && !services.some((s) => s.name === asTyped)) {
        options.unshift(option(`${asTyped} (as typed)`, asTyped));
      }
      return options.slice(0, MAX_SHOWN);
    };
    const options = await Promise.race([
      work.run(suggest).then((r) => r ?? []),
      new Promise<Option[]>((r) => setTimeout(() => r([]), BUDGET_MS).unref()),
    ]).catch((err: unknown) => {
      log.warn({ err }, 'slack: service suggestions failed');
      return [] as Option[];
    });
    await ack({ options });
  });
}
