// The Slack bench's fake Slack Web API, in a process of its own so that answering the bot's calls does not take
// turns with the bot on its JS thread. Started with `node --import tsx`: prints the fake's apiUrl as its first
// line on stdout, then answers each `cards` line on stdin with the number of cards posted so far (top-level
// chat.postMessage answered 200), one line each. Closes the fake and exits when stdin ends.
import { createInterface } from 'node:readline';
import { startFakeSlack } from '../test/support/fakeSlack.ts';

const fake = await startFakeSlack();
let cards = 0;
let counted = 0;
/** Counts only the calls recorded since the last request: the list grows by thousands during a run. */
const countCards = (): number => {
  const { calls } = fake;
  for (; counted < calls.length; counted++) {
    const c = calls[counted];
    if (c && c.method === 'chat.postMessage' && c.status === 200 && !c.body.thread_ts) cards++;
  }
  return cards;
};
process.stdout.write(`${fake.apiUrl}\n`);
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line.trim() === 'cards') process.stdout.write(`${countCards()}\n`);
});
lines.on('close', () => {
  void fake.close().finally(() => process.exit(0));
});
