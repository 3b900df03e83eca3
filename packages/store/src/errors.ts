/** The reasons a store call can fail that a caller (or a user behind it) can act on. */
export type StoreErrorCode =
  | 'invalid-url'
  | 'invalid-schema-name'
  | 'schema-too-new'
  | 'invalid-input'
  | 'invalid-cursor'
  | 'identifier-conflict'
  | 'not-found'
  | 'merge-conflict';

/**
 * An error a caller can cause, with a stable `code` and a message naming the field at fault.
 * Anything else thrown by the store is a bug or an infrastructure failure (database down, ...).
 */
export class StoreError extends Error {
  readonly code: StoreErrorCode;
  readonly field: string | undefined;

  constructor(code: StoreErrorCode, message: string, field?: string) {
    super(message);
    this.name = 'StoreError';
    this.code = code;
    this.field = field;
  }
}

/** True when the value is a `StoreError` (also across duplicated copies of this package). */
export function isStoreError(value: unknown): value is StoreError {
  return value instanceof Error && value.name === 'StoreError' && typeof (value as StoreError).code === 'string';
}
