// /profile: a person's own settings (timezone, quiet hours), shared by their linked identities.

import type { CommandContext, CommandDef } from '../src/core/command.ts';
import { type ErrorCode, UserError } from '../src/domain/errors.ts';
import { platformNamed } from '../src/domain/platform.ts';
import { isQuiet, type QuietHours, quietEndsAt, readQuietHours } from '../src/domain/quietHours.ts';
import { isTimeZone, readTimeZone } from '../src/domain/timezone.ts';
import { ephemeral, type Reply } from '../src/present/reply.ts';
import { formatTime } from '../src/present/time.ts';
import type { PersonSettings } from '../src/services/people.ts';

const TZ_RESET = new Set(['auto', 'reset', 'default']);
const QUIET_OFF = new Set(['off', 'none']);

/** The zone times are shown in and where it comes from, in words. */
function timezoneLine(ctx: CommandContext, settings: PersonSettings): string {
  if (settings.timezone !== null && settings.timezone === ctx.timezone) {
    return `${ctx.timezone} (set by you; /profile tz auto goes back to the default)`;
  }
  if (ctx.actor.timezone && isTimeZone(ctx.actor.timezone) && ctx.actor.timezone === ctx.timezone) {
    return `${ctx.timezone} (given by ${platformNamed(ctx.origin.platform)?.title ?? ctx.origin.platform})`;
  }
  return `${ctx.timezone} (the organisation's default)`;
}

function quietLine(ctx: CommandContext, quiet: QuietHours | null): string {
  if (!quiet) return 'none';
  const span = `${quiet.from}-${quiet.to} your time`;
  if (!isQuiet(quiet, ctx.now, ctx.timezone)) return span;
  return `${span}; quiet now, until ${formatTime(quietEndsAt(quiet, ctx.now, ctx.timezone), ctx.now, ctx.timezone)}`;
}

function show(ctx: CommandContext, settings: PersonSettings): Reply {
  const fields = [
    { label: 'Timezone', value: timezoneLine(ctx, settings) },
    { label: 'Quiet hours', value: quietLine(ctx, settings.quiet) },
  ];
  const text = ['Your settings:', ...fields.map((f) => `${f.label}: ${f.value}`)].join('\n');
  return ephemeral(text, {
    header: 'Your settings',
    fields,
    context: 'Change them with /profile tz Area/City and /profile quiet 20:00-08:00 (or off).',
  });
}

const refused = (code: ErrorCode, what: string, examples: string[], form: string): UserError =>
  new UserError(
    code,
    `${what[0]?.toUpperCase() ?? ''}${what.slice(1)}; nothing was changed.`,
    `Examples: ${examples.map((e) => `${form} ${e}`).join(', ')}`,
    'value',
  );

const profile: CommandDef = {
  command: 'profile',
  name: '',
  summary: 'Your own settings: the timezone times are shown in, and quiet hours for reminders.',
  examples: [
    '/profile',
    '/profile tz Europe/Berlin',
    '/profile tz auto',
    '/profile quiet 20:00-08:00',
    '/profile quiet off',
  ],
  minRole: 'requester',
  options: [
    {
      name: 'setting',
      kind: 'choice',
      choices: ['show', 'tz', 'quiet'],
      description: 'What to change (nothing: show your settings)',
      positional: true,
    },
    {
      name: 'value',
      kind: 'text',
      description: 'A timezone (Europe/Berlin, auto) or quiet hours (20:00-08:00, off)',
      positional: true,
      rest: true,
      maxLength: 100,
    },
  ],
  async run(ctx, o, s) {
    const value = typeof o.value === 'string' ? o.value.trim() : '';
    const who = ctx.person.id;
    if (o.setting === 'tz') {
      if (TZ_RESET.has(value.toLowerCase())) {
        await s.people.setTimezone(ctx.tenant, who, null, ctx.now);
        const platform = ctx.actor.timezone && isTimeZone(ctx.actor.timezone) ? ctx.actor.timezone : null;
        return ephemeral(
          platform
            ? `Your timezone follows ${platformNamed(ctx.origin.platform)?.title ?? ctx.origin.platform} again: ${platform}.`
            : "Your timezone is the organisation's default again (where a platform gives one, that platform's).",
        );
      }
      const zone = readTimeZone(value);
      if (!zone.ok) throw refused('PROFILE.BAD_TIMEZONE', zone.error, zone.examples, '/profile tz');
      await s.people.setTimezone(ctx.tenant, who, zone.value, ctx.now);
      return ephemeral(`Your timezone is now ${zone.value}: times are shown in it, wherever you use Switchboard.`);
    }
    if (o.setting === 'quiet') {
      if (QUIET_OFF.has(value.toLowerCase())) {
        await s.people.setQuietHours(ctx.tenant, who, null, ctx.now);
        return ephemeral('Quiet hours are off: reminders reach you at any hour.');
      }
      const quiet = readQuietHours(value);
      if (!quiet.ok) throw refused('PROFILE.BAD_QUIET', quiet.error, quiet.examples, '/profile quiet');
      await s.people.setQuietHours(ctx.tenant, who, quiet.value, ctx.now);
      return ephemeral(
        `Quiet hours set: ${quiet.value.from}-${quiet.value.to} in your timezone (${ctx.timezone}). ` +
          'Reminders that are not urgent wait until they end; pages for P1 and P2 never wait.',
      );
    }
    if (value !== '') {
      throw new UserError(
        'USAGE.BAD_VALUE',
        `/profile ${o.setting === 'show' ? 'show ' : ''}takes nothing more; got "${value.slice(0, 40)}".`,
        'Examples: /profile, /profile tz Europe/Berlin, /profile quiet 20:00-08:00',
        'value',
      );
    }
    return show(ctx, await s.people.settingsOf(ctx.tenant, who));
  },
};

export const profileCommands: readonly CommandDef[] = [profile];
