// What every Slack listener works with: the core, people, delivery, the Web API client and the work pool.
import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import type { BotCore } from '../../src/core/bot.ts';
import type { WorkQueue } from '../../src/kit/workQueue.ts';
import type { SlackDelivery } from './delivery.ts';
import type { SlackPeople } from './people.ts';
import type { SlackRequests } from './request.ts';

export type WebClient = App['client'];

export interface SlackContext {
  core: BotCore;
  people: SlackPeople;
  delivery: SlackDelivery;
  log: Logger;
  client: WebClient;
  /** Where the work after an ack runs (bounded). */
  work: WorkQueue;
  /** Runs one request through the core's pipeline in that work, delivers the reply, apologises for a failure. */
  request: SlackRequests;
}
