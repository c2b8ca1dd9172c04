// What the core needs to know about a failure without loading the store: was the database out of reach, and may the
// operation have reached it first? The store answers (src/store/connection.ts); compose.ts hands its answers over.
export interface FailureReading {
  /** True when `err` means the database could not be reached, as opposed to the database refusing the operation. */
  isDatabaseUnavailable(err: unknown): boolean;
  /** True when an unavailable-database error came after the operation may have reached the server. */
  mayHaveReachedDatabase(err: unknown): boolean;
}
