// One Slack request after its ack: its work waits its turn (bounded), goes through the core's pipeline once, and the
// reply is delivered; anything that breaks on our side (a full queue included) is apologised for with a ref.
import type { WorkQueue } from '../../src/kit/workQueue.ts';
import type { Reply } from '../../src/present/reply.ts';
import type { Place, SlackDelivery } from './delivery.ts';

export interface SlackRequest {
  /** What it is, for the log when it fails: `command /ticket`, `button ticket.start`, `mention`. */
  what: string;
  /** Where the person is answered. */
  place: Place;
  /** The pipeline, once: usually `core.dispatch(key, build)`; null when there is nothing to answer (a retry). */
  dispatch: () => Promise<Reply | null>;
  /** How the reply goes back (default: delivered to `place`). */
  answer?: (reply: Reply) => Promise<void>;
  /** Called inside the work once it is over, answered or failed (a button press may be judged again). */
  settled?: () => void;
}

export type SlackRequests = (request: SlackRequest) => Promise<void>;

export function slackRequests({ work, delivery }: { work: WorkQueue; delivery: SlackDelivery }): SlackRequests {
  return async (r) => {
    try {
      await work.run(async () => {
        try {
          const reply = await r.dispatch();
          if (reply) await (r.answer ? r.answer(reply) : delivery.deliver(reply, r.place));
        } finally {
          r.settled?.();
        }
      });
    } catch (error) {
      await delivery.apologise(error, r.place, r.what);
    }
  };
}
