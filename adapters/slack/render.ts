// Replies as Block Kit, forms as modals, and modal state back into command options.
import type { FormSpec, Reply, ReplyAction } from '../../src/present/reply.ts';

// Block Kit limits (https://docs.slack.dev/reference/block-kit/blocks): exceeding one rejects the whole message.
const MAX_HEADER = 150;
const MAX_SECTION = 3000;
const MAX_FIELD = 2000;
const MAX_FIELDS_PER_SECTION = 10;
const MAX_BUTTON_LABEL = 75;
const MAX_BUTTON_VALUE = 2000;
const MAX_BUTTONS = 25;
const MAX_BLOCKS = 50;
const MAX_TEXT_FALLBACK = 3900;
const MAX_MODAL_TITLE = 24;
const MAX_OPTIONS = 100;
const MAX_METADATA = 3000;

export type Block = Record<string, unknown>;

export interface SlackMessage {
  text: string;
  blocks: Block[];
}

const cut = (s: string, max: number): string => (s.length <= max ? s : `${s.slice(0, max - 1)}…`);

/** Slack reads `&`, `<` and `>` as markup; text from people must not become links or mentions by accident. */
export const escapeText = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const mrkdwn = (text: string) => ({ type: 'mrkdwn', text: cut(text, MAX_SECTION) });
const plain = (text: string, max: number) => ({ type: 'plain_text', text: cut(text, max), emoji: true });

/**
 * A button's value: the action value, or — when pressing it must open a form first — the value with the
 * form, so the modal opens from the payload alone, inside the trigger's 3 seconds, without asking the core.
 */
export function encodeButtonValue(action: ReplyAction): string {
  if (action.form) {
    const packed = JSON.stringify({ v: action.value, f: action.form });
    if (packed.length <= MAX_BUTTON_VALUE) return packed;
  }
  return cut(action.value, MAX_BUTTON_VALUE);
}

export function decodeButtonValue(raw: string): { value: string; form?: FormSpec } {
  if (raw.startsWith('{')) {
    try {
      const parsed = JSON.parse(raw) as { v?: unknown; f?: FormSpec };
      if (typeof parsed.v === 'string') return parsed.f ? { value: parsed.v, form: parsed.f } : { value: parsed.v };
    } catch {
      // not ours: a plain value that happens to start with a brace
    }
  }
  return { value: raw };
}

function buttons(actions: readonly ReplyAction[]): Block {
  return {
    type: 'actions',
    block_id: 'actions',
    elements: actions.slice(0, MAX_BUTTONS).map((a) => ({
      type: 'button',
      action_id: a.id,
      text: plain(a.label, MAX_BUTTON_LABEL),
      value: encodeButtonValue(a),
      ...(a.style ? { style: a.style } : {}),
    })),
  };
}

/** Renders any Reply generically: header, text (when no header), fields, list, image, context, buttons. */
export function renderReply(reply: Reply): SlackMessage {
  const blocks: Block[] = [];
  if (reply.header) blocks.push({ type: 'header', text: plain(reply.header, MAX_HEADER) });
  const pings = mentionsOf(reply);
  if (pings) blocks.push({ type: 'section', text: mrkdwn(pings) });
  // With a header and a body of fields or list items, the text is the notification fallback (the same
  // content as one plain block); with a header alone, the text is the body.
  const structured = Boolean(reply.fields?.length || reply.list?.length);
  if (reply.text && !(reply.header && structured)) {
    blocks.push({ type: 'section', text: mrkdwn(escapeText(reply.text)) });
  }

  const inline = (reply.fields ?? []).filter((f) => f.inline);
  const wide = (reply.fields ?? []).filter((f) => !f.inline);
  for (let i = 0; i < inline.length; i += MAX_FIELDS_PER_SECTION) {
    blocks.push({
      type: 'section',
      fields: inline
        .slice(i, i + MAX_FIELDS_PER_SECTION)
        .map((f) => ({ type: 'mrkdwn', text: cut(`*${escapeText(f.label)}*\n${escapeText(f.value)}`, MAX_FIELD) })),
    });
  }
  for (const f of wide) {
    blocks.push({ type: 'section', text: mrkdwn(`*${escapeText(f.label)}*\n${escapeText(f.value)}`) });
  }

  if (reply.list?.length) {
    let chunk: string[] = [];
    let size = 0;
    for (const item of reply.list) {
      const line = `• ${escapeText(item)}`;
      if (size + line.length + 1 > MAX_SECTION && chunk.length) {
        blocks.push({ type: 'section', text: mrkdwn(chunk.join('\n')) });
        chunk = [];
        size = 0;
      }
      chunk.push(line);
      size += line.length + 1;
    }
    if (chunk.length) blocks.push({ type: 'section', text: mrkdwn(chunk.join('\n')) });
  }

  if (reply.image) {
    blocks.push({ type: 'image', image_url: reply.image.url, alt_text: cut(reply.image.alt || 'image', 2000) });
  }
  if (reply.context) blocks.push({ type: 'context', elements: [mrkdwn(escapeText(reply.context))] });
  if (reply.actions?.length) blocks.push(buttons(reply.actions));

  // Too many blocks (a very long list): keep the head and the buttons, say what was left out.
  if (blocks.length > MAX_BLOCKS) {
    const tail = blocks[blocks.length - 1]?.type === 'actions' ? [blocks[blocks.length - 1] as Block] : [];
    const head = blocks.slice(0, MAX_BLOCKS - 1 - tail.length);
    blocks.splice(0, blocks.length, ...head, { type: 'context', elements: [mrkdwn('…more left out')] }, ...tail);
  }
  const text = reply.text || reply.header || ' ';
  return { text: cut(pings ? `${pings} ${text}` : text, MAX_TEXT_FALLBACK), blocks };
}

/** `<@U1> <@U2>`: the reply's Slack mentions (ids checked: nothing else becomes markup). */
function mentionsOf(reply: Reply): string {
  return [...new Set(reply.mentions ?? [])]
    .map((m) => /^slack:([UW][A-Z0-9]{2,20})$/.exec(m)?.[1])
    .filter((id): id is string => Boolean(id))
    .slice(0, 20)
    .map((id) => `<@${id}>`)
    .join(' ');
}

/** What a modal carries from opening to submission. */
export interface FormMetadata {
  /** The channel the form was opened from: where the result is posted. */
  channel?: string | undefined;
  thread?: string | undefined;
  /** Options passed through unchanged (FormSpec.hidden). */
  hidden?: Record<string, string> | undefined;
  /** The ticket whose card's button opened the form: its card is updated by the change listener instead. */
  cardOf?: string | undefined;
}

export function renderModal(form: FormSpec, meta: FormMetadata): Record<string, unknown> {
  const privateMetadata = JSON.stringify(meta);
  if (privateMetadata.length > MAX_METADATA)
    throw new Error(`form ${form.id} metadata is over ${MAX_METADATA} characters`);
  return {
    type: 'modal',
    callback_id: form.id,
    title: plain(form.title, MAX_MODAL_TITLE),
    submit: plain(form.submitLabel, MAX_MODAL_TITLE),
    close: plain('Cancel', MAX_MODAL_TITLE),
    private_metadata: privateMetadata,
    blocks: form.fields.map((f) => {
      const element =
        f.kind === 'choice'
          ? {
              type: 'static_select',
              action_id: f.name,
              options: (f.choices ?? []).slice(0, MAX_OPTIONS).map((c) => ({ text: plain(c, 75), value: c })),
              ...(f.placeholder ? { placeholder: plain(f.placeholder, 150) } : {}),
            }
          : f.suggest
            ? {
                // Type-ahead: Slack asks the options load URL (a block_suggestion, adapters/slack/suggestions.ts)
                // as the menu opens and at every key.
                type: 'external_select',
                action_id: f.name,
                min_query_length: 0,
                ...(f.placeholder ? { placeholder: plain(f.placeholder, 150) } : {}),
              }
            : {
                type: 'plain_text_input',
                action_id: f.name,
                multiline: f.kind === 'long',
                ...(f.placeholder ? { placeholder: plain(f.placeholder, 150) } : {}),
              };
      return { type: 'input', block_id: f.name, optional: !f.required, label: plain(f.label, 2000), element };
    }),
  };
}

export function parseFormMetadata(raw: string | undefined): FormMetadata {
  if (!raw) return {};
  try {
    const meta = JSON.parse(raw) as unknown;
    return meta && typeof meta === 'object' ? (meta as FormMetadata) : {};
  } catch {
    return {};
  }
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

/**
 * Modal state (block id = action id = option name) as command options; empty inputs, and anything not shaped
 * like Slack's input state, are left out (the core then names the missing field).
 */
export function formOptions(values: unknown): Record<string, string> {
  const options: Record<string, string> = {};
  if (!isRecord(values)) return options;
  for (const [block, actions] of Object.entries(values)) {
    if (!isRecord(actions)) continue;
    for (const [name, state] of Object.entries(actions)) {
      if (!isRecord(state)) continue;
      const v = isRecord(state.selected_option) ? state.selected_option.value : state.value;
      if (typeof v === 'string' && v.trim() !== '') options[name || block] = v;
    }
  }
  return options;
}
