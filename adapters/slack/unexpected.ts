// Interactivity no other listener takes (buttons of older cards, unknown modals and shortcuts): acked, and told.
import type { App } from '@slack/bolt';
import type { SlackContext } from './context.ts';
import type { RespondFn } from './delivery.ts';
import { SHORTCUT_OPEN_TICKET } from './interactivity.ts';

/** Action and form ids that are not `<command>.<subcommand>` (those belong to registerInteractivity). */
const NOT_A_COMMAND_ID = /^(?![a-z][a-z0-9_-]*\.[a-z][a-z0-9_-]*$)/;
const NOT_OUR_SHORTCUT = new RegExp(`^(?!${SHORTCUT_OPEN_TICKET}$)`);

/**
 * Without these, Bolt leaves such a request unacknowledged: after 3 seconds Slack shows the person an error and
 * Bolt answers 404. Every one is acked at once; a person who pressed something gets a word about it.
 */
export function registerUnexpected(app: App, { delivery, log }: SlackContext): void {
  app.action(NOT_A_COMMAND_ID, async ({ ack, body, respond }) => {
    await ack();
    const action = 'actions' in body ? (body.actions[0] as { action_id?: string } | undefined) : undefined;
    log.warn({ actionId: action?.action_id, user: body.user.id }, 'slack action with an unknown id');
    await delivery
      .ephemeral(
        {
          text: 'Switchboard does not know that button (it may be from an older card). Type /help to see what it can do.',
          visibility: 'ephemeral',
          error: 'USAGE.UNKNOWN_ACTION',
        },
        { user: body.user.id, channel: body.channel?.id, respond: respond as unknown as RespondFn },
      )
      .catch((error: unknown) => log.warn({ err: error }, 'could not tell about an unknown slack action'));
  });

  app.view({ type: 'view_submission', callback_id: NOT_A_COMMAND_ID }, async ({ ack, view }) => {
    log.warn({ callbackId: view.callback_id }, 'slack modal submission with an unknown callback id; closing it');
    await ack();
  });

  app.view({ type: 'view_closed', callback_id: /.*/ }, async ({ ack }) => {
    await ack();
  });

  app.shortcut(NOT_OUR_SHORTCUT, async ({ ack, shortcut }) => {
    await ack();
    log.warn(
      { callbackId: shortcut.callback_id, user: shortcut.user.id },
      'slack shortcut with an unknown callback id',
    );
  });
}
