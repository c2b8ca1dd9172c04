// The reminders bench's floor, one of two processes: DMs straight from a Web API client to the fake Slack, as a bot
// with no work of its own would send them (conversations.open, then chat.postMessage; one at a time per person, as
// the outbox's lanes keep a person's DMs in order). Started with `node --import tsx` and BENCH_FLOOR (JSON: apiUrl,
// people, count): prints `ready` once loaded, reads the instant to start at (epoch ms) from stdin, waits for it,
// sends `count` DMs spread over `people`, and prints one line of JSON, each DM's answer time in ms after that
// instant (the DMs' lateness if all were due then).
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { LogLevel, webApi } from '@slack/bolt';

const { apiUrl, people, count } = JSON.parse(process.env.BENCH_FLOOR ?? '{}') as {
  apiUrl: string;
  people: string[];
  count: number;
};
const client = new webApi.WebClient('xoxb-bench', {
  slackApiUrl: apiUrl,
  logLevel: LogLevel.ERROR,
  retryConfig: { retries: 0 },
  rejectRateLimitedCalls: true,
});
const perPerson = new Map<string, number[]>();
for (let i = 0; i < count; i++) {
  const p = people[i % people.length] as string;
  perPerson.set(p, [...(perPerson.get(p) ?? []), i]);
}
const answered: number[] = [];
let failed = 0;
const lines = createInterface({ input: process.stdin });
process.stdout.write('ready\n');
const [line] = (await once(lines, 'line')) as [string];
const startAt = Number(line);
const wait = startAt - Date.now();
if (wait > 0) await new Promise((r) => setTimeout(r, wait));
await Promise.all(
  [...perPerson].map(async ([user, ids]) => {
    for (const i of ids) {
      try {
        const opened = await client.conversations.open({ users: user });
        const channel = (opened.channel as { id?: string } | undefined)?.id as string;
        await client.chat.postMessage({ channel, text: `floor ${i}` });
        answered.push(Date.now() - startAt);
      } catch {
        failed++;
      }
    }
  }),
);
process.stdout.write(`${JSON.stringify({ answered, failed })}\n`);
process.exit(0);
