// Errors a person can cause: values with a stable dotted code, rendered as an ephemeral reply.
export class UserError extends Error {
  readonly code: string;
  readonly hint: string | undefined;
  constructor(code: string, message: string, hint?: string) {
    super(message);
    this.name = 'UserError';
    this.code = code;
    this.hint = hint;
  }
}

export const isUserError = (e: unknown): e is UserError => e instanceof UserError;
