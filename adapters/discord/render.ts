// Replies as Discord messages (embeds + button rows) and forms as modals, within Discord's size limits.
import type {
  APIActionRowComponent,
  APIButtonComponent,
  APIEmbed,
  APIModalInteractionResponseCallbackData,
} from 'discord.js';
import type { FormField, FormSpec, Reply, ReplyAction } from '../../src/present/reply.ts';
import { actionCustomId } from './customIds.ts';

export interface MessageBody {
  content: string;
  embeds: APIEmbed[];
  components: APIActionRowComponent<APIButtonComponent>[];
  allowedMentions: { parse: []; users?: string[] };
}

/** The same body for a raw REST call. */
export const restBody = (b: MessageBody) => ({
  content: b.content,
  embeds: b.embeds,
  components: b.components,
  allowed_mentions: b.allowedMentions,
});

const cut = (s: string, n: number): string => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);

/** Whether the reply has parts beyond its text: those become an embed and the text stays a fallback. */
export const isStructured = (r: Reply): boolean => Boolean(r.header || r.fields?.length || r.list?.length || r.image);

const BUTTON_STYLE = { primary: 1, danger: 4 } as const;

export function buttonRows(actions: readonly ReplyAction[] = []): APIActionRowComponent<APIButtonComponent>[] {
  const rows: APIActionRowComponent<APIButtonComponent>[] = [];
  for (let i = 0; i < Math.min(actions.length, 25); i += 5) {
    rows.push({
      type: 1,
      components: actions.slice(i, i + 5).map((a) => ({
        type: 2,
        style: a.style ? BUTTON_STYLE[a.style] : 2,
        label: cut(a.label, 80),
        custom_id: actionCustomId(a),
      })),
    });
  }
  return rows;
}

export function embedOf(r: Reply): APIEmbed {
  const embed: APIEmbed = {};
  if (r.header) embed.title = cut(r.header, 256);
  const description = r.list?.length ? r.list.join('\n') : r.fields?.length ? undefined : r.text;
  if (description) embed.description = cut(description, 4000);
  if (r.fields?.length) {
    embed.fields = r.fields.slice(0, 25).map((f) => ({
      name: cut(f.label || '\u200b', 256),
      value: cut(f.value || '—', 1024),
      inline: Boolean(f.inline),
    }));
  }
  if (r.context) embed.footer = { text: cut(r.context, 2048) };
  if (r.image) embed.image = { url: r.image.url };
  if (r.card) embed.color = r.error ? 0xed4245 : 0x5865f2;
  return embed;
}

/** A reply as a message body; mentions never ping (cards are edited again and again). */
export function messageOf(r: Reply): MessageBody {
  // The reply's own mentions ping, and only those users: nothing in the text can (allowed_mentions).
  const users = [...new Set(r.mentions ?? [])]
    .map((m) => /^discord:(\d{17,20})$/.exec(m)?.[1])
    .filter((id): id is string => Boolean(id))
    .slice(0, 20);
  const pings = users.map((id) => `<@${id}>`).join(' ');
  const allowedMentions = users.length ? { parse: [] as [], users } : { parse: [] as [] };
  if (isStructured(r)) {
    return { content: pings, embeds: [embedOf(r)], components: buttonRows(r.actions), allowedMentions };
  }
  const text = r.context ? `${r.text}\n-# ${r.context}` : r.text;
  return {
    content: cut(pings ? `${pings} ${text}` : text || '…', 2000),
    embeds: [],
    components: buttonRows(r.actions),
    allowedMentions,
  };
}

/** Discord modals hold at most five inputs: required fields first, then in order. */
export function modalFields(form: FormSpec): FormField[] {
  const required = form.fields.filter((f) => f.required);
  const optional = form.fields.filter((f) => !f.required);
  const keep = new Set([...required, ...optional].slice(0, 5));
  return form.fields.filter((f) => keep.has(f));
}

/** A form as a modal; `prefill` puts values already given into the inputs. */
export function modalOf(
  form: FormSpec,
  customId: string,
  prefill: Record<string, string> = {},
): APIModalInteractionResponseCallbackData {
  return {
    custom_id: customId,
    title: cut(form.title, 45),
    components: modalFields(form).map((f, i) => {
      const given = prefill[f.name];
      if (f.kind === 'choice') {
        return {
          type: 18,
          id: i + 1,
          label: cut(f.label, 45),
          component: {
            type: 3,
            custom_id: f.name,
            required: f.required,
            min_values: f.required ? 1 : 0,
            max_values: 1,
            ...(f.placeholder ? { placeholder: cut(f.placeholder, 150) } : {}),
            options: (f.choices ?? [])
              .slice(0, 25)
              .map((c) => ({ label: cut(c, 100), value: c, default: c === given })),
          },
        };
      }
      return {
        type: 18,
        id: i + 1,
        label: cut(f.label, 45),
        component: {
          type: 4,
          custom_id: f.name,
          style: f.kind === 'long' ? 2 : 1,
          required: f.required,
          max_length: f.kind === 'long' ? 4000 : 200,
          ...(f.placeholder ? { placeholder: cut(f.placeholder, 100) } : {}),
          ...(given ? { value: cut(given, f.kind === 'long' ? 4000 : 200) } : {}),
        },
      };
    }),
  } as APIModalInteractionResponseCallbackData;
}
