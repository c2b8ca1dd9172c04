// Errors a person can cause: values with a stable dotted code from the catalogue, rendered as an ephemeral reply.
import { type ErrorCode, type MessageSlots, messageOf, type TemplatedCode } from './errorCodes.ts';

export type { ErrorCode } from './errorCodes.ts';

export class UserError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  /** The option a usage error is about, so a form can show it on that field. */
  readonly field: string | undefined;
  constructor(code: ErrorCode, message: string, hint?: string, field?: string) {
    super(message);
    this.name = 'UserError';
    this.code = code;
    this.hint = hint;
    this.field = field;
  }

  /** A code said in its catalogued form (src/domain/errorCodes.ts, ERROR_MESSAGES), its slots filled. */
  static of<C extends TemplatedCode>(code: C, slots: MessageSlots<C>, hint?: string, field?: string): UserError {
    return new UserError(code, messageOf(code, slots), hint, field);
  }
}

export const isUserError = (e: unknown): e is UserError => e instanceof UserError;
