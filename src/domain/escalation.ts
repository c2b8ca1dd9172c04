// Escalation policies: who is paged at which level, read from `/oncall policy` text and written back.
import { parseDuration } from './duration.ts';
import { type ErrorCode, UserError } from './errors.ts';
import { chatPlatforms, isOnePlace, isPlatformName, platformNamed } from './platform.ts';
import { quoted } from './scheduleTypes.ts';

export { nextStep, PAGE_LAST_LEVEL_REPEATS, type PageStep, type PlannedPolicy, pagePlan } from './pagePlan.ts';

/**
 * Who a level pages: the schedule's person at that moment, one person (a platform identity such as
 * `slack:U1`), every member of the team, a channel address (`slack:C0123ABC`, `discord:<id>`, `console`),
 * or the team's own channel.
 */
export type EscalationTarget =
  | { kind: 'oncall' }
  | { kind: 'person'; id: string }
  | { kind: 'team' }
  | { kind: 'channel'; address: string }
  | { kind: 'teamChannel' };

/** A level pages its targets `after` ms from the start of the page (cumulative, not from the level before). */
export interface EscalationLevel {
  after: number;
  targets: EscalationTarget[];
}

/** The levels in order, `after` strictly increasing from 0, and how many times the whole policy runs again. */
export interface EscalationPolicy {
  levels: EscalationLevel[];
  repeat: number;
}

export interface PolicyOptions {
  /** The platform the text was typed on: `#C0123ABC` is a channel of it. */
  platform: string;
  /** `--repeat`, 0-9; absent: 0. */
  repeat?: string | number | undefined;
  /** Reads `@…` into a platform identity (the command passes the core's reader); absent: the neutral forms. */
  readPerson?: ((raw: string) => string | null) | undefined;
}

export const DEFAULT_POLICY_TEXT = 'oncall; team after 5m; #team-channel after 15m';
export const POLICY_EXAMPLES = [
  '/oncall policy storage "oncall; @carol after 5m; team, #storage-id after 15m" --repeat 1',
  `/oncall policy storage "${DEFAULT_POLICY_TEXT}"`,
];
export const POLICY_LIMITS = Object.freeze({
  levels: 10,
  targets: 10,
  repeat: 9,
  minAfterMs: 60_000,
  maxAfterMs: 86_400_000,
});
const MAX_TEXT = 1000;
const HINT = `A step is <target>[, <target>…] [after <duration>], steps split by ";", targets oncall, @person, team or #channel. For example: ${POLICY_EXAMPLES.join('  or  ')}`;

const refuse = (code: ErrorCode, message: string, field = 'policy'): UserError =>
  new UserError(code, message, HINT, field);

/** The neutral mention forms adapters hand the core: `@<platform>:<id>`, and a bare `@ann` where people are named so. */
function neutralPerson(raw: string, platform: string): string | null {
  const m = /^@?([a-z][a-z0-9-]*):([A-Za-z0-9._-]{1,64})$/.exec(raw);
  if (m) return isPlatformName(m[1] as string) ? `${m[1]}:${m[2]}` : null;
  if (platformNamed(platform)?.barePeople && /^@[A-Za-z0-9._-]{1,64}$/.test(raw)) return `${platform}:${raw.slice(1)}`;
  return null;
}

/** The full address `<platform>:<id>` of a platform with channels, split; null otherwise. */
function fullAddress(raw: string): [string, string] | null {
  const full = /^([a-z][a-z0-9-]*):([A-Za-z0-9]{1,40})$/.exec(raw);
  return full && platformNamed(full[1] as string)?.channels ? [full[1] as string, full[2] as string] : null;
}

/** `<platform>:…` where the platform has channels. */
function onChatPlatform(raw: string): boolean {
  const colon = raw.indexOf(':');
  return colon > 0 && Boolean(platformNamed(raw.slice(0, colon))?.channels);
}

/** A channel id of the platform (as it writes its ids), or a full address; null otherwise. */
function channelAddress(raw: string, platform: string): string | null {
  if (isOnePlace(raw)) return raw;
  if (isOnePlace(platform) && raw.startsWith('#')) return platform;
  const [p, id] = fullAddress(raw) ?? [platform, raw.replace(/^#/, '')];
  return platformNamed(p)?.channels?.id.test(id) ? `${p}:${id}` : null;
}

/** How each chat platform's channel ids are given: `#C0123ABC on Slack, #123456789012345678 on Discord`. */
const channelIdForms = (): string =>
  chatPlatforms()
    .map((s) => `#${s.channels?.example} on ${s.title}`)
    .join(', ');

function readTarget(raw: string, opts: PolicyOptions): EscalationTarget {
  const word = raw.toLowerCase();
  if (word === 'oncall' || word === 'on-call') return { kind: 'oncall' };
  if (word === 'team') return { kind: 'team' };
  if (word === '#team-channel') return { kind: 'teamChannel' };
  if (/^@?(everyone|here|channel)$/i.test(raw) || /^@group:/i.test(raw)) {
    throw refuse('ONCALL.BAD_TARGET', `${quoted(raw)} is many people, not one: page them with team or a #channel.`);
  }
  if (raw.startsWith('@')) {
    const id = (opts.readPerson ?? ((r: string) => neutralPerson(r, opts.platform)))(raw);
    if (!id) throw refuse('ONCALL.BAD_TARGET', `${quoted(raw)} is not a person I know: mention them.`);
    return { kind: 'person', id };
  }
  if (raw.startsWith('#') || onChatPlatform(raw) || isOnePlace(raw)) {
    const address = channelAddress(raw, opts.platform);
    if (!address) {
      throw refuse(
        'ONCALL.BAD_TARGET',
        `${quoted(raw)} is not a channel id: give the id (${channelIdForms()}), or #team-channel for the team's own.`,
      );
    }
    return { kind: 'channel', address };
  }
  throw refuse('ONCALL.BAD_TARGET', `${quoted(raw)} is not a target: use oncall, @person, team or #channel.`);
}

/** "5m", "5 min", "1h30m", "2 hours" as ms; null when it is none. */
function readAfter(text: string): number | null {
  const words = /^(\d{1,4})\s*(s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?)$/i.exec(text.trim());
  const compact = words ? `${words[1]}${(words[2] as string)[0]?.toLowerCase()}` : text.replace(/\s+/g, '');
  return parseDuration(compact);
}

function readStep(
  step: string,
  index: number,
  opts: PolicyOptions,
): { after: number | null; targets: EscalationTarget[] } {
  const m = /^(.*?)\s+after\s+(.+)$/i.exec(step);
  const list = (m ? (m[1] as string) : step).trim();
  let after: number | null = null;
  if (m) {
    after = readAfter(m[2] as string);
    if (after === null) {
      throw refuse('ONCALL.BAD_AFTER', `step ${index + 1}: ${quoted(m[2] as string)} is not a duration like 5m or 1h.`);
    }
    if (after < POLICY_LIMITS.minAfterMs || after > POLICY_LIMITS.maxAfterMs) {
      throw refuse('ONCALL.BAD_AFTER', `step ${index + 1}: after is 1m to 24h from the start of the page.`);
    }
  }
  const raws = list.split(',').map((t) => t.trim());
  if (raws.some((t) => t === '')) throw refuse('ONCALL.BAD_STEP', `step ${index + 1} has an empty target: say who.`);
  if (raws.length > POLICY_LIMITS.targets) {
    throw refuse('ONCALL.BAD_STEP', `step ${index + 1} has ${raws.length} targets; at most ${POLICY_LIMITS.targets}.`);
  }
  const targets: EscalationTarget[] = [];
  for (const raw of raws) {
    const t = readTarget(raw, opts);
    if (!targets.some((x) => JSON.stringify(x) === JSON.stringify(t))) targets.push(t);
  }
  return { after, targets };
}

function readRepeat(raw: string | number | undefined): number {
  if (raw === undefined || raw === '') return 0;
  const n = typeof raw === 'number' ? raw : /^\d{1,2}$/.test(raw.trim()) ? Number(raw.trim()) : Number.NaN;
  if (!Number.isInteger(n) || n < 0 || n > POLICY_LIMITS.repeat) {
    throw refuse(
      'ONCALL.BAD_REPEAT',
      `--repeat is 0 to ${POLICY_LIMITS.repeat}; got ${quoted(String(raw))}.`,
      'repeat',
    );
  }
  return n;
}

/**
 * A policy from text like "oncall; @carol after 5m; team, #C0123ABC after 15m". Each `after` counts from
 * the start of the page (cumulative: "after 15m" is fifteen minutes after the first page, whatever the
 * level before waited); the first step pages at once and has none, every later one needs one, and they
 * strictly increase. `--repeat N` runs the whole policy N more times. Throws a UserError saying what is wrong.
 */
export function parsePolicy(text: string, opts: PolicyOptions): EscalationPolicy {
  const t = (typeof text === 'string' ? text : '')
    .normalize('NFKC')
    .replace(/^["'“”‘’`]+|["'“”‘’`]+$/g, '')
    .trim();
  if (t === '') throw refuse('ONCALL.EMPTY_POLICY', 'Say who is paged: at least one step.');
  if (t.length > MAX_TEXT) throw refuse('ONCALL.BAD_POLICY', `That policy is longer than ${MAX_TEXT} characters.`);
  const steps = t.split(';').map((s) => s.trim().replace(/\s+/g, ' '));
  if (steps.length > 1 && steps[steps.length - 1] === '') steps.pop();
  if (steps.length > POLICY_LIMITS.levels) {
    throw refuse('ONCALL.BAD_POLICY', `That is ${steps.length} steps; a policy has at most ${POLICY_LIMITS.levels}.`);
  }
  const levels: EscalationLevel[] = [];
  steps.forEach((step, i) => {
    if (step === '') throw refuse('ONCALL.BAD_STEP', `step ${i + 1} is empty: say who is paged.`);
    const { after, targets } = readStep(step, i, opts);
    if (i === 0 && after !== null) {
      throw refuse('ONCALL.BAD_AFTER', 'The first step pages at once: drop its "after" (later steps count from it).');
    }
    if (i > 0 && after === null) {
      throw refuse(
        'ONCALL.BAD_AFTER',
        `step ${i + 1}: say when, like "${step} after 5m" (from the start of the page).`,
      );
    }
    const at = after ?? 0;
    const before = levels[levels.length - 1];
    if (before && at <= before.after) {
      throw refuse(
        'ONCALL.BAD_AFTER',
        `step ${i + 1}: after ${formatAfter(at)} is not later than step ${i}'s ${formatAfter(before.after)}; each "after" counts from the start of the page.`,
      );
    }
    levels.push({ after: at, targets });
  });
  return { levels, repeat: readRepeat(opts.repeat) };
}

function formatAfter(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  return `${Math.round(ms / 1000)}s`;
}

function formatTarget(t: EscalationTarget, personName: (identity: string) => string): string {
  switch (t.kind) {
    case 'oncall':
      return 'oncall';
    case 'team':
      return 'team';
    case 'teamChannel':
      return '#team-channel';
    case 'person':
      return `@${personName(t.id)}`;
    case 'channel':
      return t.address;
  }
}

/**
 * The policy as a person reads it: its levels as text parsePolicy reads back to the same levels, then how often
 * the whole policy runs again (`--repeat`), so no reader of the policy is left without it; with `personName`,
 * people are shown by name for a person to read.
 */
export function formatPolicy(policy: EscalationPolicy, personName: (identity: string) => string = (id) => id): string {
  const levels = policy.levels
    .map(
      (l, i) =>
        `${l.targets.map((t) => formatTarget(t, personName)).join(', ')}${i === 0 ? '' : ` after ${formatAfter(l.after)}`}`,
    )
    .join('; ');
  const n = policy.repeat;
  return n ? `${levels} (then ${n} more time${n === 1 ? '' : 's'}: --repeat ${n})` : levels;
}

/** The ticket history lines paging writes, which the ticket card reads to keep Acknowledge on every copy. */
export const PAGE_HISTORY = Object.freeze({ paged: 'paged', acknowledged: 'page_ack' });
