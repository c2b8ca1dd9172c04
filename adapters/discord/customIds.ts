// Button and modal custom ids: what a press or a submission must carry back to become an Invocation.

import { BoundedMap } from '../../src/kit/boundedMap.ts';
import type { FormSpec, ReplyAction } from '../../src/present/reply.ts';

const MAX = 100;

export type Decoded =
  /** A button whose press runs `<command>.<subcommand>` with `{ id: value }`. */
  | { kind: 'action'; actionId: string; value: string }
  /** A button whose press first opens the action's form. */
  | { kind: 'formAction'; actionId: string; value: string }
  /** A modal submission for `formId`, with the hidden options it carried. */
  | { kind: 'form'; formId: string; hidden: Record<string, string> };

/**
 * Hidden form options that do not fit in a custom id (100 characters) wait here, keyed by a nonce.
 * A modal lives minutes, not days; a restart in between loses only that one submission's extras.
 * Bounded: a flood of opened forms pushes out the oldest, never the process's memory.
 */
export class FormStash {
  private readonly entries: BoundedMap<string, Record<string, string>>;
  private seq = 0;

  constructor(ttlMs = 20 * 60_000, max = 5_000) {
    this.entries = new BoundedMap(max, ttlMs);
  }

  get size(): number {
    return this.entries.size;
  }

  put(hidden: Record<string, string>, now = Date.now()): string {
    const key = `${now.toString(36)}${(this.seq++).toString(36)}`;
    this.entries.set(key, hidden, now);
    return key;
  }

  take(key: string, now = Date.now()): Record<string, string> | undefined {
    return this.entries.take(key, now);
  }
}

export function actionCustomId(a: ReplyAction): string {
  return `${a.form ? 'm' : 'a'}|${a.id}|${a.value}`.slice(0, MAX);
}

export function formCustomId(formId: string, hidden: Record<string, string>, stash: FormStash): string {
  const plain = `f|${formId}|${new URLSearchParams(hidden).toString()}`;
  if (plain.length <= MAX) return plain;
  return `f|${formId}|~${stash.put(hidden)}`;
}

export function decodeCustomId(customId: string, stash: FormStash): Decoded | null {
  const [kind, id, ...rest] = customId.split('|');
  const tail = rest.join('|');
  if (!id) return null;
  if (kind === 'a') return { kind: 'action', actionId: id, value: tail };
  if (kind === 'm') return { kind: 'formAction', actionId: id, value: tail };
  if (kind === 'f') {
    const hidden = tail.startsWith('~') ? stash.take(tail.slice(1)) : Object.fromEntries(new URLSearchParams(tail));
    return hidden ? { kind: 'form', formId: id, hidden } : null;
  }
  return null;
}

/** `ticket.resolve` -> ['ticket', 'resolve']; `help.` or `help` -> ['help', '']. */
export function splitActionId(id: string): [string, string] {
  const dot = id.indexOf('.');
  return dot === -1 ? [id, ''] : [id.slice(0, dot), id.slice(dot + 1)];
}

/** The form a press of this action opens, with the pressed value as the hidden option it stood for. */
export function formForPress(form: FormSpec, renderedValue: string, pressedValue: string): FormSpec {
  const hidden: Record<string, string> = {};
  for (const [k, v] of Object.entries(form.hidden ?? {})) hidden[k] = v === renderedValue ? pressedValue : v;
  return { ...form, hidden, title: form.title.split(renderedValue).join(pressedValue) };
}
