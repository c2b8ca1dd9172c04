// What comes out of the core: a platform-neutral reply every adapter can render.
export type Visibility = 'ephemeral' | 'channel' | 'thread';

export interface ReplyField {
  label: string;
  value: string;
  inline?: boolean;
}

export interface ReplyAction {
  /** Stable action id, `<command>.<subcommand>`, e.g. `ticket.resolve`. */
  id: string;
  label: string;
  /** Usually the ticket id; comes back as the invocation's `id` option. */
  value: string;
  style?: 'primary' | 'danger';
  /** The command a person types to do the same, when `value` is not typeable (the terminal shows this). */
  typed?: string;
  /** When set, pressing the action opens this form first (e.g. a resolution note). */
  form?: FormSpec;
}

export interface FormField {
  /** Option name of the command the form submits to. */
  name: string;
  label: string;
  kind: 'text' | 'long' | 'choice';
  choices?: readonly string[];
  required: boolean;
  placeholder?: string;
  /** A text a platform may offer a type-ahead list for: the service catalog's names (Slack's external select). */
  suggest?: 'service';
}

/** A modal/form the platform shows; its submission runs `command`/`subcommand` with the fields as options. */
export interface FormSpec {
  /** `<command>.<subcommand>`, e.g. `ticket.new`. */
  id: string;
  title: string;
  submitLabel: string;
  fields: FormField[];
  /** Options passed through unchanged on submit (e.g. the ticket id). */
  hidden?: Record<string, string>;
}

/**
 * A file sent with a message (the status chart, an export's CSV). The bytes are base64 so a Reply stays plain
 * data. In the outbox a message carries only `ref` (the bytes wait in the file store, src/store/fileStore.ts) and
 * an empty `base64`, which the outbox fills in just before a platform sends it.
 */
export interface ReplyFile {
  name: string;
  mime: string;
  /** What the file shows, for screen readers and platforms that caption files. */
  alt: string;
  base64: string;
  /** Where the bytes are stored, while the message waits in the outbox. */
  ref?: string;
}

export interface Reply {
  /** Plain text fallback: what the terminal prints, what notifications show. */
  text: string;
  visibility: Visibility;
  header?: string;
  fields?: ReplyField[];
  context?: string;
  list?: string[];
  image?: { url: string; alt: string };
  /** Uploaded with the message where the platform takes files; the terminal writes it to disk. */
  file?: ReplyFile;
  actions?: ReplyAction[];
  /** Set when the reply is a ticket card: adapters record where it was posted and keep it updated. */
  card?: { tenant: string; ticketId: string };
  /** Set when the platform should open a form instead of answering (e.g. `/ticket new` alone). */
  form?: FormSpec;
  /**
   * People to notify by name, as identities (`slack:U1`, `discord:123`): each platform mentions its own at the
   * top of the message (and only those ping); the text already names them for everyone else.
   */
  mentions?: string[];
  /** Set on refusals and usage errors: the stable error code. */
  error?: string;
  /** Where a form submission error belongs (option name), so a modal can show it on the field. */
  errorField?: string;
}

export const ephemeral = (text: string, extra: Partial<Reply> = {}): Reply => ({
  text,
  visibility: 'ephemeral',
  ...extra,
});
