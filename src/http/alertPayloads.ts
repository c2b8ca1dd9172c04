// What the alert webhooks accept: the Alertmanager webhook (version 4) and a PagerDuty-like event, as zod schemas.
import { z } from 'zod';
import { UNSAFE_CHARS } from '../domain/alerts.ts';

const text = (max: number) => z.string().max(max, { message: `must be at most ${max} characters` });
const labels = z.record(text(200), text(4_000));

const alert = z.object({
  status: z.enum(['firing', 'resolved']),
  labels,
  annotations: labels.default({}),
  startsAt: text(64),
  endsAt: text(64).default(''),
  generatorURL: text(2_000).default(''),
  fingerprint: text(64).optional(),
});

export const alertmanagerSchema = z.object({
  version: z.literal('4', { message: 'must be "4" (the Alertmanager webhook version this bot reads)' }),
  groupKey: text(2_000).min(1, { message: 'must not be empty' }),
  truncatedAlerts: z.number().int().min(0).optional(),
  status: z.enum(['firing', 'resolved']),
  receiver: text(200).default(''),
  groupLabels: labels.default({}),
  commonLabels: labels.default({}),
  commonAnnotations: labels.default({}),
  externalURL: text(2_000).default(''),
  alerts: z
    .array(alert)
    .min(1, { message: 'must hold at least one alert' })
    .max(1_000, { message: 'must hold at most 1000 alerts' }),
});

export const eventSchema = z
  .object({
    routing_key: text(200).optional(),
    event_action: z.enum(['trigger', 'acknowledge', 'resolve']),
    dedup_key: text(255).min(1, { message: 'must not be empty' }).optional(),
    payload: z
      .object({
        summary: text(1_024).min(1, { message: 'must not be empty' }),
        severity: z.enum(['critical', 'error', 'warning', 'info']),
        source: text(255).min(1, { message: 'must not be empty' }),
        custom_details: z.unknown().optional(),
      })
      .optional(),
  })
  .superRefine((ev, ctx) => {
    if (ev.event_action === 'trigger' && !ev.payload) {
      ctx.addIssue({ code: 'custom', path: ['payload'], message: 'is required to trigger' });
    }
    if (ev.event_action !== 'trigger' && !ev.dedup_key) {
      ctx.addIssue({ code: 'custom', path: ['dedup_key'], message: `is required to ${ev.event_action}` });
    }
  });

/** Control and bidi characters shown as `?`: a field error never echoes them back. */
const shown = (s: string, max: number): string => s.replace(UNSAFE_CHARS, '?').slice(0, max);

/** zod's issues as `{ field, message }`, the field written like `alerts.0.labels`. */
export function fieldErrors(error: z.ZodError): Array<{ field: string; message: string }> {
  return error.issues.slice(0, 20).map((i) => ({
    field: shown(i.path.map(String).join('.') || '(body)', 200),
    message: shown(i.message, 300),
  }));
}
