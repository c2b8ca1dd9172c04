// :pushpin: on a message in a major incident's room: its words go on the incident's timeline, once per message.
import type { App } from '@slack/bolt';
import type { SlackContext } from './context.ts';
import { fetchMessage } from './fromMessage.ts';
import { plainSlackText } from './text.ts';

export const PIN_REACTION = 'pushpin';

interface Envelope {
  event_id?: string;
  team_id?: string;
}

export function registerPins(app: App, ctx: SlackContext): void {
  const { core, people, delivery, client, request } = ctx;
  app.event('reaction_added', async ({ event, body }) => {
    if (event.reaction !== PIN_REACTION || event.item.type !== 'message') return;
    const { channel, ts } = event.item;
    const place = { user: event.user, channel };
    const eventId = (body as Envelope).event_id;
    const workspace = (body as Envelope).team_id ?? '';
    await request({
      what: 'pin reaction',
      place,
      // A redelivered event is claimed once; the same message pinned twice is on the timeline once (the service).
      dispatch: () =>
        core.dispatch(eventId ? `slack:event:${eventId}` : undefined, async () => {
          const [actor, message] = await Promise.all([people.actor(event.user), fetchMessage(client, channel, ts)]);
          const author = message?.author ? (await people.actor(message.author)).displayName : undefined;
          return {
            actor,
            origin: { platform: 'slack', workspace, channel },
            command: 'incident',
            subcommand: 'pin',
            options: {
              text: plainSlackText(message?.text ?? '') || '(a message Slack no longer shows)',
              message: ts,
              ...(author ? { author } : {}),
            },
            deliveryId: eventId,
          };
        }),
      // 📌 is used everywhere: outside an incident's room it means nothing here, and nobody is told.
      answer: async (reply) => {
        if (reply.error === 'INCIDENT.WHICH') return;
        await delivery.ephemeral(reply, place);
      },
    });
  });
}
