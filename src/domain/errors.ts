// Errors a person can cause: values with a stable dotted code, rendered as an ephemeral reply.
export class UserError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  /** The option a usage error is about, so a form can show it on that field. */
  readonly field: string | undefined;
  constructor(code: string, message: string, hint?: string, field?: string) {
    super(message);
    this.name = 'UserError';
    this.code = code;
    this.hint = hint;
    this.field = field;
  }
}

export const isUserError = (e: unknown): e is UserError => e instanceof UserError;
