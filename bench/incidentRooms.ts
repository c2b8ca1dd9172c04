// Incident rooms benchmark (issue 18): `/incident declare "<title>" --sev 1` typed through the core as a person on
// Slack, until the room is ready (the fake Slack has answered conversations.setTopic for its channel: created,
// responders invited, card posted and pinned before it), beside the same five Web API calls made directly with a
// WebClient against the same fake Slack in the same run (the floor).
import { webApi } from '@slack/bolt';
import pino from 'pino';
import { createSlackAdapter } from '../adapters/slack/index.ts';
import { createHttpServer } from '../src/http/server.ts';
import { type FakeSlack, type RecordedCall, startFakeSlack } from '../test/support/fakeSlack.ts';
import { type BenchDatabase, startBenchBot } from './benchBot.ts';
import { type Figure, figureTable, type Summary, summarize } from './stats.ts';

const USER = 'UADMIN';
const FROM = 'CWAR';
const WARMUP = 3;

/** BENCH_ROOMS declarations (default 20). */
function count(): number {
  const n = Number(process.env.BENCH_ROOMS ?? 20);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`BENCH_ROOMS must be a whole number ≥ 1, not ${process.env.BENCH_ROOMS}`);
  return n;
}

/**
 * When the fake Slack recorded the first conversations.setTopic of each channel (performance.now(), in this
 * process): the fake records a call as it answers it, so this is the moment the room was ready, to the ms, with no
 * polling in the figure.
 */
function topicClock(fake: FakeSlack): Map<string, number> {
  const at = new Map<string, number>();
  const calls = fake.calls;
  const push = calls.push.bind(calls);
  calls.push = (...items: RecordedCall[]) => {
    const now = performance.now();
    for (const c of items) {
      const channel = String(c.body.channel ?? '');
      if (c.method === 'conversations.setTopic' && c.status === 200 && !at.has(channel)) at.set(channel, now);
    }
    return push(...items);
  };
  return at;
}

/** The channel conversations.create made after call number `since`. */
function createdSince(fake: FakeSlack, since: number): string | undefined {
  const made = fake.calls
    .slice(since)
    .find((c) => c.method === 'conversations.create' && c.status === 200 && c.response?.ok === true);
  return (made?.response?.channel as { id?: string } | undefined)?.id;
}

export async function benchIncidentRooms(db: BenchDatabase): Promise<string[]> {
  const n = count();
  const log = pino({ level: 'silent' });
  const fake = await startFakeSlack();
  fake.addUser({ id: USER, name: 'root', display_name: 'Grace' });
  const topics = topicClock(fake);
  try {
    const env = {
      SLACK_BOT_TOKEN: 'xoxb-bench',
      SLACK_SIGNING_SECRET: 'bench-signing-secret',
      SLACK_API_URL: fake.apiUrl,
      SWITCHBOARD_ADMINS: `slack:${USER}`,
      PORT: '0',
    };
    const { core, config, close } = await startBenchBot(db, 'rooms', env);
    try {
      const slack = config.slack as NonNullable<typeof config.slack>;
      // The adapter as main.ts runs it: its sender (with the rooms) is what the core opens a room through.
      const http = createHttpServer({ log, readiness: async () => ({ ready: true, reasons: [] }) });
      const adapter = createSlackAdapter({ core, config: slack, log, mount: http.mount, retryConfig: { retries: 0 } });
      await http.listen(0, '127.0.0.1');
      await adapter.start();
      try {
        const tenant = fake.bot.teamId;
        let seq = 0;
        /** One declaration: ms until its room's topic was set, and until the declarer had the answer. */
        const declare = async (): Promise<{ ready: number; answered: number; failed: boolean }> => {
          const i = ++seq;
          const since = fake.calls.length;
          const t0 = performance.now();
          const reply = await core.handle({
            actor: { id: `slack:${USER}`, platform: 'slack', displayName: 'grace' },
            origin: { platform: 'slack', workspace: tenant, channel: FROM },
            command: 'incident',
            text: `declare "Bench outage number ${i}" --sev 1`,
          });
          const answered = performance.now() - t0;
          const channel = createdSince(fake, since);
          const at = channel ? topics.get(channel) : undefined;
          // Between declarations, not timed: the link line the outbox posts where it was declared.
          await core.settled();
          // Ready means all of it: the declarer invited, the card pinned, the topic set.
          const room = channel ? fake.rooms.rooms.get(channel) : undefined;
          const whole = Boolean(room?.members.includes(USER) && room.pins.length === 1 && room.topic);
          const failed = Boolean(reply.error) || at === undefined || !whole;
          return { ready: at === undefined ? answered : at - t0, answered, failed };
        };
        const client = new webApi.WebClient('xoxb-bench', {
          slackApiUrl: fake.apiUrl,
          retryConfig: { retries: 0 },
          logLevel: webApi.LogLevel.ERROR,
        });
        /** The floor: the same five calls, one after another, straight from a WebClient. */
        const raw = async (): Promise<{ ready: number; failed: boolean }> => {
          const i = ++seq;
          const t0 = performance.now();
          const made = await client.conversations.create({ name: `floor-${i}`, is_private: false });
          const channel = (made.channel as { id: string }).id;
          await client.conversations.invite({ channel, users: USER });
          const posted = await client.chat.postMessage({
            channel,
            text: `INC-${i} · SEV1 major incident · investigating`,
            blocks: [
              { type: 'header', text: { type: 'plain_text', text: `INC-${i} · Floor outage number ${i}` } },
              { type: 'section', text: { type: 'mrkdwn', text: 'SEV1 major incident · investigating' } },
              { type: 'section', fields: [{ type: 'mrkdwn', text: '*Commander*\nGrace' }] },
            ],
          });
          await client.pins.add({ channel, timestamp: posted.ts as string });
          await client.conversations.setTopic({ channel, topic: `INC-${i} SEV1 · investigating · commander Grace` });
          const at = topics.get(channel);
          return { ready: (at ?? performance.now()) - t0, failed: at === undefined };
        };

        for (let w = 0; w < WARMUP; w++) {
          await raw();
          await declare();
        }
        // Interleaved, one at a time: both see the same machine at the same moments (it may be shared).
        const bot = { ready: [] as number[], answered: [] as number[], failed: 0, ms: 0 };
        const floor = { ready: [] as number[], failed: 0, ms: 0 };
        for (let k = 0; k < n; k++) {
          const f = await raw();
          floor.ready.push(f.ready);
          floor.ms += f.ready;
          if (f.failed) floor.failed++;
          const d = await declare();
          bot.ready.push(d.ready);
          bot.answered.push(d.answered);
          bot.ms += d.ready;
          if (d.failed) bot.failed++;
        }
        const sum = (latencies: number[], failed: number, ms: number): Summary =>
          summarize({ ops: latencies.length, failed, seconds: ms / 1000, latencies });
        const base = sum(floor.ready, floor.failed, floor.ms);
        const ready = sum(bot.ready, bot.failed, bot.ms);
        const answered = sum(
          bot.answered,
          bot.failed,
          bot.answered.reduce((a, b) => a + b, 0),
        );
        const rows: Array<Figure | string> = [
          { figure: 'raw Web API: create, invite, post, pin, topic', run: base },
          { figure: 'declare -> room ready (topic set)', run: ready, floor: base },
          { figure: 'declare -> answer to the declarer', run: answered, floor: base },
        ];
        return [
          `rooms (${db.backend}; ${n} × /incident declare "…" --sev 1 through the core as a Slack user, one at a ` +
            'time, against the in-process fake Slack; floor = the same five Web API calls from a WebClient)',
          ...figureTable(rows, { unit: 'rooms/s', floor: 'raw' }),
        ];
      } finally {
        await adapter.stop();
        await http.close();
      }
    } finally {
      await close();
    }
  } finally {
    await fake.close();
  }
}
