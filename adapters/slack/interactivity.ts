// Buttons, modal submissions and the "Open ticket from message" shortcut, all as Invocations.
import type { App, BlockButtonAction, MessageShortcut, ViewSubmitAction } from '@slack/bolt';
import type { Invocation } from '../../src/core/invocation.ts';
import type { SlackContext } from './context.ts';
import type { RespondFn } from './delivery.ts';
import { readForTicket } from './fromMessage.ts';
import { slackIdentity } from './people.ts';
import { decodeButtonValue, formOptions, parseFormMetadata } from './render.ts';

export const SHORTCUT_OPEN_TICKET = 'open_ticket_from_message';
/** Action and form ids are `<command>.<subcommand>`. */
const COMMAND_ID = /^[a-z][a-z0-9_-]*\.[a-z][a-z0-9_-]*$/;

const splitId = (id: string): [string, string] => {
  const dot = id.indexOf('.');
  return [id.slice(0, dot), id.slice(dot + 1)];
};

export function registerInteractivity(app: App, ctx: SlackContext): void {
  const { core, people, delivery, log, client, request } = ctx;
  // A double click sends two payloads with different action_ts: while the first press of a button runs, a
  // second identical press by the same person is dropped; afterwards the core judges it (e.g. already resolved).
  const inFlight = new Set<string>();

  app.action<BlockButtonAction>(COMMAND_ID, async ({ ack, body, action, respond }) => {
    await ack();
    const channel = body.channel?.id;
    const messageTs = body.message?.ts ?? body.container?.message_ts;
    const place = {
      user: body.user.id,
      channel,
      thread: (body.message?.thread_ts as string | undefined) ?? messageTs,
      respond: respond as unknown as RespondFn,
      triggerId: body.trigger_id,
    };
    const { value, form } = decodeButtonValue(action.value ?? '');
    const busy = `${body.user.id}:${action.action_id}:${value}:${messageTs ?? body.view?.id ?? ''}`;
    if (inFlight.has(busy)) return;
    inFlight.add(busy);
    const what = `button ${action.action_id}`;
    try {
      if (form) {
        await delivery.openForm(form, body.trigger_id, { channel, thread: place.thread, cardOf: value });
        return;
      }
      const claim = `slack:action:${messageTs ?? body.view?.id ?? channel}:${action.action_id}:${action.action_ts}`;
      const [command, subcommand] = splitId(action.action_id);
      await request({
        what,
        place,
        dispatch: () =>
          core.dispatch(claim, async () => ({
            actor: await people.actor(body.user.id, body.user.name),
            origin: {
              platform: 'slack',
              workspace: body.team?.id ?? body.user.team_id ?? '',
              channel,
              thread: messageTs,
            },
            command,
            subcommand,
            options: { id: value },
            deliveryId: claim,
          })),
        answer: (reply) => delivery.deliver(reply, { ...place, cardOf: value }),
        // Released inside the work itself, so the adapter is idle only once a press may be judged again.
        settled: () => inFlight.delete(busy),
      });
    } catch (error) {
      await delivery.apologise(error, place, what);
    } finally {
      inFlight.delete(busy);
    }
  });

  app.view<ViewSubmitAction>({ callback_id: COMMAND_ID, type: 'view_submission' }, async ({ ack, body, view }) => {
    const meta = parseFormMetadata(view.private_metadata);
    const [command, subcommand] = splitId(view.callback_id);
    const workspace = body.team?.id ?? body.user.team_id ?? '';
    const invocation: Invocation = {
      actor: { id: slackIdentity(body.user.id), platform: 'slack', displayName: body.user.name ?? body.user.id },
      origin: { platform: 'slack', workspace, channel: meta.channel, thread: meta.thread },
      command,
      subcommand,
      options: { ...formOptions(view.state?.values), ...meta.hidden },
      deliveryId: view.id,
    };
    // Checked without the database, inside Slack's 3 seconds: a bad field is shown on that field.
    const problem = core.check(invocation);
    if (problem) {
      const blocks = (Array.isArray(view.blocks) ? (view.blocks as unknown[]) : [])
        .map((b) => (b && typeof b === 'object' ? (b as { block_id?: unknown }).block_id : undefined))
        .filter((b): b is string => typeof b === 'string' && b !== '');
      const field = problem.errorField && blocks.includes(problem.errorField) ? problem.errorField : blocks[0];
      if (field) {
        await ack({ response_action: 'errors', errors: { [field]: problem.text.split('\n')[0] ?? problem.text } });
        return;
      }
    }
    await ack();
    await request({
      what: `form ${view.callback_id}`,
      place: { user: body.user.id, channel: meta.channel, thread: meta.thread, cardOf: meta.cardOf },
      dispatch: () =>
        core.dispatch(`slack:view:${view.id}:${view.hash ?? ''}`, async () => ({
          ...invocation,
          actor: await people.actor(body.user.id, body.user.name),
        })),
    });
  });

  app.shortcut<MessageShortcut>(
    { callback_id: SHORTCUT_OPEN_TICKET, type: 'message_action' },
    async ({ ack, shortcut, respond }) => {
      await ack();
      const channel = shortcut.channel.id;
      const workspace = shortcut.team?.id ?? shortcut.user.team_id ?? '';
      const message = {
        channel,
        ts: shortcut.message.ts,
        text: (shortcut.message.text as string | undefined) ?? '',
        author: shortcut.message.user as string | undefined,
      };
      await request({
        what: 'shortcut open_ticket_from_message',
        place: { user: shortcut.user.id, channel, respond: respond as unknown as RespondFn },
        // No claim: a shortcut run again is answered with the ticket the message has.
        dispatch: () =>
          core.dispatch(
            undefined,
            async () => ({
              actor: await people.actor(shortcut.user.id, shortcut.user.name),
              origin: { platform: 'slack', workspace, channel },
              command: 'ticket',
              subcommand: 'new',
              deliveryId: shortcut.action_ts,
            }),
            async ({ actor }) =>
              (
                await core.ticketFromMessage(
                  { platform: 'slack', workspace, channel, messageId: message.ts, actor },
                  () => readForTicket(people, client, log, { workspace, message, deliveryId: shortcut.action_ts }),
                )
              ).reply,
          ),
      });
    },
  );
}
