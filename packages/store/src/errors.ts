/** The reasons a store call can fail that a caller (or a user behind it) can act on. */
export type StoreErrorCode =
  | 'invalid-url'
  | 'invalid-schema-name'
  | 'schema-too-new'
  | 'invalid-input'
  | 'invalid-cursor'
  | 'identifier-conflict'
  | 'not-found'
  | 'merge-conflict'
  /** The database cannot be reached (PostgreSQL restarting, a disk full): not the caller's fault; try again later. */
  | 'unavailable';

/**
 * An error a caller can cause, with a stable `code` and a message naming the field at fault.
 * `unavailable` is the one code a caller does not cause: the database could not be reached; the message says whether
 * anything can have been stored. Anything else thrown by the store is a bug.
 */
export class StoreError extends Error {
  readonly code: StoreErrorCode;
  readonly field: string | undefined;

  constructor(code: StoreErrorCode, message: string, field?: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'StoreError';
    this.code = code;
    this.field = field;
  }
}

/** True when the value is a `StoreError` (also across duplicated copies of this package). */
export function isStoreError(value: unknown): value is StoreError {
  return value instanceof Error && value.name === 'StoreError' && typeof (value as StoreError).code === 'string';
}
