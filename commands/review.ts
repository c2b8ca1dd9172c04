// /review: scheduled reviews and reminders in a channel (managers manage them; anyone may list them).
import type { CommandContext, CommandDef, OptionDef } from '../src/core/command.ts';
import type { Review } from '../src/domain/review.ts';
import { ephemeral, type Reply } from '../src/present/reply.ts';
import { formatTime } from '../src/present/time.ts';
import { REVIEW_KINDS, reviewKind, UNLISTED_REVIEW_KINDS } from '../src/services/reviewKinds/index.ts';
import { MANAGE_REVIEWS } from '../src/services/reviews.ts';
import { actingOf } from './acting.ts';
import { str } from './ticketShared.ts';

const RV: OptionDef = {
  name: 'id',
  kind: 'text',
  description: 'Review id, like RV-3',
  required: true,
  positional: true,
  maxLength: 20,
};

const when = (at: Date, ctx: CommandContext) => `${formatTime(at, ctx.now, ctx.timezone)}`;
const line = (r: Review) => `${r.reviewId} · ${r.name} · ${r.kind} · ${r.channel}${r.paused ? ' · paused' : ''}`;

/** What a review's kind is about (its kind says): a stale sweep's days, a digest's scope and period. */
const kindDetail = (r: Review): string => reviewKind(r.kind)?.detail?.(r) ?? '';

const reviewAdd: CommandDef = {
  command: 'review',
  name: 'add',
  summary: 'Schedule a review or reminder in a channel: a cron ("0 10 * * 2") or words ("every Tuesday at 10:00").',
  examples: [
    '/review add "Weekly CAB" every Tuesday at 10:00 --kind change',
    '/review add "Stand-up" weekdays at 9am --text "Stand-up in the ops room"',
    '/review add "Monthly review" first Monday of the month at 14:00 --kind digest --tz Europe/Berlin',
    '/review add "Stale sweep" weekdays at 09:00 --kind stale --days 3',
    '/review add "Service review" first Monday of the month at 09:00 --kind service-review',
  ],
  minRole: MANAGE_REVIEWS.role,
  options: [
    { name: 'name', kind: 'text', description: 'What it is called', required: true, positional: true, maxLength: 100 },
    {
      name: 'when',
      kind: 'text',
      description: 'When it runs',
      required: true,
      positional: true,
      rest: true,
      maxLength: 200,
    },
    { name: 'channel', kind: 'text', description: 'Where it posts (default: here), like #C0123ABC', maxLength: 60 },
    // The kinds are src/services/reviewKinds'; `sla` is read (to be told SLA notices are always on), never offered.
    {
      name: 'kind',
      kind: 'choice',
      choices: REVIEW_KINDS,
      unlisted: UNLISTED_REVIEW_KINDS,
      description: 'What it posts (default reminder)',
    },
    { name: 'tz', kind: 'text', description: 'Timezone, like Europe/Berlin (default: yours)', maxLength: 60 },
    { name: 'text', kind: 'text', description: 'What a reminder says', maxLength: 1000 },
    { name: 'days', kind: 'text', description: 'Stale reviews: days without an update (default 3)', maxLength: 10 },
  ],
  async run(ctx, o, s) {
    const { review, next } = await s.reviews.add(actingOf(ctx), {
      name: str(o.name) as string,
      when: str(o.when) as string,
      channel: str(o.channel),
      kind: str(o.kind),
      timezone: str(o.tz),
      text: str(o.text),
      days: str(o.days),
    });
    const runs = next.map((d) => when(d, ctx));
    return ephemeral(
      [
        `${review.reviewId} · ${review.name} is scheduled (${review.kind}, in ${review.channel}).`,
        `Next runs (${ctx.timezone}): ${runs.join(', ')}`,
      ].join('\n'),
      { header: `${review.reviewId} · ${review.name}`, list: runs },
    );
  },
};

const reviewList: CommandDef = {
  command: 'review',
  name: 'list',
  summary: 'The scheduled reviews here.',
  examples: ['/review list'],
  minRole: 'requester',
  options: [],
  async run(ctx, _o, s) {
    const all = await s.reviews.list(actingOf(ctx));
    const lines = all.map(line);
    const header = all.length ? `${all.length} review${all.length === 1 ? '' : 's'}` : 'No reviews are scheduled';
    return ephemeral([header, ...lines].join('\n'), { header, list: lines });
  },
};

const reviewShow: CommandDef = {
  command: 'review',
  name: 'show',
  summary: 'A review: its schedule, the next five runs and how the last five went.',
  examples: ['/review show RV-1'],
  minRole: 'requester',
  options: [RV],
  async run(ctx, o, s) {
    const { review, next, last, describe } = await s.reviews.show(actingOf(ctx), o.id as string);
    const lines = [
      `${describe} (${review.timezone}), posts ${review.kind}${kindDetail(review)} in ${review.channel}${review.paused ? '; paused' : ''}`,
      ...next.map((d) => `next: ${when(d, ctx)}`),
      ...last.map((r) => `${when(r.at, ctx)}: ${r.outcome}`),
    ];
    return ephemeral([`${review.reviewId} · ${review.name}`, ...lines].join('\n'), {
      header: `${review.reviewId} · ${review.name}`,
      list: lines,
    });
  },
};

const simple = (
  name: string,
  summary: string,
  act: (ctx: CommandContext, id: string, s: Parameters<CommandDef['run']>[2]) => Promise<Reply>,
): CommandDef => ({
  command: 'review',
  name,
  summary,
  examples: [`/review ${name} RV-1`],
  minRole: MANAGE_REVIEWS.role,
  options: [RV],
  run: (ctx, o, s) => act(ctx, o.id as string, s),
});

const reviewPause = simple('pause', 'Stop a review from running until it is resumed.', async (ctx, id, s) => {
  const r = await s.reviews.pause(actingOf(ctx), id);
  return ephemeral(`${r.reviewId} · ${r.name} is paused.`);
});
const reviewResume = simple('resume', 'Run a paused review again from its next time.', async (ctx, id, s) => {
  const { review, next } = await s.reviews.resume(actingOf(ctx), id);
  return ephemeral(`${review.reviewId} · ${review.name} runs again; next ${next[0] ? when(next[0], ctx) : 'never'}.`);
});
const reviewRemove = simple('remove', 'Remove a review for good.', async (ctx, id, s) => {
  const r = await s.reviews.remove(actingOf(ctx), id);
  return ephemeral(`${r.reviewId} · ${r.name} is removed.`);
});
const reviewRun = simple('run', 'Post a review now, outside its schedule.', async (ctx, id, s) => {
  const r = await s.reviews.runNow(actingOf(ctx), id);
  return ephemeral(`${r.reviewId} · ${r.name} is being posted in ${r.channel}.`);
});

export const reviewCommands: readonly CommandDef[] = [
  reviewAdd,
  reviewList,
  reviewShow,
  reviewPause,
  reviewResume,
  reviewRemove,
  reviewRun,
];
